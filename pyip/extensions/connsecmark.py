"""CONNSECMARK (libxt_CONNSECMARK.c): copy the security mark between packet and connection."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem


class Connsecmark(metaclass=records.frozen):
    name: ClassVar[str] = "CONNSECMARK"
    limits: ClassVar[tuple] = (("mangle", "security"), None, None)  # connsecmark_tg_check()
    mode: str  # save or restore


class Target(Extension):
    name = "CONNSECMARK"
    options = (Opt("save", "save", arity=0), Opt("restore", "restore", arity=0))

    def finish(self):
        self.exclusive("save", "restore")
        if not self.given:
            raise problem("CONNSECMARK target: parameter required")
        return Connsecmark("save" if "save" in self.given else "restore")


def target_nft(target: Connsecmark, rule, quotes_allowed: bool) -> list:
    if target.mode == "save":
        return [nft.Mangle(nft.Ct("secmark"), nft.Meta("secmark"))]
    return [nft.Mangle(nft.Meta("secmark"), nft.Ct("secmark"))]


SAVE = {Connsecmark: lambda target: [f"--{target.mode}"]}
NFT = {Connsecmark: target_nft}
TARGET = Target
