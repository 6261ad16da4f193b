"""quota (libxt_quota.c): bytes until a quota is used up."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem


class QuotaMatch(metaclass=records.frozen):
    name: ClassVar[str] = "quota"
    quota: object  # Test of the byte count


class Match(Extension):
    name = "quota"
    options = (Opt("quota", "quota", invert=True),)

    def read_quota(self, given):
        if given.value.strip().isdigit() and int(given.value) > 0xFFFFFFFFFFFFFFFF:  # strtoull() would saturate
            raise problem('quota: bad value for option "--quota", or out of range (0-18446744073709551615).')
        return parse_number(self.name, "quota", given.value, 0, 0xFFFFFFFFFFFFFFFF)

    def finish(self):
        self.require("quota")
        return QuotaMatch(self.values["quota"])


def match_words(match: QuotaMatch) -> list:
    return (["!"] if match.quota.negated else []) + ["--quota", str(match.quota.value)]


def match_nft(match: QuotaMatch, rule, quotes_allowed: bool) -> list:
    over = "over " if match.quota.negated else ""
    statement = {"quota": {"val": match.quota.value, "val_unit": "bytes", "inv": match.quota.negated}}
    return [nft.Raw(f"quota {over}{match.quota.value} bytes", statement)]


SAVE = {QuotaMatch: match_words}
NFT = {QuotaMatch: match_nft}
MATCH = Match
