"""`ip rule show` and `ip address show` without selectors: the dump printed from line templates.

What pyip.netlink.rule.show() and pyip.netlink.address.show() do with a
stream to write to, and all the drop-in's `OBJECT show` shortcut
(pyip.cli.dropin.fast_show()) runs: this module needs the socket
(pyip.netlink.rtnl) and the printers, not the syntax tree or the value
readers, whose modules would cost a listing's start-up time.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from .rtnl import KernelError, Rtnl, dump_links, written_to

RTM_NEWADDR, RTM_GETADDR = 20, 22
RTM_NEWRULE, RTM_GETRULE = 32, 34
IFADDRMSG = struct.Struct("=BBBBI")
FIB_RULE_HDR = struct.Struct("=BBBBBBBBI")


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
