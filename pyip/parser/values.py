"""Reading the values of ip's keywords, with iproute2's checks and messages.

Each reader takes the VALUE token's text and returns the typed value, or
raises iproute2's own error (placed by the caller at the word).
"""

from __future__ import annotations

from ..ast import Named, PortRange, Realms
from ..ast.address import Lifetime
from ..errors import invalid_argument
from ..names import NameDB, parse_c_number

U32 = 0xFFFFFFFF


def u32(word: str, why: str, base: int = 0, maximum: int = U32) -> int:
    """get_u32()/get_unsigned(): a C number that must fit."""
    value = read_u32(word, base, maximum)
    if value is None:
        raise invalid_argument(word, why)
    return value


def read_u32(word: str, base: int = 0, maximum: int = U32) -> int | None:
    """u32() without the error: None where it would raise."""
    value = parse_c_number(word, base, maximum)
    return None if value is None or word.startswith("-") else value


def named(word: str, db: NameDB, why: str) -> Named:
    """rtnl_*_a2n(): name first, then number; remembered for printing."""
    found = db.named(word)
    if found is None:
        raise invalid_argument(word, why)
    return found


def realms(db: NameDB, word: str, why: str) -> Realms:
    """get_rt_realms_or_raw(): a raw u32 (from << 16 | to), else [FROM/]TO names."""
    raw = parse_c_number(word, 0)
    if raw is not None:
        source = raw >> 16
        return Realms(Named(raw & 0xFFFF), Named(source) if source else None)
    source_word, slash, to_word = word.rpartition("/")
    to = db.lookup(to_word) if to_word else 0
    source = db.lookup(source_word) if slash and source_word else None
    if to is None or (slash and source_word and source is None):
        raise invalid_argument(word, why)
    return Realms(Named(to, to_word if db.has_name(to_word) else None),
                  Named(source, source_word if db.has_name(source_word) else None) if source else None)


TIME_UNITS = {"s": 1000, "sec": 1000, "secs": 1000, "ms": 1, "msec": 1, "msecs": 1}


def rtt_time(word: str, why: str) -> tuple[int, str | None]:
    """get_time_rtt(): milliseconds with a unit, else a raw kernel value."""
    digits = word.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = word[len(digits):] or None
    if unit is None:
        return u32(word, why), None
    if unit not in TIME_UNITS or not digits:
        raise invalid_argument(word, why)
    try:
        number = float(digits)
    except ValueError:
        raise invalid_argument(word, why) from None
    return int(number * TIME_UNITS[unit]), unit


def lifetime(word: str, why: str) -> Lifetime:
    """set_lifetime(): `forever` or seconds."""
    if word == "forever":
        return Lifetime(None)
    return Lifetime(u32(word, why))


def port_range(word: str, why: str, single: bool = True) -> PortRange:
    """`A-B`, or `N` where a single value is allowed (sport, dport; not uidrange)."""
    start, dash, end = word.partition("-")
    if not dash and not single:
        raise invalid_argument(word, why)
    first = u32(start, why, 10)
    last = u32(end, why, 10) if dash else first
    return PortRange(first, last)


def check_ifname(word: str, why: str) -> str:
    """check_ifname(): what the kernel would refuse as an interface name."""
    if not word or len(word) >= 16 or any(c == "/" or c.isspace() for c in word):
        raise invalid_argument(word, why)
    return word
