"""helper (libxt_helper.c): the conntrack helper of the packet's connection."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt
from ..render.iptables_save import Text


class HelperMatch(metaclass=records.frozen):
    name: ClassVar[str] = "helper"
    helper: object  # Test of the helper's name


class Match(Extension):
    name = "helper"
    options = (Opt("helper", "helper", invert=True),)

    def read_helper(self, given):
        return given.value[:29]  # char name[30], NUL-terminated

    def finish(self):
        self.require("helper")
        return HelperMatch(self.values["helper"])


def match_words(match: HelperMatch) -> list:
    return (["!"] if match.helper.negated else []) + ["--helper", Text(match.helper.value)]


def match_nft(match: HelperMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import checked_string

    name = checked_string(match.helper.value, "a helper name", quotes_allowed)
    return [nft.Match(nft.Ct("helper"), nft.Quoted(name), match.helper.negated)]


SAVE = {HelperMatch: match_words}
NFT = {HelperMatch: match_nft}
MATCH = Match
