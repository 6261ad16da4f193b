"""`ip route show` and `ip route get` output: ip/iproute.c print_route().

Selection follows iproute_list_flush_or_save() and filter_nlmsg(), plus the
part of the selection that `ip` leaves to the kernel (strict dumps filter
by family, table, protocol and device), so a full dump given here prints
what `ip` prints when it asks the kernel itself.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from .. import records

from pyip.show import netlink
from pyip.show.templates import ADDR4, ADDR6, U32, TemplatedListing, Templates
from pyip.show.common import (HOST_BITS, PRINT_ANY, PRINT_FP, PRINT_JSON, Names, Prefix, Printer, ShowOptions,
                              family_name, host_bits, user_hz)

RTA_DST, RTA_SRC, RTA_IIF, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC = 1, 2, 3, 4, 5, 6, 7
RTA_METRICS, RTA_MULTIPATH, RTA_FLOW, RTA_CACHEINFO, RTA_TABLE, RTA_MARK = 8, 9, 11, 12, 15, 16
RTA_VIA, RTA_PREF, RTA_UID, RTA_NH_ID = 18, 20, 25, 30


RT_TABLE_MAIN = 254
RTN_UNICAST, RTN_LOCAL = 1, 2
RTPROT_BOOT = 3
RTM_F_CLONED = 0x200

# print_rt_flags(): rtm_flags / rtnh_flags bits in print order.
ROUTE_FLAGS = ((0x1, "dead"), (0x4, "onlink"), (0x2, "pervasive"), (0x8, "offload"),
               (0x40, "trap"), (0x100, "notify"), (0x10, "linkdown"), (0x20, "unresolved"),
               (0x4000, "rt_offload"), (0x8000, "rt_trap"), (0x20000000, "rt_offload_failed"))

# print_cache_flags(): RTCF_* bits of a cloned IPv4 route, in print order.
CACHE_FLAGS = ((0x80000000, "local"), (0x40000000, "reject"), (0x20000000, "mc"),
               (0x10000000, "brd"), (0x08000000, "dst-nat"), (0x00800000, "src-nat"),
               (0x00400000, "masq"), (0x00020000, "dst-direct"), (0x04000000, "src-direct"),
               (0x00040000, "redirected"), (0x01000000, "redirect"), (0x00200000, "fastroute"),
               (0x00010000, "notify"), (0x00080000, "proxy"))

RTAX_LOCK, RTAX_RTT, RTAX_RTTVAR, RTAX_HOPLIMIT = 1, 4, 5, 10
RTAX_FEATURES, RTAX_RTO_MIN, RTAX_CC_ALGO = 12, 13, 16
METRIC_NAMES = {2: "mtu", 3: "window", 4: "rtt", 5: "rttvar", 6: "ssthresh", 7: "cwnd",
                8: "advmss", 9: "reordering", 10: "hoplimit", 11: "initcwnd", 12: "features",
                13: "rto_min", 14: "initrwnd", 15: "quickack", 16: "congctl",
                17: "fastopen_no_cookie"}
RTAX_MAX = 17

ROUTER_PREFS = {3: "low", 0: "medium", 1: "high"}  # ICMPV6_ROUTER_PREF_*
CACHEINFO = struct.Struct("=IIiIIIII")  # clntref lastuse expires error used id ts tsage


class RouteFilter(metaclass=records.frozen):
    """The selectors of `ip route show`; None means not given.

    table: a table id, or "all" / "cache"; None is the default, main.
    dev / iif: device names.  via / src: an address or prefix (str or
    ipaddress object); a full address also hides that field, as in ip.
    to / from_: (mode, prefix) with mode "root", "match" or "exact".
    realms: TO, or FROM << 16 | TO; with FROM zero only TO is compared, as
    for `realms TO` in ip.  protocol / scope: None also stands for "all".
    """

    table: int | str | None = None
    protocol: int | None = None
    scope: int | None = None
    type: int | None = None
    dev: str | None = None
    iif: str | None = None
    via: object = None
    src: object = None
    tos: int | None = None
    metric: int | None = None
    realms: int | None = None
    mark: int | None = None
    to: tuple | None = None
    from_: tuple | None = None
    cloned: bool = False


class Selection(metaclass=records.frozen):
    """The C `filter` struct of ip/iproute.c, resolved against the links."""

    family: int | None
    table: int = 0            # 0: every table
    cloned: int = 0           # 0: not cloned, 1: cloned only, 2: both (route get)
    protocol: int | None = None
    scope: int | None = None
    type: int | None = None
    tos: int | None = None
    oif: int | None = None
    iif: int | None = None
    mark: int | None = None
    metric: int | None = None
    realm: int = 0
    realm_mask: int = 0
    via: Prefix | None = None
    prefsrc: Prefix | None = None
    root_dst: Prefix | None = None
    match_dst: Prefix | None = None
    root_src: Prefix | None = None
    match_src: Prefix | None = None
    # which selectors are given, so that selected() looks at no more than it must
    by_header: bool = records.field(init=False)
    by_attributes: bool = records.field(init=False)

    def __attrs_post_init__(self):
        header = (self.protocol, self.scope, self.type, self.tos)
        attributes = (self.oif, self.iif, self.mark, self.metric, self.via, self.prefsrc,
                      self.root_dst, self.match_dst, self.root_src, self.match_src)
        object.__setattr__(self, "by_header", any(value is not None for value in header))
        object.__setattr__(self, "by_attributes",
                           bool(self.realm_mask) or any(value is not None for value in attributes))

    @classmethod
    def listing(cls, flt: RouteFilter, options: ShowOptions, names: Names) -> Selection:
        table = RT_TABLE_MAIN if flt.table in (None, "cache") else flt.table
        table = 0 if table == "all" else table
        # With a table selector ip dumps AF_INET unless -6 says otherwise.
        family = options.family or (socket.AF_INET if table else None)
        realm_mask = 0
        if flt.realms is not None:
            realm_mask = 0xFFFFFFFF if flt.realms >> 16 else 0xFFFF
        return cls(
            family=family, table=table, cloned=int(flt.cloned or flt.table == "cache"),
            protocol=flt.protocol, scope=flt.scope, type=flt.type, tos=flt.tos,
            oif=names.links.device_index(flt.dev) if flt.dev else None,
            iif=names.links.device_index(flt.iif) if flt.iif else None,
            mark=flt.mark, metric=flt.metric, realm=flt.realms or 0, realm_mask=realm_mask,
            via=Prefix.of(flt.via) if flt.via is not None else None,
            prefsrc=Prefix.of(flt.src) if flt.src is not None else None,
            **_prefix_selectors("dst", flt.to), **_prefix_selectors("src", flt.from_),
        )


def _prefix_selectors(which: str, selector) -> dict:
    """`to`/`from` [root|match|exact] P: exact sets both root and match."""
    if selector is None:
        return {}
    mode, value = selector
    prefix = Prefix.of(value)
    chosen = {"root": ("root",), "match": ("match",), "exact": ("root", "match")}[mode]
    return {f"{kind}_{which}": prefix for kind in chosen}


class Route:
    """A decoded RTM_NEWROUTE: its rtmsg fields (the table from RTA_TABLE when
    there is one, as rtm_get_table()) and its attributes' payloads by type."""

    __slots__ = ("family", "dst_len", "src_len", "tos", "protocol", "scope", "type", "flags", "table",
                 "attrs")

    def __init__(self, header: tuple, attributes: dict):
        (self.family, self.dst_len, self.src_len, self.tos, table, self.protocol, self.scope,
         self.type, self.flags) = header
        table_attr = attributes.get(RTA_TABLE)
        self.table = TABLE.unpack_from(table_attr)[0] if table_attr is not None else table
        self.attrs = attributes

    @classmethod
    def of(cls, message) -> Route:
        decoded = netlink.decode(message, netlink.RTMSG)
        return cls(decoded.header, decoded.attrs)

    def u32(self, kind: int, default: int = 0) -> int:
        return netlink.u32(self.attrs[kind]) if kind in self.attrs else default


TABLE = struct.Struct("=I")


def selected(route: Route, sel: Selection) -> bool:
    """filter_nlmsg(), with the kernel's share of a strict dump."""
    if sel.family and route.family != sel.family:
        return False
    if sel.cloned == (not route.flags & RTM_F_CLONED):
        return False
    if sel.table and route.table != sel.table:
        return False
    # ip6_multiple_tables never gets set when the kernel only returns table
    # main, so ip then hides IPv6 local routes living in that table.
    if sel.table == RT_TABLE_MAIN and route.family == socket.AF_INET6 and route.type == RTN_LOCAL:
        return False
    if sel.by_header and ((sel.protocol is not None and sel.protocol != route.protocol)
                          or (sel.scope is not None and sel.scope != route.scope)
                          or (sel.type is not None and sel.type != route.type)
                          or (sel.tos is not None and sel.tos != route.tos)):
        return False
    return not sel.by_attributes or (_prefixes_match(route, sel) and _gateway_matches(route, sel)
                                     and _attributes_match(route, sel))


def _prefixes_match(route: Route, sel: Selection) -> bool:
    dst = route.attrs.get(RTA_DST, b"")
    src = route.attrs.get(RTA_SRC, b"")
    for root, match, data, length in ((sel.root_dst, sel.match_dst, dst, route.dst_len),
                                      (sel.root_src, sel.match_src, src, route.src_len)):
        if root and (root.family != route.family or root.bits > length
                     or not root.matches(data, root.bits)):
            return False
        if match and (match.family != route.family or match.bits < length
                      or not match.matches(data, length)):
            return False
    return True


def _gateway_matches(route: Route, sel: Selection) -> bool:
    if sel.via:
        family, data = route.family, route.attrs.get(RTA_GATEWAY, b"")
        if RTA_VIA in route.attrs:
            family, data = netlink.u16(route.attrs[RTA_VIA]), route.attrs[RTA_VIA][2:]
        if family != sel.via.family or not sel.via.matches(data, sel.via.bits):
            return False
    if sel.prefsrc:
        if route.family != sel.prefsrc.family:
            return False
        if not sel.prefsrc.matches(route.attrs.get(RTA_PREFSRC, b""), sel.prefsrc.bits):
            return False
    return True


def _attributes_match(route: Route, sel: Selection) -> bool:
    if (route.u32(RTA_FLOW) ^ sel.realm) & sel.realm_mask:
        return False
    if sel.iif is not None and route.u32(RTA_IIF) != sel.iif:
        return False
    # 6.1 compares RTA_OIF only: multipath and reject routes never match.
    if sel.oif is not None and route.u32(RTA_OIF) != sel.oif:
        return False
    if sel.mark is not None and route.u32(RTA_MARK) != sel.mark:
        return False
    return sel.metric is None or route.u32(RTA_PRIORITY) == sel.metric


def _selects_host(prefix: Prefix | None, route: Route) -> bool:
    """A via/src selector naming one address hides that field, as in ip."""
    return prefix is not None and prefix.bits == host_bits(route.family)


class RoutePrinter:
    """print_route() and its helpers, for one listing."""

    def __init__(self, out: Printer, names: Names, options: ShowOptions, sel: Selection):
        self.out = out
        self.names = names
        self.options = options
        self.sel = sel
        self.after_prefixes: dict[bytes, tuple] = {}

    def route(self, route: Route, key: bytes | None = None):
        """print_route().  KEY: the route's bytes but its destination's, when the
        caller has them: what follows the prefixes depends on nothing else, so
        routes with the same KEY (next hop, device, table...) print it once and
        reuse the text (a big table has few next hops)."""
        out = self.out
        out.open_object()
        if route.type != RTN_UNICAST or self.options.details:
            out.string(PRINT_ANY, "type", "%s ", self.names.route_type(route.type))
        self._prefixes(route)
        out.remembered(self.after_prefixes, key, lambda: self._after_prefixes(route))

    def _after_prefixes(self, route: Route):
        out, names, attrs_ = self.out, self.names, route.attrs
        if RTA_NH_ID in attrs_:
            out.number(PRINT_ANY, "nhid", "nhid %u ", route.u32(RTA_NH_ID))
        if route.tos and self.sel.tos is None:
            out.string(PRINT_ANY, "tos", "tos %s ", names.dsfield(route.tos))
        if RTA_GATEWAY in attrs_ and not _selects_host(self.sel.via, route):
            self._gateway(route.family, attrs_[RTA_GATEWAY])
        if RTA_VIA in attrs_:
            self._via(attrs_[RTA_VIA])
        if RTA_OIF in attrs_ and self.sel.oif is None:
            self._ifindex(route.u32(RTA_OIF), "dev")
        self._table_protocol_scope(route)
        if RTA_PREFSRC in attrs_ and not _selects_host(self.sel.prefsrc, route):
            self._prefsrc(route)
        if RTA_PRIORITY in attrs_ and self.sel.metric is None:
            out.number(PRINT_ANY, "metric", "metric %u ", route.u32(RTA_PRIORITY))
        self._flags(route.flags)
        self._mark(route.u32(RTA_MARK))
        if RTA_FLOW in attrs_ and self.sel.realm_mask != 0xFFFFFFFF:
            self._flow(route.u32(RTA_FLOW))
        if RTA_UID in attrs_:
            out.number(PRINT_ANY, "uid", "uid %u ", route.u32(RTA_UID))
        self._cache(route)
        if RTA_METRICS in attrs_:
            self._metrics(attrs_[RTA_METRICS])
        if RTA_IIF in attrs_ and self.sel.iif is None:
            self._ifindex(route.u32(RTA_IIF), "iif")
        if RTA_PREF in attrs_:
            self._router_pref(netlink.u8(attrs_[RTA_PREF]))
        if RTA_MULTIPATH in attrs_:
            self._multipath(route, attrs_[RTA_MULTIPATH])
        out.string(PRINT_FP, None, "%s", "\n")
        out.close_object()

    def _prefixes(self, route: Route):
        attributes = route.attrs
        dst = attributes.get(RTA_DST)
        if dst is not None:
            text = netlink.address(route.family, dst)
            if route.dst_len != HOST_BITS.get(route.family, 0):
                text = "%s/%u" % (text, route.dst_len)
        elif route.dst_len:
            text = "0/%d " % route.dst_len  # sic: ip prints two spaces here
        else:
            text = "default"
        self.out.string(PRINT_ANY, "dst", "%s ", text)
        if RTA_SRC in attributes:
            text = netlink.address(route.family, attributes[RTA_SRC])
            if route.src_len != host_bits(route.family):
                text = "%s/%u" % (text, route.src_len)
            self.out.string(PRINT_ANY, "from", "from %s ", text)
        elif route.src_len:
            self.out.string(PRINT_ANY, "src", "from %s ", "0/%u" % route.src_len)

    def _gateway(self, family: int, payload: bytes):
        gateway = netlink.address(family, payload)
        if self.out.is_json:
            self.out.string(PRINT_JSON, "gateway", None, gateway)
        else:
            self.out.fp("via %s " % gateway)

    def _via(self, payload: bytes):
        family = netlink.u16(payload)
        host = netlink.address(family, payload[2:])
        if self.out.is_json:
            self.out.open_object("via")
            self.out.string(PRINT_JSON, "family", None, family_name(family))
            self.out.string(PRINT_JSON, "host", None, host)
            self.out.close_object()
        else:
            self.out.fp("via %s %s " % (family_name(family), host))

    def _ifindex(self, index: int, key: str):
        """print_rta_ifidx()."""
        name = self.names.ifname(index)
        if self.out.is_json:
            self.out.string(PRINT_JSON, key, None, name)
        else:
            self.out.fp("%s %s " % (key, name))

    def _table_protocol_scope(self, route: Route):
        details = self.options.details
        if route.table and (route.table != RT_TABLE_MAIN or details) and not self.sel.table:
            self.out.string(PRINT_ANY, "table", "table %s ", self.names.table(route.table))
        if route.flags & RTM_F_CLONED:
            return
        if (route.protocol != RTPROT_BOOT or details) and self.sel.protocol is None:
            self.out.string(PRINT_ANY, "protocol", "proto %s ", self.names.protocol(route.protocol))
        if (route.scope != 0 or details) and self.sel.scope is None:
            self.out.string(PRINT_ANY, "scope", "scope %s ", self.names.scope(route.scope))

    def _prefsrc(self, route: Route):
        # Not format_host(): it is our local address, a name would not help.
        source = netlink.address(route.family, route.attrs[RTA_PREFSRC])
        if self.out.is_json:
            self.out.string(PRINT_JSON, "prefsrc", None, source)
        else:
            self.out.fp("src %s " % source)

    def _flags(self, flags: int):
        """print_rt_flags(): a JSON array even when empty."""
        self.out.open_array(PRINT_JSON, "flags")
        for bit, name in ROUTE_FLAGS:
            if flags & bit:
                self.out.string(PRINT_ANY, None, "%s ", name)
        self.out.close_array(PRINT_JSON, None)

    def _mark(self, mark: int):
        if not mark:
            return
        if self.out.is_json:
            self.out.number(PRINT_JSON, "mark", None, mark)
        elif mark >= 16:
            self.out.fp("mark 0x%x " % mark)
        else:
            self.out.fp("mark %u " % mark)

    def _flow(self, flow: int):
        """print_rta_flow(): realms FROM/TO, or realm TO."""
        source, destination = flow >> 16, flow & 0xFFFF
        if self.out.is_json:
            self.out.open_object("flow")
            if source:
                self.out.string(PRINT_JSON, "from", None, self.names.realm(source))
            self.out.string(PRINT_JSON, "to", None, self.names.realm(destination))
            self.out.close_object()
            return
        self.out.fp("realm%s " % ("s" if source else ""))
        if source:
            self.out.fp("%s/" % self.names.realm(source))
        self.out.fp("%s " % self.names.realm(destination))

    def _cache(self, route: Route):
        if route.family == socket.AF_INET and route.flags & RTM_F_CLONED:
            self._cache_flags(route.flags & ~0xFFFF)
        if route.family in (socket.AF_INET, socket.AF_INET6) and RTA_CACHEINFO in route.attrs:
            self._cacheinfo(CACHEINFO.unpack_from(route.attrs[RTA_CACHEINFO]))

    def _cache_flags(self, flags: int):
        """print_cache_flags(): `cache <local,...>` under a cloned IPv4 route."""
        names = [name for bit, name in CACHE_FLAGS if flags & bit]
        rest = flags & ~sum(bit for bit, _ in CACHE_FLAGS)
        if self.out.is_json:
            writer = self.out.writer
            writer.name("cache")
            writer.start_array()
            for name in names:
                writer.string(name)
            if rest:
                self.out.hex(PRINT_ANY, "flags", "%x>", rest)
            writer.end_array()
            return
        self.out.fp("%s    cache " % self.out.sl)
        if not flags:
            return
        self.out.fp("<")
        for bit, name in CACHE_FLAGS:
            if flags & bit:
                flags &= ~bit
                self.out.fp(name + ("," if flags else "> "))
        if flags:
            self.out.fp("%x>" % flags)

    def _cacheinfo(self, info: tuple):
        """print_rta_cacheinfo()."""
        clntref, lastuse, expires, error, used, ident, ts, tsage = info
        hz = user_hz()
        out = self.out
        if expires:
            out.number(PRINT_ANY, "expires", "expires %dsec ", int(expires / hz))
        if error:
            out.number(PRINT_ANY, "error", "error %u ", error)
        if self.options.stats:
            if clntref:
                out.number(PRINT_ANY, "users", "users %u ", clntref)
            if used:
                out.number(PRINT_ANY, "used", "used %u ", used)
            if lastuse:
                out.number(PRINT_ANY, "age", "age %usec ", lastuse // hz)
        if ident:
            out.hex0x(PRINT_ANY, "ipid", "ipid 0x%04x ", ident)
        if ts or tsage:
            out.hex0x(PRINT_ANY, "ts", "ts 0x%x", ts)
            out.number(PRINT_ANY, "tsage", "tsage %usec ", tsage)

    def _metrics(self, payload: bytes):
        """print_rta_metrics(): `mtu lock 1400 rtt 30ms ...`, JSON [{...}]."""
        metrics = netlink.attributes(payload)
        lock = netlink.u32(metrics[RTAX_LOCK]) if RTAX_LOCK in metrics else 0
        self.out.open_array(PRINT_JSON, "metrics")
        self.out.open_object()
        for kind in range(2, RTAX_MAX + 1):
            if kind not in metrics and not lock & (1 << kind):
                continue
            value = 0
            if kind in metrics and kind != RTAX_CC_ALGO:
                value = netlink.u32(metrics[kind])
            if kind == RTAX_HOPLIMIT and value == 0xFFFFFFFF:
                continue
            self.out.fp("%s " % METRIC_NAMES[kind])
            if lock & (1 << kind):
                self.out.fp("lock ")
            self._metric(kind, value, metrics)
        self.out.close_object()
        self.out.close_array(PRINT_JSON, None)

    def _metric(self, kind: int, value: int, metrics: dict):
        out = self.out
        if kind == RTAX_FEATURES:
            self._features(value)
        elif kind in (RTAX_RTT, RTAX_RTTVAR, RTAX_RTO_MIN):
            value //= {RTAX_RTT: 8, RTAX_RTTVAR: 4}.get(kind, 1)
            if out.is_json:
                out.number(PRINT_JSON, METRIC_NAMES[kind], None, value)
            elif value >= 1000:
                out.fp("%gs " % (value / 1e3))
            else:
                out.fp("%ums " % value)
        elif kind == RTAX_CC_ALGO:
            out.string(PRINT_ANY, "congestion", "%s ", netlink.string(metrics.get(kind, b"")))
        else:
            out.number(PRINT_ANY, METRIC_NAMES[kind], "%u ", value)

    def _features(self, features: int):
        """print_rtax_features(): ecn, then any other bits as one hex number."""
        if features & 1:
            self.out.null(PRINT_ANY, "ecn", "ecn ")
        if features & ~1:
            self.out.hex0x(PRINT_ANY, "features", "%#x ", features)

    def _router_pref(self, pref: int):
        if pref in ROUTER_PREFS:
            self.out.string(PRINT_ANY, "pref", "pref %s", ROUTER_PREFS[pref])
        else:
            self.out.number(PRINT_ANY, "pref", "%u", pref)

    def _multipath(self, route: Route, payload: bytes):
        """print_rta_multipath(): one `nexthop` line per hop."""
        self.out.open_array(PRINT_JSON, "nexthops")
        for (_, flags, hops, ifindex), hop_attrs in netlink.multipath(payload):
            self.out.open_object()
            self.out.string(PRINT_FP, None, "%s\tnexthop ", self.out.sl)
            if RTA_GATEWAY in hop_attrs:
                self._gateway(route.family, hop_attrs[RTA_GATEWAY])
            if RTA_VIA in hop_attrs:
                self._via(hop_attrs[RTA_VIA])
            if RTA_FLOW in hop_attrs:
                self._flow(netlink.u32(hop_attrs[RTA_FLOW]))
            self.out.string(PRINT_ANY, "dev", "dev %s ", self.names.ifname(ifindex))
            self.out.number(PRINT_ANY, "weight", "weight %d ", hops + 1)
            self._flags(flags)
            self.out.close_object()
        self.out.close_array(PRINT_JSON, None)


class RouteListing(TemplatedListing):
    """One `ip route show`: routes printed as the dump brings them (feed()),
    the text so far taken whenever the caller wants to write it (take()).

    A route's line depends on its message, and on its destination, gateway,
    preferred source and metric only through their texts (when no selector
    looks at them): so each route prints from its key's template
    (pyip.show.templates), and only the first route of each key is printed
    in full (a big table has few devices, tables and protocols).
    """

    def __init__(self, links, options: ShowOptions = ShowOptions(), flt: RouteFilter = RouteFilter()):
        """`links` is link messages or a mapping ifindex -> name; it names devices
        and resolves the dev/iif selectors (ShowError when one does not exist)."""
        names = Names(options, links)
        self.sel = Selection.listing(flt, options, names)
        self.out = Printer(options)
        self.printer = RoutePrinter(self.out, names, options, self.sel)
        self.layouts = netlink.Layouts(netlink.RTMSG)
        self.scratch = Printer(options)
        self.scratch.take()  # JSON's opening bracket: the scratch printer prints objects alone
        self.scratch_printer = RoutePrinter(self.scratch, names, options, self.sel)
        self.templates: Templates | None = Templates(netlink.RTMSG, self._varying_fields(), self._render)

    def _varying_fields(self):
        """The attributes that vary, of those no selector looks at."""
        sel = self.sel
        looked_at = {RTA_DST: sel.root_dst or sel.match_dst, RTA_GATEWAY: sel.via, RTA_PREFSRC: sel.prefsrc,
                     RTA_PRIORITY: sel.metric is not None}
        varying = {kind: fields for kind, fields in VARYING.items() if not looked_at[kind]}

        def fields(kind: int, size: int, family: int) -> tuple:
            return varying.get(kind, {}).get((family, size), ())

        return fields

    def _feed_in_full(self, data: bytes, spans) -> None:
        """Every route decoded and printed, the text after its prefixes reused by the rest of its
        message (RoutePrinter.route()'s key)."""
        decode, sel, print_route = self.layouts.decode, self.sel, self.printer.route
        for offset, length in spans:
            header, attributes, layout, kinds = decode(data, offset, length)
            route = Route(header, attributes)
            if not selected(route, sel):
                continue
            if RTA_DST in attributes:  # the key: the message but its destination
                where = kinds.index(RTA_DST)
                start, end = offset + layout.bounds[where], offset + layout.bounds[where + 1]
                print_route(route, data[offset + HEADER_BYTES:start] + data[end:offset + length])
            else:
                print_route(route, data[offset + HEADER_BYTES:offset + length])

    def _render(self, data: bytes, offset: int, length: int) -> str | None:
        """The route printed in full, alone (JSON: its object), or None when it is not listed."""
        header, attributes, _, _ = self.layouts.decode(data, offset, length)
        route = Route(header, attributes)
        if not selected(route, self.sel):
            return None
        if self.scratch.writer is not None:
            self.scratch.writer.sep = ""
        self.scratch_printer.route(route)
        return self.scratch.take()


HEADER_BYTES = netlink.NLMSG_HEADER.size  # length, type, flags, seq, pid: never printed
_ADDRESSES = {(socket.AF_INET, 4): ((0, 4, ADDR4, None),), (socket.AF_INET6, 16): ((0, 16, ADDR6, None),)}
# what varies from route to route and is printed as plain text: (family, payload size) -> fields
VARYING = {RTA_DST: _ADDRESSES, RTA_GATEWAY: _ADDRESSES, RTA_PREFSRC: _ADDRESSES,
           RTA_PRIORITY: {(family, 4): ((0, 4, U32, None),) for family in (socket.AF_INET, socket.AF_INET6)}}


def format_routes(messages, links, options: ShowOptions = ShowOptions(),
                  flt: RouteFilter = RouteFilter()) -> str:
    """`ip route show [SELECTORS]` for a dump of every route (all tables, families):
    messages as bytes (or pyroute2 messages).

    `links` is link messages or a mapping ifindex -> name; it names devices
    and resolves the dev/iif selectors (ShowError when one does not exist).
    """
    listing = RouteListing(links, options, flt)
    for message in messages:
        data = netlink.raw_bytes(message)
        listing.feed(data, ((0, netlink.NLMSG_HEADER.unpack_from(data)[0]),))
    return listing.result()


def format_route_get(message, links, options: ShowOptions = ShowOptions()) -> str:
    """`ip route get ...` for the kernel's answer to the RTM_GETROUTE."""
    names = Names(options, links)
    sel = Selection(family=None, cloned=2)
    out = Printer(options)
    RoutePrinter(out, names, options, sel).route(Route.of(message))
    return out.result()

