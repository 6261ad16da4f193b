"""Translate a script's firewall commands into one file another tool loads at once.

`to_iptables_restore()` reads a shell script as the shell would run it, or
an iptables-save file, applies every iptables command to a ruleset model
(pyip.ruleset) in run order, and renders the ruleset the script leaves as
an iptables-restore file.  A command that does not parse, or that iptables would refuse on the
ruleset it meets, is left out and reported; the file then says how many.
"""

from __future__ import annotations

import re

from .compat import legacy
from .errors import PyipError, is_error


def to_iptables_restore(text: str, file: str = "-", dialect: str = legacy.MODERN,
                        scripted: list | None = None) -> tuple[str, list[PyipError]]:
    """The restore file and the errors of the commands left out of it, in script order; `scripted`: the
    script's script_commands(), if the caller has them already."""
    from .errors import check_api_input
    from .script import collector_paused

    check_api_input(text, dialect, file)
    with collector_paused():
        return restore_output(text, file, dialect, scripted)


def restore_output(text: str, file: str, dialect: str, scripted: list | None) -> tuple[str, list[PyipError]]:
    from .render.iptables_save import restore_file

    ruleset, errors = iptables_ruleset(text, file, dialect, scripted)
    return left_out_note(errors) + restore_file(ruleset), errors


def is_save_file(text: str) -> bool:
    """An iptables-save file: its first line that says anything is `*TABLE`, and every line is
    restore syntax (`*TABLE`, `:CHAIN POLICY`, a rule, `[0:0]` counters, `COMMIT`, comments).
    A script's `*)` case arm, or a glob at the start of a line, is neither."""
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


def iptables_commands(text: str, file: str, dialect: str, scripted: list | None = None):
    """Each iptables command (or the PyipError of one that does not read), from a script or a save file;
    `scripted`: the script's script_commands(), if the caller has them already."""
    from .parser.iptables import is_iptables_command, parse_iptables
    from .parser.restore import restore_commands
    from .script import script_commands

    if is_save_file(text):
        yield from restore_commands(text, file, dialect)
        return
    for words in script_commands(text, file) if scripted is None else scripted:
        if isinstance(words, PyipError) or not is_iptables_command(words):
            if isinstance(words, PyipError):
                yield words
            continue
        try:
            yield parse_iptables(words, dialect)
        except PyipError as error:
            yield error


def iptables_ruleset(text: str, file: str = "-", dialect: str = legacy.MODERN, scripted: list | None = None):
    """The ruleset the commands leave, and the errors of those iptables would refuse."""
    from .ruleset import Ruleset

    ruleset, errors = Ruleset(), []
    for command in iptables_commands(text, file, dialect, scripted):
        try:
            if isinstance(command, PyipError):
                raise command
            ruleset.apply(command)
        except PyipError as error:
            errors.append(error)
        else:
            errors += dropped_state(command)
    return ruleset, errors


def dropped_state(command) -> list[PyipError]:
    """What a command set that the translated ruleset does not hold: never left out in silence."""
    from .errors import PyipWarning
    from .parser.iptables import COUNTERS_NOTE

    if COUNTERS_NOTE in command.notes:
        return [PyipWarning("-c: the rule's packet and byte counters are not carried over; it starts at 0",
                            command.location)]
    return []


def left_out_note(errors: list[PyipError]) -> str:
    from .errors import ScriptError

    errors = [error for error in errors if is_error(error) and not isinstance(error, ScriptError)]
    if not errors:
        return ""
    lines = ", ".join(dict.fromkeys(str(error.location.line) for error in errors))
    count = f"{len(errors)} command{'s' if len(errors) > 1 else ''}"
    return f"# pyip: left out {count} iptables would refuse (errors on stderr), at line {lines} of {errors[0].location.file}\n"
