"""AUDIT (libxt_AUDIT.c): an audit record for the packet (nft: `log level audit`)."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem


class Audit(metaclass=records.frozen):
    name: ClassVar[str] = "AUDIT"
    type: str  # accept, drop or reject: only recorded, it changes nothing (xt_AUDIT)


class Target(Extension):
    name = "AUDIT"
    options = (Opt("type", "type"),)

    def read_type(self, given):
        if given.value.lower() not in ("accept", "drop", "reject"):
            raise problem(f'Bad action type value "{given.value}"')
        return given.value.lower()

    def finish(self):
        self.require("type")
        return Audit(self.plain("type"))


SAVE = {Audit: lambda target: ["--type", target.type]}
NFT = {Audit: lambda target, rule, quotes_allowed: [nft.Raw("log level audit", {"log": {"level": "audit"}})]}
TARGET = Target
