"""tcpmss match (libxt_tcpmss.c): the MSS option of a TCP SYN.  The TCPMSS target is pyip.parser.targets'."""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number_range, problem


@attrs.frozen
class TcpmssMatch:
    name: ClassVar[str] = "tcpmss"
    limits: ClassVar[tuple] = (None, None, 6)  # xt_tcpmss: .proto = IPPROTO_TCP
    mss: object  # Test of a Range


class Match(Extension):
    name = "tcpmss"
    options = (Opt("mss", "mss", invert=True),)

    def read_mss(self, given):
        mss = parse_number_range(self.name, "mss", given.value, 0xFFFF)
        if mss.first > mss.last:
            raise problem("tcpmss: invalid range given")
        return mss

    def finish(self):
        self.require("mss")
        return TcpmssMatch(self.values["mss"])


def match_words(match: TcpmssMatch) -> list:
    from ..render.iptables_save import range_text

    return (["!"] if match.mss.negated else []) + ["--mss", range_text(match.mss.value)]


def match_nft(match: TcpmssMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import id_value

    size = nft.Raw("tcp option maxseg size", {"tcp option": {"name": "maxseg", "field": "size"}})
    return [nft.Match(size, id_value(match.mss.value), match.mss.negated)]


SAVE = {TcpmssMatch: match_words}
NFT = {TcpmssMatch: match_nft}
MATCH = Match
