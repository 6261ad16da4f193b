"""icmp (libipt_icmp.c): the ICMP type and code."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

import attrs

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoui
from ..render.iptables_save import negatable


@attrs.frozen
class IcmpMatch:
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
