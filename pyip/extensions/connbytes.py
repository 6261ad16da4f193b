"""connbytes (libxt_connbytes.c): how many packets or bytes a connection has carried, or their average size."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoul

UINT64_MAX = 0xFFFFFFFFFFFFFFFF


class ConnbytesMatch(metaclass=records.frozen):
    name: ClassVar[str] = "connbytes"
    count_from: int  # the kernel's pair: from > to means "not in [to, from]"
    count_to: int
    mode: str  # packets, bytes, avgpkt
    direction: str  # original, reply, both


def parse_range(text: str) -> tuple[int, int]:
    """XTTYPE_UINT64RC: N or N:M (an empty side 0 or the maximum)."""
    parts = text.split(":")
    if len(parts) > 2:
        raise problem('connbytes: Too many components for option "--connbytes" (max: 2)')
    bounds = []
    for index, part in enumerate(parts):
        value, rest = strtoul(part, 0) if part else ((0 if index == 0 else UINT64_MAX), "")
        saturated = part.strip().isdigit() and int(part) > UINT64_MAX  # strtoull()'s ERANGE
        if value is None or rest or part.lstrip().startswith("-") or saturated:
            raise problem(f'connbytes: bad value for option "--connbytes" near "{part}", or out of range '
                          f"(0-{UINT64_MAX}).")
        bounds.append(value)
    return bounds[0], bounds[1] if len(bounds) == 2 else UINT64_MAX


class Match(Extension):
    name = "connbytes"
    options = (Opt("connbytes", "connbytes", invert=True), Opt("connbytes-dir", "connbytes-dir"),
               Opt("connbytes-mode", "connbytes-mode"))

    def read_connbytes(self, given):
        low, high = parse_range(given.value)
        if high < low:
            raise problem(f"{low} should be less than {high}")
        return (high, low) if given.negated else (low, high)

    def read_connbytes_dir(self, given):
        if given.value not in ("original", "reply", "both"):
            raise problem(f"Unknown --connbytes-dir `{given.value}'")
        return given.value

    def read_connbytes_mode(self, given):
        if given.value not in ("packets", "bytes", "avgpkt"):
            raise problem(f"Unknown --connbytes-mode `{given.value}'")
        return given.value

    def finish(self):
        for key in ("connbytes", "connbytes-dir", "connbytes-mode"):
            self.require(key)
        low, high = self.plain("connbytes")
        return ConnbytesMatch(low, high, self.plain("connbytes-mode"), self.plain("connbytes-dir"))


def match_words(match: ConnbytesMatch) -> list:
    """print_from_to(): `!` for the swapped pair; the upper bound only when it is neither 0 nor the maximum."""
    inverted = match.count_from > match.count_to
    low, high = (match.count_to, match.count_from) if inverted else (match.count_from, match.count_to)
    words = (["!"] if inverted else []) + ["--connbytes", f"{low}:{high}" if high and high < UINT64_MAX else str(low)]
    return words + ["--connbytes-mode", match.mode, "--connbytes-dir", match.direction]


def match_nft(match: ConnbytesMatch, rule, quotes_allowed: bool) -> list:
    """xt_connbytes: from <= n <= to, or for the swapped pair n < to or n > from."""
    inverted = match.count_from > match.count_to
    low, high = (match.count_to, match.count_from) if inverted else (match.count_from, match.count_to)
    key = nft.Ct(match.mode, None if match.direction == "both" else match.direction)
    if high == UINT64_MAX:
        return [nft.Match(key, low, False, "<" if inverted else ">=")]
    return [nft.Match(key, low if low == high else nft.Span(low, high), inverted)]


SAVE = {ConnbytesMatch: match_words}
NFT = {ConnbytesMatch: match_nft}
MATCH = Match
