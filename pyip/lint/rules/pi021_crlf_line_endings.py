from __future__ import annotations

from ...line_endings import ending_problem
from ..model import Rule, register


@register
class CrlfLineEndings(Rule):
    """Lines that end in CR LF (DOS line endings) or a lone CR (old Mac), like shellcheck's SC1017.

    The shell takes the carriage return as part of the line's last word:
    `ip route add default via 10.0.0.1 table 5` asks for table "5\\r",
    which ip refuses, and `iptables ... -j ACCEPT` names a target
    "ACCEPT\\r"; a file of lone CRs is one long line to the shell.
    Reported once, at the first such line.  `--fix` keeps
    every line's ending as it was (it fixes words, not files): convert the
    file with `dos2unix FILE` or `sed -i 's/\\r$//' FILE`.

    Bad:  ip rule add from 10.0.0.0/8 table 5\\r
    Good: ip rule add from 10.0.0.0/8 table 5
    """

    code = "PI021"
    name = "crlf-line-endings"

    def check(self, script):
        problem = ending_problem(as_read(script.text, script.line_endings), script.file)
        return [self.finding(script, problem.location, str(problem.message))] if problem is not None else []


def as_read(text: str, endings: tuple[str, ...] | None) -> str:
    """The file's text as the shell reads it: `text`'s lines with their own endings (pyip.fileio read
    them as LF), or `text` itself when it came with its endings in it."""
    if endings is None:
        return text
    lines = text.split("\n")
    return "".join(line + ending for line, ending in zip(lines, endings)) + "".join(lines[len(endings):])
