"""C's number readers as glibc 2.36 runs them on 64-bit Linux, for iproute2's checks.

iproute2 reads every number with strtoul()/strtol()/strtod()/sscanf() and
then range-checks what they return, so its verdicts inherit C's rules:
leading white space (isspace() in the C locale) is skipped, a `+` or `-` may
come first, base 0 means `0x` hex / leading-`0` octal / decimal, only ASCII
digits count, a value past ULONG_MAX is ERANGE, and strtoul() negates a `-`
number modulo 2^64 (so `-1` is ULONG_MAX, which the u32 readers then refuse,
and `-18446744073709551615` is 1, which they take).  Nothing here converts
more digits than a 64-bit value can hold (Python's int() limit).
"""

from __future__ import annotations

C_SPACE = " \t\n\v\f\r"
ULONG_MAX = (1 << 64) - 1
LONG_MAX = (1 << 63) - 1
LONG_MIN = -(1 << 63)
U8, U16, U32, U64 = 0xFF, 0xFFFF, 0xFFFFFFFF, ULONG_MAX

_DIGITS = {8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _digit_run(text: str, at: int, base: int) -> str:
    """The run of BASE's digits at text[at:] (no regex: `import re` costs start-up time)."""
    digits = _DIGITS[base]
    end = at
    while end < len(text) and text[end] in digits:
        end += 1
    return text[at:end]

# more significant digits than any value <= ULONG_MAX has: an overflow, never converted
_MAX_DIGITS = {8: 22, 10: 20, 16: 16}


def _scan(text: str, base: int):
    """strtoul()'s reading: (negative, magnitude, end, overflow); end 0 when no digits."""
    at = len(text) - len(text.lstrip(C_SPACE))
    negative = False
    if text[at:at + 1] in ("+", "-"):
        negative = text[at] == "-"
        at += 1
    if text[at:at + 1] == "0":
        if base in (0, 16) and text[at + 1:at + 2] in ("x", "X"):
            if text[at + 2:at + 3] and text[at + 2] in _DIGITS[16]:
                at, base = at + 2, 16
            else:  # `0x` without hex digits: the 0 is the number, the end is at the x
                return negative, 0, at + 1, False
        elif base == 0:
            base = 8
    elif base == 0:
        base = 10
    digits = _digit_run(text, at, base)
    if not digits:
        return False, 0, 0, False
    end = at + len(digits)
    significant = digits.lstrip("0")
    if len(significant) > _MAX_DIGITS[base]:
        return negative, ULONG_MAX + 1, end, True
    magnitude = int(significant, base) if significant else 0
    return negative, magnitude, end, magnitude > ULONG_MAX


def strtoul(text: str, base: int = 0) -> tuple[int, int, bool]:
    """(value, end, erange) as unsigned long strtoul(text, &end, base) gives them."""
    negative, magnitude, end, overflow = _scan(text, base)
    if overflow:
        return ULONG_MAX, end, True
    return (-magnitude) % (1 << 64) if negative else magnitude, end, False


def strtol(text: str, base: int = 0) -> tuple[int, int, bool]:
    """(value, end, erange) as long strtol(text, &end, base) gives them."""
    negative, magnitude, end, overflow = _scan(text, base)
    if negative:
        return (LONG_MIN, end, True) if overflow or magnitude > -LONG_MIN else (-magnitude, end, False)
    return (LONG_MAX, end, True) if overflow or magnitude > LONG_MAX else (magnitude, end, False)


def get_unsigned(word: str, base: int = 0, maximum: int = U32) -> int | None:
    """get_u32()/get_unsigned()/get_u16()/get_u8()/get_u64(): the whole word, no ERANGE,
    at most maximum; None where iproute2 refuses it."""
    if not word:
        return None
    value, end, erange = strtoul(word, base)
    if end == 0 or end != len(word) or erange or value > maximum:
        return None
    return value


def get_signed(word: str, base: int = 0, minimum: int = -(1 << 31), maximum: int = (1 << 31) - 1) -> int | None:
    """get_s32()/get_integer(): strtol() over the whole word, within [minimum, maximum]."""
    if not word:
        return None
    value, end, erange = strtol(word, base)
    if end == 0 or end != len(word) or erange or not minimum <= value <= maximum:
        return None
    return value


def a2n_number(word: str, base: int = 0, maximum: int = U8) -> int | None:
    """The number branch of rtnl_*_a2n(): strtoul() over the whole word, at most maximum
    (no ERANGE test: ULONG_MAX is over every maximum but u64's)."""
    value, end, _ = strtoul(word, base)
    return value if end and end == len(word) and value <= maximum else None


def group_number(word: str) -> int | None:
    """rtnl_group_a2n()'s number: `int i = strtol(...)` (truncated to 32 bits), then i >= 0."""
    value, end, _ = strtol(word, 0)
    if not end or end != len(word):
        return None
    value &= 0xFFFFFFFF
    return None if value >= 1 << 31 else value


def scanf_unsigned(text: str, at: int, bits: int) -> tuple[int, int] | None:
    """sscanf's %u (bits 32) or %hu (bits 16) from text[at:]: (value, end), None on no digits."""
    rest = text[at:]
    skipped = len(rest) - len(rest.lstrip(C_SPACE))
    start = at + skipped
    sign = 1 if text[start:start + 1] in ("+", "-") else 0
    digits = _digit_run(text, start + sign, 10)
    if not digits:
        return None
    end = start + sign + len(digits)
    value, _, _ = strtoul(text[start:end], 10)  # glibc converts the collected chars with strtoul
    return value & ((1 << bits) - 1), end


def scanf_range(text: str, bits: int) -> tuple[int, ...]:
    """sscanf(text, "%u-%u") (or %hu-%hu): the values converted, 0, 1 or 2 of them."""
    first = scanf_unsigned(text, 0, bits)
    if first is None:
        return ()
    start, end = first
    if text[end:end + 1] != "-":
        return (start,)
    second = scanf_unsigned(text, end + 1, bits)
    return (start,) if second is None else (start, second[0])


_STRTOD_PATTERN = (
    r"[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|(?i:inf(?:inity)?|nan(?:\([0-9a-zA-Z_]*\))?))")


def strtod(text: str) -> tuple[float, int]:
    """(value, end) as strtod(text, &end) gives them; end 0 when there is no number."""
    at = len(text) - len(text.lstrip(C_SPACE))
    import re  # rare: not at start-up

    match = re.compile(_STRTOD_PATTERN).match(text, at)  # rare: compiled on first use (re keeps it)
    if not match:
        return 0.0, 0
    number = match.group()
    body = number.lstrip("+-")
    if body[:2] in ("0x", "0X"):
        mantissa = body[2:]
        hex_text = "0x" + (mantissa if not mantissa.startswith(".") else "0" + mantissa)
        if "p" not in hex_text.lower():
            hex_text += "p0"
        try:
            value = float.fromhex(hex_text)
        except OverflowError:
            value = float("inf")
        value = -value if number.startswith("-") else value
    elif body[:1].lower() == "n":
        value = float("nan")
    else:
        value = float(number.split("(")[0])
    return value, match.end()


def double_to_uint(value: float) -> int:
    """`unsigned int x = value` as gcc compiles it on x86-64 (cvttsd2si into 64 bits, the low
    32 kept): C leaves out-of-range values undefined; this is what ip's binary does."""
    if value != value or not -9.223372036854775808e18 <= value < 9.223372036854775808e18:
        return 0  # the "integer indefinite" 0x8000000000000000, whose low half is 0
    return int(value) & 0xFFFFFFFF
