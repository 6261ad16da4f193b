from __future__ import annotations

from ..model import WARNING, Rule, register


@register
class MarkArithmetic(Rule):
    """ipchains `-m +N` / `-m -N`: adding to or subtracting from the mark.

    Neither iptables' MARK target nor nftables' `meta mark set` can add to
    a mark, so such a rule has no modern equivalent: the ruleset must be
    redesigned around absolute marks (a warning: it was correct in 2.2).

    Bad:  ipchains -A input -p tcp -d 0/0 80 -m +1
    Good: ipchains -A input -p tcp -d 0/0 80 -m 1
    """

    code = "PI020"
    name = "mark-arithmetic"
    severity = WARNING

    def check(self, script):
        findings = []
        for command in script.of("ipchains"):
            words = command.words
            for option, value in zip(words, words[1:]):
                if option.text in ("-m", "--mark") and value.text[:1] in "+-" and value.text[1:].isdigit():
                    findings.append(self.finding(
                        script, value.location,
                        f"-m {value.text} {'adds to' if value.text[0] == '+' else 'subtracts from'} the mark: "
                        f"iptables and nftables have no equivalent"))
        return findings
