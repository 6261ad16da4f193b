"""mac (libxt_mac.c): the source MAC address."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, problem
from ..render.iptables_save import negatable


class MacMatch(metaclass=records.frozen):
    name: ClassVar[str] = "mac"
    limits: ClassVar[tuple] = (None, {"PREROUTING", "INPUT", "FORWARD"}, None)  # xt_mac: .hooks
    source: fw.Test  # "00:11:22:33:44:aa"


def parse_mac(text: str) -> str:
    """xtopt_parse_ethermac(): six hex bytes of at most two digits each."""
    parts = text.split(":")
    if len(parts) != 6 or any(not 0 < len(p) <= 2 or any(c not in "0123456789abcdefABCDEF" for c in p) for p in parts):
        raise problem("Invalid MAC address specified.")
    return ":".join(f"{int(p, 16):02x}" for p in parts)


class Match(Extension):
    name = "mac"
    options = (Opt("mac-source", "mac-source", invert=True),)

    def read_mac_source(self, given):
        return parse_mac(given.value)

    def finish(self):
        self.require("mac-source")
        return MacMatch(self.values["mac-source"])


def mac_words(match: MacMatch) -> list:
    words: list = []
    negatable(words, match.source, "--mac-source")
    return words


def mac_matches(match: MacMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import test_match

    return test_match(nft.Payload("ether", "saddr"), match.source, str.lower)


SAVE = {MacMatch: mac_words}
NFT = {MacMatch: mac_matches}
MATCH = Match
