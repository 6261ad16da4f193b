from __future__ import annotations

from ..model import Edit, Fix, Rule, register

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


@register
class UnicodeDash(Rule):
    """An en or em dash (or another dash-like character) where `-` or `--` belongs.

    Word processors and web pages turn `--` into `—`; the tools then see a
    plain word, not an option, and stop with "Bad argument".  The fix
    writes `--` before a long option name and `-` before a single letter.

    Bad:  iptables -A FORWARD -m state —state NEW -j ACCEPT
    Good: iptables -A FORWARD -m state --state NEW -j ACCEPT
    """

    code = "PI002"
    name = "unicode-dash"
    fixable = True

    def check(self, script):
        findings = []
        for command in script.commands:
            if command.program is None:
                continue
            for word in command.words[1:]:
                dashes = len(word.text) - len(word.text.lstrip(DASHES))
                if dashes and word.symbol is None:
                    findings.append(self.dash_finding(script, word, dashes))
        return findings

    def dash_finding(self, script, word, dashes: int):
        rest = word.text[dashes:]
        ascii_dashes = "-" if len(rest) == 1 else "--"
        location = word.location
        fix = Fix(f"write {ascii_dashes}{rest}",
                  (Edit(location.line, location.col, location.col + dashes, ascii_dashes),))
        name = {"\u2014": "an em dash", "\u2013": "an en dash", "\u2212": "a minus sign"}.get(word.text[0], "a dash")
        return self.finding(script, location, f'{name} in "{word.text}": write {ascii_dashes}{rest}', fix=fix)
