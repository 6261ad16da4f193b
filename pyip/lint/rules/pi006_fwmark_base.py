from __future__ import annotations

import re

from ...compat import legacy
from ...names import parse_c_number
from ...errors import PyipError
from ..firewall_words import marks_set
from ..model import ERROR, WARNING, Edit, Fix, Rule, register

_IPFWADM = re.compile(r"(?:^|[\s/;|&])ipfwadm\b", re.MULTILINE)


@register
class FwmarkBase(Rule):
    """`ip rule ... fwmark N`: hexadecimal to the 2.2-era ip, decimal today.

    The 2.2 `ip` read fwmark in hexadecimal, so the documents mark packets
    with ipchains `-m 16` and match them with `fwmark 10` (0x10).  Today's
    `ip` reads `10` as decimal 10: the rule silently never fires.

    A warning where the two readings differ, in the legacy dialect or in a
    script of the 2.2 era (one that calls ipchains or ipfwadm); an error
    where the script's own marks match only the other reading, or where
    today's ip refuses the value.  The fix (legacy dialect)
    writes the mark in hex, which both tools read the same way.

    Bad:  ipchains -A input -p tcp -d 0/0 80 -m 16
          ip rule add fwmark 10 table 1
    Good: ip rule add fwmark 0x10 table 1
    """

    code = "PI006"
    name = "fwmark-base"
    severity = WARNING
    fixable = True

    def check(self, script):
        marks = marks_set(script)
        findings = []
        for command in script.of("ip"):
            word = command.word_after("fwmark")
            if word is None or word.symbol is not None or command.words[1].text not in ("rule", "ru", "rul"):
                continue
            finding = self.check_mark(script, command, word, marks)
            if finding:
                findings.append(finding)
        return findings

    def check_mark(self, script, command, word, marks):
        text = word.text.split("/", 1)[0]
        old = parse_c_number(text, 16)
        new = parse_c_number(text, 0)
        if old is None or old == new or text.lower().startswith("0x"):
            return None
        if isinstance(command.ip, PyipError) and command.ip.location == word.location:
            script.claimed.add(id(command))  # this finding says why ip refuses the command; others may not
        reading, other = (old, new) if script.dialect == legacy.LEGACY else (new, old)
        fix = self.fix(word, text, old) if script.dialect == legacy.LEGACY else None
        if marks and reading not in marks and other in marks:
            return self.finding(script, word.location, self.mismatch(text, reading, other), ERROR, fix)
        if new is not None and not legacy_shaped(script):
            return None  # a script written for today's tools means today's reading
        if new is None:
            message = (f"fwmark {text} is hexadecimal (0x{old:x}) to the 2.2-era ip; today's ip refuses it: "
                       f"write fwmark 0x{old:x}")
            return self.finding(script, word.location, message, WARNING if fix else ERROR, fix)
        return self.finding(script, word.location,
                            f"fwmark {text} is 0x{old:x} ({old}) to the 2.2-era ip but {new} (0x{new:x}) today: "
                            f"write it in hex", WARNING, fix)

    def mismatch(self, text, reading, other) -> str:
        shown = "never set" if reading is None else f"{reading} (0x{reading:x}), which the script never sets"
        return (f"fwmark {text} reads as {shown}; the script marks packets {other} (0x{other:x}), "
                f"which only the other reading of fwmark matches")

    def fix(self, word, text, value):
        location = word.location
        return Fix(f"write fwmark 0x{value:x}",
                   (Edit(location.line, location.col, location.col + len(text), f"0x{value:x}"),))


def legacy_shaped(script) -> bool:
    """Was the script written for the 2.2-era tools (judged so, or calling ipchains or ipfwadm)?"""
    return script.dialect == legacy.LEGACY or bool(script.of("ipchains")) or _IPFWADM.search(script.text) is not None
