"""dccp (libxt_dccp.c): DCCP ports, packet types and an option."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.matches import parse_port_components
from ..parser.xtables import Extension, Opt, parse_number, problem

TYPES = ("REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC", "SYNCACK", "INVALID")
INVALID = 10
INVALID_OTHERS = 0xFC00  # INVALID stands for the types 10 to 15


class DccpMatch(metaclass=records.frozen):
    name: ClassVar[str] = "dccp"
    limits: ClassVar[tuple] = (None, None, 33)  # xt_dccp: .proto = IPPROTO_DCCP
    sport: object = None  # Test of PortRange
    dport: object = None
    types: object = None  # Test of a bit mask of packet types
    option: object = None  # Test of 1..255


class Match(Extension):
    name = "dccp"
    options = (Opt("source-port", "sport", invert=True), Opt("sport", "sport", invert=True),
               Opt("destination-port", "dport", invert=True), Opt("dport", "dport", invert=True),
               Opt("dccp-types", "types", invert=True), Opt("dccp-option", "option", invert=True))

    def read_sport(self, given):
        return parse_port_components(self.name, self.canonical(given.option.key), given.value)

    read_dport = read_sport

    def read_types(self, given):
        mask = 0
        for item in filter(None, given.value.split(",")):
            number = next((i for i, name in enumerate(TYPES) if name.lower() == item.lower()), None)
            if number is None:
                raise problem(f"Unknown DCCP type `{item}'")
            mask |= 1 << number
        return mask | (INVALID_OTHERS if mask & 1 << INVALID else 0)

    def read_option(self, given):
        return parse_number(self.name, "dccp-option", given.value, 1, 255)

    def finish(self):
        return DccpMatch(self.values.get("sport"), self.values.get("dport"), self.values.get("types"),
                         self.values.get("option"))


def types_text(mask: int) -> str:
    """print_types(): names in number order, INVALID standing for itself and what follows."""
    names = []
    for number, name in enumerate(TYPES):
        if mask & 1 << number:
            names.append(name)
    return ",".join(names)


def match_words(match: DccpMatch) -> list:
    words: list = []
    for test, option, text in ((match.sport, "--sport", str), (match.dport, "--dport", str),
                               (match.types, "--dccp-types", types_text), (match.option, "--dccp-option", str)):
        if test is not None:
            words += (["!"] if test.negated else []) + [option, text(test.value)]
    return words


def match_nft(match: DccpMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable, port_value

    if match.option is not None:
        raise Untranslatable("dccp --dccp-option (nft 1.0.6 has no DCCP option test)")
    statements = [nft.Match(nft.Payload("dccp", field), port_value(test.value), test.negated)
                  for test, field in ((match.sport, "sport"), (match.dport, "dport")) if test is not None]
    if match.types is not None:
        items = [name.lower() for number, name in enumerate(TYPES[:INVALID]) if match.types.value & 1 << number]
        items += [nft.Span(10, 15)] if match.types.value & 1 << INVALID else []
        value = items[0] if len(items) == 1 else nft.Elements(tuple(items))
        statements.append(nft.Match(nft.Payload("dccp", "type"), value, match.types.negated))
    return statements or [nft.Match(nft.Payload("dccp", "dport"), nft.Span(0, 0xFFFF))]


SAVE = {DccpMatch: match_words}
NFT = {DccpMatch: match_nft}
MATCH = Match
