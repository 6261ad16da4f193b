"""What the lint rules see of a script: its commands, read as the shell runs them."""

from __future__ import annotations

from .. import records

from ..compat import legacy
from ..errors import PyipError
from ..names import Databases
from ..parser.words import Word

PROGRAMS = ("ip", "pyip", "iptables", "ipchains")


class Command(metaclass=records.define):
    """One command of the script, with its ip parse in both dialects (ip commands only)."""

    words: list[Word]
    conditional: bool
    program: str | None  # ip, iptables, ipchains (pyip counts as ip); None for others
    ip: object = None  # IpCommand or PyipError, in the script's dialect
    reparse: object = None  # parses the words in the other dialect, on demand
    _other: object = None
    dialect: str = legacy.MODERN
    _firewall: object = None

    @property
    def ip_other(self):
        """The ip command read in the other dialect (IpCommand or PyipError), parsed on first use."""
        if self._other is None and self.reparse is not None:
            self._other = self.reparse(self.words)
        return self._other

    @property
    def firewall(self):
        """The iptables or ipchains command read in the script's dialect (a Command AST or the
        PyipError the tool would print); parsed on first use, once for every rule that asks."""
        if self._firewall is None and self.program in ("iptables", "ipchains"):
            from ..parser.ipchains import parse_ipchains
            from ..parser.iptables import parse_iptables

            try:
                self._firewall = parse_iptables(self.words, self.dialect) if self.program == "iptables" \
                    else parse_ipchains(self.words)
            except PyipError as error:
                self._firewall = error
        return self._firewall

    @property
    def location(self):
        return self.words[0].location

    def word_after(self, *keywords: str) -> Word | None:
        """The word that follows the first of the keywords, as written."""
        for index, word in enumerate(self.words[:-1]):
            if word.text in keywords:
                return self.words[index + 1]
        return None


class Script(metaclass=records.define):
    file: str
    text: str
    dialect: str
    names: Databases
    commands: list[Command]
    shell_errors: list[PyipError]
    variables: frozenset = frozenset()  # names the script sets anywhere
    claimed: set = records.field(factory=set)  # id() of commands whose parse error a rule explained
    explained: frozenset = frozenset()  # (line, col, code) of every other rule's finding, for PI000
    iptables_chains: list | None = None  # the final iptables ruleset, built on first use
    line_endings: tuple | None = None  # each line's ending in the file, when `text` has LF only

    @property
    def other_dialect(self) -> str:
        return legacy.MODERN if self.dialect == legacy.LEGACY else legacy.LEGACY

    def of(self, program: str) -> list[Command]:
        return [c for c in self.commands if c.program == program]

    def ip_commands(self, object_name: str | None = None, ok_only: bool = True) -> list[Command]:
        """ip commands (that parsed, unless ok_only is False), of one object if given."""
        out = []
        for command in self.of("ip"):
            parsed = command.ip
            if ok_only and isinstance(parsed, PyipError):
                continue
            if object_name and not isinstance(parsed, PyipError) and parsed.object != object_name:
                continue
            out.append(command)
        return out


def program_of(word: Word) -> str | None:
    name = word.text.rsplit("/", 1)[-1]
    if name == "pyip":
        return "ip"
    return name if name in PROGRAMS else None


def read(text: str, file: str, dialect: str, names: Databases, defines: dict[str, str] | None = None,
         args=None) -> Script:
    """The script as one list of commands: its first path (see read_paths)."""
    return read_paths(text, file, dialect, names, defines, args)[0]


def read_paths(text: str, file: str, dialect: str, names: Databases, defines: dict[str, str] | None = None,
               args=None) -> list[Script]:
    """One Script for each path through the script (pyip.shell.read_script): a linter reads all
    the code, and the rules that reason over a whole ruleset must not mix the commands of
    `start` with those of `stop`.  A command on several paths is one Command, parsed once."""
    from ..script import Entry, binary_file, commands_judged, has_shell_syntax, is_binary, shell_entries, simple_commands
    from ..shell import read_script

    if is_binary(text):
        return [model(text, file, dialect, names, [binary_file(file)], frozenset(), {})]
    simple = None if has_shell_syntax(text) else simple_commands(text, file)
    if simple is not None:
        return [model(text, file, dialect, names, [Entry(words) for words in simple], frozenset(), {})]
    with commands_judged():
        shell = read_script(text, file, defines, args=args, all_paths=True)
    variables = shell.variables | frozenset(defines or ())  # the user set them
    parsed: dict = {}
    scripts = []
    for path in shell.paths:
        entries = shell_entries(shell, file, path.commands)
        scripts.append(model(text, file, dialect, names, entries, variables, parsed))
    return scripts


def model(text: str, file: str, dialect: str, names: Databases, entries, variables, parsed: dict) -> Script:
    """The lint Script of `entries`; `parsed` holds the lint Commands built on other paths."""
    from ..parser.ip import OtherObject, parse_ip
    from ..script import entry_words

    commands, errors = [], []
    other = legacy.MODERN if dialect == legacy.LEGACY else legacy.LEGACY
    written, seen = (), names
    for entry in entries:
        if isinstance(entry, PyipError):
            errors.append(entry)
            continue
        if entry.names is not written:  # the script wrote table or realm names before this command
            written = entry.names
            seen = names.with_written(written) if written else names
        key = (entry.context, entry.names, tuple(entry.words))  # words: text, file:line:col, symbol
        command = parsed.get(key)
        if command is None:
            command = Command(entry_words(entry), entry.conditional, program_of(entry.words[0]), dialect=dialect)
            if command.program == "ip":
                command.ip = parse_or_error(parse_ip, entry.words, dialect, seen)
                command.reparse = lambda words, seen=seen: parse_or_error(parse_ip, words, other, seen)
                if isinstance(command.ip, OtherObject):
                    command.program = None  # `ip link set eth0 up`: real, and no business of these rules
            parsed[key] = command
        commands.append(command)
    return Script(file, text, dialect, names, commands, errors, variables)


def parse_or_error(parse, words, dialect, names):
    try:
        return parse(words, dialect, names)
    except PyipError as error:
        return error
