"""Addresses and prefixes exactly as iproute2 reads them (lib/utils.c).

IPv4 is not inet_aton: one to four dotted parts, each a C number (base 0,
so `010` is 8 and `0x0a` is 10) no larger than 255, missing parts zero, so
`10/8` is 10.0.0.0/8 and `10.1/16` is 10.1.0.0/16.  Any word with a `:` is
IPv6.  A prefix without `/len` is a host prefix; `/len` is a number (base 0)
or a contiguous dotted netmask.  `default`, `all` and `any` are length 0 and
take the command's family.
"""

from __future__ import annotations

from . import records

from .ast.base import Prefix
from .errors import PyipError
from .names import parse_c_number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import ipaddress

    from .ast.base import Address

# ipaddress is imported where an address is read: a drop-in `show` reads none, and the import
# (with the functools and collections it pulls in) costs it start-up time.


def zero(family: int) -> Address:
    """0.0.0.0 or ::, what `default`, `all` and `any` stand for."""
    import ipaddress

    return ipaddress.IPv4Address(0) if family == 4 else ipaddress.IPv6Address(0)


KEYWORDS = ("default", "all", "any")


class Unresolved(metaclass=records.frozen):
    """`default`/`all`/`any` read before the command's family is known."""

    keyword: str

    def resolve(self, family: int) -> Prefix:
        return Prefix(zero(family), 0, self.keyword)


LINK = 0  # `ip -0`, AF_PACKET: get_prefix() and get_addr() refuse every word under it


def not_allowed(word: str, what: str) -> PyipError:
    """get_prefix()/get_addr() under -0 (AF_PACKET), before looking at the word: exit(1)."""
    return PyipError(f'Error: "{word}" may be inet {what}, but it is not allowed in this context.')


def family_name(family: int | None) -> str:
    """family_name_verbose() of iproute2, as used in its error messages."""
    return {4: "inet", 6: "inet6"}.get(family, "any valid")


# [0-9], not \d: str patterns match any Unicode digit (`1.2.3.\u0661`), which
# iproute2's get_addr_ipv4() refuses.
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# The common cases, read without the general rules: no octal, hex or short forms,
# and a decimal length (what parse_c_number() reads fast: ASCII, no leading zero).
# plain_prefix() reads the same words without a regex (`import re` costs start-up
# time); the batch's fast path matches the pattern (pyip.netlink.fast).
_PLAIN_PREFIX_PATTERN = r"\.".join([_OCTET] * 4) + r"(?:/(3[0-2]|[12][0-9]|[0-9]))?"


def __getattr__(name: str):
    if name == "_PLAIN_PREFIX":  # compiled when first asked for, then kept as the module's own
        import re

        globals()[name] = compiled = re.compile(_PLAIN_PREFIX_PATTERN)
        return compiled
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def plain_octets(text: str) -> list[str] | None:
    """The four octets of a plain dotted quad, `_OCTET` each: ASCII digits, at most 255, no leading zero."""
    octets = text.split(".")
    if len(octets) != 4:
        return None
    for octet in octets:
        if not (octet.isascii() and octet.isdigit()) or len(octet) > 3 or len(octet) > 1 and octet[0] == "0" \
                or len(octet) == 3 and octet > "255":
            return None
    return octets


def plain_prefix(word: str) -> tuple[list[str], str | None] | None:
    """_PLAIN_PREFIX's reading of WORD: (the four octets, the length text or None), or None."""
    quad, slash, length = word.partition("/")
    octets = plain_octets(quad)
    if octets is None:
        return None
    if slash and not (length.isascii() and length.isdigit() and (length == "0" or length[0] != "0")
                      and len(length) <= 2 and int(length) <= 32):
        return None
    return octets, length if slash else None


def plain_quad(word: str) -> list[str] | None:
    """The four octets of a plain dotted quad (no /length); else None."""
    return None if "/" in word else plain_octets(word)


def plain_ipv4(a: str, b: str, c: str, d: str) -> ipaddress.IPv4Address:
    import ipaddress

    return ipaddress.IPv4Address(int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d))


def ipv4_parts(word: str) -> ipaddress.IPv4Address | None:
    """get_addr_ipv4(): up to four base-0 parts, each <= 255, zero-filled."""
    plain = plain_quad(word)
    if plain:
        return plain_ipv4(*plain)
    parts = word.split(".")
    if len(parts) > 4:
        return None
    octets = []
    for part in parts:
        value = parse_c_number(part, 0, 255)  # strtoul() skips white space itself
        if value is None:
            return None
        octets.append(value)
    octets += [0] * (4 - len(octets))
    import ipaddress

    return ipaddress.IPv4Address(bytes(octets))


def read_address(word: str, family: int | None) -> Address | None:
    """get_addr_1() for a concrete address; None when the word is not one."""
    if ":" in word:
        if family not in (None, 6):
            return None
        import ipaddress

        try:
            return ipaddress.IPv6Address(word)
        except ValueError:
            return None
    if family not in (None, 4):
        return None
    return ipv4_parts(word)


def netmask_length(text: str, maximum: int) -> int | None:
    """get_netmask(): a base-0 number, or a contiguous dotted IPv4 netmask."""
    value = parse_c_number(text, 0)
    if value is None:
        mask = ipv4_parts(text) if "." in text else None
        if mask is None:
            return None
        bits = int(mask)
        value = 32 - (((~bits) & 0xFFFFFFFF).bit_length())
        if bits != (0xFFFFFFFF << (32 - value)) & 0xFFFFFFFF:
            return None  # not contiguous
    return value if value <= maximum else None


def parse_prefix(word: str, family: int | None = None) -> Prefix | Unresolved:
    """get_prefix(): raise iproute2's own message when the word is no prefix."""
    if family == LINK:
        raise not_allowed(word, "prefix")
    result = read_prefix(word, family)
    if result is None:
        raise PyipError(f'Error: {family_name(family)} prefix is expected rather than "{word}".')
    return result


def read_prefix(word: str, family: int | None) -> Prefix | Unresolved | None:
    plain = plain_prefix(word) if family is None or family == 4 else None
    if plain:  # what read_any_prefix() makes of it, sooner
        octets, length = plain
        return Prefix(plain_ipv4(*octets), 32 if length is None else int(length))
    return read_any_prefix(word, family)


def read_any_prefix(word: str, family: int | None) -> Prefix | Unresolved | None:
    """get_prefix()'s rules for any word."""
    address_text, slash, length_text = word.partition("/")
    if address_text in KEYWORDS:
        if slash:
            return None  # `default/0`, `any/8`: errors in iproute2
        return Unresolved(address_text) if family is None else Unresolved(address_text).resolve(family)
    address = read_address(address_text, family)
    if address is None:
        return None
    if not slash:
        return Prefix(address, address.max_prefixlen)
    length = netmask_length(length_text, address.max_prefixlen)
    return None if length is None else Prefix(address, length)


def parse_address(word: str, family: int | None = None) -> Address | Unresolved:
    """get_addr(): a single address (no length)."""
    address = _ADDRESSES.get((word, family))
    if address is not None:
        return address
    if family == LINK:
        raise not_allowed(word, "address")
    if word in KEYWORDS:
        return Unresolved(word) if family is None else zero(family)
    address = read_address(word, family)
    if address is None:
        raise PyipError(f'Error: {family_name(family)} address is expected rather than "{word}".')
    if len(_ADDRESSES) < 4096:
        _ADDRESSES[word, family] = address
    return address


_ADDRESSES: dict = {}  # (word, family) -> address: gateways recur from line to line
