"""Translate a script's firewall commands into one file another tool loads at once: `pyip translate`'s work.

`translate()` gives a TARGET's output (iptables commands, an iptables-restore
file, nft text or JSON, ipchains commands) and every error and finding.

`to_iptables_restore()` reads a shell script as the shell would run it, or
an iptables-save file, applies every iptables command to a ruleset model
(pyip.ruleset) in run order, and renders the ruleset the script leaves as
an iptables-restore file.  A command that does not parse, or that iptables would refuse on the
ruleset it meets, is left out and reported; the file then says how many.
"""

from __future__ import annotations

import itertools
import re

from .. import Dialect, Style, Target
from ..compat import legacy
from ..errors import PyipError, is_error

TARGETS = ("iptables", "iptables-restore", "nft", "nft-json", "ipchains")
STYLES = ("faithful", "conventional")


def to_iptables_restore(text: str, file: str = "-", dialect: str = legacy.MODERN,
                        scripted: list | None = None) -> tuple[str, list[PyipError]]:
    """The restore file and the errors of the commands left out of it, in script order; `scripted`: the
    script's script_commands(), if the caller has them already."""
    from ..errors import check_api_input
    from ..script import collector_paused

    check_api_input(text, dialect, file)
    with collector_paused():
        return restore_output(text, file, dialect, scripted)


def restore_output(text: str, file: str, dialect: str, scripted: list | None) -> tuple[str, list[PyipError]]:
    from ..render.iptables_save import restore_file

    ruleset, errors = iptables_ruleset(text, file, dialect, scripted, lane=True)
    return left_out_note(errors) + restore_file(ruleset), errors


def is_save_file(text: str) -> bool:
    """An iptables-save file: its first line that says anything is `*TABLE`, and every line is
    restore syntax (`*TABLE`, `:CHAIN POLICY`, a rule, `[0:0]` counters, `COMMIT`, comments).
    A script's `*)` case arm, or a glob at the start of a line, is neither.  The answer for the last
    text asked about is kept: a translation asks it three times of one text (each read of every line)."""
    global last_save_file
    last = last_save_file  # one read: another thread may put another text's answer meanwhile
    if text is last[0]:
        return last[1]
    answer = save_file_syntax(text)
    last_save_file = (text, answer)
    return answer


last_save_file: tuple = (None, False)  # (text, is_save_file(text))


def save_file_syntax(text: str) -> bool:
    lines = text.splitlines()
    first = None
    for index, line in enumerate(lines):  # the first line that says anything
        first = line.strip()
        if first and first[0] != "#":
            break
    else:
        return False
    if not _TABLE_LINE.fullmatch(first):
        return False
    for line in itertools.islice(lines, index + 1, None):
        if line[:1] == "-":
            continue  # most lines: a rule as iptables-save writes it, which _RESTORE_LINE's `-` takes
        stripped = line.strip()
        if stripped and stripped[0] != "#" and not _RESTORE_LINE.match(stripped):
            return False
    return True


def plain_save_file_syntax(text: str) -> bool:
    """save_file_syntax(), said plainly: the reference its shortcut (lines starting with `-`) is tested against."""
    lines = (line.strip() for line in text.splitlines())
    meaningful = (line for line in lines if line and line[0] != "#")
    first = next(meaningful, None)
    if first is None or not _TABLE_LINE.fullmatch(first):
        return False
    return all(_RESTORE_LINE.match(line) for line in meaningful)


_TABLE_LINE = re.compile(r"\*[A-Za-z0-9_.-]+")
# A rule line starts with an option (`-A`), or with counters (`[0:0] -A`); iptables-restore
# would report a rule line it cannot read, so any option start counts.
_RESTORE_LINE = re.compile(r"\*[A-Za-z0-9_.-]+$|:\S|-|\[\d+:\d+\]|COMMIT$")


def iptables_commands(text: str, file: str, dialect: str, scripted: list | None = None, lane: bool = False):
    """Each iptables command (or the PyipError of one that does not read), from a script or a save file;
    `scripted`: the script's script_commands(), if the caller has them already; `lane`: rule commands may
    come as the rule lane's Stenciled (pyip.translators.lane)."""
    from ..parser.iptables import is_iptables_command, parse_iptables
    from ..parser.restore import restore_commands
    from ..script import script_commands

    if is_save_file(text):
        if lane:
            from . import lane as save_file_lane

            yield from restore_commands(text, file, dialect, save_file_lane.lane)
        else:
            yield from restore_commands(text, file, dialect)
        return
    script_lane = None
    if lane and dialect == legacy.MODERN:
        from . import lane as rule_lane

        script_lane = rule_lane.script_lane
    for words in script_commands(text, file) if scripted is None else scripted:
        if isinstance(words, PyipError) or not is_iptables_command(words):
            if isinstance(words, PyipError):
                yield words
            continue
        try:
            yield parse_iptables(words, dialect, lane=script_lane)
        except PyipError as error:
            yield error


def iptables_ruleset(text: str, file: str = "-", dialect: str = legacy.MODERN, scripted: list | None = None,
                     lane: bool = False):
    """The ruleset the commands leave, and the errors of those iptables would refuse.  With `lane`, its
    chains may hold the rule lane's Stenciled rules (which the restore file and the nft text print)."""
    from ..ast import firewall as fw
    from ..ruleset import Ruleset

    ruleset, errors = Ruleset(), []
    stenciled = None  # the lane's rule class, where there is a lane
    if lane:
        from .lane import Stenciled as stenciled
    for command in batched(iptables_commands(text, file, dialect, scripted, lane)):
        if command.__class__ is stenciled:
            if ruleset.append_stenciled(command, *command.stencil.view(command.matches, command.target)):
                continue
            command = command.command()  # refused: the command gives iptables' error
        try:
            if isinstance(command, PyipError):
                raise command
            ruleset.apply(command)
        except PyipError as error:
            if not isinstance(command, (fw.Check, fw.List)):  # a query's "no" is the script's answer
                errors.append(error)
        else:
            errors += dropped_state(command)
    return ruleset, errors


BATCH = 1024


def batched(commands):
    """The commands, read BATCH at a time: reading one and applying it in turn cost a quarter more than
    reading many and then applying them (50,000 rules: 1.37 s against 1.09 s), the two paths' code and
    data taking each other's place in the processor's caches.  Reading does not depend on the ruleset."""
    while True:
        batch = list(itertools.islice(commands, BATCH))
        if not batch:
            return
        yield from batch


def dropped_state(command) -> list[PyipError]:
    """What a command set that the translated ruleset does not hold: never left out in silence."""
    if not command.notes:
        return []  # nearly every command: no import statement run for it
    from ..errors import PyipWarning
    from ..parser.iptables import COUNTERS_NOTE

    if COUNTERS_NOTE in command.notes:
        return [PyipWarning("-c: the rule's packet and byte counters are not carried over; it starts at 0",
                            command.location)]
    return []


def left_out_note(errors: list[PyipError]) -> str:
    from ..errors import ScriptError

    errors = [error for error in errors if is_error(error) and not isinstance(error, ScriptError)]
    if not errors:
        return ""
    lines = ", ".join(dict.fromkeys(str(error.location.line) for error in errors))
    count = f"{len(errors)} command{'s' if len(errors) > 1 else ''}"
    return f"# pyip: left out {count} iptables would refuse (errors on stderr), at line {lines} of {errors[0].location.file}\n"


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
    from .iptables_nft import translate_ruleset

    ruleset, errors = iptables_ruleset(text, file, dialect, scripted, lane=not as_json)
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

    from ..script import collector_paused

    # One pause over reading the script and translating: after a pause of its own the reading's
    # words and commands, which translating still holds, would be walked by the first collection.
    with collector_paused():
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
    from ..render.nft import rule_text, set_declaration
    from ..script import script_commands
    from .iptables_nft import translate_ruleset

    scripted = list(script_commands(text, file, defines))
    ruleset, errors = iptables_ruleset(text, file, dialect, scripted)
    result, findings = translate_ruleset(ruleset)
    lines = [f"# pyip: left out: {error}\n" for error in errors if is_error(error)]
    for table in result.tables:
        lines += [f"nft {shlex.quote(set_declaration(table.family, table.name, declared))}\n" for declared in table.sets]
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
