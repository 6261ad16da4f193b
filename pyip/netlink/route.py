"""`ip route` over rtnetlink: iproute_modify(), iproute_list_flush_or_save()
and iproute_get() of iproute2's ip/iproute.c, from a parsed pyip.ast command."""

from __future__ import annotations

import errno
import os
import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from ..lazy import LazyModule
from .. import records

from ..ast import Gateway, Metric, Nexthop, Prefix, Realms, Route
from ..parser import values as readers
from ..ast.route import ROUTE_TYPES
from .common import (FAMILIES, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE,
                     NLM_F_REQUEST, CommandFailed, KernelError, Links, Request, Result, Session,
                     attr, attr_u8, attr_u32, dump_links, known, named, ip_protocol, prefix_text, show_options,
                     talk, unsupported)
from .listing import stream_routes

ipaddress = LazyModule("ipaddress")  # only to build pyip.ast nodes from a dump, not for the drop-in's show
# The printers and the dump's decoders, for the commands that read the kernel's routes: `route
# add` needs none of them, nor does `rule show` (pyip.netlink.rule uses this module's helpers).
raw = LazyModule("pyip.show.netlink")
shown = LazyModule("pyip.show.route")
show_common = LazyModule("pyip.show.common")
show_package = LazyModule("pyip.show")

RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTMSG = struct.Struct("=BBBBBBBBI")
RTNEXTHOP = struct.Struct("=HBBi")
PORT = struct.Struct(">H")

RTA_DST, RTA_SRC, RTA_IIF, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC = 1, 2, 3, 4, 5, 6, 7
RTA_METRICS, RTA_MULTIPATH, RTA_FLOW, RTA_CACHEINFO, RTA_TABLE, RTA_MARK = 8, 9, 11, 12, 15, 16
RTA_VIA, RTA_PREF, RTA_EXPIRES, RTA_UID, RTA_TTL_PROPAGATE = 18, 20, 23, 25, 26
RTA_IP_PROTO, RTA_SPORT, RTA_DPORT, RTA_NH_ID = 27, 28, 29, 30

RT_TABLE_UNSPEC, RT_TABLE_MAIN, RT_TABLE_LOCAL = 0, 254, 255
RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST, RT_SCOPE_NOWHERE = 0, 253, 254, 255
RTPROT_BOOT = 3
RTN_UNSPEC, RTN_UNICAST = 0, 1
RTNH_F_ONLINK = 4
RTM_F_NOTIFY, RTM_F_CLONED, RTM_F_LOOKUP_TABLE, RTM_F_FIB_MATCH = 0x100, 0x200, 0x1000, 0x2000

MODIFY_VERBS = {
    "add": NLM_F_CREATE | NLM_F_EXCL, "change": NLM_F_REPLACE,
    "replace": NLM_F_CREATE | NLM_F_REPLACE, "prepend": NLM_F_CREATE,
    "append": NLM_F_CREATE | NLM_F_APPEND, "test": NLM_F_EXCL, "delete": 0,
}
LOCAL_TABLE_TYPES = ("local", "broadcast", "nat", "anycast")
HOST_SCOPE_TYPES = ("local", "nat")
LINK_SCOPE_TYPES = ("broadcast", "multicast", "anycast")

RTAX = {"mtu": 2, "window": 3, "rtt": 4, "rttvar": 5, "ssthresh": 6, "cwnd": 7, "advmss": 8,
        "reordering": 9, "hoplimit": 10, "initcwnd": 11, "features": 12, "rto_min": 13,
        "initrwnd": 14, "quickack": 15, "congctl": 16}
RTAX_LOCK, RTAX_FEATURE_ECN = 1, 1
# get_time_rtt(): a time with a unit is in ms; the kernel keeps rtt << 3, rttvar << 2
TIME_SCALE = {"rtt": 8, "rttvar": 4}
ROUTER_PREFS = {"low": 3, "medium": 0, "high": 1}  # ICMPV6_ROUTER_PREF_*


def execute(command, session: Session, words=(), out=None) -> Result:
    """Run COMMAND; a listing goes to OUT as it comes when OUT is given (show())."""
    verb = command.verb
    if verb in MODIFY_VERBS:
        return talk(session, request(command, session))
    if verb == "show":
        return show(command, session, out)
    if verb == "flush":
        return flush(command, session)
    if verb == "get":
        return get(command, session)
    raise unsupported("ip route " + verb)


# -- iproute_modify() ----------------------------------------------------------------

def request(command, session: Session) -> Request:
    """The RTM_NEWROUTE / RTM_DELROUTE that `ip route VERB ...` sends."""
    route = command.body
    family = FAMILIES[known(route.dst).family]
    kind = RTM_DELROUTE if command.verb == "delete" else RTM_NEWROUTE
    flags = NLM_F_REQUEST | NLM_F_ACK | MODIFY_VERBS[command.verb]
    body = header(route, command.verb, family) + attributes(route, session)
    return Request(session.rtnl.request(kind, flags, body))


def header(route: Route, verb: str, family: int) -> bytes:
    deleting = verb == "delete"
    kind = ROUTE_TYPES.get(route.type, None) if route.type else (RTN_UNSPEC if deleting else RTN_UNICAST)
    if kind is None:
        kind = int(route.type)  # a numeric type past the named ones (`route add +200 ...`)
    table = table_number(route.table, route.type)
    protocol = known(route.protocol).number if route.protocol is not None else (0 if deleting else RTPROT_BOOT)
    scope = known(route.scope).number if route.scope is not None else default_scope(route, deleting, family)
    src_len = known(route.src_prefix).length if route.src_prefix is not None else 0
    tos = route.tos.number if route.tos is not None else 0
    flags = RTNH_F_ONLINK if route.onlink else 0
    return RTMSG.pack(family, route.dst.length, src_len, tos, table if table < 256 else RT_TABLE_UNSPEC,
                      protocol, scope, kind, flags)


def table_number(table, route_type: str | None) -> int:
    if table is not None:
        return known(table).number
    return RT_TABLE_LOCAL if route_type in LOCAL_TABLE_TYPES else RT_TABLE_MAIN


def default_scope(route: Route, deleting: bool, family: int) -> int:
    """The scope ip picks when none is given (the end of iproute_modify())."""
    if family == socket.AF_INET6:
        return RT_SCOPE_UNIVERSE
    if route.type in HOST_SCOPE_TYPES:
        return RT_SCOPE_HOST
    if route.type in LINK_SCOPE_TYPES:
        return RT_SCOPE_LINK
    if deleting:
        return RT_SCOPE_NOWHERE
    # `!nhid` in ip: `nhid 0` is sent, yet counts as no nexthop object here
    if route.type in (None, "unicast", "unspec") and not (route.gateway or route.nexthops or route.nhid):
        return RT_SCOPE_LINK
    return RT_SCOPE_UNIVERSE


def attributes(route: Route, session: Session) -> bytes:
    for word, value in (("vrf", route.vrf), ("encap", route.encap), ("as", route.as_)):
        if value:
            raise unsupported(word)
    parts = [prefix_attr(RTA_DST, route.dst), prefix_attr(RTA_SRC, route.src_prefix)]
    if route.gateway is not None:
        parts.append(gateway_attr(route.gateway))
    if route.prefsrc is not None:
        parts.append(attr(RTA_PREFSRC, known(route.prefsrc).packed))
    table = table_number(route.table, route.type)
    for kind, value in ((RTA_TABLE, table if table >= 256 else None), (RTA_PRIORITY, route.metric),
                        (RTA_NH_ID, route.nhid), (RTA_EXPIRES, route.expires)):
        if value is not None:
            parts.append(attr_u32(kind, known(value)))
    if route.realms is not None:
        parts.append(attr_u32(RTA_FLOW, realms_value(route.realms)))
    if route.pref is not None:
        parts.append(attr_u8(RTA_PREF, ROUTER_PREFS[route.pref] if route.pref in ROUTER_PREFS else readers.read_u32(route.pref, 0, 0xFF)))
    if route.ttl_propagate is not None:
        parts.append(attr_u8(RTA_TTL_PROPAGATE, route.ttl_propagate == "enabled"))
    if route.dev is not None:
        parts.append(attr_u32(RTA_OIF, session.links.index(route.dev)))
    if route.metrics:
        parts.append(metrics_attr(route.metrics))
    if route.nexthops:
        parts.append(multipath_attr(route.nexthops, session))
    return b"".join(parts)


def prefix_attr(kind: int, prefix) -> bytes:
    """get_prefix(): `default`, `all` and `any` have no bytes to send."""
    if prefix is None or known(prefix).keyword is not None:
        return b""
    return attr(kind, prefix.address.packed)


def gateway_attr(gateway: Gateway) -> bytes:
    """RTA_GATEWAY, or RTA_VIA for a gateway of another family (`via inet6 ADDR`)."""
    address = known(gateway.address)
    if gateway.family_word is None:
        return attr(RTA_GATEWAY, address.packed)
    return attr(RTA_VIA, struct.pack("=H", FAMILIES[address.version]) + address.packed)


def realms_value(realms: Realms) -> int:
    source = known(realms.from_).number if realms.from_ is not None else 0
    return source << 16 | known(realms.to).number


def metrics_attr(metrics: tuple[Metric, ...]) -> bytes:
    """RTA_METRICS: one RTAX_* per metric, RTAX_LOCK with the locked ones' bits."""
    parts, lock = [], 0
    for metric in metrics:
        number = RTAX[metric.name]
        value = known(metric.value)
        if metric.lock:
            lock |= 1 << number
        if metric.name == "congctl":
            parts.append(attr(number, value.encode("utf-8", "surrogateescape")))
        elif metric.name == "features":
            parts.append(attr_u32(number, RTAX_FEATURE_ECN))
        else:
            scale = TIME_SCALE.get(metric.name, 1) if metric.timed else 1
            parts.append(attr_u32(number, (value * scale) & 0xFFFFFFFF))  # unsigned int arithmetic, as in ip
    if lock:
        parts.append(attr_u32(RTAX_LOCK, lock))
    return attr(RTA_METRICS, b"".join(parts))


def nexthop_device(session: Session, name) -> int:
    """parse_one_nh()'s `dev`: a missing device fails the nexthop, and ip exit()s saying so."""
    try:
        return session.links.index(name)
    except CommandFailed as failure:
        raise CommandFailed(failure.message + "\nError: cannot parse nexthop", 255) from None


def multipath_attr(nexthops: tuple[Nexthop, ...], session: Session) -> bytes:
    """RTA_MULTIPATH: an rtnexthop (weight - 1, flags, ifindex) and its attributes per hop."""
    hops = []
    for hop in nexthops:
        extra = gateway_attr(hop.gateway) if hop.gateway is not None else b""
        if hop.realms is not None:
            extra += attr_u32(RTA_FLOW, realms_value(hop.realms))
        ifindex = nexthop_device(session, hop.dev) if hop.dev is not None else 0
        weight = known(hop.weight) if hop.weight is not None else 1
        flags = RTNH_F_ONLINK if hop.onlink else 0
        hops.append(RTNEXTHOP.pack(RTNEXTHOP.size + len(extra), flags, weight - 1, ifindex) + extra)
    return attr(RTA_MULTIPATH, b"".join(hops))


# -- iproute_list_flush_or_save() ----------------------------------------------------------

def show(command, session: Session, out=None) -> Result:
    """iproute_list_flush_or_save() listing.  With OUT (a text stream), the routes are
    written to it as the kernel dumps them, as ip prints them, and the Result holds
    no stdout and no objects; without it, both are in the Result."""
    options = show_options(command.options, session.names)
    links = dump_links(session.rtnl)
    try:
        listing = shown.RouteListing(links, options, route_filter(command.body))
    except show_package.ShowError as error:
        return Result(1, stderr="%s\n" % error)
    if out is not None:  # pyip.netlink.listing, which the drop-in's show shortcut runs too
        status, stderr, code = stream_routes(session.rtnl, listing, out, dump_request(command, session),
                                             table_selected(command.body))
        return Result(status, stderr=stderr, errno=code)
    messages = []
    try:
        for data, spans in session.rtnl.dump_stream(RTM_GETROUTE, dump_request(command, session), RTM_NEWROUTE):
            listing.feed(data, spans)
            messages += [data[offset:offset + length] for offset, length in spans]
    except KernelError as error:
        if not (error.errno == errno.ENOENT and table_selected(command.body) == RT_TABLE_MAIN):
            # ip's listing stops where the kernel refused; `Error: ipv4: FIB table does not exist.`
            # for table main (a new namespace) is the one refusal it lets pass (save_route_errhndlr())
            printed = listing.take()  # JSON's opening bracket, at least
            return Result(2, stdout=printed, stderr=error.message + "\nDump terminated\n", errno=error.errno)
    chosen = selected(messages, command, session, links)
    route_links = Links(links)
    return Result(0, listing.result(), objects=tuple(route_node(m, route_links, session.names) for m in chosen))


def flush(command, session: Session) -> Result:
    """iproute_flush(): delete what the selector lists, round after round, until nothing is left."""
    selector, options = command.body, command.options
    family = dump_family(command)
    out = []
    if selector.cached:
        if family != socket.AF_INET6:
            flush_ipv4_cache()
            if options.stats:
                out.append("*** IPv4 routing cache is flushed.\n")
        if family == socket.AF_INET:
            return Result(0, "".join(out))
    links = dump_links(session.rtnl)
    rounds = 0
    while True:
        try:
            doomed = selected(dump(command, session), command, session, links)
        except KernelError as error:
            return Result(2, "".join(out), error.message + "\nFlush terminated\n", errno=error.errno)
        if not doomed:
            break
        rounds += 1
        failure = delete_all(session, doomed)
        if failure:
            return Result(2, "".join(out), "Failed to send flush request: %s\n" % failure)
        if options.stats:
            out.append("\n*** Round %d, deleting %d entries ***\n" % (rounds, len(doomed)))
    if options.stats:
        if rounds == 0 and (not selector.cached or family == socket.AF_INET6):
            out.append("Nothing to flush.\n")
        else:
            out.append("*** Flush is complete after %d round%s ***\n" % (rounds, "s" if rounds > 1 else ""))
    return Result(0, "".join(out))


def delete_all(session: Session, messages: list[bytes]) -> str | None:
    """Send each listed route back as an RTM_DELROUTE; the first refusal's strerror, if any."""
    deletions = [session.rtnl.request(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, m[16:]) for m in messages]
    refusals = session.rtnl.send_window(deletions)
    return next((os.strerror(error.errno) for error in refusals.values()), None)


def flush_ipv4_cache() -> None:
    """iproute_flush_cache(): the IPv4 cache is gone, the write is still made."""
    try:
        with open("/proc/sys/net/ipv4/route/flush", "w") as cache:
            cache.write("-1")
    except OSError:
        pass


def dump_family(command) -> int:
    """ip dumps the -4/-6 family; with a table selector (main by default) IPv4."""
    family = FAMILIES[command.options.family]
    if family == socket.AF_UNSPEC and table_selected(command.body):
        return socket.AF_INET
    return family


def table_selected(selector) -> int:
    """filter.tb: main unless `table ID|all`; 0 means every table."""
    if selector.table == "all":
        return 0
    return known(selector.table).number if selector.table is not None else RT_TABLE_MAIN


def dump(command, session: Session) -> list[bytes]:
    """The strict route dump ip sends (iproute_dump_filter()): the kernel
    filters by family, table, protocol and device, and refuses a table that does not exist."""
    return session.rtnl.dump(RTM_GETROUTE, dump_request(command, session))


def dump_request(command, session: Session) -> bytes:
    """iproute_dump_filter()'s request: the table goes in RTA_TABLE, the rtmsg's own stays 0."""
    selector = command.body
    if selector.vrf is not None:
        raise unsupported("vrf")
    protocol = selector.protocol.number if hasattr(selector.protocol, "number") else 0
    flags = RTM_F_CLONED if selector.cached else 0
    body = RTMSG.pack(dump_family(command), 0, 0, 0, 0, protocol, 0, 0, flags)
    table = table_selected(selector)
    if table:
        body += attr_u32(RTA_TABLE, table)
    if selector.dev is not None:
        body += attr_u32(RTA_OIF, session.links.index(selector.dev))
    return body


def route_filter(selector):
    """A pyip.ast RouteSelector as pyip.show's RouteFilter."""
    table = selector.table
    return show_package.RouteFilter(
        table=table if table in (None, "all") else known(table).number,
        protocol=number_or_all(selector.protocol), scope=number_or_all(selector.scope),
        type=ROUTE_TYPES[selector.type] if selector.type else None,
        dev=known(selector.dev), iif=known(selector.iif),
        via=prefix_text(selector.via), src=prefix_text(selector.src),
        tos=selector.tos.number if selector.tos is not None else None,
        metric=known(selector.metric), mark=known(selector.mark),
        realms=realms_value(selector.realms) if selector.realms is not None else None,
        to=mode_prefix(selector.to), from_=mode_prefix(selector.from_), cloned=selector.cached)


def number_or_all(value) -> int | None:
    return None if value is None or value == "all" else known(value).number


def mode_prefix(selector) -> tuple | None:
    return None if selector is None else (selector[0], prefix_text(selector[1]))


def selected(messages: list[bytes], command, session: Session, links) -> list[bytes]:
    """The dumped routes that `ip route show` prints for this selector."""
    options = show_options(command.options, session.names)
    names = show_common.Names(options, links)
    selection = shown.Selection.listing(route_filter(command.body), options, names)
    return [m for m in messages if shown.selected(shown.Route.of(m), selection)]


# -- iproute_get() ---------------------------------------------------------------------

def get(command, session: Session) -> Result:
    question = command.body
    for word, value in (("vrf", question.vrf), ("as", question.as_)):
        if value:
            raise unsupported(word)
    family = FAMILIES[known(question.to).family]
    warnings, body = get_request(question, family, session)
    try:
        [answer] = session.rtnl.talk(session.rtnl.request(RTM_GETROUTE, NLM_F_REQUEST, body))
    except KernelError as error:
        return Result(2, stderr=warnings + error.message + "\n", errno=error.errno)
    links = dump_links(session.rtnl)
    options = show_options(command.options, session.names)
    text = show_package.format_route_get(answer, links, options)
    if question.connected and question.from_ is None:
        return connected_get(body, answer, text, warnings, session, links, options)
    return Result(0, text, warnings, (route_node(answer, Links(links), session.names),))


def connected_get(body: bytes, answer: bytes, first: str, warnings: str, session: Session, links, options) -> Result:
    """`get ... connected`, as iproute2 6.1 does it: print the answer; give up without a source to
    connect from; else send the first request again (the rewritten answer it prepares is never sent)
    and print that answer too, as text whatever -j says (the JSON object is closed by then)."""
    if not {RTA_PREFSRC, RTA_SRC} & shown.Route.of(answer).attrs.keys():
        return Result(1, first, warnings + "Failed to connect the route\n")
    try:
        [again] = session.rtnl.talk(session.rtnl.request(RTM_GETROUTE, NLM_F_REQUEST, body))
    except KernelError as error:
        return Result(2, first, warnings + error.message + "\n", errno=error.errno)
    second = show_package.format_route_get(again, links, records.evolve(options, json=False, pretty=False))
    return Result(0, first + second, warnings, (route_node(again, Links(links), session.names),))


def get_request(question, family: int, session: Session) -> tuple[str, bytes]:
    """The RTM_GETROUTE of `ip route get`, and the warning ip gives a non-host prefix."""
    host = 32 if family == socket.AF_INET else 128
    warnings = ""
    if question.to.length != host:
        warnings = "Warning: /%u as prefix is invalid, only /%u (or none) is supported.\n" % (
            question.to.length, host)
    flags = (RTM_F_LOOKUP_TABLE if family == socket.AF_INET else 0)
    flags |= (RTM_F_FIB_MATCH if question.fibmatch else 0) | (RTM_F_NOTIFY if question.notify else 0)
    source = known(question.from_)
    tos = question.tos.number if question.tos is not None else 0
    rtmsg = RTMSG.pack(family, host, source.length if source else 0, tos, 0, 0, 0, 0, flags)
    parts = [prefix_attr(RTA_DST, question.to), prefix_attr(RTA_SRC, source)]
    for kind, device in ((RTA_IIF, question.iif), (RTA_OIF, question.oif)):
        if device is not None:
            parts.append(attr_u32(kind, session.links.index(device)))
    for kind, value in ((RTA_MARK, question.mark), (RTA_UID, question.uid)):
        if value is not None:
            parts.append(attr_u32(kind, known(value)))
    if question.ipproto is not None:
        parts.append(attr_u8(RTA_IP_PROTO, ip_protocol(known(question.ipproto))))
    for kind, port in ((RTA_SPORT, question.sport), (RTA_DPORT, question.dport)):
        if port is not None:
            parts.append(attr(kind, PORT.pack(known(port))))
    return warnings, rtmsg + b"".join(parts)


# -- what the kernel holds, as pyip.ast ---------------------------------------------------

def route_node(message: bytes, links: Links, names) -> Route:
    """A dumped route as the pyip.ast Route that would create it."""
    route = shown.Route.of(message)
    values = route.attrs
    return Route(
        dst=prefix_of(route.family, values.get(RTA_DST), route.dst_len),
        type=None if route.type == RTN_UNICAST else show_common.RTN_NAMES.get(route.type, str(route.type)),
        src_prefix=prefix_of(route.family, values[RTA_SRC], route.src_len) if RTA_SRC in values else None,
        tos=named(names.dsfield, route.tos) if route.tos else None,
        gateway=gateway_of(route.family, values),
        dev=links.name(route.u32(RTA_OIF)) if RTA_OIF in values else None,
        table=named(names.tables, route.table), protocol=named(names.protocols, route.protocol),
        scope=named(names.scopes, route.scope),
        metric=route.u32(RTA_PRIORITY) if RTA_PRIORITY in values else None,
        prefsrc=ipaddress.ip_address(values[RTA_PREFSRC]) if RTA_PREFSRC in values else None,
        metrics=metrics_of(values.get(RTA_METRICS, b"")),
        realms=realms_of(route.u32(RTA_FLOW), names) if RTA_FLOW in values else None,
        onlink=bool(route.flags & RTNH_F_ONLINK),
        nexthops=nexthops_of(route.family, values.get(RTA_MULTIPATH, b""), links, names),
        nhid=route.u32(RTA_NH_ID) if RTA_NH_ID in values else None,
        pref=next((k for k, v in ROUTER_PREFS.items() if v == raw.u8(values[RTA_PREF])), None)
        if RTA_PREF in values else None,
        expires=expires_of(values.get(RTA_CACHEINFO)),
    )


def prefix_of(family: int, payload: bytes | None, length: int) -> Prefix:
    if payload is None:
        zero = ipaddress.ip_address(b"\0" * (4 if family == socket.AF_INET else 16))
        return Prefix(zero, length, "default" if length == 0 else None)
    return Prefix(ipaddress.ip_address(payload), length)


def gateway_of(family: int, values: dict) -> Gateway | None:
    if RTA_GATEWAY in values:
        return Gateway(ipaddress.ip_address(values[RTA_GATEWAY]))
    if RTA_VIA in values:
        via = values[RTA_VIA]
        via_family = raw.u16(via)
        return Gateway(ipaddress.ip_address(via[2:]), "inet6" if via_family == socket.AF_INET6 else "inet")
    return None


def realms_of(flow: int, names) -> Realms:
    source = flow >> 16
    return Realms(named(names.realms, flow & 0xFFFF), named(names.realms, source) if source else None)


def metrics_of(payload: bytes) -> tuple[Metric, ...]:
    found = raw.attributes(payload)
    lock = raw.u32(found[RTAX_LOCK]) if RTAX_LOCK in found else 0
    metrics = []
    for name, number in RTAX.items():
        if number not in found:
            continue
        if name == "congctl":
            value = raw.string(found[number])
        elif name == "features":
            value = "ecn"
        else:
            value = raw.u32(found[number]) // TIME_SCALE.get(name, 1)
        timed = name in ("rtt", "rttvar", "rto_min")
        metrics.append(Metric(name, value, bool(lock & 1 << number), timed, "ms" if timed else None))
    return tuple(metrics)


def nexthops_of(family: int, payload: bytes, links: Links, names) -> tuple[Nexthop, ...]:
    hops = []
    for (_, flags, weight, ifindex), values in raw.multipath(payload):
        hops.append(Nexthop(gateway=gateway_of(family, values), dev=links.name(ifindex) if ifindex else None,
                            weight=weight + 1, onlink=bool(flags & RTNH_F_ONLINK),
                            realms=realms_of(raw.u32(values[RTA_FLOW]), names) if RTA_FLOW in values else None))
    return tuple(hops)


def expires_of(cacheinfo: bytes | None) -> int | None:
    if cacheinfo is None:
        return None
    expires = shown.CACHEINFO.unpack_from(cacheinfo)[2]
    return int(expires / show_common.user_hz()) if expires else None
