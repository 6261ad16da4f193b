"""`ip route`: a route (add/change/replace/prepend/append/test/delete),
the selectors of list/flush/save, and the question of `ip route get`."""

from __future__ import annotations

from .. import records

from .base import Named, Prefix, Symbol, ip_line, parsed_as

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from .base import Address

# RTN_* numbers, in rtnl_rtntype_a2n() order of names
ROUTE_TYPES = {
    "unspec": 0, "unicast": 1, "local": 2, "broadcast": 3, "anycast": 4,
    "multicast": 5, "blackhole": 6, "unreachable": 7, "prohibit": 8,
    "throw": 9, "nat": 10, "xresolve": 11,
}

# RTAX_* metrics that take `lock`, in iproute2's printing order
METRIC_NAMES = ("mtu", "window", "rtt", "rttvar", "ssthresh", "cwnd", "advmss",
                "reordering", "hoplimit", "initcwnd", "features", "rto_min",
                "initrwnd", "quickack", "congctl")


class Gateway(metaclass=records.frozen):
    address: Address | Symbol
    family_word: str | None = None  # `via inet6 ADDR`: a gateway of another family (RTA_VIA)


class Metric(metaclass=records.frozen):
    name: str
    value: int | str | Symbol  # rtt/rttvar/rto_min in milliseconds when given with a unit
    lock: bool = False
    # rtt, rttvar, rto_min: a value with a time unit is in milliseconds (timed),
    # a bare number goes raw to the kernel; the unit as typed is kept for show.
    timed: bool = False
    unit: str | None = records.field(default=None, eq=False)


class Realms(metaclass=records.frozen):
    to: Named | Symbol
    from_: Named | None = None


class Nexthop(metaclass=records.frozen):
    gateway: Gateway | None = None
    dev: str | Symbol | None = None
    weight: int | Symbol | None = None
    onlink: bool = False
    realms: Realms | None = None


class Route(metaclass=records.frozen):
    """What iproute_modify() sends: None is "not given" (the kernel's default)."""

    __str__ = ip_line  # as ip takes it: `10.0.0.0/8 via 192.0.2.1 table 5`

    dst: Prefix | Symbol = records.field(
        converter=parsed_as("ip route add {}", "dst", Prefix, Symbol))
    type: str | None = None
    src_prefix: Prefix | Symbol | None = records.field(default=None,
        converter=parsed_as("ip route add default from {}", "src_prefix", Prefix, Symbol))  # `from`
    tos: Named | None = None
    gateway: Gateway | None = records.field(default=None,
        converter=parsed_as("ip route add default via {}", "gateway", Gateway))
    dev: str | Symbol | None = None
    table: Named | Symbol | None = records.field(default=None,
        converter=parsed_as("ip route add default table {}", "table", Named, Symbol))
    protocol: Named | Symbol | None = records.field(default=None,
        converter=parsed_as("ip route add default protocol {}", "protocol", Named, Symbol))
    scope: Named | Symbol | None = records.field(default=None,
        converter=parsed_as("ip route add default scope {}", "scope", Named, Symbol))
    metric: int | Symbol | None = records.field(default=None,
        converter=parsed_as("ip route add default metric {}", "metric", int, Symbol))
    prefsrc: Address | Symbol | None = records.field(default=None,
        converter=parsed_as("ip route add default src {}", "prefsrc", Symbol))  # `src`; or an address, not int either
    metrics: tuple[Metric, ...] = ()
    realms: Realms | None = None
    onlink: bool = False
    nexthops: tuple[Nexthop, ...] = ()
    nhid: int | Symbol | None = None
    pref: str | None = None
    expires: int | Symbol | None = None
    vrf: str | Symbol | None = None
    as_: Address | Symbol | None = None
    encap: tuple[str, ...] = ()
    ttl_propagate: str | None = None


class RouteSelector(metaclass=records.frozen):
    """The filter of `ip route list|flush|save`; None is "any"."""

    __str__ = ip_line  # as ip takes it: `10.0.0.0/8 via 192.0.2.1 table 5`

    table: Named | str | Symbol | None = None  # str: "all" or "cache"
    vrf: str | Symbol | None = None
    cached: bool = False
    tos: Named | None = None
    protocol: Named | str | Symbol | None = None  # str: "all"
    scope: Named | str | Symbol | None = None
    type: str | None = None
    dev: str | Symbol | None = None
    iif: str | Symbol | None = None
    mark: int | Symbol | None = None
    metric: int | Symbol | None = None
    via: Prefix | Symbol | None = None
    via_family: str | None = None
    src: Prefix | Symbol | None = None
    realms: Realms | None = None
    from_: tuple[str, Prefix | Symbol] | None = None  # (root|match|exact, prefix)
    to: tuple[str, Prefix | Symbol] | None = None


class RouteGet(metaclass=records.frozen):
    """The question of `ip route get`."""

    __str__ = ip_line  # as ip takes it: `10.0.0.0/8 via 192.0.2.1 table 5`

    to: Prefix | Symbol
    from_: Prefix | Symbol | None = None
    tos: Named | None = None
    iif: str | Symbol | None = None
    oif: str | Symbol | None = None
    mark: int | Symbol | None = None
    vrf: str | Symbol | None = None
    uid: int | Symbol | None = None
    ipproto: str | Symbol | None = None
    sport: int | Symbol | None = None
    dport: int | Symbol | None = None
    notify: bool = False
    connected: bool = False
    fibmatch: bool = False
    as_: Address | Symbol | None = None
