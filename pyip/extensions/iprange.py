"""iprange (libxt_iprange.c): the source or destination address in a range."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, numeric_address, problem
from ..render.iptables_save import negatable


class IprangeMatch(metaclass=records.frozen):
    name: ClassVar[str] = "iprange"
    source: fw.Test | None = None  # Range of IPv4Address
    destination: fw.Test | None = None


class Match(Extension):
    name = "iprange"
    options = (Opt("src-range", "src-range", invert=True), Opt("dst-range", "dst-range", invert=True))

    def read_src_range(self, given):
        first, dash, last = given.value.partition("-")
        for part in (first, last) if dash else (first,):
            if numeric_address(part) is None:
                raise problem(f'iprange: Bad value for "--{given.option.name}" option: "{part}"')
        return fw.Range(numeric_address(first), numeric_address(last if dash else first))

    read_dst_range = read_src_range

    def finish(self):
        if not self.given:
            raise problem("iprange match: You must specify `--src-range' or `--dst-range'")
        return IprangeMatch(self.values.get("src-range"), self.values.get("dst-range"))


def iprange_words(match: IprangeMatch) -> list:
    words: list = []
    negatable(words, match.source, "--src-range", lambda r: f"{r.first}-{r.last}")
    negatable(words, match.destination, "--dst-range", lambda r: f"{r.first}-{r.last}")
    return words


def address_range(value: fw.Range) -> nft.Span:
    return nft.Span(str(value.first), str(value.last))


def iprange_matches(match: IprangeMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import test_match

    return (test_match(nft.Payload("ip", "saddr"), match.source, address_range)
            + test_match(nft.Payload("ip", "daddr"), match.destination, address_range))


SAVE = {IprangeMatch: iprange_words}
NFT = {IprangeMatch: iprange_matches}
MATCH = Match
