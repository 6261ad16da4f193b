"""u32 (libxt_u32.c): tests of 32-bit words read anywhere in the packet."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..parser.xtables import Extension, Opt, problem, strtoui, strtoul
from ..render.iptables_save import Text, hex_, negatable


class U32Match(metaclass=records.frozen):
    name: ClassVar[str] = "u32"
    tests: fw.Test  # tuple of U32Test


class U32Test(metaclass=records.frozen):
    """One `&&`-part of a u32 expression: where to read, and the value ranges to accept."""

    location: tuple  # (operator, number) pairs; the first operator is ""
    ranges: tuple  # of (min, max)


U32_OPERATORS = ("&", "<<", ">>", "@")


def parse_u32(text: str) -> tuple:
    """libxt_u32: TESTS joined by &&; a test is LOCATION=RANGES, LOCATION is NUM (OP NUM)*."""
    tests = []
    for part in text.replace(" ", "").replace("\t", "").split("&&"):
        location_text, equals, ranges_text = part.partition("=")
        if not equals:
            raise problem(f"u32: missing \"=\" in \"{part}\"")
        tests.append(U32Test(parse_u32_location(location_text), parse_u32_ranges(ranges_text)))
    if len(tests) > 10:
        raise problem("u32: too many \"&&\"s")
    return tuple(tests)


def parse_u32_location(text: str) -> tuple:
    elements, operator, rest = [], "", text
    while True:
        value, rest = strtoul(rest, 0)
        if value is None or value > 0xFFFFFFFF:
            raise problem(f'u32: bad number in "{text}"')
        elements.append((operator, value))
        if not rest:
            return tuple(elements)
        operator = next((op for op in U32_OPERATORS if rest.startswith(op)), None)
        if operator is None or len(elements) == 10:
            raise problem(f'u32: bad operator in "{text}"')
        rest = rest[len(operator):]


def parse_u32_ranges(text: str) -> tuple:
    ranges = []
    for item in text.split(","):
        first, colon, last = item.partition(":")
        low, high = strtoui(first), strtoui(last) if colon else strtoui(first)
        if low is None or high is None:
            raise problem(f'u32: bad range "{item}"')
        ranges.append((low, high))
    if len(ranges) > 10:
        raise problem("u32: too many ranges")
    return tuple(ranges)


class Match(Extension):
    name = "u32"
    options = (Opt("u32", "u32", invert=True),)

    def read_u32(self, given):
        return parse_u32(given.value)

    def finish(self):
        self.require("u32")
        return U32Match(self.values["u32"])


def u32_text(tests: tuple) -> str:
    parts = []
    for test in tests:
        location = "".join(f"{operator}{hex_(value)}" for operator, value in test.location)
        ranges = ",".join(hex_(low) if low == high else f"{hex_(low)}:{hex_(high)}" for low, high in test.ranges)
        parts.append(f"{location}={ranges}")
    return "&&".join(parts)


def u32_words(match: U32Match) -> list:
    words: list = []
    negatable(words, match.tests, "--u32", lambda tests: Text(u32_text(tests), "quoted"))
    return words


def u32_matches(match: U32Match, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the u32 match")


SAVE = {U32Match: u32_words}
NFT = {U32Match: u32_matches}
MATCH = Match
