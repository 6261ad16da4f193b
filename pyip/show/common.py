"""What the route, rule and address printers share.

`ShowOptions` holds the global `ip` options that change how things print.
`Printer` is iproute2's lib/json_print.c over lib/json_writer.c: each print
call either writes text (the C format, applied with Python's `%`, which reads
`%s %u %d %x %g` the same way) or adds a JSON member, never both, so the
printers can be transliterated call for call from ip/iproute.c and friends.
`Names` turns numbers into the words iproute2 prints (tables, protocols,
scopes, realms, link names...), honouring -N.
"""

from __future__ import annotations

import os
import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
from _collections_abc import Mapping  # collections.abc's own: `import collections` costs start-up time

from .. import records

from pyip.show import netlink

REMEMBERED = 65536  # texts kept for reuse (Printer.remembered, route templates), at most

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pyip.names import Databases

PRINT_FP = 1
PRINT_JSON = 2
PRINT_ANY = 4


class ShowOptions(metaclass=records.frozen):
    """The global `ip` options that matter when printing."""

    family: int | None = None   # socket.AF_INET / AF_INET6 (-4/-6), AF_PACKET (-0), None
    numeric: bool = False       # -N
    details: bool = False       # -d
    oneline: bool = False       # -o
    json: bool = False          # -j
    pretty: bool = False        # -p (with -j)
    stats: int = 0              # how many -s
    brief: bool = False         # -br
    names: Databases | None = None  # None: pyip.names.system()

    def databases(self) -> Databases:
        if self.names is not None:
            return self.names
        from pyip import names
        return names.system()


class ShowError(Exception):
    """What ip prints on stderr (and exits non-zero for) instead of a listing."""


def c_alt_hex(value: int) -> str:
    """C's "%#x": like Python's except that zero prints as "0", not "0x0"."""
    return "%#x" % value if value else "0"


PLAIN_FORMATS = frozenset(("%s ", "%s", "%u ", "%d "))  # where C's printf and Python's % always agree


def c_format(fmt: str, value) -> str:
    """printf(fmt, value) for the conversions iproute2 uses here.

    Python's % agrees with C for %s %u %d %x %g and field widths; only
    "%#x" of zero differs.
    """
    if "%" not in fmt:  # printf ignores an argument it has no conversion for
        return fmt
    if "%#x" in fmt:
        return fmt.replace("%#x", "%s") % c_alt_hex(value)
    return fmt % value


class JsonWriter:
    """iproute2's lib/json_writer.c, byte for byte."""

    ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "\b": "\\b",
               "\\": "\\\\", '"': '\\"'}

    def __init__(self, pretty: bool):
        self.out: list[str] = []
        self.depth = 0
        self.pretty = pretty
        self.sep = ""

    def _eol(self):
        if self.pretty:
            self.out.append("\n" + "    " * self.depth)

    def _eor(self):
        if self.sep:
            self.out.append(self.sep)
        self.sep = ","

    def _puts(self, text: str):
        self.out.append('"' + text.translate(ESCAPE_TABLE) + '"')

    def _begin(self, char: str):
        self._eor()
        self.out.append(char)
        self.depth += 1
        self.sep = ""

    def _end(self, char: str):
        self.depth -= 1
        if self.sep:
            self._eol()
        self.out.append(char)
        self.sep = ","

    def name(self, name: str):
        # _eor(), _eol(), _puts(): written out, as every member of a listing comes here
        if self.sep:
            self.out.append(self.sep)
        if self.pretty:
            self.out.append("\n" + "    " * self.depth)
        self.sep = ""
        self.out.append('"' + name.translate(ESCAPE_TABLE) + ('": ' if self.pretty else '":'))

    def value(self, text: str):
        """jsonw_printf(): a bare number, true/false or null."""
        if self.sep:
            self.out.append(self.sep)
        self.sep = ","
        self.out.append(text)

    def string(self, text: str):
        if self.sep:
            self.out.append(self.sep)
        self.sep = ","
        self.out.append('"' + text.translate(ESCAPE_TABLE) + '"')

    def start_object(self):
        self._begin("{")

    def end_object(self):
        self._end("}")

    def start_array(self):
        self._begin("[")
        if self.pretty:
            self.out.append(" ")

    def end_array(self):
        if self.pretty and self.sep:
            self.out.append(" ")
        self.sep = ""
        self._end("]")


def _nothing(*_):
    pass


ESCAPE_TABLE = str.maketrans(JsonWriter.ESCAPES)


class Printer:
    """lib/json_print.c: print_* calls that go to text or to JSON.

    Like new_json_obj()/delete_json_obj(), a JSON printer wraps everything
    in one top-level array and ends with a newline.
    """

    def __init__(self, options: ShowOptions):
        self.writer = JsonWriter(options.pretty) if options.json else None
        self.text: list[str] = []
        self.sl = "\\" if options.oneline else "\n"  # iproute2's _SL_
        if self.writer:
            self.writer.start_array()
            # the calls a listing makes for every member, without the tests of the mode
            self.string, self.number = self._json_string, self._json_number
        else:
            self.string = self.number = self._text
            self.open_object = self.close_object = _nothing
            self.replay = self._replay_text

    def _json_string(self, kind, key, fmt, value):
        if kind & (PRINT_JSON | PRINT_ANY):
            if key is not None:
                self.writer.name(key)
            self.writer.string(value)

    def _json_number(self, kind, key, fmt, value):
        if kind & (PRINT_JSON | PRINT_ANY):
            if key is not None:
                self.writer.name(key)
            self.writer.value(str(value))

    def _text(self, kind, key, fmt, value):
        if kind & (PRINT_FP | PRINT_ANY):
            self.text.append(fmt % value if fmt in PLAIN_FORMATS else c_format(fmt, value))

    def _replay_text(self, text: str, state):
        self.text.append(text)

    @property
    def is_json(self) -> bool:
        return self.writer is not None

    def _to_json(self, kind: int) -> bool:
        return self.writer is not None and bool(kind & (PRINT_JSON | PRINT_ANY))

    def _to_text(self, kind: int) -> bool:
        return self.writer is None and bool(kind & (PRINT_FP | PRINT_ANY))

    def fp(self, text: str):
        """A plain fprintf(fp, ...) that the C code guards with !is_json_context()."""
        if self.writer is None:
            self.text.append(text)

    def _member(self, key, render):
        if key is not None:
            self.writer.name(key)
        render()

    def string(self, kind, key, fmt, value):
        if self._to_json(kind):
            self._member(key, lambda: self.writer.string(value))
        elif self._to_text(kind):
            self.text.append(c_format(fmt, value))

    def number(self, kind, key, fmt, value):
        """print_int / print_uint / print_u64: the same writer call for JSON."""
        if self._to_json(kind):
            self._member(key, lambda: self.writer.value(str(value)))
        elif self._to_text(kind):
            self.text.append(c_format(fmt, value))

    def boolean(self, kind, key, fmt, value):
        if self._to_json(kind):
            self._member(key, lambda: self.writer.value("true" if value else "false"))
        elif self._to_text(kind):
            self.text.append(c_format(fmt, "true" if value else "false"))

    def null(self, kind, key, fmt, value=None):
        if self._to_json(kind):
            self._member(key, lambda: self.writer.value("null"))
        elif self._to_text(kind):
            self.text.append(c_format(fmt, value))

    def hex0x(self, kind, key, fmt, value):
        """print_0xhex(): JSON gets the string "%#x"."""
        if self._to_json(kind):
            self._member(key, lambda: self.writer.string(c_alt_hex(value)))
        elif self._to_text(kind):
            self.text.append(c_format(fmt, value))

    def hex(self, kind, key, fmt, value):
        """print_hex(): JSON gets the string "%x"."""
        if self._to_json(kind):
            self._member(key, lambda: self.writer.string("%x" % value))
        elif self._to_text(kind):
            self.text.append(c_format(fmt, value))

    def open_object(self, key=None):
        if self.writer:
            if key is not None:
                self.writer.name(key)
            self.writer.start_object()

    def close_object(self):
        if self.writer:
            self.writer.end_object()

    def open_array(self, kind, key):
        """open_json_array(): in text, `key` is the opening delimiter."""
        if self._to_json(kind):
            if key is not None:
                self.writer.name(key)
            self.writer.start_array()
        elif self._to_text(kind):
            self.text.append(key)

    def close_array(self, kind, delimiter):
        if self._to_json(kind):
            self.writer.end_array()
        elif self._to_text(kind):
            self.text.append(delimiter)

    def nl(self):
        """print_nl(): a line break, or the -o separator; nothing in JSON."""
        self.fp(self.sl)

    def add(self, text: str) -> None:
        """Text printed elsewhere (a template's; JSON: an object of the top array, without the
        separator before it, which is added here as the writer's state says)."""
        if self.writer is None:
            self.text.append(text)
        else:
            self.writer.out.append(self.writer.sep + text)
            self.writer.sep = ","

    def take(self) -> str:
        """What is printed so far, which is then no longer held: a listing streams."""
        parts = self.text if self.writer is None else self.writer.out
        text = "".join(parts)
        parts.clear()
        return text

    def mark(self) -> int:
        """Where the output stands, for since()."""
        return len(self.text if self.writer is None else self.writer.out)

    def since(self, mark: int) -> str:
        """What was printed after MARK (and is still held)."""
        return "".join((self.text if self.writer is None else self.writer.out)[mark:])

    def state(self) -> tuple | None:
        """What the JSON writer remembers between calls (separator, depth)."""
        return None if self.writer is None else (self.writer.sep, self.writer.depth)

    def replay(self, text: str, state: tuple | None):
        """Print again what was printed from the same state: TEXT, leaving STATE."""
        if self.writer is None:
            self.text.append(text)
        else:
            self.writer.out.append(text)
            self.writer.sep, self.writer.depth = state

    def remembered(self, texts: dict, key, print_it) -> None:
        """PRINT_IT() once per KEY: later calls with the same KEY replay its text (None: print anew).
        TEXTS holds at most REMEMBERED of them, so a listing of all-different entries stays bounded."""
        if key is None:
            print_it()
            return
        known = texts.get(key)
        if known is not None:
            self.replay(*known)
            return
        mark = self.mark()
        print_it()
        if len(texts) >= REMEMBERED:
            texts.clear()
        texts[key] = (self.since(mark), self.state())

    def result(self) -> str:
        if self.writer is None:
            return self.take()
        self.writer.end_array()
        return self.take() + "\n"


class Links(metaclass=records.frozen):
    """ifindex -> name and flags, as iproute2's ll_map cache knows them."""

    names: Mapping[int, str]
    flags: Mapping[int, int]

    @classmethod
    def of(cls, links) -> Links:
        """From link messages (pyroute2 or raw) or from a mapping ifindex -> name."""
        if isinstance(links, Mapping):
            return cls(dict(links), {})
        names, flags = {}, {}
        for message in links:
            link = netlink.decode(message, netlink.IFINFOMSG)
            index = link.header[2]
            names[index] = netlink.string(link.attrs.get(IFLA_IFNAME, b""))
            flags[index] = link.header[3]
        return cls(names, flags)

    def name(self, index: int) -> str:
        """ll_index_to_name(): unknown indexes print as ifN."""
        return self.names.get(index) or "if%u" % index

    def index(self, name: str) -> int | None:
        for index, known in self.names.items():
            if known == name:
                return index
        return None

    def device_index(self, name: str) -> int:
        """ll_name_to_index() for a `dev NAME` selector, failing like ip does."""
        index = self.index(name)
        if index is None:
            raise ShowError('Cannot find device "%s"' % name)
        return index


IFLA_IFNAME = 3


class Prefix(metaclass=records.frozen):
    """iproute2's inet_prefix: family, address bytes, bit length."""

    family: int
    data: bytes
    bits: int

    @classmethod
    def of(cls, value) -> Prefix:
        import ipaddress  # only a selector's prefix needs it: not at start-up

        network = ipaddress.ip_network(value, strict=False)
        family = socket.AF_INET if network.version == 4 else socket.AF_INET6
        return cls(family, network.network_address.packed, network.prefixlen)

    def matches(self, data: bytes, bits: int) -> bool:
        """inet_addr_match() == 0: the first `bits` bits are equal."""
        width = len(self.data) * 8
        ours = int.from_bytes(self.data, "big")
        theirs = int.from_bytes(data.ljust(len(self.data), b"\0")[:len(self.data)], "big")
        mask = ((1 << bits) - 1) << (width - bits) if bits else 0
        return not (ours ^ theirs) & mask


def prefix_matches_attribute(prefix: Prefix | None, payload: bytes | None) -> bool:
    """inet_addr_match_rta() == 0: a missing attribute or an empty prefix matches."""
    if prefix is None or payload is None or prefix.bits <= 0:
        return True
    return prefix.matches(payload, prefix.bits)


RTN_NAMES = {0: "none", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast",
             5: "multicast", 6: "blackhole", 7: "unreachable", 8: "prohibit",
             9: "throw", 10: "nat", 11: "xresolve"}

FAMILY_NAMES = {socket.AF_INET: "inet", socket.AF_INET6: "inet6", socket.AF_PACKET: "link",
                7: "bridge", 28: "mpls"}


def family_name(family: int) -> str:
    return FAMILY_NAMES.get(family, "???")


HOST_BITS = {socket.AF_INET: 32, socket.AF_INET6: 128, 28: 20}


def host_bits(family: int) -> int:
    """af_bit_len(): the length of a host prefix."""
    return HOST_BITS.get(family, 0)


class Names:
    """The n2a functions of lib/rt_names.c and friends for one invocation."""

    def __init__(self, options: ShowOptions, links=()):
        self.db = options.databases()
        self.numeric = options.numeric
        self.links = Links.of(links)

    def table(self, ident: int) -> str:
        return self.db.tables.name(ident, self.numeric)

    def protocol(self, ident: int) -> str:
        return self.db.protocols.name(ident, self.numeric)

    def scope(self, ident: int) -> str:
        return self.db.scopes.name(ident, self.numeric)

    def realm(self, ident: int) -> str:
        return self.db.realms.name(ident, self.numeric)

    def dsfield(self, ident: int) -> str:
        return self.db.dsfield.name(ident, self.numeric)

    def route_type(self, ident: int) -> str:
        """rtnl_rtntype_n2a()."""
        if self.numeric or ident not in RTN_NAMES:
            return "%d" % ident
        return RTN_NAMES[ident]

    def group(self, ident: int) -> str:
        """rtnl_group_n2a(): /etc/iproute2/group, with 0 "default" built in."""
        name = None if self.numeric else device_groups().get(ident)
        return name or "%d" % ident

    def ip_protocol(self, number: int) -> str:
        """inet_proto_n2a(): getprotobynumber(), else ipproto-N."""
        name = None if self.numeric else ip_protocols().get(number)
        return name or "ipproto-%d" % number

    def ifname(self, index: int) -> str:
        return self.links.name(index)


def cached(function):
    """functools.cache for a function without arguments (functools costs start-up time)."""
    found = []

    def once():
        if not found:
            found.append(function())
        return found[0]

    once.__name__, once.__doc__, once.__wrapped__ = function.__name__, function.__doc__, function
    return once


@cached
def device_groups() -> dict[int, str]:
    """The host's /etc/iproute2/group (the Databases have no group table)."""
    from pyip import names

    path = os.path.join(names.CONFDIR, "group")
    if not os.path.exists(path):
        path = os.path.join(names.FALLBACK_CONFDIR, "group")
    return {0: "default", **names.read_db_lines(path)[0]}


@cached
def ip_protocols() -> dict[int, str]:
    """/etc/protocols, first name per number, as getprotobynumber() answers."""
    table: dict[int, str] = {}
    try:
        # open(), not pathlib, whose import brings urllib.parse to every start-up
        with open("/etc/protocols", errors="replace") as file:
            lines = file.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[1].isdigit():
            table.setdefault(int(fields[1]), fields[0])
    return table


def user_hz() -> int:
    """get_user_hz(): the clock tick that cache lifetimes are counted in."""
    return os.sysconf("SC_CLK_TCK")

