"""statistic (libxt_statistic.c): every nth packet, or each with a probability."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem


class StatisticMatch(metaclass=records.frozen):
    name: ClassVar[str] = "statistic"
    mode: str  # random or nth
    negated: bool = False
    probability: int = 0  # random: of 0x80000000
    every: int = 0  # nth: every - 1, as the kernel keeps it
    packet: int = 0


class Match(Extension):
    name = "statistic"
    options = (Opt("mode", "mode"), Opt("probability", "probability", invert=True),
               Opt("every", "every", invert=True), Opt("packet", "packet"))

    def read_mode(self, given):
        if given.value not in ("random", "nth"):
            raise problem(f'Bad mode "{given.value}"')
        return given.value

    def read_probability(self, given):
        try:
            value = float(given.value)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 1:
            raise problem(f'statistic: bad value for option "--probability", or out of range (0-1).')
        return int(0x80000000 * value + 0.5)  # lround()

    def read_every(self, given):
        return parse_number(self.name, "every", given.value, 1)

    def read_packet(self, given):
        return parse_number(self.name, "packet", given.value)

    def finish(self):
        self.require("mode")
        self.exclusive("probability", "every")
        self.exclusive("probability", "packet")
        for key, also in (("every", "packet"), ("packet", "every")):
            if key in self.given and also not in self.given:
                raise problem(f'statistic: option "--{key}" also requires "--{also}".')
        mode = self.plain("mode")
        negated = any(test.negated for test in self.values.values())
        if mode == "random" and "probability" not in self.given:
            raise problem("--probability must be specified when using random mode")
        if mode == "nth" and "every" not in self.given:
            raise problem("--every and --packet must be specified when using nth mode")
        every = self.plain("every", 1) - 1
        packet = self.plain("packet", 0)
        if packet > every:
            raise problem("the --packet p must be 0 <= p <= n-1")
        return StatisticMatch(mode, negated, self.plain("probability", 0), every, packet)


def match_words(match: StatisticMatch) -> list:
    invert = ["!"] if match.negated else []
    if match.mode == "random":
        return ["--mode", "random", *invert, "--probability", f"{match.probability / 0x80000000:.11f}"]
    return ["--mode", "nth", *invert, "--every", str(match.every + 1), "--packet", str(match.packet)]


def match_nft(match: StatisticMatch, rule, quotes_allowed: bool) -> list:
    """xt_statistic: nth counts packets from `packet` up to `every`; `numgen inc mod N` counts from 0, so
    the nth packets match at the same offsets.  random: (prandom & 0x7fffffff) < probability."""
    if match.mode == "nth":
        modulus = match.every + 1
        numgen = nft.Raw(f"numgen inc mod {modulus}", {"numgen": {"mode": "inc", "mod": modulus, "offset": 0}})
        return [nft.Match(numgen, match.packet, match.negated)]
    random = nft.Binary("&", nft.Meta("random"), 0x7FFFFFFF)
    return [nft.Match(random, match.probability, False, ">=" if match.negated else "<")]


SAVE = {StatisticMatch: match_words}
NFT = {StatisticMatch: match_nft}
MATCH = Match

# Lint (PI007): the patch-o-matic matches statistic replaced.
FORMER_MATCHES = {
    "nth": "the nth match was a patch-o-matic extension; today: -m statistic --mode nth --every N",
    "random": "the random match was a patch-o-matic extension; today: -m statistic --mode random --probability P",
}
