from __future__ import annotations

from ..firewall_words import final_iptables_rules
from ..model import WARNING, Rule, register
from .pi016_shadowed_rule import STATEFUL


@register
class DuplicateRule(Rule):
    """The same rule twice in one chain.

    The second copy never decides anything the first did not; usually a
    script ran twice, or a loop added what was already there.

    Bad:  iptables -A INPUT -p tcp --dport 22 -j ACCEPT
          iptables -A INPUT -p tcp --dport 22 -j ACCEPT
    Good: iptables -A INPUT -p tcp --dport 22 -j ACCEPT

    Rules with a match that keeps state (limit, recent, quota, ...) are no
    copies: each has its own bucket, list or counter.
    """

    code = "PI018"
    name = "duplicate-rule"
    severity = WARNING

    def check(self, script):
        findings = []
        for table, chain, rules in final_iptables_rules(script):
            first = {}
            for rule in rules:
                if any(match.name in STATEFUL for match in rule.matches):
                    continue
                # The same command again (a function that two case arms call, say) is not a second copy
                # in any run: the shell layer walks every branch, a run takes one.
                earlier = first.setdefault(rule, rule)  # one hash of the rule, which is most of the work
                if earlier is not rule and earlier.location != rule.location:
                    where = earlier.location
                    findings.append(self.finding(script, rule.location,
                                                 f"the same rule as at {where.line}:{where.col} in {table} {chain}"))
        return findings
