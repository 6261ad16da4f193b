"""TRACE (libxt_TRACE.c): trace the packet through the ruleset (nft: `nftrace set 1`)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..ast import nft
from ..parser.xtables import Extension


@attrs.frozen
class Trace:
    name: ClassVar[str] = "TRACE"
    limits: ClassVar[tuple] = ("raw", None, None)


class Target(Extension):
    name = "TRACE"

    def finish(self):
        return Trace()


SAVE = {Trace: lambda target: []}
NFT = {Trace: lambda target, rule, quotes_allowed: [nft.Mangle(nft.Meta("nftrace"), 1)]}
TARGET = Target
