"""ipcomp (libxt_ipcomp.c): the CPI of an IPComp header."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number_range
from .esp import EVERY_SPI, spi_words


class IpcompMatch(metaclass=records.frozen):
    name: ClassVar[str] = "ipcomp"
    limits: ClassVar[tuple] = (None, None, 108)  # xt_ipcomp: .proto = IPPROTO_COMP
    spi: object = None  # Test of a Range
    reserved: bool = False  # --compres


class Match(Extension):
    name = "ipcomp"
    options = (Opt("ipcompspi", "spi", invert=True), Opt("compres", "compres", arity=0))

    def read_spi(self, given):
        return parse_number_range(self.name, "ipcompspi", given.value, 0xFFFFFFFF)

    def finish(self):
        return IpcompMatch(self.values.get("spi"), "compres" in self.given)


def match_nft(match: IpcompMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable, id_value

    if match.reserved:
        raise Untranslatable("ipcomp --compres (nft has no test of the reserved field)")
    test = match.spi
    if test is None or (test.value == EVERY_SPI and not test.negated):
        return [nft.Match(nft.Payload("comp", "cpi"), nft.Span(0, 0xFFFF))]
    if test.value.last > 0xFFFF:
        raise Untranslatable("ipcomp --ipcompspi above 65535 (nft's comp cpi has 16 bits; xt_ipcomp compares "
                             "the 16 bits against 32)")
    return [nft.Match(nft.Payload("comp", "cpi"), id_value(test.value), test.negated)]


SAVE = {IpcompMatch: lambda match: spi_words(match.spi, "--ipcompspi") + ["--compres"] * match.reserved}
NFT = {IpcompMatch: match_nft}
MATCH = Match
