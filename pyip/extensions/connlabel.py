"""connlabel (libxt_connlabel.c): a bit of the connection's 128-bit label, tested and optionally set first.

Names come from /etc/xtables/connlabel.conf (`BIT NAME` lines), as
libnetfilter_conntrack's label map reads it; iptables-save prints a label
by its name when the map has one, else by its bit, in double quotes.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, lmap, problem, strtoul
from ..render.iptables_save import Text

LABELS = "/etc/xtables/connlabel.conf"
BITS = 128  # the kernel's XT_CONNLABEL_MAXBIT + 1


class ConnlabelMatch(metaclass=records.frozen):
    name: ClassVar[str] = "connlabel"
    bit: int
    negated: bool = False
    set: bool = False


class Match(Extension):
    name = "connlabel"
    options = (Opt("label", "label", invert=True), Opt("set", "set", arity=0))

    def read_label(self, given):
        if not given.value:
            raise problem("Argument must have a minimum length of 1 characters")
        value, rest = strtoul(given.value, 0)
        if value is None or rest:
            value = next((bit for bit, name in lmap(LABELS) if name == given.value), None)
        if value is None:
            raise problem(f"label '{given.value}' not found or invalid value")
        if value >= BITS:
            raise problem(f"label {value} is out of range (0-{BITS - 1}): the kernel keeps 128 bits")
        return value

    def finish(self):
        self.require("label")
        test = self.values["label"]
        return ConnlabelMatch(test.value, test.negated, "set" in self.given)


def label_name(bit: int) -> str:
    return next((name for number, name in lmap(LABELS) if number == bit), str(bit))


def match_words(match: ConnlabelMatch) -> list:
    words = (["!"] if match.negated else []) + ["--label", Text(label_name(match.bit), "quoted")]
    return words + ["--set"] * match.set


def match_nft(match: ConnlabelMatch, rule, quotes_allowed: bool) -> list:
    """xt_connlabel sets the bit first (--set), then tests it."""
    bit = nft.Raw(str(match.bit), match.bit)
    statements = [nft.Mangle(nft.Ct("label"), bit)] if match.set else []
    if match.negated:
        return statements + [nft.Match(nft.Binary("&", nft.Ct("label"), bit), bit, True)]
    return statements + [nft.Match(nft.Ct("label"), bit)]


SAVE = {ConnlabelMatch: match_words}
NFT = {ConnlabelMatch: match_nft}
MATCH = Match
