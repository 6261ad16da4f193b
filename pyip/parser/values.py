"""Reading the values of ip's keywords, with iproute2's checks and messages.

Each reader takes the VALUE token's text and returns the typed value, or
raises iproute2's own error (placed by the caller at the word).
"""

from __future__ import annotations

from .. import cnumbers as c
from ..ast import Named
from ..ast.route import Realms

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from ..ast.address import Lifetime
    from ..ast.rule import PortRange
from ..errors import invalid_argument
from ..names import NameDB

U32 = c.U32


def u32(word: str, why: str, base: int = 0, maximum: int = U32) -> int:
    """get_u32()/get_unsigned() (and get_u8/u16/u64 by maximum): strtoul() over the whole word."""
    value = c.get_unsigned(word, base, maximum)
    if value is None:
        raise invalid_argument(word, why)
    return value


def read_u32(word: str, base: int = 0, maximum: int = U32) -> int | None:
    """u32() without the error: None where it would raise."""
    if word.isdigit() and word.isascii() and (base == 10 or word[0] != "0" or len(word) == 1) and len(word) < 20:
        value = int(word)  # the common case: plain decimal
        return value if value <= maximum else None
    return c.get_unsigned(word, base, maximum)


def s32(word: str, why: str, minimum: int = -(1 << 31)) -> int:
    """get_s32(): strtol() over the whole word, in int32 (and at least minimum)."""
    value = c.get_signed(word, 0, minimum)
    if value is None:
        raise invalid_argument(word, why)
    return value


def named(word: str, db: NameDB, why: str) -> Named:
    """rtnl_*_a2n(): name first, then number; remembered for printing."""
    found = db.named(word)
    if found is None:
        raise invalid_argument(word, why)
    return found


def realms(db: NameDB, word: str, why: str) -> Realms:
    """get_rt_realms_or_raw(): [FROM/]TO realm names or numbers (<= 255), else a raw
    get_unsigned() value (from << 16 | to)."""
    source_word, slash, to_word = word.partition("/")
    if not slash:
        source_word, to_word = "", source_word
    source = db.lookup(source_word) if slash else 0
    to = db.lookup(to_word) if to_word else 0
    if source is not None and to is not None:
        return Realms(Named(to, to_word if db.has_name(to_word) else None),
                      Named(source, source_word if db.has_name(source_word) else None) if source else None)
    raw = c.get_unsigned(word, 0)
    if raw is None:
        raise invalid_argument(word, why)
    source = raw >> 16
    return Realms(Named(raw & 0xFFFF), Named(source) if source else None)


TIME_UNITS = {"s": 1000, "sec": 1000, "secs": 1000, "ms": 1, "msec": 1, "msecs": 1}


def rtt_time(word: str, why: str) -> tuple[int, str | None]:
    """get_time_rtt(): (the u32 ip sends, the unit or None for a raw kernel value).

    With a `.` the number is strtod()'s, else strtoul()'s (so `-1` wraps);
    the value then goes through ip's own double -> unsigned int conversion."""
    if "." in word:
        number, end = c.strtod(word)
        if number < 0 or not end or number == float("inf"):
            raise invalid_argument(word, why)
    else:
        whole, end, erange = c.strtoul(word, 0)
        if not end or erange:
            raise invalid_argument(word, why)
        number = float(whole)
    unit = word[end:] or None
    if unit is not None:
        scale = TIME_UNITS.get(unit.lower())
        if scale is None:
            raise invalid_argument(word, why)
        number *= scale
    value = c.double_to_uint(number)
    if value < number:  # ip's "emulate ceil()"
        value = (value + 1) & 0xFFFFFFFF
    return value, unit


def lifetime(word: str, why: str) -> Lifetime:
    """set_lifetime(): `forever` or seconds."""
    from ..ast.address import Lifetime  # here: a drop-in of another object does without the module

    if word == "forever":
        return Lifetime(None)
    return Lifetime(u32(word, why))


def port_range(word: str, why: str, single: bool = True, bits: int = 16) -> PortRange:
    """sscanf(word, "%hu-%hu") of sport/dport (one value: a range of one), "%u-%u" of
    uidrange (two needed): C's conversions, so `70000` is 4464 and `80abc` is 80."""
    from ..ast.rule import PortRange  # here: a drop-in of another object does without the module

    found = c.scanf_range(word, bits)
    if len(found) == 2:
        return PortRange(*found)
    if len(found) == 1 and single:
        return PortRange(found[0], found[0])
    raise invalid_argument(word, why)


def uid_range(word: str, why: str) -> PortRange:
    return port_range(word, why, single=False, bits=32)


def ip_protocol(word: str, why: str = 'Invalid "ipproto" value') -> int:
    """inet_proto_a2n(): get_u8() in base 10, else a name from /etc/protocols."""
    import socket

    number = c.get_unsigned(word, 10, c.U8)
    if number is not None:
        return number
    try:
        return socket.getprotobyname(word)
    except (OSError, ValueError):  # ValueError: a NUL in the word
        raise invalid_argument(word, why) from None


def group(word: str, why: str) -> int:
    """rtnl_group_a2n(): a name from the group file, else strtol() truncated to an int >= 0."""
    from ..show.common import device_groups

    for number, name in device_groups().items():
        if name == word:
            return number
    number = c.group_number(word)
    if number is None:
        raise invalid_argument(word, why)
    return number


def check_ifname(word: str, why: str) -> str:
    """check_ifname(): what the kernel would refuse as an interface name."""
    raw = word.encode("utf-8", "surrogateescape")  # IFNAMSIZ counts bytes; isspace() is C's
    if not raw or len(raw) >= 16 or any(char == "/" or char in c.C_SPACE for char in word):
        raise invalid_argument(word, why)
    return word
