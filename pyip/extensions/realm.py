"""realm (libipt_realm.c): the routing realm of the packet's route."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, lmap, parse_val_mask, val_mask_text

REALMS = "/etc/iproute2/rt_realms"


class RealmMatch(metaclass=records.frozen):
    name: ClassVar[str] = "realm"
    realm: object  # Test of Masked


class Match(Extension):
    name = "realm"
    options = (Opt("realm", "realm", invert=True),)

    def read_realm(self, given):
        return parse_val_mask(self.name, "realm", given.value, lmap(REALMS))

    def finish(self):
        self.require("realm")
        return RealmMatch(self.values["realm"])


def match_words(match: RealmMatch) -> list:
    return (["!"] if match.realm.negated else []) + ["--realm", val_mask_text(match.realm.value, lmap(REALMS))]


def match_nft(match: RealmMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import masked_value_match

    return masked_value_match(nft.Meta("rtclassid"), match.realm, 0xFFFFFFFF)


SAVE = {RealmMatch: match_words}
NFT = {RealmMatch: match_nft}
MATCH = Match
