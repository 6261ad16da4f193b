"""tcpmss and TCPMSS (libxt_tcpmss.c, libxt_TCPMSS.c): the MSS option of a TCP SYN, tested and set."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, parse_number_range, problem
from ..render.iptables_save import range_text


class TcpmssMatch(metaclass=records.frozen):
    name: ClassVar[str] = "tcpmss"
    limits: ClassVar[tuple] = (None, None, 6)  # xt_tcpmss: .proto = IPPROTO_TCP
    mss: object  # Test of a Range


class Tcpmss(metaclass=records.frozen):
    name: ClassVar[str] = "TCPMSS"
    mss: int | None = None  # None: clamp to the path MTU

    @property
    def limits(self) -> tuple:
        """xt_TCPMSS: TCP only; clamping to the path MTU needs the route, known from FORWARD on."""
        return (None, None if self.mss is not None else {"FORWARD", "OUTPUT", "POSTROUTING"}, 6)


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
    return (["!"] if match.mss.negated else []) + ["--mss", range_text(match.mss.value)]


def match_nft(match: TcpmssMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import id_value

    size = nft.Raw("tcp option maxseg size", {"tcp option": {"name": "maxseg", "field": "size"}})
    return [nft.Match(size, id_value(match.mss.value), match.mss.negated)]


class Target(Extension):
    name = "TCPMSS"
    options = (Opt("set-mss", "set-mss"), Opt("clamp-mss-to-pmtu", "clamp-mss-to-pmtu", arity=0))

    def read_set_mss(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF - 20)

    def finish(self):
        if not self.given:
            raise problem("TCPMSS target: At least one parameter is required")
        return Tcpmss(None if list(self.given)[-1] == "clamp-mss-to-pmtu" else self.plain("set-mss"))


def tcpmss_words(target: Tcpmss) -> list:
    return ["--clamp-mss-to-pmtu"] if target.mss is None else ["--set-mss", str(target.mss)]


def tcpmss_statements(target: Tcpmss, rule, quotes_allowed: bool) -> list:
    return [nft.TcpMss(target.mss)]


SAVE = {TcpmssMatch: match_words, Tcpmss: tcpmss_words}
NFT = {TcpmssMatch: match_nft, Tcpmss: tcpmss_statements}
MATCH = Match
TARGET = Target
