"""esp (libxt_esp.c): the SPI of an IPsec ESP header."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number_range
from ..render.iptables_save import range_text

EVERY_SPI = fw.Range(0, 0xFFFFFFFF)


class EspMatch(metaclass=records.frozen):
    name: ClassVar[str] = "esp"
    limits: ClassVar[tuple] = (None, None, 50)  # xt_esp: .proto = IPPROTO_ESP
    spi: object = None  # Test of a Range, None: any


class Match(Extension):
    name = "esp"
    options = (Opt("espspi", "spi", invert=True),)

    def read_spi(self, given):
        return parse_number_range(self.name, "espspi", given.value, 0xFFFFFFFF)

    def finish(self):
        return EspMatch(self.values.get("spi"))


def spi_words(test, option: str) -> list:
    if test is None or test.value == EVERY_SPI:  # esp_save() prints nothing for every SPI
        return []
    return (["!"] if test.negated else []) + [option, range_text(test.value)]


def spi_nft(protocol: str, test) -> list:
    from ..translators.iptables_nft import id_value

    if test is None or (test.value == EVERY_SPI and not test.negated):
        return [nft.Match(nft.Payload(protocol, "spi"), nft.Span(0, 0xFFFFFFFF))]  # a header there at all
    return [nft.Match(nft.Payload(protocol, "spi"), id_value(test.value), test.negated)]


SAVE = {EspMatch: lambda match: spi_words(match.spi, "--espspi")}
NFT = {EspMatch: lambda match, rule, quotes_allowed: spi_nft("esp", match.spi)}
MATCH = Match
