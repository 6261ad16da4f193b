"""Values shared by every command: symbols, named numbers, prefixes, options.

All nodes are small frozen records (pyip.records: attrs' semantics,
without its start-up).  Equality is about meaning: a name and the number it
stands for compare equal (`table goodnet1` == `table 1` under the
documents' rt_tables), the name is only remembered for printing.
"""

from __future__ import annotations

from .. import records


def __getattr__(name: str):
    """`Address`, the type of an address value, made when asked: ipaddress and typing cost
    start-up time, and a drop-in `show` never meets an address it parsed."""
    if name == "Address":
        import ipaddress
        from typing import Union

        return Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Symbol(metaclass=records.frozen):
    """A value the script computes at run time (`$EXT_IFACE`): kept, never guessed."""

    name: str

    def __str__(self) -> str:
        return self.name


class Named(metaclass=records.frozen):
    """A number that iproute2 also knows by a name (table, protocol, scope, realm, dsfield)."""

    number: int
    name: str | None = records.field(default=None, eq=False)

    def __str__(self) -> str:
        return self.name if self.name is not None else str(self.number)


class Prefix(metaclass=records.frozen):
    """An address with a prefix length, as iproute2's get_prefix() reads it.

    `address` keeps host bits (the kernel, not ip, refuses them for IPv4
    routes); `length` is the prefix length.  The words `default`, `all` and
    `any` become the zero address of the command's family with length 0, so
    `0/0` and `default` compare equal; the word is remembered in `keyword`.
    """

    address: Address
    length: int
    keyword: str | None = records.field(default=None, eq=False)

    @property
    def family(self) -> int:
        return self.address.version

    @property
    def max_length(self) -> int:
        return self.address.max_prefixlen

    @property
    def is_default(self) -> bool:
        return self.length == 0

    @property
    def has_host_bits(self) -> bool:
        mask = (1 << self.max_length) - (1 << (self.max_length - self.length))
        return int(self.address) & ~mask & ((1 << self.max_length) - 1) != 0

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        import ipaddress

        return ipaddress.ip_network(f"{self.address}/{self.length}", strict=False)

    def __str__(self) -> str:
        if self.length == self.max_length:
            return str(self.address)
        return f"{self.address}/{self.length}"


# ip's one-word family options, by Options.family
FAMILY_OPTIONS = {4: "-4", 6: "-6", 0: "-0", 28: "-M", 7: "-B"}


class Options(metaclass=records.frozen):
    """The top-level `ip` options that change what a command means or prints."""

    family: int | None = None  # 4, 6, or None; -0 is "link" and kept as 0; -M is 28 (AF_MPLS), -B 7 (AF_BRIDGE)
    netns: str | Symbol | None = None
    batch: str | Symbol | None = None
    force: bool = False
    oneline: bool = False
    details: bool = False
    json: bool = False
    pretty: bool = False
    numeric: bool = False
    stats: int = 0
    resolve: bool = False
    brief: bool = False
    human: bool = False
    color: str | None = None
    all: bool = False
    timestamp: bool = False
    tshort: bool = False
    iec: bool = False
    echo: bool = False
    loops: int | None = None
    rcvbuf: int | None = None

    def words(self) -> list[str]:
        """The options as canonical `ip` words, in a stable order."""
        out = []
        if self.family is not None:
            out.append(FAMILY_OPTIONS[self.family])
        for flag, word in ((self.force, "-force"), (self.oneline, "-oneline"),
                           (self.details, "-details"), (self.json, "-json"),
                           (self.pretty, "-pretty"), (self.numeric, "-Numeric"),
                           (self.resolve, "-resolve"), (self.brief, "-brief"),
                           (self.human, "-human"), (self.iec, "-iec"), (self.all, "-all"),
                           (self.timestamp and not self.tshort, "-timestamp"), (self.tshort, "-tshort"),
                           (self.echo, "-echo")):
            if flag:
                out.append(word)
        out += ["-stats"] * self.stats
        if self.color is not None:
            out.append(f"-color={self.color}" if self.color != "always" else "-color")
        if self.loops is not None:
            out += ["-loops", str(self.loops)]
        if self.rcvbuf is not None:
            out += ["-rcvbuf", str(self.rcvbuf)]
        if self.netns is not None:
            out += ["-netns", str(self.netns)]
        if self.batch is not None:
            out += ["-batch", str(self.batch)]
        return out


def ip_line(node) -> str:
    """str() of a command body (Route, Rule, InterfaceAddress, their selectors, RouteGet): its words as
    `ip OBJECT VERB` takes them, `10.0.0.0/8 via 192.0.2.1 table 5`."""
    from ..render.iproute2 import body_words, join_quoted

    return join_quoted([str(word) for word in body_words(node)])


def parsed_as(template: str, field: str, *kinds: type):
    """A converter (attrs' sense) for a field built from keyword arguments (`Route(dst="10.0.0.0/8", table=5)`):
    text, or a number where KINDS (what the parser builds) hold no int, is read by the parser itself
    as the word in TEMPLATE, so it is checked and typed exactly as in a script; anything else (the
    parser's own values) stays as it is."""
    numbers_too = int not in kinds

    def convert(value):
        if type(value) is str or numbers_too and type(value) is int:
            return read_as(template, field, value)
        return value

    return convert


def read_as(template: str, field: str, value) -> object:
    """FIELD of the body of the command TEMPLATE with VALUE in it; ValueError with ip's message."""
    import shlex

    from .. import parse
    from ..errors import PyipError

    try:
        [command] = parse(template.format(shlex.quote(str(value))))
    except PyipError as error:
        raise ValueError(f"{field}={value!r}: {error.message}") from None
    return getattr(command.body, field)
