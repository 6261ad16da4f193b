"""multiport (libxt_multiport.c): up to 15 source or destination ports, or either."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_port, problem
from ..render.iptables_save import negatable


class MultiportMatch(metaclass=records.frozen):
    name: ClassVar[str] = "multiport"
    option: str  # sports, dports or ports
    ports: fw.Test  # tuple of PortRange


MULTIPORT_PROTOCOLS = {6: "tcp", 17: "udp", 136: "udplite", 132: "sctp", 33: "dccp"}


class Match(Extension):
    name = "multiport"
    options = (Opt("source-ports", "sports", invert=True), Opt("sports", "sports", invert=True),
               Opt("destination-ports", "dports", invert=True), Opt("dports", "dports", invert=True),
               Opt("ports", "ports", invert=True))

    def read_sports(self, given):
        protocol = self.protocol_name()
        return parse_multiport(given.value, protocol)

    read_dports = read_ports = read_sports

    def protocol_name(self) -> str:
        number, inverted = self.rule.protocol_now()
        if inverted:
            raise problem("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP")
        if number == 0:
            raise problem("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'")
        if number not in MULTIPORT_PROTOCOLS:
            raise problem("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP")
        return MULTIPORT_PROTOCOLS[number]

    def finish(self):
        if not self.given:
            raise problem("multiport expection an option")
        self.exclusive("sports", "dports", "ports")
        [key] = self.values
        return MultiportMatch(key, self.values[key])


def parse_multiport(text: str, protocol: str) -> tuple:
    """Up to 15 ports, a range `P:Q` taking two of them."""
    ports, slots = [], 0
    items = text.split(",")
    for item in items:
        if slots == 15:
            raise problem("too many ports specified")
        first, colon, last = item.partition(":")
        if colon and slots == 14:
            raise problem("too many ports specified")
        low = parse_port(first, protocol)
        high = parse_port(last, protocol) if colon else low
        if colon and low >= high:
            raise problem("invalid portrange specified")
        ports.append(fw.PortRange(low, high))
        slots += 2 if colon else 1
    return tuple(ports)


def multiport_words(match: MultiportMatch) -> list:
    words: list = []
    negatable(words, match.ports, f"--{match.option}", lambda ports: ",".join(map(str, ports)))
    return words


def multiport_matches(match: MultiportMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable, port_value, test_match

    protocol = rule.protocol.value.number if rule.protocol is not None else None
    name = MULTIPORT_PROTOCOLS.get(protocol)
    if name is None:
        raise Untranslatable("multiport without -p tcp, udp, sctp, dccp or udplite")
    if match.option == "ports":
        return [ports_either_match(name, match.ports)]
    field = nft.Payload(name, match.option[:-1])
    return test_match(field, match.ports, lambda ports: nft.Elements(tuple(port_value(p) for p in ports)))


def ports_either_match(protocol: str, test: fw.Test) -> nft.Match:
    """--ports: the source OR the destination port in the list, as one lookup of the pair in a set of
    (port, any) and (any, port)."""
    from ..translators.iptables_nft import port_value

    pair = nft.Concat((nft.Payload(protocol, "sport"), nft.Payload(protocol, "dport")))
    every = nft.Span(0, 0xFFFF)
    items = []
    for ports in test.value:
        items += [nft.Concat((every, port_value(ports))), nft.Concat((port_value(ports), every))]
    return nft.Match(pair, nft.Elements(tuple(items)), test.negated)


SAVE = {MultiportMatch: multiport_words}
NFT = {MultiportMatch: multiport_matches}
NFT_READS = {MultiportMatch: ("protocol",)}  # the statements depend on the rule's -p
MATCH = Match

# Lint (PI007): the match multiport replaced.
FORMER_MATCHES = {"mport": "the mport match is gone: -m multiport takes ranges today"}
