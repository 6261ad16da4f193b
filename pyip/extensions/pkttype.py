"""pkttype (libxt_pkttype.c): the link-layer packet type."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, problem
from ..render.iptables_save import negatable


class PkttypeMatch(metaclass=records.frozen):
    name: ClassVar[str] = "pkttype"
    packet_type: fw.Test  # unicast, broadcast, multicast, host, otherhost, outgoing, loopback


PACKET_TYPES = ("unicast", "broadcast", "multicast", "host", "otherhost", "outgoing", "loopback")


class Match(Extension):
    name = "pkttype"
    options = (Opt("pkt-type", "pkt-type", invert=True),)

    def read_pkt_type(self, given):
        name = given.value.lower()
        if name not in PACKET_TYPES:
            raise problem(f"Bad packet type '{given.value}'")
        return name

    def finish(self):
        self.require("pkt-type")
        return PkttypeMatch(self.values["pkt-type"])


def pkttype_words(match: PkttypeMatch) -> list:
    words: list = []
    negatable(words, match.packet_type, "--pkt-type")
    return words


NFT_PACKET_TYPES = {"unicast": "host", "host": "host", "broadcast": "broadcast", "multicast": "multicast",
                "otherhost": "other"}


def pkttype_matches(match: PkttypeMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable

    name = match.packet_type.value
    if name not in NFT_PACKET_TYPES:
        raise Untranslatable(f"the packet type {name}")
    return [nft.Match(nft.Meta("pkttype"), NFT_PACKET_TYPES[name], match.packet_type.negated)]


SAVE = {PkttypeMatch: pkttype_words}
NFT = {PkttypeMatch: pkttype_matches}
MATCH = Match
