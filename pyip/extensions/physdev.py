"""physdev (libxt_physdev.c): the bridge ports a bridged packet came in on or goes out of."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, problem

ORDER = ("physdev-is-in", "physdev-in", "physdev-is-out", "physdev-out", "physdev-is-bridged")  # physdev_save()


class PhysdevMatch(metaclass=records.frozen):
    name: ClassVar[str] = "physdev"
    tests: tuple = ()  # (option, Test) in ORDER; a flag's value is True


class Match(Extension):
    name = "physdev"
    options = (Opt("physdev-in", "physdev-in", invert=True), Opt("physdev-out", "physdev-out", invert=True),
               Opt("physdev-is-in", "physdev-is-in", arity=0, invert=True),
               Opt("physdev-is-out", "physdev-is-out", arity=0, invert=True),
               Opt("physdev-is-bridged", "physdev-is-bridged", arity=0, invert=True))

    def read_physdev_in(self, given):
        if len(given.value) >= 16:  # xtables_parse_interface()
            raise problem(f"interface name `{given.value}' must be shorter than IFNAMSIZ (15)")
        return given.value

    read_physdev_out = read_physdev_in

    def finish(self):
        if not self.given:
            raise problem("PHYSDEV: no physdev option specified")
        return PhysdevMatch(tuple((key, self.values[key]) for key in ORDER if key in self.values))


def match_words(match: PhysdevMatch) -> list:
    words: list = []
    for option, test in match.tests:
        words += (["!"] if test.negated else []) + [f"--{option}"]
        if test.value is not True:
            words.append(test.value)
    return words


def match_nft(match: PhysdevMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the physdev match (bridge ports are known to nft's bridge family only, not to ip)")


SAVE = {PhysdevMatch: match_words}
NFT = {PhysdevMatch: match_nft}
MATCH = Match
