"""`ip route|rule|address show` without selectors: the dump printed from line templates.

What pyip.netlink.rule.show() and pyip.netlink.address.show() do with a
stream to write to, and all the drop-in's `OBJECT show` shortcut
(pyip.cli.dropin.fast_show()) runs: this module needs the socket
(pyip.netlink.rtnl) and the printers, not the syntax tree or the value
readers, whose modules would cost a listing's start-up time.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from .rtnl import ATTR_U32, KernelError, Rtnl, dump_links, written_to

RTM_NEWADDR, RTM_GETADDR = 20, 22
RTM_NEWROUTE, RTM_GETROUTE = 24, 26
RTM_NEWRULE, RTM_GETRULE = 32, 34
IFADDRMSG = struct.Struct("=BBBBI")
FIB_RULE_HDR = struct.Struct("=BBBBBBBBI")
RTMSG = struct.Struct("=BBBBBBBBI")
RTA_TABLE, RT_TABLE_MAIN = 15, 254
ENOENT = 2


def routes(rtnl: Rtnl, options, out) -> tuple[int, str]:
    """iproute_list_flush_or_save()'s listing of table main (`ip route show`), written to OUT as
    the kernel dumps it; (exit status, stderr).  The strict dump asks for table main in the -4/-6
    family, IPv4 when none is given (pyip.netlink.route.dump_request() of no selector)."""
    from ..show.route import RouteFilter, RouteListing

    listed = RouteListing(dump_links(rtnl), options, RouteFilter())
    body = RTMSG.pack(options.family or socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0) + ATTR_U32.pack(8, RTA_TABLE,
                                                                                                  RT_TABLE_MAIN)
    return stream_routes(rtnl, listed, out, body, RT_TABLE_MAIN)[:2]


def stream_routes(rtnl: Rtnl, listed, out, body: bytes, table: int) -> tuple[int, str, int | None]:
    """The route dump BODY asks for (of TABLE, 0 for all) printed by LISTED (a RouteListing) to
    OUT as it comes; (exit status, stderr, the kernel's errno if it refused the dump)."""
    try:
        rtnl.dump_into(RTM_GETROUTE, body, written_to(out, listed, RTM_NEWROUTE))
    except KernelError as error:
        if not (error.errno == ENOENT and table == RT_TABLE_MAIN):
            # ip's listing stops where the kernel refused; `Error: ipv4: FIB table does not exist.`
            # for table main (a new namespace) is the one refusal it lets pass (save_route_errhndlr())
            out.write(listed.take())  # JSON's opening bracket, at least
            return 2, error.message + "\nDump terminated\n", error.errno
    out.write(listed.result())
    return 0, "", None


def rule_dump_request(family: int | None) -> bytes:
    """RTM_GETRULE's body: every rule of the family (ShowOptions.family), IPv4 when none is given."""
    return FIB_RULE_HDR.pack(family or socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)


def rules(rtnl: Rtnl, options, out, flt=None) -> tuple[int, str]:
    """iprule_list_flush_or_save()'s listing written to OUT as the kernel dumps the rules;
    (exit status, stderr).  FLT: the selectors (pyip.show.rule.RuleFilter), none by default."""
    from ..show.rule import NO_FILTER, RuleListing

    listing = RuleListing({}, options, NO_FILTER if flt is None else flt)
    try:
        rtnl.dump_into(RTM_GETRULE, rule_dump_request(options.family), written_to(out, listing, RTM_NEWRULE))
    except KernelError as error:
        out.write(listing.take())  # JSON's opening bracket, at least, as ip leaves it
        # rtnl_dump_filter() failed (`ip -0 rule`: the family is refused): ip says so and exits 255
        return 255, error.message + "\nDump terminated\n"
    out.write(listing.result())
    return 0, ""


def addresses(rtnl: Rtnl, options, out) -> None:
    """ipaddr_list_flush_or_save()'s listing of every address (not under -0), written to OUT once
    both dumps are read, as ip prints it; the kernel's refusal of a dump is raised (KernelError)
    before anything is written."""
    from ..show.address import AddressListing, queue_lengths

    family = options.family
    links = dump_links(rtnl, family or socket.AF_UNSPEC)
    # the IPv6 link dump has no queue lengths, which ip reads with an ioctl: a family-less dump has them
    lengths = queue_lengths(dump_links(rtnl)) if family == socket.AF_INET6 else None
    listing = AddressListing(links, options, lengths)
    body = IFADDRMSG.pack(family or socket.AF_UNSPEC, 0, 0, 0, 0)
    rtnl.dump_into(RTM_GETADDR, body, lambda data, seq: listing.feed_datagram(data, seq, RTM_NEWADDR))
    out.write(listing.result())
