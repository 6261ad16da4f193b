"""SYNPROXY (libxt_SYNPROXY.c): answer TCP handshakes itself before the server sees them."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number

FLAGS = ("sack-perm", "timestamp")


class Synproxy(metaclass=records.frozen):
    name: ClassVar[str] = "SYNPROXY"
    limits: ClassVar[tuple] = (None, {"INPUT", "FORWARD"}, 6)
    sack_perm: bool = False
    timestamp: bool = False
    wscale: int | None = None
    mss: int | None = None
    ecn: bool = False


class Target(Extension):
    name = "SYNPROXY"
    options = (Opt("sack-perm", "sack-perm", arity=0), Opt("timestamp", "timestamp", arity=0),
               Opt("wscale", "wscale"), Opt("mss", "mss"), Opt("ecn", "ecn", arity=0))

    def read_wscale(self, given):
        return parse_number(self.name, given.option.name, given.value)

    read_mss = read_wscale

    def finish(self):
        return Synproxy("sack-perm" in self.given, "timestamp" in self.given, self.plain("wscale"),
                        self.plain("mss"), "ecn" in self.given)


def target_words(target: Synproxy) -> list:
    words = ["--sack-perm"] * target.sack_perm + ["--timestamp"] * target.timestamp
    words += ["--wscale", str(target.wscale)] if target.wscale is not None else []
    words += ["--mss", str(target.mss)] if target.mss is not None else []
    return words + ["--ecn"] * target.ecn


def target_nft(target: Synproxy, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    if target.ecn:
        raise Untranslatable("SYNPROXY --ecn (nft's synproxy has no ECN flag)")
    if (target.wscale or 0) > 14 or (target.mss or 0) > 0xFFFF:
        raise Untranslatable("SYNPROXY --wscale above 14 or --mss above 65535 (nft's limits)")
    flags = [flag for flag, on in (("sack-perm", target.sack_perm), ("timestamp", target.timestamp)) if on]
    words = flags + ([f"wscale {target.wscale}"] if target.wscale is not None else [])
    words += [f"mss {target.mss}"] if target.mss is not None else []
    statement = {"synproxy": {**({"mss": target.mss} if target.mss is not None else {}),
                              **({"wscale": target.wscale} if target.wscale is not None else {}),
                              **({"flags": flags} if flags else {})}}
    return [nft.Raw(" ".join(["synproxy", *words]), statement)]


SAVE = {Synproxy: target_words}
NFT = {Synproxy: target_nft}
TARGET = Target
