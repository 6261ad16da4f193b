"""NOTRACK (libxt_NOTRACK.c, an alias of CT --notrack): no connection tracking for the packet."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension


class Notrack(metaclass=records.frozen):
    name: ClassVar[str] = "NOTRACK"
    limits: ClassVar[tuple] = ("raw", None, None)


class Target(Extension):
    name = "NOTRACK"

    def finish(self):
        return Notrack()


SAVE = {Notrack: lambda target: []}
NFT = {Notrack: lambda target, rule, quotes_allowed: [nft.Raw("notrack", {"notrack": None})]}
TARGET = Target
