"""`pyip translate --to iptables-restore|nft|nft-json FILE`: read a script or a save file, print the ruleset it leaves.

The lead wires `translate_command` into pyip.cli.  Every command is applied
to the ruleset model in run order; what iptables would refuse, and every
construct the target cannot say exactly, is reported on stderr as
`FILE:LINE:COL: error: ...` and marked in the output where it stood.  The
exit status is 1 if anything was left out, unless --allow-partial.
"""

from __future__ import annotations

import sys

import click

from ..clioptions import define_option, source_path_option
from ..compat import legacy
from .. import Dialect, Style, Target
from ..errors import PyipError, is_error
from ..translate import is_save_file, iptables_commands, iptables_ruleset  # noqa: F401  (this module's API too)

TARGETS = ("iptables", "iptables-restore", "nft", "nft-json", "ipchains")
STYLES = ("faithful", "conventional")


def to_nft(text: str, file: str = "-", dialect: str = legacy.MODERN, as_json: bool = False,
           scripted: list | None = None) -> tuple[str, list]:
    """The nft ruleset (text or JSON) and every error and finding, in source order; `scripted`: the
    script's script_commands(), if the caller has them already."""
    from ..errors import check_api_input
    from ..script import collector_paused

    check_api_input(text, dialect, file)
    with collector_paused():
        output, problems = nft_output(text, file, dialect, as_json, scripted)
    return output, sorted(problems, key=lambda e: (e.location.line, e.location.col))


def nft_output(text: str, file: str, dialect: str, as_json: bool, scripted: list | None) -> tuple[str, list]:
    from ..render.nft import ruleset_text
    from ..render.nft_json import ruleset_json
    from ..translators.iptables_nft import translate_ruleset

    ruleset, errors = iptables_ruleset(text, file, dialect, scripted)
    result, findings = translate_ruleset(ruleset, quotes_allowed=as_json)
    output = ruleset_json(result) if as_json else left_out_header(errors) + ruleset_text(result)
    return output, errors + findings


def left_out_header(errors: list) -> str:
    return "".join(f"# pyip: left out: {error}\n" for error in errors if is_error(error))


def translate(text: str, file: str, target: Target, dialect: Dialect, style: Style = "faithful",
              defines: dict | None = None, args=None) -> tuple[str, list]:
    """`pyip translate`: the output for TARGET and every error and finding.  `defines`: values of
    variables the script computes when it runs; `args`: its arguments (pyip.shell.read_script)."""
    from ..errors import check_api_input

    check_api_input(text, dialect, file)
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: one of {', '.join(map(repr, TARGETS))}")
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: one of {', '.join(map(repr, STYLES))}")

    if target == "ipchains":
        return to_ipchains(text, file, dialect, defines, args)
    output, problems = translation(text, file, target, dialect, style, defines, args)
    if target == "iptables":  # the restore file, said as the iptables commands that rebuild it
        from ..render.iptables_commands import commands_script

        output = commands_script(output)
    return output, problems


def to_ipchains(text: str, file: str, dialect: str, defines: dict | None, args=None) -> tuple[str, list]:
    """The ruleset back as ipchains commands, for review (pyip.translators.iptables_ipchains).  An
    ipchains script goes there through its conventional iptables translation."""
    from ..script import script_commands
    from .detect import is_ipchains_save, uses_ipchains
    from .iptables_ipchains import ipchains_script

    ipchains_input = is_ipchains_save(text)
    scripted = None if ipchains_input or is_save_file(text) else list(script_commands(text, file, defines, args))
    problems: list = []
    if ipchains_input or uses_ipchains(text, file, scripted):
        text, problems = translation(text, file, "iptables-restore", dialect, "conventional", defines, args)
        scripted = None
    ruleset, errors = iptables_ruleset(text, file, dialect, scripted)
    output, left_out = ipchains_script(ruleset)
    return output, problems + errors + left_out


def translation(text: str, file: str, target: str, dialect: str, style: str, defines: dict | None,
                args=None) -> tuple[str, list]:
    from ..script import script_commands
    from .detect import is_ipchains_save, uses_ipchains

    ipchains_save = is_ipchains_save(text)
    scripted = None if ipchains_save or is_save_file(text) else list(script_commands(text, file, defines, args))
    if ipchains_save or uses_ipchains(text, file, scripted):  # the script is read once, used throughout
        from .ipchains_iptables import translate_script

        return translate_script(text, file, target, dialect, style, defines, scripted)
    if target in ("iptables", "iptables-restore"):
        from ..translate import to_iptables_restore

        output, problems = to_iptables_restore(text, file, dialect, scripted)
    else:
        output, problems = to_nft(text, file, dialect, as_json=target == "nft-json", scripted=scripted)
    return output, problems + nothing_to_translate(scripted, file)


class NothingToTranslate(PyipError):
    """A script without one firewall command: likely the wrong file; the (empty) output stands."""

    severity = "warning"

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}"


def nothing_to_translate(scripted: list | None, file: str) -> list:
    from ..errors import Location
    from ..parser.iptables import is_iptables_command
    from ..script import NotText

    if scripted is None or any(isinstance(words, NotText) or not isinstance(words, PyipError)
                               and is_iptables_command(words) for words in scripted):
        return []
    return [NothingToTranslate("no iptables or ipchains command to translate", Location(file, 1, 1))]


def nft_commands(text: str, file: str, dialect: str, defines: dict | None) -> tuple[str, list]:
    """`translate --to nft -e 'iptables -A ...'`, as iptables-translate prints it: one
    `nft 'add rule FAMILY TABLE CHAIN ...'` line a rule (`add chain` for a user chain), in order."""
    import shlex

    from ..ast import nft
    from ..render.nft import rule_text
    from ..script import script_commands
    from .iptables_nft import translate_ruleset

    scripted = list(script_commands(text, file, defines))
    ruleset, errors = iptables_ruleset(text, file, dialect, scripted)
    result, findings = translate_ruleset(ruleset)
    lines = [f"# pyip: left out: {error}\n" for error in errors if is_error(error)]
    for table in result.tables:
        for chain in table.chains:
            where = f"{table.family} {table.name} {chain.name}"
            if chain.hook is None:
                lines.append(f"nft {shlex.quote(f'add chain {where}')}\n")
            for rule in chain.rules:
                if isinstance(rule, nft.LeftOut):
                    lines.append(f"# pyip: left out: {rule.why}\n")
                else:
                    lines.append(f"nft {shlex.quote(f'add rule {where} {rule_text(rule)}')}\n")
    return "".join(lines), errors + findings + nothing_to_translate(scripted, file)


@click.command("translate")
@click.argument("file", type=click.File("r", encoding="utf-8", errors="surrogateescape"), required=False)
@click.argument("args", nargs=-1)
@click.option("-e", "--expression", "expressions", multiple=True, metavar="COMMAND",
              help="Translate this command (`iptables -A INPUT ...`) instead of a FILE; repeatable. "
                   "--to nft prints one `nft 'add rule ...'` line a rule, as iptables-translate does.")
@click.option("--to", "target", type=click.Choice(TARGETS),
              required=True, help="iptables: a sh script of iptables commands that rebuilds the ruleset; iptables-restore: "
                                  "a restore file; nft: `nft -f` text; ipchains: ipchains commands, for review, "
                                  "where ipchains can say it; nft-json: "
                                  "`nft -j -f` JSON.")
@click.option("--style", type=click.Choice(STYLES), default="faithful", show_default=True,
              help="ipchains input: keep where its chains ran, or use INPUT/FORWARD/OUTPUT.")
@click.option("--allow-partial", is_flag=True, help="Exit 0 even if something was left out.")
@click.option("--dialect", type=click.Choice(legacy.DIALECTS), default=legacy.MODERN, show_default=True,
              help="legacy: also read the 2001 negation `-s ! NET`.")
@source_path_option
@define_option
def translate_command(file, args: tuple, expressions: tuple, target: str, style: str, allow_partial: bool,
                      dialect: str, defines: dict) -> None:
    """Print the ruleset FILE (- for stdin: a script or an iptables-save file) leaves, for TARGET; what cannot
    be said exactly is reported and left out.  ARGS are the script's arguments ($1 ...), as in `sh FILE ARGS...`."""
    from .detect import is_error, uses_ipchains

    if (file is None) == (not expressions):
        raise click.UsageError("give a FILE or -e COMMAND, not both")
    if expressions:
        text, name = "".join(f"{command}\n" for command in expressions), "-e"
        if target == "nft" and not uses_ipchains(text, name):
            output, problems = nft_commands(text, name, dialect, defines)
        else:
            output, problems = translate(text, name, target, dialect, style, defines)
    else:
        name = "-" if file.name == "<stdin>" else file.name
        output, problems = translate(file.read(), name, target, dialect, style, defines, args or None)
    # A loop unrolled by the shell layer repeats its command: say each problem once per place.
    for line in dict.fromkeys(str(problem) for problem in problems):
        click.echo(line, err=True)
    sys.stdout.write(output)
    sys.exit(1 if any(map(is_error, problems)) and not allow_partial else 0)
