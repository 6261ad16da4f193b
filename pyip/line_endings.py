"""Line endings the shell reads differently from pyip's readers: CR LF and a lone CR.

pyip reads a file's lines as Python's universal newlines do, so a script
saved on Windows (CR LF) or an old Mac (CR) reads as its author meant it.
The shell does not: bash ends a line at LF only, so a CR before it is part
of the line's last word (`-j ACCEPT\\r` names no target, `table 5\\r` no
table) and a file of lone CRs is one long line.  The script fails when
run, so a translation of it as meant would differ from its real run: that
is an error, said once, at the first such line: by `pyip parse`,
`translate` and `apply`, and by `pyip lint` as PI021, all through
ending_problem().

No imports beyond pyip.errors: `pyip parse` reads every file through here.
"""

from __future__ import annotations

from .errors import Location, PyipError


def crlf_message(count: int) -> str:
    lines = f"{count} lines end" if count > 1 else "the line ends"
    return (f"{lines} in CR LF (DOS line endings): the shell reads the CR as part of each line's last "
            f"word; convert the file (dos2unix)")


LONE_CR_MESSAGE = ("lines end in a lone CR (old Mac line endings): the shell reads the whole file as one "
                   "line; convert the file (tr '\\r' '\\n')")


def shell_lines(raw: str, file: str) -> tuple[str, PyipError | None]:
    """`raw` with LF line ends (what pyip reads and counts positions in), and the error its CR LF or
    lone CR endings are to the shell that runs it; None when every line ends in LF."""
    problem = ending_problem(raw, file)
    return (raw, None) if problem is None else (raw.replace("\r\n", "\n").replace("\r", "\n"), problem)


def ending_problem(raw: str, file: str) -> PyipError | None:
    """What the shell makes of `raw`'s line ends: CR LF lines (at the first, counting them all) or a
    lone CR (at the first); None when every line ends in LF.  The one detector behind `parse`,
    `translate`, `apply` and lint's PI021."""
    if "\r" not in raw or "\0" in raw:  # a binary file is said to be one elsewhere, once, and not read
        return None
    lines = raw.split("\n")
    crlf = [number for number, line in enumerate(lines[:-1], 1) if line.endswith("\r")]
    if crlf:
        return PyipError(crlf_message(len(crlf)), Location(file, crlf[0], len(lines[crlf[0] - 1])))
    before = raw[:raw.index("\r")]  # no CR LF anywhere: this CR is a lone one
    return PyipError(LONE_CR_MESSAGE, Location(file, before.count("\n") + 1, len(before) - before.rfind("\n")))
