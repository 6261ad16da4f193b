"""rateest and RATEEST (libxt_rateest.c, libxt_RATEEST.c): rate estimators and tests on them.

RATEEST keeps a named estimator of the rate of the packets it sees (its
interval and EWMA time constant as the kernel's log2 values); rateest
compares an estimator's bytes/s or packets/s with a rate (absolute), two
estimators (relative, --rateest1/--rateest2), or their difference to given
rates (--rateest-delta).  rateest is an old-style extension: its rate options
take their value only when the next word is no option.
"""

from __future__ import annotations

import math
import re
from typing import ClassVar

from .. import records

from ..parser.xtables import OPTIONAL, Extension, Opt, problem, strtoui

SUFFIXES = {"bit": 1.0, "Kibit": 1024.0, "kbit": 1000.0, "Mibit": 1024.0 ** 2, "mbit": 1e6, "Gibit": 1024.0 ** 3,
            "gbit": 1e9, "Tibit": 1024.0 ** 4, "tbit": 1e12, "Bps": 8.0, "KiBps": 8.0 * 1024, "KBps": 8000.0,
            "MiBps": 8.0 * 1024 ** 2, "MBps": 8e6, "GiBps": 8.0 * 1024 ** 3, "GBps": 8e9, "TiBps": 8.0 * 1024 ** 4,
            "TBps": 8e12}
FLOAT = re.compile(r"\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.I)
USEC = 1000000  # TIME_UNITS_PER_SEC


def strtod(text: str) -> tuple[float | None, str]:
    found = FLOAT.match(text)
    return (None, text) if found is None else (float(found.group()), text[found.end():])


def parse_rate(text: str) -> int:
    """rateest_get_rate(): bits per second, a suffix naming the unit; kept in bytes per second."""
    value, rest = strtod(text)
    scale = 1.0 if value is not None and not rest else next(
        (scale for name, scale in SUFFIXES.items() if name.lower() == rest.lower()), None)
    if value is None or scale is None:
        raise problem(f"rateest: could not parse rate `{text}'")
    return int(value * scale / 8.0) & 0xFFFFFFFF


def rate_text(rate: int) -> str:
    """rateest_print_rate(): bits, Kbit or Mbit, whole."""
    bits = rate * 8.0
    if bits >= 1e9:
        return f"{bits / 1e6:.0f}Mbit"
    if bits >= 1e6:
        return f"{bits / 1000:.0f}Kbit"
    return f"{bits:.0f}bit"


class RateestMatch(metaclass=records.frozen):
    name: ClassVar[str] = "rateest"
    name1: str
    name2: str | None = None  # relative mode
    delta: bool = False
    mode: str | None = None  # eq, lt, gt
    negated: bool = False
    bps: tuple | None = None  # (rate1, rate2) in bytes/s
    pps: tuple | None = None


class Match(Extension):
    name = "rateest"
    generic = False
    options = (Opt("rateest1", "rateest1"), Opt("rateest", "rateest1"), Opt("rateest2", "rateest2"),
               Opt("rateest-bps1", "bps1", arity=OPTIONAL), Opt("rateest-pps1", "pps1", arity=OPTIONAL),
               Opt("rateest-bps2", "bps2", arity=OPTIONAL), Opt("rateest-pps2", "pps2", arity=OPTIONAL),
               Opt("rateest-bps", "bps2", arity=OPTIONAL), Opt("rateest-pps", "pps2", arity=OPTIONAL),
               Opt("rateest-delta", "delta", arity=0), Opt("rateest-lt", "lt", arity=0, invert=True),
               Opt("rateest-gt", "gt", arity=0, invert=True), Opt("rateest-eq", "eq", arity=0, invert=True))

    def take(self, given) -> None:
        key = given.option.key
        if given.negated and key not in ("lt", "gt", "eq"):
            what = {"bps1": "rateest-bps", "bps2": "rateest-bps", "pps1": "rateest-pps", "pps2": "rateest-pps",
                    "delta": "rateest-delta"}.get(key, "rateest")
            raise problem(f"rateest: {what} can't be inverted", given.location)
        if key in self.given:
            twice = "lt/gt/eq" if key in ("lt", "gt", "eq") else f"--{given.option.name}"
            raise problem(f"rateest: can't specify {twice} twice", given.location)
        super().take(given)

    def read_rateest1(self, given):
        return given.value[:15]  # strncpy into char name1[16]

    read_rateest2 = read_rateest1

    def read_bps1(self, given):
        return parse_rate(given.values[0]) if given.values else 0

    read_bps2 = read_bps1

    def read_pps1(self, given):
        if not given.values:
            return 0
        value = strtoui(given.values[0], 0, 0xFFFFFFFF)
        if value is None:
            raise problem(f"rateest: could not parse pps `{given.values[0]}'")
        return value

    read_pps2 = read_pps1

    def finish(self):
        modes = [key for key in self.given if key in ("lt", "gt", "eq")]
        mode = modes[-1] if modes else None  # each once; a later one wins, as info->mode is overwritten
        bps = (self.plain("bps1", 0), self.plain("bps2", 0)) if "bps1" in self.given or "bps2" in self.given else None
        pps = (self.plain("pps1", 0), self.plain("pps2", 0)) if "pps1" in self.given or "pps2" in self.given else None
        return RateestMatch(self.plain("rateest1", ""), self.plain("rateest2"), "delta" in self.given, mode,
                            any(self.values[key].negated for key in modes), bps, pps)


def rates_words(match: RateestMatch, kind: str, rates: tuple, text) -> list:
    """__rateest_save_rate()."""
    mode = (["!"] if match.negated else []) + [f"--rateest-{match.mode}"]
    if match.delta:
        words = [f"--rateest-{kind}1", text(rates[0]), *mode, f"--rateest-{kind}2"]
    else:
        words = [*mode, f"--rateest-{kind}"]
    if match.delta or match.name2 is None:  # XT_RATEEST_MATCH_ABS or DELTA
        words.append(text(rates[1]))
    return words


def match_words(match: RateestMatch) -> list:
    words = ["--rateest-delta"] * match.delta
    words += ["--rateest1" if match.name2 is not None else "--rateest", match.name1]
    if match.bps is not None:
        words += rates_words(match, "bps", match.bps, rate_text)
    if match.pps is not None:
        words += rates_words(match, "pps", match.pps, str)
    return words + (["--rateest2", match.name2] if match.name2 is not None else [])


class Rateest(metaclass=records.frozen):
    name: ClassVar[str] = "RATEEST"
    estimator: str
    interval: int  # log2 of the interval in quarter seconds, -2..3
    ewma_log: int


def parse_time(text: str, what: str) -> float:
    """RATEEST_get_time(): a number of microseconds, or of s, ms or us."""
    value, rest = strtod(text)
    scale = {"": 1, "s": USEC, "sec": USEC, "secs": USEC, "ms": 1000, "msec": 1000, "msecs": 1000, "us": 1,
             "usec": 1, "usecs": 1}.get(rest.lower()) if value is not None else None
    if scale is None:
        raise problem(f'RATEEST: bad {what} value "{text}"')
    return float(int(value * scale) & 0xFFFFFFFF)


class Target(Extension):
    name = "RATEEST"
    options = (Opt("rateest-name", "rateest-name"), Opt("rateest-interval", "rateest-interval"),
               Opt("rateest-ewmalog", "rateest-ewmalog"))

    def read_rateest_name(self, given):
        return given.value[:15]  # char name[IFNAMSIZ]

    def read_rateest_interval(self, given):
        return parse_time(given.value, "interval")

    def read_rateest_ewmalog(self, given):
        return parse_time(given.value, "ewmalog")

    def finish(self):
        for key in ("rateest-name", "rateest-interval", "rateest-ewmalog"):
            self.require(key)
        interval_time, ewma_time = self.plain("rateest-interval"), self.plain("rateest-ewmalog")
        interval = next((i for i in range(6) if interval_time <= (1 << i) * (USEC // 4)), None)
        if interval is None:
            raise problem("RATEEST: interval value is too large")
        ewma_log = next((log for log in range(1, 32)
                         if interval_time / -math.log(1.0 - 1.0 / (1 << log)) > ewma_time), 32) - 1
        if ewma_log == 0 or ewma_log >= 31:
            raise problem("RATEEST: ewmalog value is out of range")
        return Rateest(self.plain("rateest-name"), interval - 2, ewma_log)


def time_text(microseconds: int) -> str:
    """RATEEST_print_time()."""
    if microseconds >= USEC:
        return f"{microseconds / USEC:.1f}s"
    if microseconds >= USEC // 1000:
        return f"{microseconds / 1000:.1f}ms"
    return f"{microseconds}us"


def target_words(target: Rateest) -> list:
    interval = (USEC << (target.interval + 2)) // 4
    return ["--rateest-name", target.estimator, "--rateest-interval", time_text(interval),
            "--rateest-ewmalog", time_text(interval * (1 << target.ewma_log))]


def no_nft(node, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable(f"{node.name} (nft has no rate estimators)")


SAVE = {RateestMatch: match_words, Rateest: target_words}
NFT = {RateestMatch: no_nft, Rateest: no_nft}
MATCH, TARGET = Match, Target
