"""connlimit (libxt_connlimit.c, revision 1): how many connections a source (or destination) network has."""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..parser.xtables import Extension, Opt, parse_number, problem


@attrs.frozen
class ConnlimitMatch:
    name: ClassVar[str] = "connlimit"
    limit: int
    above: bool = True  # False: up to
    prefix: int = 32
    side: str = "saddr"


class Match(Extension):
    name = "connlimit"
    options = (Opt("connlimit-upto", "connlimit-upto", invert=True),
               Opt("connlimit-above", "connlimit-above", invert=True), Opt("connlimit-mask", "connlimit-mask"),
               Opt("connlimit-saddr", "connlimit-saddr", arity=0), Opt("connlimit-daddr", "connlimit-daddr", arity=0))

    def read_connlimit_upto(self, given):
        return parse_number(self.name, given.option.name, given.value)

    read_connlimit_above = read_connlimit_upto

    def read_connlimit_mask(self, given):
        return parse_number(self.name, "connlimit-mask", given.value, 0, 32)

    def finish(self):
        self.exclusive("connlimit-upto", "connlimit-above")
        self.exclusive("connlimit-saddr", "connlimit-daddr")
        key = next((key for key in ("connlimit-upto", "connlimit-above") if key in self.given), None)
        if key is None:
            raise problem("connlimit: You must specify \"--connlimit-above\" or \"--connlimit-upto\".")
        test = self.values[key]
        above = (key == "connlimit-above") != test.negated
        side = "daddr" if "connlimit-daddr" in self.given else "saddr"
        return ConnlimitMatch(test.value, above, self.plain("connlimit-mask", 32), side)


def match_words(match: ConnlimitMatch) -> list:
    return [f"--connlimit-{'above' if match.above else 'upto'}", str(match.limit),
            "--connlimit-mask", str(match.prefix), f"--connlimit-{match.side}"]


def match_nft(match: ConnlimitMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("connlimit (nft counts connections in a dynamic set, which pyip does not declare yet)")


SAVE = {ConnlimitMatch: match_words}
NFT = {ConnlimitMatch: match_nft}
MATCH = Match

# Lint (PI007): the patch-o-matic iplimit match 2001 scripts loaded, which Linux took as connlimit; its words ->
# today's (the fix rewrites them).
FORMER_MATCHES = {"iplimit": "the iplimit match was a patch-o-matic extension; Linux took it as connlimit: "
                             "-m connlimit --connlimit-above N"}
RENAMED = {"iplimit": "connlimit", "--iplimit-above": "--connlimit-above", "--iplimit-mask": "--connlimit-mask"}
