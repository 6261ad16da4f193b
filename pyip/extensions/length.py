"""length (libxt_length.c): the IPv4 packet's total length, a range."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number_range
from ..render.iptables_save import negatable, range_text


class LengthMatch(metaclass=records.frozen):
    name: ClassVar[str] = "length"
    length: fw.Test  # Range of ints


class Match(Extension):
    name = "length"
    options = (Opt("length", "length", invert=True),)

    def read_length(self, given):
        return parse_number_range(self.name, "length", given.value, 0xFFFF)

    def finish(self):
        self.require("length")
        return LengthMatch(self.values["length"])


def length_words(match: LengthMatch) -> list:
    words: list = []
    negatable(words, match.length, "--length", range_text)
    return words


def length_matches(match: LengthMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import id_value, test_match

    return test_match(nft.Payload("ip", "length"), match.length, id_value)


SAVE = {LengthMatch: length_words}
NFT = {LengthMatch: length_matches}
MATCH = Match
