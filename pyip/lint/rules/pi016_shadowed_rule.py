from __future__ import annotations

from ...ast import firewall as fw
from ...extensions.reject import Reject
from ..firewall_words import final_iptables_rules
from ..model import WARNING, Rule, register

FINAL = {"ACCEPT", "DROP"}
HEADER_FIELDS = ("source", "destination", "in_interface", "out_interface", "protocol", "fragment")
ADDRESS_FIELDS = ("source", "destination")
# Matches with state of their own: each rule has its own bucket, list or counter, so a rule with one
# matches only some of the packets it tests, and an identical rule after it still sees the rest.
STATEFUL = frozenset({"limit", "hashlimit", "recent", "statistic", "quota", "connlimit", "connbytes"})


@register
class ShadowedRule(Rule):
    """A rule no packet can reach: an earlier rule of the chain matches all it
    matches and ends the packet's way (ACCEPT, DROP, REJECT).

    The later rule is dead: its verdict never applies, which is usually not
    what the script meant (an exception added after the general case).  An
    earlier rule with a match that keeps state (limit, hashlimit, recent,
    statistic, quota, connlimit, connbytes) lets some packets pass on, so it
    shadows nothing.

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
            index = CoverIndex()
            for rule in rules:
                earlier = index.first_covering(rule)
                if earlier is not None:
                    where = earlier.location
                    findings.append(self.finding(
                        script, rule.location, f"no packet reaches this rule: the rule at {where.line}:{where.col} "
                                               f"matches all it matches and ends with {verdict(earlier)}"))
                index.add(rule)
        return findings


class CoverIndex:
    """The final rules of a chain so far, indexed so that finding the first one that covers a rule
    costs a lookup per *shape* (which fields a rule tests, and its address masks), not per rule:
    scripts have thousands of rules but a handful of shapes.  Rules it cannot index (negated or
    several addresses, host names) are compared one by one, as `covers` does."""

    def __init__(self):
        self.order: dict[int, int] = {}  # id(rule) -> position, to pick the earliest candidate
        self.shapes: dict[tuple, dict[tuple, list]] = {}  # shape -> key -> [first rule, first other rule]
        self.unindexed: list = []

    def add(self, rule) -> None:
        if not can_shadow(rule):
            return
        self.order[id(rule)] = len(self.order)
        shape = shape_of(rule)
        key = None if shape is None or len(rule.matches) > MAX_INDEXED_MATCHES else key_of(rule, shape)
        if key is None or not hashable(key):
            self.unindexed.append(rule)
            return
        kept = self.shapes.setdefault(shape, {}).setdefault(key, [])
        if not kept or (len(kept) == 1 and kept[0] != rule):
            kept.append(rule)  # the first, and the first unlike it: a rule is never its own shadow

    def first_covering(self, rule):
        candidates = [general for general in self.unindexed if general != rule and covers(general, rule)]
        subsets = match_subsets(rule.matches)
        for shape, keyed in self.shapes.items():
            key = projection(rule, shape)
            if key is UNCOVERABLE:
                continue
            if key is None or subsets is None:
                candidates += [g for kept in keyed.values() for g in kept if g != rule and covers(g, rule)]
                continue
            for matches in subsets:
                candidates += [g for g in keyed.get((*key, matches), ()) if g != rule][:1]
        return min(candidates, key=lambda general: self.order[id(general)], default=None)


# A rule with more matches than this is compared one by one (2^n subsets of its matches to look up).
MAX_INDEXED_MATCHES = 6


def match_subsets(matches) -> list[frozenset] | None:
    """Every subset of a rule's matches: the match sets a rule covering it may have."""
    if len(matches) > MAX_INDEXED_MATCHES or not hashable(tuple(matches)):
        return None
    subsets = [frozenset()]
    for match in set(matches):
        subsets += [subset | {match} for subset in subsets]
    return subsets


def hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def can_shadow(rule) -> bool:
    return is_final(rule) and not rule.actions and not any(match.name in STATEFUL for match in rule.matches)


def single_address(test):
    """The one Address of a plain address test, or None."""
    if test is None or test.negated or not isinstance(test.value, tuple) or len(test.value) != 1:
        return None
    address = test.value[0]
    return address if isinstance(address, fw.Address) else None


def shape_of(general):
    """Per header field: None if untested, "=" if tested for equality, or an address mask; None when
    a test is not one the index can look up."""
    shape = []
    for name in HEADER_FIELDS:
        test = getattr(general, name)
        if test is None:
            shape.append(None)
        elif name in ADDRESS_FIELDS:
            address = single_address(test)
            if address is None:
                return None
            shape.append(address.mask)
        else:
            shape.append("=")
    return tuple(shape)


def key_of(general, shape) -> tuple:
    """The header fields as the shape tests them, and the matches."""
    return (*(field_key(getattr(general, name), kind) for name, kind in zip(HEADER_FIELDS, shape)),
            frozenset(general.matches))


def field_key(test, kind):
    if kind is None:
        return None
    if kind == "=":
        return test
    return int(single_address(test).address) & kind


UNCOVERABLE = ("no rule of the shape covers it",)


def projection(specific, shape):
    """The key a rule of this shape must have to cover `specific`; UNCOVERABLE when no rule of the
    shape can; None when `specific` has an address test the index cannot project (then compare
    one by one)."""
    key = []
    for name, kind in zip(HEADER_FIELDS, shape):
        test = getattr(specific, name)
        if kind is None:
            key.append(None)
        elif kind == "=":
            key.append(test)
        else:
            address = single_address(test)
            if address is None:
                return None if test is not None else UNCOVERABLE
            if address.mask & kind != kind:
                return UNCOVERABLE  # a wider network than the shape's
            key.append(int(address.address) & kind)
    return tuple(key)


def verdict(rule) -> str:
    return "REJECT" if isinstance(rule.target, Reject) else getattr(rule.target, "name", "?")


def is_final(rule) -> bool:
    return isinstance(rule.target, Reject) or (isinstance(rule.target, fw.Verdict) and rule.target.name in FINAL)


def covers(general, specific) -> bool:
    """Does every packet `specific` matches also match `general` (conservatively)?"""
    if general.actions or specific.actions or any(match.name in STATEFUL for match in general.matches):
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
