"""cpu (libxt_cpu.c): the CPU handling the packet."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number


class CpuMatch(metaclass=records.frozen):
    name: ClassVar[str] = "cpu"
    cpu: object  # Test of the CPU number


class Match(Extension):
    name = "cpu"
    options = (Opt("cpu", "cpu", invert=True),)

    def read_cpu(self, given):
        return parse_number(self.name, "cpu", given.value)

    def finish(self):
        self.require("cpu")
        return CpuMatch(self.values["cpu"])


def match_words(match: CpuMatch) -> list:
    return (["!"] if match.cpu.negated else []) + ["--cpu", str(match.cpu.value)]


def match_nft(match: CpuMatch, rule, quotes_allowed: bool) -> list:
    return [nft.Match(nft.Meta("cpu"), match.cpu.value, match.cpu.negated)]


SAVE = {CpuMatch: match_words}
NFT = {CpuMatch: match_nft}
MATCH = Match
