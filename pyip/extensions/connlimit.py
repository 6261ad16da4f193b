"""connlimit (libxt_connlimit.c, revision 1): how many connections a source (or destination) network has."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem


class ConnlimitMatch(metaclass=records.frozen):
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


# xt_connlimit counts any number of addresses; nft's set of a size gives up on the next one (the rule then does
# not match), so the set is as large as nft can say.
UNLIMITED = 0xFFFFFFFF


def match_nft(match: ConnlimitMatch, rule, quotes_allowed: bool) -> list:
    """`add @connlimitN { ip saddr & MASK ct count [over] LIMIT }`: each masked address an element of the rule's own
    set, counting its connections with the same nf_conncount as xt_connlimit (a packet without a conntrack entry is
    dropped by both)."""
    key = nft.Payload("ip", match.side)
    if match.prefix != 32:
        key = nft.Binary("&", key, str(ipaddress.IPv4Network(f"0.0.0.0/{match.prefix}").netmask))
    counts = nft.Set("connlimit0", ("ipv4_addr",), UNLIMITED)  # the translator numbers them, as iptables-translate
    return [nft.SetUpdate("add", counts, key, (nft.CtCount(match.limit, match.above),))]


SAVE = {ConnlimitMatch: match_words}
NFT = {ConnlimitMatch: match_nft}
MATCH = Match

# Lint (PI007): the patch-o-matic iplimit match 2001 scripts loaded, which Linux took as connlimit; its words ->
# today's (the fix rewrites them).
FORMER_MATCHES = {"iplimit": "the iplimit match was a patch-o-matic extension; Linux took it as connlimit: "
                             "-m connlimit --connlimit-above N"}
RENAMED = {"iplimit": "connlimit", "--iplimit-above": "--connlimit-above", "--iplimit-mask": "--connlimit-mask"}
