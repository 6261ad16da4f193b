from __future__ import annotations

import attrs

from ...ast import firewall as fw
from ..firewall_words import final_iptables_rules
from ..model import WARNING, Rule, register

FINAL = {"ACCEPT", "DROP"}
HEADER_FIELDS = ("source", "destination", "in_interface", "out_interface", "protocol", "fragment")


@register
class ShadowedRule(Rule):
    """A rule no packet can reach: an earlier rule of the chain matches all it
    matches and ends the packet's way (ACCEPT, DROP, REJECT).

    The later rule is dead: its verdict never applies, which is usually not
    what the script meant (an exception added after the general case).

    Bad:  iptables -A INPUT -p tcp -j DROP
          iptables -A INPUT -p tcp --dport 22 -j ACCEPT
    Good: iptables -A INPUT -p tcp --dport 22 -j ACCEPT
          iptables -A INPUT -p tcp -j DROP
    """

    code = "PI016"
    name = "shadowed-rule"
    severity = WARNING

    def check(self, script):
        findings = []
        for table, chain, rules in final_iptables_rules(script):
            for index, rule in enumerate(rules):
                earlier = next((e for e in rules[:index] if is_final(e) and covers(e, rule) and e != rule), None)
                if earlier is not None:
                    where = earlier.location
                    findings.append(self.finding(
                        script, rule.location, f"no packet reaches this rule: the rule at {where.line}:{where.col} "
                                               f"matches all it matches and ends with {verdict(earlier)}"))
        return findings


def verdict(rule) -> str:
    return "REJECT" if isinstance(rule.target, fw.Reject) else getattr(rule.target, "name", "?")


def is_final(rule) -> bool:
    return isinstance(rule.target, fw.Reject) or (isinstance(rule.target, fw.Verdict) and rule.target.name in FINAL)


def covers(general, specific) -> bool:
    """Does every packet `specific` matches also match `general` (conservatively)?"""
    if general.actions or specific.actions:
        return False
    for name in HEADER_FIELDS:
        test = getattr(general, name)
        if test is not None and not test_covers(test, getattr(specific, name)):
            return False
    return all(match in specific.matches for match in general.matches)


def test_covers(general: fw.Test, specific: fw.Test | None) -> bool:
    if specific is None:
        return False
    if general == specific:
        return True
    if general.negated or specific.negated or not isinstance(general.value, tuple):
        return False
    return all(any(address_covers(g, s) for g in general.value) for s in specific.value)


def address_covers(general, specific) -> bool:
    if not (isinstance(general, fw.Address) and isinstance(specific, fw.Address)):
        return False
    mask = general.mask
    return specific.mask & mask == mask and int(specific.address) & mask == int(general.address) & mask
