"""rpfilter (libxt_rpfilter.c): reverse-path filtering, a route back to the source through the input interface."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt

FLAGS = ("loose", "validmark", "accept-local", "invert")


class RpfilterMatch(metaclass=records.frozen):
    name: ClassVar[str] = "rpfilter"
    limits: ClassVar[tuple] = (None, {"PREROUTING"}, None)  # xt_rpfilter: PREROUTING of raw and mangle
    flags: tuple = ()  # of FLAGS, in that order


class Match(Extension):
    name = "rpfilter"
    options = tuple(Opt(flag, flag, arity=0) for flag in FLAGS)

    def finish(self):
        return RpfilterMatch(tuple(flag for flag in FLAGS if flag in self.given))


def match_nft(match: RpfilterMatch, rule, quotes_allowed: bool) -> list:
    """`fib saddr [. mark] [. iif] oif` is 0 when no route leads back: the packet fails the test."""
    from ..translators.iptables_nft import Untranslatable

    if "accept-local" in match.flags:
        raise Untranslatable("rpfilter --accept-local (nft's fib has no such exception)")
    keys = ("saddr", *(("mark",) if "validmark" in match.flags else ()),
            *(() if "loose" in match.flags else ("iif",)))
    return [nft.Match(nft.Fib(keys, "oif"), 0, negated="invert" not in match.flags)]


SAVE = {RpfilterMatch: lambda match: [f"--{flag}" for flag in match.flags]}
NFT = {RpfilterMatch: match_nft}
MATCH = Match
