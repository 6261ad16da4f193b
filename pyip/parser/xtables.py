"""iptables extensions as pyip reads them: each match and target, its options, its values.

An Extension subclass is one libxt_*.c: `options` is its option table (long
name, the option it is, whether it takes a value, whether `!` may precede
it); `take()` reads one option when the parser meets it, with the
extension's own messages; `finish()` makes the AST node (pyip.ast.firewall)
after its final checks.  Most extensions use libxtables' generic checks,
whose messages follow `"%s: option \"--%s\" ..."`; tcp, older, says its own
thing and sets `generic = False`.

The value readers below are libxtables' (xtables_strtoui, xtables_parse_port,
xtables_ipparse_multiple, ...), with their messages.
"""

from __future__ import annotations

import contextvars
import ipaddress
import re
from _socket import inet_aton  # socket.inet_aton itself, without socket.py's imports (selectors, array)
from functools import lru_cache
from typing import ClassVar, NamedTuple

from .. import records

from ..ast.base import Symbol
from ..ast.firewall import Address, HostName, Masked, PortRange, Range, Test
from ..errors import Location, PyipError
from .. import netdb
from .slots import slot_maker

PARAMETER_PROBLEM = 2


def problem(message: str, location: Location | None = None) -> PyipError:
    """xtables_error(PARAMETER_PROBLEM, ...): exit status 2."""
    return PyipError(message, location, PARAMETER_PROBLEM)


OPTIONAL = 3  # an Opt's arity: a flag whose next word is its value when it is no option (starts not with - or !)


class Opt(metaclass=records.frozen):
    """One entry of an extension's option table."""

    name: str
    key: str  # the option it is: aliases (--sport, --source-port) share a key
    arity: int = 1  # 0: a flag; 1: a value; 2: a value and a second word (--tcp-flags MASK COMP); OPTIONAL
    invert: bool = False  # may stand after `!`

    @property
    def reader(self) -> str:
        """The Extension method that reads the option's value."""
        return reader_name(self.key)


@lru_cache(maxsize=None)
def reader_name(key: str) -> str:
    return "read_" + key.replace("-", "_")


class Given(NamedTuple):
    """An option as the command gave it: its words (texts, or Symbols), `!`, and where.

    A NamedTuple, not an attrs class: one is made for every option of every rule."""

    option: Opt
    values: tuple
    negated: bool
    legacy: bool
    location: Location
    value_locations: tuple

    def test(self, value) -> Test:
        return Test(value, self.negated, self.legacy)

    @property
    def value(self):
        return self.values[0]


class Extension:
    """One loaded instance of an iptables extension, reading its options in argv order."""

    name: ClassVar[str]
    options: ClassVar[tuple[Opt, ...]] = ()
    generic: ClassVar[bool] = True  # libxtables' generic once/invert checks (x6 extensions)

    def __init__(self, rule, loaded_by):
        self.rule = rule  # the command being parsed: its protocol so far, its notes
        self.loaded_by = loaded_by  # the word that loaded it: `-m`, `-j`, or its first option
        self.given: dict[str, Given] = {}
        self.values: dict[str, Test] = {}  # key -> the option's value, read, with its `!`

    def take(self, given: Given) -> None:
        key = given.option.key
        if self.generic:
            if key in self.given:
                raise problem(f'{self.name}: option "--{self.canonical(key)}" can only be used once.', given.location)
            if given.negated and not given.option.invert:
                raise problem(f'{self.name}: option "--{self.canonical(key)}" cannot be inverted.', given.location)
        self.given[key] = given
        # a value known only at run time is kept, not read (a Symbol is never false)
        self.values[key] = Test(first_symbol(given.values) or self.read(given), given.negated, given.legacy)

    def read(self, given: Given):
        """The option's value, checked now, as iptables does while it walks argv."""
        reader = value_reader(type(self), given.option.key)
        if reader is None:
            return True if given.option.arity == 0 else given.value
        try:
            return reader(self, given)
        except PyipError as error:
            raise error.at(given.value_locations[0] if given.value_locations else given.location) from None

    @classmethod
    def canonical(cls, key: str) -> str:
        """The name libxtables prints for an option: the first with its key."""
        return next(option.name for option in cls.options if option.key == key)

    def plain(self, key: str, default=None):
        """The option's value without its `!`, or default."""
        test = self.values.get(key)
        return default if test is None else test.value

    def require(self, key: str) -> None:
        """XTOPT_MAND: `"%s: option \"--%s\" must be specified"`."""
        if key not in self.given:
            raise problem(f'{self.name}: option "--{self.canonical(key)}" must be specified')

    def exclusive(self, *keys: str) -> None:
        """`.excl`: at most one of keys; libxtables names the first given in table order, then the next."""
        present = [key for key in dict.fromkeys(o.key for o in self.options) if key in keys and key in self.given]
        if len(present) > 1:
            raise problem(f'{self.name}: option "--{self.canonical(present[0])}" cannot be used together '
                          f'with "--{self.canonical(present[1])}".')

    def finish(self):
        raise NotImplementedError

    # Whether a rule template remembers this extension's nodes by the texts of their values: not where
    # each rule has a node of its own (a comment), whose remembering would cost a look-up that always
    # misses and push out the nodes that repeat.
    remembered: ClassVar[bool] = True

    @classmethod
    def direct(cls, takes: tuple):
        """For a rule template (pyip.parser.templates) whose options of this extension are `takes` (its
        Takes: the options, where their values stand, `!`): a function of a command's word texts that makes
        the node take() and finish() would make of those values -- or that returns None or raises PyipError
        where they would make a note or raise --, without an instance.  Or None: the template reads the
        options.  For extensions whose values are often new (a comment, a port), where reading them through
        an instance costs the most."""
        return None


@lru_cache(maxsize=None)
def value_reader(extension: type, key: str):
    """The Extension method (a function of the class) reading an option's value, or None; looked up once."""
    return getattr(extension, reader_name(key), None)


def first_symbol(values: tuple) -> Symbol | None:
    for value in values:
        if isinstance(value, Symbol):
            return value
    return None


# -- libxtables' value readers ------------------------------------------------


UINTMAX = (1 << 64) - 1


def strtoul(text: str, base: int = 0) -> tuple[int | None, str]:
    """strtoumax(): leading blanks and a sign allowed; returns (value, the rest), value None if no digits.

    Only ASCII digits count, as in C; a value past 2^64 - 1 reads as 2^64 - 1 (strtoumax's ERANGE),
    which every caller's range check then refuses."""
    if len(text) < 20 and text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1 or base == 10):
        return int(text), ""  # the common case: a plain decimal number below 2^64
    body = text.lstrip(" \t\n\r\f\v")
    negative = body[:1] == "-"
    if body[:1] in "+-" and body:
        body = body[1:]
    if base in (0, 16) and body[:2].lower() == "0x" and body[2:3].lower() in "0123456789abcdef" and body[2:3]:
        body, base = body[2:], 16
    elif base == 0:
        base = 8 if body[:1] == "0" else 10
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    length = 0
    while length < len(body) and body[length].lower() in digits:
        length += 1
    if length == 0:
        return None, text
    significant = body[:length].lstrip("0")
    if len(significant) > 64:  # beyond 2^64 in any base; and int() refuses over 4,300 digits
        return UINTMAX, body[length:]
    value = int(significant or "0", base)
    if value > UINTMAX:
        return UINTMAX, body[length:]  # strtoumax() saturates (ERANGE), whatever the sign
    if negative:
        value = (-value) % (1 << 64)
    return value, body[length:]


def strtoui(text: str, minimum: int = 0, maximum: int = 0xFFFFFFFF, base: int = 0) -> int | None:
    """xtables_strtoui(): the whole word a number within [minimum, maximum], else None."""
    value, rest = strtoul(text, base)
    if value is None or rest or not minimum <= value <= maximum:
        return None
    return value


def parse_port(text: str, protocol: str) -> int:
    """xtables_parse_port(): a service name for the protocol, else a number 0..65535."""
    port = netdb.service_port(text, protocol)
    if port is None:
        port = strtoui(text, 0, 0xFFFF)
    if port is None:
        raise problem(f"invalid port/service `{text}' specified")
    return port


def parse_port_range(text: str, protocol: str) -> PortRange:
    """`P`, `P:Q`, `P:` (to 65535) or `:Q` (from 0), as tcp and udp read --sport/--dport."""
    if ":" not in text:
        port = parse_port(text, protocol)
        return PortRange(port, port)
    first, _, last = text.partition(":")
    low = parse_port(first, protocol) if first else 0
    high = parse_port(last, protocol) if last else 0xFFFF
    if low > high:
        raise problem("invalid portrange (min > max)")
    return PortRange(low, high)


# re.ASCII: \d would take any Unicode digit (`1.2.3.\u0663`), which inet_aton() refuses.
PLAIN_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)", re.ASCII)


def numeric_address(text: str, is_mask: bool = False) -> ipaddress.IPv4Address | None:
    """__numeric_to_ipaddr(): 1-4 dotted parts in C notation; a short network is zero-filled."""
    if PLAIN_QUAD.fullmatch(text):
        # the common case: no octal, hex or short forms, where inet_aton() reads what ipaddress does, faster
        return ipaddress.IPv4Address(inet_aton(text))
    parts = text[:19].split(".", 3)
    if is_mask and len(parts) < 4:
        return None
    octets = [strtoui(part, 0, 255) for part in parts]
    if None in octets:
        return None
    return ipaddress.IPv4Address(bytes(octets + [0] * (4 - len(octets))))


MAKE_ADDRESS = slot_maker(Address)


@lru_cache(maxsize=1024)  # a few masks make up every file
def parse_mask(text: str | None) -> int:
    if text is None:
        return 0xFFFFFFFF
    dotted = numeric_address(text, is_mask=True)
    if dotted is not None:
        return int(dotted)
    bits = strtoui(text, 0, 32)
    if bits is None:
        raise problem(f"invalid mask `{text}' specified")
    return (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF


def parse_plen_mask(extension: str, option: str, text: str) -> int:
    """xtopt_parse_plenmask() for IPv4: a prefix length 0..32, or a mask in address form (a mask that is no prefix,
    or no mask at all like `33`, read as an address, keeps every bit: /32)."""
    length = strtoui(text, 0, 32)
    if length is not None:
        return (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
    dotted = numeric_address(text)
    if dotted is None:
        raise problem(f'{extension}: bad value for option "--{option}", neither a valid network mask nor valid '
                      "CIDR (0-32).")
    inverted = ~int(dotted) & 0xFFFFFFFF
    return int(dotted) if inverted & (inverted + 1) == 0 else 0xFFFFFFFF


def looks_like_host_name(text: str) -> bool:
    """A word the resolver might know: letters, digits, `-`, `.`, `_`, and not only numbers."""
    return bool(text) and all(c.isalnum() or c in "-._" for c in text) and any(c.isalpha() for c in text)


def parse_addresses(text: str) -> tuple:
    """xtables_ipparse_multiple(): `ADDR[/MASK][,...]`; host bits cleared; names kept for the resolver."""
    host, slash, mask_text = text.partition("/")
    if "," not in text and "/" not in mask_text and len(text) < 256 and PLAIN_QUAD.fullmatch(host):
        # the usual -s/-d, one dotted quad with or without a mask: what address_list() makes of it
        mask = parse_mask(mask_text if slash else None)
        if mask == 0xFFFFFFFF:
            return (MAKE_ADDRESS(ipaddress.IPv4Address(inet_aton(host)), mask),)
        return (MAKE_ADDRESS(ipaddress.IPv4Address(int.from_bytes(inet_aton(host), "big") & mask), mask),)
    return address_list(text)


def address_list(text: str) -> tuple:
    """parse_addresses(), item by item (the reference its shortcut is tested against)."""
    addresses = []
    for item in text.split(","):
        if len(item) > 255 and len(item.encode("utf-8", "surrogateescape")) > 255:
            raise problem("Hostname too long")  # each item is copied into a 256-byte buffer first
        host, slash, mask_text = item.rpartition("/") if "/" in item else (item, "", None)
        mask = parse_mask(mask_text)
        if mask == 0:
            host = "0.0.0.0"  # "any/0": the name is ignored
        address = numeric_address(host)
        if address is not None:
            if mask != 0xFFFFFFFF:
                address = ipaddress.IPv4Address(int(address) & mask)
            addresses.append(Address(address, mask))
        else:
            addresses += host_addresses(host, mask)
    return tuple(addresses)


def host_addresses(name: str, mask: int) -> list:
    """A host name: its /etc/hosts addresses if it has any, else left for the resolver at load time."""
    known = netdb.host_addresses(name)
    if known:
        return [Address(ipaddress.IPv4Address(int(a) & mask), mask) for a in known]
    if not looks_like_host_name(name):
        raise problem(f"host/network `{name}' not found")
    return [HostName(name, mask)]


@lru_cache(maxsize=1024)  # netdb reads /etc/protocols once too; a few names make up every file
def parse_protocol(text: str) -> int:
    """xtables_parse_protocol(): a number 0..255, `all`, /etc/protocols, then iptables' own names."""
    number = strtoui(text, 0, 255)
    if number is not None:
        return number
    if text == "all":
        return 0
    number = netdb.protocol_number(text)
    if number is None:
        number = CHAIN_PROTOCOLS.get(text)
    if number is None:
        raise problem(f'unknown protocol "{text}" specified')
    return number


# xtables_chain_protos[]: what iptables knows without /etc/protocols
CHAIN_PROTOCOLS = {"tcp": 6, "sctp": 132, "udp": 17, "udplite": 136, "icmp": 1, "icmpv6": 58,
                   "esp": 50, "ah": 51, "ipv6-mh": 135, "mh": 135, "all": 0}


def protocol_name(number: int) -> str | None:
    """proto_to_name(): /etc/protocols first, then iptables' own names."""
    name = netdb.protocol_name(number) if number else None
    if name is None:
        name = next((n for n, num in CHAIN_PROTOCOLS.items() if num == number), None)
    return name


def parse_number(extension: str, option: str, text: str, minimum: int = 0, maximum: int = 0xFFFFFFFF) -> int:
    """XTTYPE_UINT*: libxtables' range message."""
    value = strtoui(text, minimum, maximum)
    if value is None:
        raise problem(f'{extension}: bad value for option "--{option}", or out of range ({minimum}-{maximum}).')
    return value


def parse_markmask(extension: str, option: str, text: str) -> Masked:
    """XTTYPE_MARKMASK32: VALUE[/MASK], mask 0xffffffff by default."""
    value, rest = strtoul(text, 0)
    mask = 0xFFFFFFFF
    if value is not None and value <= 0xFFFFFFFF and rest[:1] == "/":
        mask, rest = strtoul(rest[1:], 0)
    if value is None or mask is None or value > 0xFFFFFFFF or mask > 0xFFFFFFFF:
        raise problem(f'{extension}: bad integer value for option "--{option}", or out of range.')
    if rest:
        raise problem(f'{extension}: trailing garbage after value for option "--{option}".')
    return Masked(value, mask)


def parse_number_range(extension: str, option: str, text: str, maximum: int) -> Range:
    """XTTYPE_UINT*RC: `N` or `N:M`, an empty side meaning 0 or the maximum."""
    parts = text.split(":")
    if len(parts) > 2:
        raise problem(f'{extension}: Too many components for option "--{option}" (max: 2)')
    bounds = []
    for index, part in enumerate(parts):
        value = strtoui(part, 0, maximum) if part else (0 if index == 0 else maximum)
        if value is None:
            raise problem(f'{extension}: bad value for option "--{option}" near "{part}", '
                          f"or out of range (0-{maximum}).")
        bounds.append(value)
    return Range(bounds[0], bounds[-1])


# What the script wrote into iproute2's name files before the command being read: (database, id,
# name, replaces) as pyip.names.Databases.with_written takes them.  Set by parse_iptables.
WRITTEN_NAMES: contextvars.ContextVar[tuple] = contextvars.ContextVar("WRITTEN_NAMES", default=())
_WRITTEN_FILES = {"rt_realms": "/etc/iproute2/rt_realms", "rt_tables": "/etc/iproute2/rt_tables"}


def lmap(path: str) -> tuple:
    """The `ID NAME` entries of an iproute2 file as iptables reads it where the script stands: the
    file's own, with the lines the script wrote into it before (`echo 7 lab >> /etc/iproute2/rt_realms`)
    after them; a `>` leaves only what was written after it."""
    entries = lmap_file(path)
    for kind, ident, name, replaces in WRITTEN_NAMES.get():
        if _WRITTEN_FILES.get(kind) == path:
            entries = (() if replaces else entries) + (((ident, name),) if ident is not None else ())
    return entries


@lru_cache(maxsize=None)
def lmap_file(path: str) -> tuple:
    """xtables_lmap_init(): `ID NAME` lines of an iproute2 file (/etc/iproute2/group, rt_realms); () if none."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as file:
            lines = file.read().splitlines()
    except OSError:
        return ()
    entries = []
    for line in lines:
        words = line.split("#", 1)[0].split()
        if len(words) >= 2:
            number, _ = strtoul(words[0], 0)
            if number is not None:
                entries.append((number, words[1]))
    return tuple(entries)


def parse_val_mask(extension: str, option: str, text: str, names: tuple = ()) -> Masked:
    """xtables_parse_val_mask(): VALUE[/MASK], or a name of the lmap `names`."""
    value, rest = strtoul(text, 0)
    if value is not None and value <= 0xFFFFFFFF and not text.lstrip().startswith("-"):
        if not rest:
            return Masked(value, 0xFFFFFFFF)
        if rest[0] == "/":
            mask, rest = strtoul(rest[1:], 0)
            if mask is None or mask > 0xFFFFFFFF:
                raise problem(f'{extension}: bad integer value for option "--{option}", or out of range.')
            if not rest:
                return Masked(value, mask)
            raise problem(f'{extension}: trailing garbage after value for option "--{option}".')
    if not names and value is None:
        raise problem(f'{extension}: bad integer value for option "--{option}", or out of range.')
    if not names:
        raise problem(f'{extension}: trailing garbage after value for option "--{option}".')
    number = next((number for number, name in names if name == text), None)
    if number is None:
        raise problem(f'{extension}: could not map name {text} to an integer value for option "--{option}".')
    return Masked(number, 0xFFFFFFFF)


def val_mask_text(value: Masked, names: tuple = ()) -> str:
    """xtables_print_val_mask(): 0xV/0xM, else the value's name, else 0xV."""
    if value.mask != 0xFFFFFFFF:
        return f"0x{value.value:x}/0x{value.mask:x}"
    return next((name for number, name in names if number == value.value), f"0x{value.value:x}")


class Registry(dict):
    """Extension name -> Extension class: pyip.extensions' modules, found when a rule first names them."""

    def __init__(self, kind: str, classes):
        super().__init__((cls.name, cls) for cls in classes)
        self.kind = kind

    def get(self, name, default=None):
        found = dict.get(self, name)
        if found is None and isinstance(name, str):
            from .. import extensions

            found = extensions.parser(self.kind, name)
            if found is not None:
                self[name] = found
        return default if found is None else found

    def __contains__(self, name) -> bool:
        return self.get(name) is not None


MATCHES = Registry("match", ())
TARGETS = Registry("target", ())


def match_for_protocol(protocol: str) -> type[Extension] | None:
    """find_proto(): the match named by `-p` (a number names its protocol)."""
    number = strtoui(protocol, 0, 255)
    name = protocol_name(number) if number is not None else protocol
    return MATCHES.get(name)
