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

import attrs


# -- expressions ---------------------------------------------------------------


@attrs.frozen
class Payload:
    protocol: str  # ip, tcp, udp, icmp, ether
    field: str


@attrs.frozen
class RawPayload:
    """`@nh,OFFSET,LENGTH`: header bits nft has no field name for."""

    base: str
    offset: int
    length: int


@attrs.frozen
class Meta:
    key: str


@attrs.frozen
class Ct:
    key: str
    direction: str | None = None  # original or reply
    family: str | None = None  # `ip` for addresses, which nft needs spelled out


@attrs.frozen
class Fib:
    flags: tuple  # saddr/daddr, then iif/oif
    result: str = "type"


@attrs.frozen
class Raw:
    """An expression or statement an extension spells itself (`numgen inc mod 10`, `notrack`), in both
    syntaxes: `text` for `nft -f`, `json` (a JSON-ready value) for `nft -j -f`."""

    text: str
    json: object


@attrs.frozen
class Binary:
    """`LEFT & RIGHT`, `LEFT ^ RIGHT`."""

    operator: str
    left: object
    right: object


# -- values ---------------------------------------------------------------------


@attrs.frozen
class SetRef:
    """`@NAME`: a set of the table, as the right side of a lookup (`ip saddr != @NAME`)."""

    name: str


@attrs.frozen
class Quoted:
    """A string nft needs in double quotes (interface names, comments, prefixes)."""

    text: str


@attrs.frozen
class Prefix:
    address: str
    length: int


@attrs.frozen
class Span:
    low: object
    high: object


@attrs.frozen
class Elements:
    """An anonymous set `{ a, b }`."""

    items: tuple


@attrs.frozen
class Flags:
    """A bitmask test `ct status a,b`: any of the bits is set."""

    names: tuple


@attrs.frozen
class Concat:
    items: tuple


# -- statements --------------------------------------------------------------------


@attrs.frozen
class Match:
    left: object
    right: object
    negated: bool = False
    operator: str = "=="  # or <, >


@attrs.frozen
class Counter:
    pass


@attrs.frozen
class Verdict:
    kind: str  # accept, drop, return, jump, goto, queue
    chain: str | None = None


@attrs.frozen
class Reject:
    kind: str | None = None  # None: icmp port-unreachable; "icmp"; "tcp reset"
    code: str | None = None


@attrs.frozen
class Log:
    prefix: str | None = None
    level: str | None = None  # None: nft's default, warn
    flags: tuple = ()  # "tcp sequence", "tcp options", "ip options", "skuid", "ether"
    group: int | None = None  # NFLOG
    snaplen: int | None = None
    threshold: int | None = None


@attrs.frozen
class Limit:
    rate: int
    per: str
    burst: int
    over: bool = False  # matches above the rate (`limit rate over`), not up to it


@attrs.frozen
class CtCount:
    """`ct count [over] N`: how many connections the set element's key has (a statement of a SetUpdate)."""

    limit: int
    over: bool = False  # matches above N; without it, up to N


@attrs.frozen
class Set:
    """A dynamic set the table declares, whose elements keep a state per key (connection counts, token buckets)."""

    name: str
    type: tuple  # nft data types, concatenated: ("ipv4_addr", "inet_service")
    size: int  # elements at most
    timeout: int | None = None  # seconds an element lives after its last update


@attrs.frozen
class SetUpdate:
    """`add @SET { KEY STATEMENTS }`: the packet's key into the set, then the element's own statements, which
    keep its state (`update` also restarts the element's timeout)."""

    op: str  # add, update
    set: Set
    key: object
    statements: tuple
    # xt_hashlimit drops the packet of a key its full table cannot take, where nft's rule just does not match:
    # the translator follows the rule with one that drops it (the tests before this one, then `KEY != @SET drop`)
    full_drops: bool = False


@attrs.frozen
class Nat:
    kind: str  # snat, dnat, masquerade, redirect
    address: object = None
    port: object = None
    flags: tuple = ()


@attrs.frozen
class Mangle:
    """`KEY set VALUE`."""

    key: object
    value: object


@attrs.frozen
class TcpMss:
    """`tcp option maxseg size set VALUE` (`rt mtu` when value is None)."""

    value: int | None = None


# -- the ruleset ---------------------------------------------------------------------


@attrs.frozen
class Rule:
    statements: tuple
    comment: str | None = None


@attrs.frozen
class LeftOut:
    """Where a rule stood that has no exact nft equivalent; `why` says what."""

    why: str


@attrs.define
class Chain:
    name: str
    type: str | None = None  # base chains: filter, nat or route
    hook: str | None = None
    priority: str | int | None = None  # a named priority (filter, srcnat) or a number
    policy: str | None = None
    rules: list = attrs.Factory(list)  # Rule and LeftOut, in order


@attrs.define
class Table:
    name: str
    family: str = "ip"
    chains: list = attrs.Factory(list)
    sets: list = attrs.Factory(list)  # Set, declared before the chains that use them


@attrs.define
class Ruleset:
    tables: list = attrs.Factory(list)
