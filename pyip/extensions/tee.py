"""TEE (libxt_TEE.c): send a copy of the packet to a gateway (nft: `dup to`)."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt
from .tproxy import parse_host


class Tee(metaclass=records.frozen):
    name: ClassVar[str] = "TEE"
    gateway: object  # IPv4Address
    oif: str = ""


class Target(Extension):
    name = "TEE"
    options = (Opt("gateway", "gateway"), Opt("oif", "oif"))

    def read_gateway(self, given):
        return parse_host(given.value)

    def read_oif(self, given):
        return given.value[:15]  # XTOPT_PUT cuts to IFNAMSIZ, with its NUL

    def finish(self):
        self.require("gateway")
        return Tee(self.plain("gateway"), self.plain("oif", ""))


def target_words(target: Tee) -> list:
    return ["--gateway", str(target.gateway)] + (["--oif", target.oif] if target.oif else [])


def target_nft(target: Tee, rule, quotes_allowed: bool) -> list:
    text = f"dup to {target.gateway}" + (f' device "{target.oif}"' if target.oif else "")
    statement = {"dup": {"addr": str(target.gateway), **({"dev": target.oif} if target.oif else {})}}
    return [nft.Raw(text, statement)]


SAVE = {Tee: target_words}
NFT = {Tee: target_nft}
TARGET = Target
