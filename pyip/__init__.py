"""pyip: read, run, check and migrate Linux ip, ipchains and iptables commands.

    >>> import pyip
    >>> [command] = pyip.parse("ip route add 0/0 via 10.0.0.1 table 1")
    >>> str(command)
    'ip route add default via 10.0.0.1 table 1'

Everything is imported lazily, so `import pyip` costs almost nothing.
"""

from __future__ import annotations

__version__ = "0.1.0"

# The types of the API's string arguments, typing.Literal made when first asked for (module
# __getattr__ below): typing imports re, enum, functools and collections, which would cost
# every drop-in start more than its own work.
LITERALS = {
    "Dialect": ("modern", "legacy"),  # today's tools, or the 2.2/2.4-era ones
    "Target": ("iptables", "iptables-restore", "nft", "nft-json", "ipchains"),  # pyip translate --to
    "Style": ("faithful", "conventional"),  # where ipchains' chains go
    "LintFormat": ("text", "json", "sarif"),
}
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Literal

    Dialect = Literal["modern", "legacy"]

__all__ = ["parse", "parse_script", "PyipError", "ast", "netlink", "Dialect", "Target", "Style", "LintFormat",
           "__version__"]


def __dir__() -> list[str]:
    """The public names only (not the helpers and submodules imported along the way)."""
    return sorted(__all__)


def parse(text: str, dialect: Dialect = "modern", *, file: str = "-", rt_tables: str | None = None,
          names=None):
    """Parse every `ip` and `iptables` command in text; return a list of pyip.ast.IpCommand
    and pyip.ast.firewall.Command.

    `dialect` is "modern" (today's iproute2) or "legacy" (the 2.2-era tool:
    hex fwmark, `reject`, `equalize`).  `rt_tables` names a table file to use
    instead of /etc/iproute2/rt_tables.  Raises pyip.PyipError, positioned,
    on the first command that does not parse; see parse_script() to go on.
    """
    commands = []
    for result in parse_script(text, dialect, file=file, rt_tables=rt_tables, names=names):
        if isinstance(result, Exception):
            raise result
        commands.append(result)
    return commands


def parse_script(text: str, dialect: Dialect = "modern", *, file: str = "-", rt_tables: str | None = None,
                 names=None, defines: dict[str, str] | None = None, args=None):
    """Yield an IpCommand or firewall Command, or the PyipError it raised, for each ip or iptables command in text.

    The text is read as the shell would run it (pyip.shell): loops unrolled,
    functions called, known variables substituted; a value known only at
    run time stays a Symbol, unless `defines` gives its value; `args` are the
    script's arguments ($1 ...).  Other commands are passed over.  A script
    that is not str (bytes: decode it first) raises TypeError, an unknown
    dialect ValueError, at once.
    """
    from .errors import check_api_input

    check_api_input(text, dialect, file)
    return _parse_script(text, dialect, file, rt_tables, names, defines, args)


def _parse_script(text: str, dialect: str, file: str, rt_tables, names, defines, args=None):
    from .errors import PyipError
    from .names import Databases, system
    from .script import CommandWords, script_entries

    if names is None:
        names = Databases.load(rt_tables=rt_tables) if rt_tables else system()
    given, written, seen = names, (), names
    for entry in script_entries(text, file, defines, args):
        if isinstance(entry, PyipError):
            yield entry
            continue
        words = entry.words
        parse_command = command_parser(words)
        if parse_command is None:
            continue
        if entry.names is not written:  # the script wrote table or realm names before this command
            written = entry.names
            seen = given.with_written(written) if written else given
        try:
            yield parse_command(CommandWords(words, written) if written else words, dialect, seen)
        except PyipError as error:
            yield error


def command_parser(words):
    """The parser for the program a command runs (ip, iptables or ipchains), or None for any other program."""
    if not words or words[0].symbol is not None:
        return None
    program = words[0].text
    parser = _PARSERS.get(program, _UNSEEN)
    if parser is _UNSEEN:
        parser = _parser_of(words, program)
        if len(_PARSERS) < 1000:  # a script names a few programs, many times: each is looked up once
            _PARSERS[program] = parser
    return parser


_PARSERS: dict = {}
_UNSEEN = object()


def _parser_of(words, program: str):
    """command_parser's answer, which depends on the program word's text alone."""
    from .parser.ip import is_ip_command, parse_ip

    if is_ip_command(words):
        return parse_ip
    if program.rsplit("/", 1)[-1] == "iptables":
        from .parser.iptables import parse_iptables  # imported only for scripts that use iptables

        return lambda words, dialect, names: parse_iptables(words, dialect)
    if program.rsplit("/", 1)[-1] == "ipchains":
        from .parser.ipchains import parse_ipchains

        # ipchains exists only for the 2.2 era: both dialects read it as ipchains 1.3.10 did.
        return lambda words, dialect, names: parse_ipchains(words)
    return None


def __getattr__(name: str):
    if name in LITERALS:
        from typing import Literal

        globals()[name] = made = Literal[LITERALS[name]]
        return made
    if name == "PyipError":
        from .errors import PyipError

        return PyipError
    if name in ("ast", "netlink"):  # `from . import ast` here would ask this __getattr__ again, without end
        from .lazy import submodule

        return submodule(__name__, name)
    raise AttributeError(name)

