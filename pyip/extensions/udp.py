"""udp (libxt_udp.c): the UDP ports."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt
from ..parser.matches import parse_port_components, port_tests
from ..render.iptables_save import port_words


class UdpMatch(metaclass=records.frozen):
    name: ClassVar[str] = "udp"
    sport: fw.Test | None = None
    dport: fw.Test | None = None

    @property
    def limits(self) -> tuple | None:
        """With options, the test is an nftables expression (the parser checked `-p'); without, it is the
        kernel's xt match, which wants its protocol, not negated."""
        return XT_UDP if self.sport is None and self.dport is None else None


XT_UDP = (None, None, 17)


class Match(Extension):
    name = "udp"
    options = (Opt("source-port", "sport", invert=True), Opt("sport", "sport", invert=True),
               Opt("destination-port", "dport", invert=True), Opt("dport", "dport", invert=True))

    def read_sport(self, given):
        return parse_port_components(self.name, self.canonical(given.option.key), given.value)

    read_dport = read_sport

    def finish(self):
        return UdpMatch(*port_tests(self.values))


def udp_words(match: UdpMatch) -> list:
    return port_words(match)


def udp_matches(match: UdpMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import port_matches

    return port_matches(match) or [nft.Match(nft.Payload("udp", "dport"), nft.Span(0, 0xFFFF))]


SAVE = {UdpMatch: udp_words}
NFT = {UdpMatch: udp_matches}
MATCH = Match


TO_IPCHAINS = {UdpMatch: lambda match: match}  # ipchains' own ports (see pyip/extensions/tcp.py)
