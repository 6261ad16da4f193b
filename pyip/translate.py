"""Translate a script's firewall commands into one file another tool loads at once.

`to_iptables_restore()` reads a shell script as the shell would run it,
applies every iptables command to a ruleset model (pyip.ruleset) in run
order, and renders the ruleset the script leaves as an iptables-restore
file.  A command that does not parse, or that iptables would refuse on the
ruleset it meets, is left out and reported; the file then says how many.
"""

from __future__ import annotations

from .compat import legacy
from .errors import PyipError


def to_iptables_restore(text: str, file: str = "-", dialect: str = legacy.MODERN,
                        scripted: list | None = None) -> tuple[str, list[PyipError]]:
    """The restore file and the errors of the commands left out of it, in script order; `scripted`: the
    script's script_commands(), if the caller has them already."""
    from .script import collector_paused

    with collector_paused():
        return restore_output(text, file, dialect, scripted)


def restore_output(text: str, file: str, dialect: str, scripted: list | None) -> tuple[str, list[PyipError]]:
    from .parser.iptables import is_iptables_command, parse_iptables
    from .render.iptables_save import restore_file
    from .ruleset import Ruleset
    from .script import script_commands

    ruleset = Ruleset()
    errors: list[PyipError] = []
    for words in script_commands(text, file) if scripted is None else scripted:
        if isinstance(words, PyipError):
            errors.append(words)
            continue
        if not is_iptables_command(words):
            continue
        try:
            ruleset.apply(parse_iptables(words, dialect))
        except PyipError as error:
            errors.append(error)
    return left_out_note(errors) + restore_file(ruleset), errors


def left_out_note(errors: list[PyipError]) -> str:
    if not errors:
        return ""
    lines = ", ".join(dict.fromkeys(str(error.location.line) for error in errors))
    count = f"{len(errors)} command{'s' if len(errors) > 1 else ''}"
    return f"# pyip: left out {count} iptables would refuse (errors on stderr), at line {lines} of {errors[0].location.file}\n"
