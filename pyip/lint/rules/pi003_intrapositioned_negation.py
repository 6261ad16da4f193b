from __future__ import annotations

from ...compat import legacy
from ..model import ERROR, WARNING, Edit, Fix, Rule, register


@register
class IntrapositionedNegation(Rule):
    """iptables' 2001 negation inside the argument: `-s ! NET`.

    iptables up to 1.4.2 accepted `! ` after the option; 1.4.3 warned and
    1.4.12 (2011) removed it: today it is "Bad argument".  The fix moves
    the `!` before the option.  (ipchains accepts both placements.)

    Bad:  iptables -A FORWARD -i eth1 -s ! 10.0.0.0/24 -j ACCEPT
    Good: iptables -A FORWARD -i eth1 ! -s 10.0.0.0/24 -j ACCEPT
    """

    code = "PI003"
    name = "intrapositioned-negation"
    fixable = True

    def check(self, script):
        findings = []
        severity = WARNING if script.dialect == legacy.LEGACY else ERROR
        lines = script.text.splitlines()
        for command in script.of("iptables"):
            words = command.words
            for option, bang in zip(words[1:], words[2:]):
                if bang.text == "!" and option.text.startswith("-") and option.symbol is None:
                    findings.append(self.finding(
                        script, bang.location, f'"{option.text} ! VALUE" is the 2001 form; iptables 1.4.12 '
                        f'and later want "! {option.text} VALUE"', severity, self.fix(lines, option, bang)))
        return findings

    def fix(self, lines, option, bang) -> Fix | None:
        """Delete `! ` after the option and insert it before; only when both are where they seem."""
        start, mark = option.location, bang.location
        if start.line != mark.line or not 0 < mark.line <= len(lines):
            return None
        line = lines[mark.line - 1]
        if line[mark.col - 1:mark.col] != "!":
            return None
        end = mark.col
        while end < len(line) and line[end] in " \t":
            end += 1
        return Fix(f"write ! {option.text}", (Edit(start.line, start.col, start.col, "! "),
                                              Edit(mark.line, mark.col, end + 1, "")))
