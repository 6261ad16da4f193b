"""Print kernel state exactly as iproute2 6.1's `ip route|rule|addr show` does.

    from pyip.show import ShowOptions, RouteFilter, dump, format_routes
    routes = dump("ns1", "routes")
    links = dump("ns1", "links")
    print(format_routes(routes, links, ShowOptions(details=True), RouteFilter(table="all")), end="")

Inputs are netlink messages: their bytes, or pyroute2's messages (the
printers read the raw bytes, see pyip.show.netlink); `links` is link
messages or a mapping ifindex -> name.  Outputs are the bytes `ip` writes
to stdout.  Refusals (`Cannot find device "X"`) raise ShowError with ip's
message.  A listing can also be printed as a dump arrives, datagram by
datagram, as the drop-in prints it (route.RouteListing, rule.RuleListing:
feed_datagram(datagram, seq, type) or feed(datagram, spans), take(), result());
big tables print from line templates (pyip.show.templates).

What to dump for each command, as `ip` itself asks the kernel:
  ip route show         dump(ns, "routes"), dump(ns, "links")
  ip route get DST      lookup_route(ns, DST), dump(ns, "links")
  ip rule show          dump(ns, "rules", family)
  ip addr show          dump(ns, "links", family), dump(ns, "addresses", family)
                        but for `ip addr show dev X` ip fetches that one link
                        with a family-less request: dump(ns, "links") then;
                        under -6, pass queue_lengths(dump(ns, "links")) too.
pyroute2 is imported only by dump() and lookup_route().
"""

from __future__ import annotations

# The printers load on first use: `ip route show` (pyip.netlink.route imports pyip.show.route) need
# not pay for the address and rule printers' modules at start-up.
_LAZY = {"AddrFilter": "address", "format_addresses": "address", "queue_lengths": "address",
         "ShowError": "common", "ShowOptions": "common", "RouteFilter": "route", "format_route_get": "route",
         "format_routes": "route", "RuleFilter": "rule", "format_rules": "rule"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ..lazy import submodule

    value = getattr(submodule(__name__, _LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = ["ShowOptions", "ShowError", "RouteFilter", "RuleFilter", "AddrFilter",
           "format_routes", "format_rules", "format_addresses", "format_route_get",
           "dump", "lookup_route", "queue_lengths"]

RTM_F_LOOKUP_TABLE = 0x1000
DUMPS = ("routes", "rules", "addresses", "links")


def dump(netns: str | None, what: str, family: int | None = None) -> list:
    """Read routes, rules, addresses or links from the kernel (in netns NAME
    when given) with one pyroute2 socket, closed before returning.

    family None dumps every family; for links, AF_INET6 gets the kernel's
    IPv6 view of the links, which is what `ip -6 addr` prints.
    """
    if what not in DUMPS:
        raise ValueError("dump() reads one of %s, not %r" % (", ".join(DUMPS), what))
    import socket

    from pyroute2 import IPRoute

    family = family or socket.AF_UNSPEC
    with IPRoute(**({"netns": netns} if netns else {})) as ipr:
        if what == "routes":
            return list(ipr.route("dump", family=family))
        if what == "rules":
            return list(ipr.get_rules(family=family))
        if what == "addresses":
            return list(ipr.get_addr(family=family))
        return list(ipr.link("dump", family=family))


def lookup_route(netns: str | None, destination: str):
    """The kernel's answer to `ip route get DESTINATION`, for format_route_get().

    Like ip, IPv4 lookups ask for the table that matched (RTM_F_LOOKUP_TABLE).
    """
    from pyroute2 import IPRoute

    flags = 0 if ":" in destination else RTM_F_LOOKUP_TABLE
    with IPRoute(**({"netns": netns} if netns else {})) as ipr:
        return ipr.route("get", dst=destination, flags=flags)[0]
