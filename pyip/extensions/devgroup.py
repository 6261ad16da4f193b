"""devgroup (libxt_devgroup.c): the device group of the input or output interface."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, lmap, parse_val_mask, problem, val_mask_text

GROUPS = "/etc/iproute2/group"


class DevgroupMatch(metaclass=records.frozen):
    name: ClassVar[str] = "devgroup"
    source: object = None  # Test of Masked
    destination: object = None


class Match(Extension):
    name = "devgroup"
    options = (Opt("src-group", "src-group", invert=True), Opt("dst-group", "dst-group", invert=True))

    def read_src_group(self, given):
        return parse_val_mask(self.name, given.option.name, given.value, lmap(GROUPS))

    read_dst_group = read_src_group

    def finish(self):
        if not self.given:
            raise problem("devgroup match: You must specify either '--src-group' or '--dst-group'")
        return DevgroupMatch(self.values.get("src-group"), self.values.get("dst-group"))


def match_words(match: DevgroupMatch) -> list:
    words: list = []
    for test, option in ((match.source, "--src-group"), (match.destination, "--dst-group")):
        if test is not None:
            words += (["!"] if test.negated else []) + [option, val_mask_text(test.value, lmap(GROUPS))]
    return words


def match_nft(match: DevgroupMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import masked_value_match

    return [statement for test, key in ((match.source, "iifgroup"), (match.destination, "oifgroup"))
            if test is not None for statement in masked_value_match(nft.Meta(key), test, 0xFFFFFFFF)]


SAVE = {DevgroupMatch: match_words}
NFT = {DevgroupMatch: match_nft}
MATCH = Match
