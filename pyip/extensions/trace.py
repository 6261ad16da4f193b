"""TRACE (libxt_TRACE.c): trace the packet through the ruleset (nft: `nftrace set 1`)."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension


class Trace(metaclass=records.frozen):
    name: ClassVar[str] = "TRACE"
    limits: ClassVar[tuple] = ("raw", None, None)


class Target(Extension):
    name = "TRACE"

    def finish(self):
        return Trace()


SAVE = {Trace: lambda target: []}
NFT = {Trace: lambda target, rule, quotes_allowed: [nft.Mangle(nft.Meta("nftrace"), 1)]}
TARGET = Target
