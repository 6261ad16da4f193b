"""limit (libxt_limit.c): a token bucket of packets per time unit."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem, strtoul


class LimitMatch(metaclass=records.frozen):
    name: ClassVar[str] = "limit"
    average: int  # the kernel's interval between packets, in 1/10000 s
    burst: int = 5


LIMIT_SCALE = 10000


RATE_UNITS = (("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400))


def parse_rate(text: str) -> int | None:
    """parse_rate(): N[/second|minute|hour|day, any prefix]; the interval in 1/10000 s."""
    number_text, slash, unit = text.partition("/")
    seconds = 1
    if slash:
        matching = [s for name, s in RATE_UNITS if unit and name.startswith(unit.lower())]
        if not matching:
            return None
        seconds = matching[0]
    count = atoi(number_text)
    if count == 0:
        return None
    interval = LIMIT_SCALE * seconds // count
    if interval == 0:
        raise problem(f'Rate too fast "{text}"')
    return interval


def atoi(text: str) -> int:
    """C atoi(): the leading decimal number, 0 if none."""
    value, _ = strtoul(text, 10)
    return 0 if value is None or text.lstrip().startswith("-") else value & 0xFFFFFFFF


class Match(Extension):
    name = "limit"
    options = (Opt("limit", "limit"), Opt("limit-burst", "limit-burst"))

    def read_limit(self, given):
        interval = parse_rate(given.value)
        if interval is None:
            raise problem(f"bad rate \"{given.value}\"'")
        return interval

    def read_limit_burst(self, given):
        return parse_number(self.name, "limit-burst", given.value, 0, 10000)

    def finish(self):
        # a burst of 0 comes back from the kernel as the default 5 (iptables-save prints no --limit-burst)
        burst = self.plain("limit-burst", default=5) or 5
        return LimitMatch(self.plain("limit", default=LIMIT_SCALE * 3600 // 3), burst)


RATES = (("day", 10000 * 86400), ("hour", 10000 * 3600), ("min", 10000 * 60), ("sec", 10000))


def rate_text(interval: int) -> str:
    """print_rate(): the largest unit that keeps the count whole enough."""
    index = 1
    while index < len(RATES):
        unit_length = RATES[index][1]
        if interval > unit_length or unit_length // interval < unit_length % interval:
            break
        index += 1
    name, length = RATES[index - 1]
    return f"{length // interval}/{name}"


def limit_words(match: LimitMatch) -> list:
    words = ["--limit", rate_text(match.average)]
    if match.burst != 5:
        words += ["--limit-burst", str(match.burst)]
    return words


UNITS = (("second", 10000), ("minute", 10000 * 60), ("hour", 10000 * 3600), ("day", 10000 * 86400))


def limit_matches(match: LimitMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable

    for unit, length in UNITS:
        if length % match.average == 0:
            return [nft.Limit(length // match.average, unit, match.burst)]
    raise Untranslatable("a --limit rate that is no whole number of packets per second, minute, hour or day")


SAVE = {LimitMatch: limit_words}
NFT = {LimitMatch: limit_matches}
MATCH = Match
