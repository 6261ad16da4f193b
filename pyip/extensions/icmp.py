"""icmp (libipt_icmp.c): the ICMP type and code."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoui
from ..render.iptables_save import negatable


class IcmpMatch(metaclass=records.frozen):
    name: ClassVar[str] = "icmp"
    limits: ClassVar[tuple] = (None, None, 1)  # ipt_icmp: .proto = IPPROTO_ICMP
    icmp_type: fw.Test  # IcmpType


ICMP_TYPES = (
    ("any", 0xFF, 0, 0xFF), ("echo-reply", 0, 0, 0xFF), ("pong", 0, 0, 0xFF),
    ("destination-unreachable", 3, 0, 0xFF), ("network-unreachable", 3, 0, 0), ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2), ("port-unreachable", 3, 3, 3), ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5), ("network-unknown", 3, 6, 6), ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9), ("host-prohibited", 3, 10, 10), ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12), ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14), ("precedence-cutoff", 3, 15, 15), ("source-quench", 4, 0, 0xFF),
    ("redirect", 5, 0, 0xFF), ("network-redirect", 5, 0, 0), ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2), ("TOS-host-redirect", 5, 3, 3), ("echo-request", 8, 0, 0xFF),
    ("ping", 8, 0, 0xFF), ("router-advertisement", 9, 0, 0xFF), ("router-solicitation", 10, 0, 0xFF),
    ("time-exceeded", 11, 0, 0xFF), ("ttl-exceeded", 11, 0, 0xFF), ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1), ("parameter-problem", 12, 0, 0xFF), ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1), ("timestamp-request", 13, 0, 0xFF), ("timestamp-reply", 14, 0, 0xFF),
    ("address-mask-request", 17, 0, 0xFF), ("address-mask-reply", 18, 0, 0xFF),
)


@lru_cache(maxsize=1024)  # a few types fill most rules; the result is frozen, an error is raised anew each time
def parse_icmp_type(text: str) -> fw.IcmpType:
    """A case-insensitive unique prefix of a type name, else TYPE or TYPE/CODE."""
    named = [entry for entry in ICMP_TYPES if entry[0].lower().startswith(text.lower())]
    if len(named) > 1:
        raise problem(f"Ambiguous ICMP type `{text}': `{named[0][0]}' or `{named[1][0]}'?")
    if named:
        return fw.IcmpType(*named[0][1:])
    type_text, slash, code_text = text.partition("/")
    icmp_type = strtoui(type_text, 0, 255)
    if icmp_type is None:
        raise problem(f"Unknown ICMP type `{text}'")
    if not slash:
        return fw.IcmpType(icmp_type)
    code = strtoui(code_text, 0, 255)
    if code is None:
        raise problem(f"Unknown ICMP code `{text}'")
    return fw.IcmpType(icmp_type, code, code)


class Match(Extension):
    name = "icmp"
    options = (Opt("icmp-type", "icmp-type", invert=True),)

    def read_icmp_type(self, given):
        return parse_icmp_type(given.value)

    def finish(self):
        self.require("icmp-type")
        return IcmpMatch(self.values["icmp-type"])


def icmp_type_text(icmp: fw.IcmpType) -> str:
    if icmp.type == 0xFF:
        return "any"
    if icmp.code_min == 0 and icmp.code_max == 0xFF:
        return str(icmp.type)
    return f"{icmp.type}/{icmp.code_min}"


def icmp_words(match: IcmpMatch) -> list:
    words: list = []
    negatable(words, match.icmp_type, "--icmp-type", icmp_type_text)
    return words


def icmp_matches(match: IcmpMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable

    icmp, negated = match.icmp_type.value, match.icmp_type.negated
    type_field, code_field = nft.Payload("icmp", "type"), nft.Payload("icmp", "code")
    if icmp.type == 0xFF:  # iptables' `any`
        return [nft.Match(type_field, nft.Span(0, 0xFF), negated)]
    every_code = (icmp.code_min, icmp.code_max) == (0, 0xFF)
    if every_code:
        return [nft.Match(type_field, icmp.type, negated)]
    if not negated:
        code = icmp.code_min if icmp.code_min == icmp.code_max else nft.Span(icmp.code_min, icmp.code_max)
        return [nft.Match(type_field, icmp.type), nft.Match(code_field, code)]
    if icmp.code_min != icmp.code_max:
        raise Untranslatable("a negated ICMP type with a range of codes")
    pair = nft.Concat((type_field, code_field))
    return [nft.Match(pair, nft.Elements((nft.Concat((icmp.type, icmp.code_min)),)), negated=True)]


SAVE = {IcmpMatch: icmp_words}
NFT = {IcmpMatch: icmp_matches}
MATCH = Match

TO_IPCHAINS = {IcmpMatch: lambda match: match}  # ipchains' ICMP types (see pyip/extensions/tcp.py)


# ipchains: -p icmp takes its "ports" as ranges of ICMP types and codes.  This match tests one type with one
# code range; the reader keeps what it cannot hold as pyip.ast.ipchains' IcmpRanges, which the translation
# to iptables spreads over one rule per type and code, up to MAX_IPCHAINS_RULES.
def ipchains_icmp_type(types: fw.Test | None, codes: fw.Test | None) -> fw.IcmpType | None:
    """The one ICMP type (0-254: iptables' 255 is `any`), with the codes, that an ipchains type and code test
    names, or None: pyip's ipchains reader keeps it as IcmpRanges."""
    if types is None or not isinstance(types.value, fw.PortRange) or types.value.first != types.value.last:
        return None
    if types.value.first > 254:
        return None
    if codes is None:
        return fw.IcmpType(types.value.first)
    if types.negated or codes.negated or not isinstance(codes.value, fw.PortRange):
        return None
    low, high = codes.value.first, codes.value.last
    if low > high or low > 0xFF:
        return None
    return fw.IcmpType(types.value.first, low, min(high, 0xFF))


MAX_IPCHAINS_RULES = 64


def ipchains_icmp_rules(rule: fw.Rule) -> list[fw.Rule]:
    """The rule, or one rule per ICMP type and code when ipchains tested ranges iptables cannot say
    (iptables tests one type with one code or every code)."""
    from ..ast import ipchains as ch
    from ..translators.ipchains_iptables import Untranslatable

    icmp = [m for m in rule.matches if isinstance(m, (ch.IcmpRanges, IcmpMatch))]
    if not icmp:
        return [rule]
    match = icmp[0]
    if isinstance(match, IcmpMatch):
        value, negated = match.icmp_type.value, match.icmp_type.negated
        if value.type == 0xFF or value.code_min == value.code_max or (value.code_min, value.code_max) == (0, 0xFF):
            return [rule]
        if negated:
            raise Untranslatable("a negated ICMP type with a range of codes (iptables tests one code or all)")
        types, codes = fw.PortRange(value.type, value.type), fw.PortRange(value.code_min, value.code_max)
    else:
        if match.types is None or match.types.negated or (match.codes is not None and match.codes.negated):
            raise Untranslatable("an ICMP test of every type, or a negated ICMP type or code range (iptables tests "
                                 "one type, with one code or every code)")
        types = match.types.value
        codes = fw.PortRange(0, 0xFF) if match.codes is None else match.codes.value
        if not isinstance(types, fw.PortRange) or not isinstance(codes, fw.PortRange):
            raise Untranslatable("an ICMP type or code known only when the script runs")
        if types.last > 254 or codes.first > 0xFF:
            raise Untranslatable("ICMP type 255 or a code above 255 (iptables' icmp match cannot say them)")
        codes = fw.PortRange(codes.first, min(codes.last, 0xFF))
    if codes.first > codes.last:
        raise Untranslatable("an empty ICMP code range")
    code_ranges = [(0, 0xFF)] if (codes.first, codes.last) == (0, 0xFF) else \
        [(c, c) for c in range(codes.first, codes.last + 1)]
    count = (types.last - types.first + 1) * len(code_ranges)
    if count > MAX_IPCHAINS_RULES:
        raise Untranslatable(f"an ICMP test that would take {count} iptables rules (one per type and code)")
    others = tuple(m for m in rule.matches if m is not match)
    return [records.evolve(rule, matches=(*others, IcmpMatch(fw.Test(fw.IcmpType(t, low, high)))))
            for t in range(types.first, types.last + 1) for low, high in code_ranges]
