"""ah (libipt_ah.c): the SPI of an IPsec AH header."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, parse_number_range
from .esp import spi_nft, spi_words


class AhMatch(metaclass=records.frozen):
    name: ClassVar[str] = "ah"
    limits: ClassVar[tuple] = (None, None, 51)  # ipt_ah: .proto = IPPROTO_AH
    spi: object = None  # Test of a Range, None: any


class Match(Extension):
    name = "ah"
    options = (Opt("ahspi", "spi", invert=True),)

    def read_spi(self, given):
        return parse_number_range(self.name, "ahspi", given.value, 0xFFFFFFFF)

    def finish(self):
        return AhMatch(self.values.get("spi"))


SAVE = {AhMatch: lambda match: spi_words(match.spi, "--ahspi")}
NFT = {AhMatch: lambda match, rule, quotes_allowed: spi_nft("ah", match.spi)}
MATCH = Match
