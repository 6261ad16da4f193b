from __future__ import annotations

from ...errors import Location
from ...line_endings import crlf_message
from ..model import Rule, register


@register
class CrlfLineEndings(Rule):
    """Lines that end in CR LF (DOS line endings), like shellcheck's SC1017.

    The shell takes the carriage return as part of the line's last word:
    `ip route add default via 10.0.0.1 table 5` asks for table "5\\r",
    which ip refuses, and `iptables ... -j ACCEPT` names a target
    "ACCEPT\\r".  Reported once, at the first such line.  `--fix` keeps
    every line's ending as it was (it fixes words, not files): convert the
    file with `dos2unix FILE` or `sed -i 's/\\r$//' FILE`.

    Bad:  ip rule add from 10.0.0.0/8 table 5\\r
    Good: ip rule add from 10.0.0.0/8 table 5
    """

    code = "PI021"
    name = "crlf-line-endings"

    def check(self, script):
        lines = script.text.split("\n")
        if script.line_endings is not None:
            ending = [number for number, end in enumerate(script.line_endings, 1) if end == "\r\n"]
            column = [len(line) + 1 for line in lines]
        else:
            ending = [number for number, line in enumerate(lines[:-1], 1) if line.endswith("\r")]
            column = [len(line) for line in lines]
        if not ending:
            return []
        message = crlf_message(len(ending))
        return [self.finding(script, Location(script.file, ending[0], column[ending[0] - 1]), message)]
