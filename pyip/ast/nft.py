"""An nftables ruleset as pyip writes it: tables, chains, rules of statements.

The one model both renderers read: pyip.render.nft writes `nft -f` text,
pyip.render.nft_json the libnftables JSON of `nft -j -f`.  Only what the
translators produce is here.  Expressions (the left side of a match, the
value of a `set` statement) are Payload, RawPayload, Meta, Ct, Fib, Binary;
values are ints, bare words (`established`, `10.0.0.1`), Quoted strings,
Prefix, Span (a range), Elements (an anonymous set), Flags and Concat.  A table
declares the dynamic sets (Set) its rules' SetUpdate statements fill.
"""

from __future__ import annotations

from .. import records


# -- expressions ---------------------------------------------------------------


class Payload(metaclass=records.frozen):
    protocol: str  # ip, tcp, udp, icmp, ether
    field: str


class RawPayload(metaclass=records.frozen):
    """`@nh,OFFSET,LENGTH`: header bits nft has no field name for."""

    base: str
    offset: int
    length: int


class Meta(metaclass=records.frozen):
    key: str


class Ct(metaclass=records.frozen):
    key: str
    direction: str | None = None  # original or reply
    family: str | None = None  # `ip` for addresses, which nft needs spelled out


class Fib(metaclass=records.frozen):
    flags: tuple  # saddr/daddr, then iif/oif
    result: str = "type"


class Raw(metaclass=records.frozen):
    """An expression or statement an extension spells itself (`numgen inc mod 10`, `notrack`), in both
    syntaxes: `text` for `nft -f`, `json` (a JSON-ready value) for `nft -j -f`."""

    text: str
    json: object


class Binary(metaclass=records.frozen):
    """`LEFT & RIGHT`, `LEFT ^ RIGHT`."""

    operator: str
    left: object
    right: object


# -- values ---------------------------------------------------------------------


class SetRef(metaclass=records.frozen):
    """`@NAME`: a set of the table, as the right side of a lookup (`ip saddr != @NAME`)."""

    name: str


class Quoted(metaclass=records.frozen):
    """A string nft needs in double quotes (interface names, comments, prefixes)."""

    text: str


class Prefix(metaclass=records.frozen):
    address: str
    length: int


class Span(metaclass=records.frozen):
    low: object
    high: object


class Elements(metaclass=records.frozen):
    """An anonymous set `{ a, b }`."""

    items: tuple


class Flags(metaclass=records.frozen):
    """A bitmask test `ct status a,b`: any of the bits is set."""

    names: tuple


class Concat(metaclass=records.frozen):
    items: tuple


# -- statements --------------------------------------------------------------------


class Match(metaclass=records.frozen):
    left: object
    right: object
    negated: bool = False
    operator: str = "=="  # or <, >


class Counter(metaclass=records.frozen):
    pass


class Verdict(metaclass=records.frozen):
    kind: str  # accept, drop, return, jump, goto, queue
    chain: str | None = None


class Reject(metaclass=records.frozen):
    kind: str | None = None  # None: icmp port-unreachable; "icmp"; "tcp reset"
    code: str | None = None


class Log(metaclass=records.frozen):
    prefix: str | None = None
    level: str | None = None  # None: nft's default, warn
    flags: tuple = ()  # "tcp sequence", "tcp options", "ip options", "skuid", "ether"
    group: int | None = None  # NFLOG
    snaplen: int | None = None
    threshold: int | None = None


class Limit(metaclass=records.frozen):
    rate: int
    per: str
    burst: int
    over: bool = False  # matches above the rate (`limit rate over`), not up to it


class CtCount(metaclass=records.frozen):
    """`ct count [over] N`: how many connections the set element's key has (a statement of a SetUpdate)."""

    limit: int
    over: bool = False  # matches above N; without it, up to N


class Set(metaclass=records.frozen):
    """A dynamic set the table declares, whose elements keep a state per key (connection counts, token buckets)."""

    name: str
    type: tuple  # nft data types, concatenated: ("ipv4_addr", "inet_service")
    size: int  # elements at most
    timeout: int | None = None  # seconds an element lives after its last update


class SetUpdate(metaclass=records.frozen):
    """`add @SET { KEY STATEMENTS }`: the packet's key into the set, then the element's own statements, which
    keep its state (`update` also restarts the element's timeout)."""

    op: str  # add, update
    set: Set
    key: object
    statements: tuple
    # xt_hashlimit drops the packet of a key its full table cannot take, where nft's rule just does not match:
    # the translator follows the rule with one that drops it (the tests before this one, then `KEY != @SET drop`)
    full_drops: bool = False


class Nat(metaclass=records.frozen):
    kind: str  # snat, dnat, masquerade, redirect
    address: object = None
    port: object = None
    flags: tuple = ()


class Mangle(metaclass=records.frozen):
    """`KEY set VALUE`."""

    key: object
    value: object


class TcpMss(metaclass=records.frozen):
    """`tcp option maxseg size set VALUE` (`rt mtu` when value is None)."""

    value: int | None = None


# -- the ruleset ---------------------------------------------------------------------


class Rule(metaclass=records.frozen):
    statements: tuple
    comment: str | None = None


class Printed(metaclass=records.frozen):
    """A rule given as its text already (the rule lane, pyip.translators.lane): what rule_text() would
    print for the rule its iptables rule translates to."""

    text: str


class LeftOut(metaclass=records.frozen):
    """Where a rule stood that has no exact nft equivalent; `why` says what."""

    why: str


class Chain(metaclass=records.define):
    name: str
    type: str | None = None  # base chains: filter, nat or route
    hook: str | None = None
    priority: str | int | None = None  # a named priority (filter, srcnat) or a number
    policy: str | None = None
    rules: list = records.field(factory=list)  # Rule and LeftOut, in order


class Table(metaclass=records.define):
    name: str
    family: str = "ip"
    chains: list = records.field(factory=list)
    sets: list = records.field(factory=list)  # Set, declared before the chains that use them


class Ruleset(metaclass=records.define):
    tables: list = records.field(factory=list)
