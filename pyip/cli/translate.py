"""`pyip translate --to TARGET FILE`: the command line; the work is pyip.translators.pipeline's.

Every translation is a process of its own (a script, a Makefile, pre-commit),
and importing click is some 16 ms of its start, so, as `pyip parse` does
(pyip.cli.parse), fast_arguments() reads the usual command lines (FILE, ARGS,
--to, --style, --dialect, --allow-partial, -D) itself and gives up on anything
else (-e, -P, --help, a bad value, an unknown option, a file that cannot be
read), which click then reads, with its messages.  Both readings end in run().
tests/test_cli_translate_fast.py holds them equal.
"""

from __future__ import annotations

import sys

from ..compat.legacy import DIALECTS, MODERN
from ..translators.pipeline import STYLES, TARGETS
from .parse import echo_error, is_shell_name, plain_words


def command():
    """The click command (pyip.cli.group): imported only where click reads the command line."""
    import click

    from .options import define_option, source_path_option

    @click.command("translate")
    @click.argument("file", type=click.File("rb"), required=False)
    @click.argument("args", nargs=-1)
    @click.option("-e", "--expression", "expressions", multiple=True, metavar="COMMAND",
                  help="Translate this command (`iptables -A INPUT ...`) instead of a FILE; repeatable. "
                       "--to nft prints one `nft 'add rule ...'` line a rule, as iptables-translate does.")
    @click.option("--to", "target", type=click.Choice(TARGETS),
                  required=True, help="iptables: a sh script of iptables commands that rebuilds the ruleset; "
                                      "iptables-restore: a restore file; nft: `nft -f` text; ipchains: ipchains "
                                      "commands, for review, where ipchains can say it; nft-json: `nft -j -f` JSON.")
    @click.option("--style", type=click.Choice(STYLES), default="faithful", show_default=True,
                  help="ipchains input: keep where its chains ran, or use INPUT/FORWARD/OUTPUT.")
    @click.option("--allow-partial", is_flag=True, help="Exit 0 even if something was left out.")
    @click.option("--dialect", type=click.Choice(DIALECTS), default=MODERN, show_default=True,
                  help="legacy: also read the 2001 negation `-s ! NET`.")
    @source_path_option
    @define_option
    def translate_command(file, args: tuple, expressions: tuple, target: str, style: str, allow_partial: bool,
                          dialect: str, defines: dict) -> None:
        """Print the ruleset FILE (- for stdin: a script or an iptables-save file) leaves, for TARGET; what cannot
        be said exactly is reported and left out.  ARGS are the script's arguments ($1 ...), as in `sh FILE ARGS...`."""
        if (file is None) == (not expressions):
            raise click.UsageError("give a FILE or -e COMMAND, not both")
        if expressions:
            translate_expressions(expressions, target, style, allow_partial, dialect, defines)
        else:
            run(file.read(), "-" if file.name == "<stdin>" else file.name, args, target, style, allow_partial,
                dialect, defines)

    return translate_command


class Arguments:
    """What `pyip translate FILE` was told, as the click command receives it."""

    def __init__(self):
        self.file: str | None = None
        self.args: list[str] = []
        self.target: str | None = None
        self.style = "faithful"
        self.allow_partial = False
        self.dialect = MODERN
        self.defines: dict[str, str] = {}


CHOICES = {"--to": ("target", TARGETS), "--style": ("style", STYLES), "--dialect": ("dialect", DIALECTS)}
DEFINE = ("-D", "--define")
VALUED = frozenset({*CHOICES, *DEFINE})


def fast_arguments(argv: list[str]) -> Arguments | None:
    """ARGV (after `translate`) read as click reads it, for the plain forms only; None for anything
    else, which click reads (and reports on) instead."""
    got = Arguments()
    positional = plain_words(argv, got, {"--allow-partial": "allow_partial"}, VALUED,
                             lambda option, value: take_value(got, option, value), attached="-D")
    if not positional or got.target is None:
        return None
    got.file, got.args = positional[0], positional[1:]
    return got


def take_value(got: Arguments, option: str, value: str) -> bool:
    """Set one option's value, if click would take it as it stands."""
    if option in DEFINE:
        name, equals, text = value.partition("=")
        if not equals or not is_shell_name(name):
            return False
        got.defines[name] = text
        return True
    field, choices = CHOICES[option]
    if value not in choices:
        return False
    setattr(got, field, value)
    return True


def fast_main(argv: list[str]) -> bool:
    """Run `pyip translate ARGV` without click if its arguments are plain; False if click must read them."""
    got = fast_arguments(argv)
    if got is None:
        return False
    if got.file == "-":
        if sys.stdin is None:  # started with stdin closed (`<&-`): what click says then is click's
            return False
        raw = sys.stdin.buffer.read()
    else:
        try:
            with open(got.file, "rb") as file:
                raw = file.read()
        except OSError:  # click says why, as a usage error
            return False
    run(raw, got.file, tuple(got.args), got.target, got.style, got.allow_partial, got.dialect, got.defines)
    return True


def run(raw: bytes, name: str, args: tuple, target: str, style: str, allow_partial: bool, dialect: str,
        defines: dict) -> None:
    """The command's work on a FILE, once its arguments are read (by click, or by fast_arguments()); exits."""
    from ..line_endings import shell_lines
    from ..translators.pipeline import translate

    text, endings = shell_lines(raw.decode("utf-8", "surrogateescape"), name)
    output, problems = translate(text, name, target, dialect, style, defines, args or None)
    report(output, [endings, *problems] if endings is not None else problems, allow_partial)


def translate_expressions(expressions: tuple, target: str, style: str, allow_partial: bool, dialect: str,
                          defines: dict) -> None:
    """`pyip translate -e COMMAND...` (click reads these command lines); exits."""
    from ..translators.detect import uses_ipchains
    from ..translators.pipeline import nft_commands, translate

    text, name = "".join(f"{command}\n" for command in expressions), "-e"
    if target == "nft" and not uses_ipchains(text, name):
        output, problems = nft_commands(text, name, dialect, defines)
    else:
        output, problems = translate(text, name, target, dialect, style, defines)
    report(output, problems, allow_partial)


def report(output: str, problems: list, allow_partial: bool) -> None:
    """Problems to stderr, the output to stdout, and the exit status: 1 if something was left out."""
    from ..errors import is_error

    # A loop unrolled by the shell layer repeats its command: say each problem once per place.
    for line in dict.fromkeys(str(problem) for problem in problems):
        echo_error(line)
    sys.stdout.write(output)
    sys.exit(1 if any(map(is_error, problems)) and not allow_partial else 0)
