"""`ip address` over rtnetlink: ipaddr_modify(), ipaddr_list_flush_or_save()
and ipaddr_flush() of iproute2's ip/ipaddress.c, from a parsed pyip.ast command."""

from __future__ import annotations

import os
import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from ..lazy import LazyModule
from ..ast import InterfaceAddress, Lifetime, Prefix
from ..errors import PyipError
from ..prefix import parse_prefix
from ..show import AddrFilter, ShowError, format_addresses, queue_lengths
from ..show import address as shown
from ..show import netlink as raw
from ..show.common import Names
from . import listing
from .common import (FAMILIES, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST,
                     CommandFailed, KernelError, Links, Request, Result, Session, attr, attr_string,
                     attr_u32, dump_links, group_number, known, named, prefix_text, show_options, talk,
                     unsupported)

ipaddress = LazyModule("ipaddress")  # only to build pyip.ast nodes from a dump, not for the drop-in's show

RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
IFADDRMSG = struct.Struct("=BBBBI")
CACHEINFO = struct.Struct("=IIII")

IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_ANYCAST = 1, 2, 3, 4, 5
IFA_CACHEINFO, IFA_FLAGS, IFA_RT_PRIORITY = 6, 8, 9
INFINITY_LIFE_TIME = 0xFFFFFFFF
IFA_F_SECONDARY = 0x01
RT_SCOPE_HOST = 254

MODIFY_VERBS = {"add": NLM_F_CREATE | NLM_F_EXCL, "change": NLM_F_REPLACE,
                "replace": NLM_F_CREATE | NLM_F_REPLACE, "delete": 0}
# The flags `ip address add` takes, in ipaddr_modify() order; IPv6-only ones warn on IPv4.
CONF_FLAGS = {"home": 0x10, "nodad": 0x02, "optimistic": 0x04, "mngtmpaddr": 0x100,
              "noprefixroute": 0x200, "autojoin": 0x400}
IPV6_ONLY_FLAGS = ("home", "nodad", "optimistic", "mngtmpaddr")
WILDCARD_WARNING = (
    "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"
    "         Explicitly specify the prefix length (%s/%d) to avoid this warning.\n"
    "         This special behaviour is likely to disappear in further releases,\n"
    "         fix your scripts!\n")


def execute(command, session: Session, words=(), out=None) -> Result:
    """`words`, the command as typed, tell `ip address del ADDR` (no /len) from ADDR/32."""
    verb = command.verb
    if verb in MODIFY_VERBS:
        return talk(session, request(command, session, length_typed(command, words)))
    if verb == "show":
        return show(command, session, out)
    if verb == "flush":
        return flush(command, session)
    raise unsupported("ip address " + verb)


def length_typed(command, words) -> bool:
    """Was the local address given with a /len?  pyip.ast.Prefix does not
    remember; a typed word holding the same address and a slash does.
    Without the words, the length counts as typed."""
    local = command.body.local
    if not words or local is None:
        return True
    for word in words:
        text = getattr(word, "text", word)
        if "/" in text:
            try:
                prefix = parse_prefix(text, local.family)
            except PyipError:
                continue
            if getattr(prefix, "address", None) == local.address:
                return True
    return False


# -- ipaddr_modify() ------------------------------------------------------------------

def request(command, session: Session, typed: bool = True) -> Request:
    """The RTM_NEWADDR / RTM_DELADDR that `ip address VERB ...` sends."""
    address: InterfaceAddress = command.body
    deleting = command.verb == "delete"
    local, peer = known(address.local), known(address.peer)
    family = FAMILIES[(local or peer).family] if (local or peer) else socket.AF_INET
    warnings = flag_warnings(address, family)
    wildcard = deleting and peer is None and local is not None and family == socket.AF_INET and not typed
    if wildcard:
        warnings += WILDCARD_WARNING % (local.address, 32)
    elif peer is None:
        peer = local
    try:
        body = header_and_attributes(address, session, local, peer, family, deleting)
    except CommandFailed as failure:  # ip printed its warnings before failing
        raise CommandFailed(warnings + failure.message, failure.status) from None
    kind = RTM_DELADDR if deleting else RTM_NEWADDR
    flags = NLM_F_REQUEST | NLM_F_ACK | MODIFY_VERBS[command.verb]
    return Request(session.rtnl.request(kind, flags, body), warnings)


def header_and_attributes(address: InterfaceAddress, session: Session, local, peer, family: int,
                          deleting: bool) -> bytes:
    """The ifaddrmsg and its attributes, with ip's checks in ip's order."""
    parts = [attr(IFA_LOCAL, local.address.packed) if local else b"",
             attr(IFA_ADDRESS, peer.address.packed) if peer else b"",
             broadcast_attr(address, peer, family, deleting)]
    index = session.links.index(address.dev)
    parts.append(other_attributes(address))
    flags = conf_flags(address, family)
    if flags > 0xFF:
        parts.append(attr_u32(IFA_FLAGS, flags))
    prefixlen = (peer or local).length if (peer or local) else 0
    header = IFADDRMSG.pack(family, prefixlen, flags if flags <= 0xFF else 0,
                            address_scope(address, local, deleting), index)
    return header + b"".join(parts)


def flag_warnings(address: InterfaceAddress, family: int) -> str:
    if family == socket.AF_INET6:
        return ""
    return "".join("Warning: %s option can be set only for IPv6 addresses\n" % flag
                   for flag in address.flags if flag in IPV6_ONLY_FLAGS)


def conf_flags(address: InterfaceAddress, family: int) -> int:
    flags = 0
    for flag in address.flags:
        if family == socket.AF_INET6 or flag not in IPV6_ONLY_FLAGS:
            flags |= CONF_FLAGS[flag]
    return flags


def address_scope(address: InterfaceAddress, local, deleting: bool) -> int:
    """default_scope(): host for 127.0.0.0/8, else global; deletions match any."""
    if address.scope is not None:
        return known(address.scope).number
    if deleting or local is None:
        return 0
    return RT_SCOPE_HOST if local.family == 4 and local.address.packed[0] == 127 else 0


def broadcast_attr(address: InterfaceAddress, peer, family: int, deleting: bool) -> bytes:
    """IFA_BROADCAST: an address, or `+`/`-` made from the peer prefix (up to /30)."""
    broadcast = known(address.broadcast)
    if broadcast is None:
        return b""
    if broadcast not in ("+", "-"):
        return attr(IFA_BROADCAST, broadcast.packed)
    if deleting:
        return b""
    if family != socket.AF_INET:
        raise CommandFailed("Broadcast can be set only for IPv4 addresses", 1)
    if peer is None or peer.length > 30:
        return b""
    host_bits = (1 << (32 - peer.length)) - 1
    base = int(peer.address)
    value = base | host_bits if broadcast == "+" else base & ~host_bits
    return attr(IFA_BROADCAST, ipaddress.IPv4Address(value).packed)


def other_attributes(address: InterfaceAddress) -> bytes:
    parts = []
    if address.anycast is not None:
        parts.append(attr(IFA_ANYCAST, known(address.anycast).packed))
    if address.label is not None:
        parts.append(attr_string(IFA_LABEL, address.label))
    if address.metric is not None:
        parts.append(attr_u32(IFA_RT_PRIORITY, known(address.metric)))
    if address.valid_lft is not None or address.preferred_lft is not None:
        parts.append(lifetimes_attr(address))
    return b"".join(parts)


def lifetimes_attr(address: InterfaceAddress) -> bytes:
    valid = lifetime_seconds(address.valid_lft)
    preferred = lifetime_seconds(address.preferred_lft)
    if not valid:
        raise CommandFailed("valid_lft is zero", 1)
    if valid < preferred:
        raise CommandFailed("preferred_lft is greater than valid_lft", 1)
    return attr(IFA_CACHEINFO, CACHEINFO.pack(preferred, valid, 0, 0))


def lifetime_seconds(lifetime: Lifetime | None) -> int:
    if lifetime is None or lifetime.seconds is None:
        return INFINITY_LIFE_TIME
    return known(lifetime.seconds)


# -- ipaddr_list_flush_or_save() ---------------------------------------------------------

def dump(session: Session, family: int | None, index: int = 0) -> list[bytes]:
    """The address dump ip sends (ipaddr_dump_filter(): the device's index, if any)."""
    body = IFADDRMSG.pack(family or socket.AF_UNSPEC, 0, 0, 0, index)
    return session.rtnl.dump(RTM_GETADDR, body)


def show(command, session: Session, out=None) -> Result:
    """ipaddr_list_flush_or_save() listing.  Like ip, both dumps come first, then the
    printing; with OUT (a text stream) the text goes there and the Result holds
    neither stdout nor objects."""
    options = show_options(command.options, session.names)
    selector = command.body
    flt = address_filter(selector, session)
    if out is not None and flt == shown.NO_FILTER and options.family != socket.AF_PACKET:
        # no selectors: the addresses' datagrams as they come, each address printed from a template
        listing.addresses(session.rtnl, options, out)
        return Result(0)
    family = None if options.family == socket.AF_PACKET else options.family
    # Like ip: links in the -4/-6 family, but one named device with a family-less request.
    links = dump_links(session.rtnl, socket.AF_UNSPEC if selector.dev else family or socket.AF_UNSPEC)
    lengths = queue_lengths(dump_links(session.rtnl)) if family == socket.AF_INET6 else None
    addresses = dump(session, family)
    try:
        text = format_addresses(links, addresses, options, flt, lengths)
    except ShowError as error:
        return Result(1, stderr="%s\n" % error)
    if out is not None:
        out.write(text)
        return Result(0)
    chosen = listed(links, addresses, options, flt)
    address_links = Links(links)
    return Result(0, text, objects=tuple(address_node(a, address_links, session.names) for a in chosen))


def address_filter(selector, session: Session) -> AddrFilter:
    """A pyip.ast AddressSelector as pyip.show's AddrFilter."""
    scope = selector.scope
    return AddrFilter(
        dev=known(selector.dev), label=known(selector.label),
        scope=None if scope in (None, "all") else known(scope).number,
        to=prefix_text(selector.to), up=selector.up, flags=selector.flags,
        group=group_number(known(selector.group), 'Invalid "group" value') if selector.group is not None else None,
        master=known(selector.master) or known(selector.vrf), nomaster=selector.nomaster,
        kind=known(selector.type))


def listed(links: list[bytes], addresses: list[bytes], options, flt: AddrFilter) -> list[bytes]:
    """The addresses `ip address show` prints (format_addresses()'s selection)."""
    names = Names(options, links)
    sel = shown.Selection.of(flt, options, names)
    kept = [link for link in map(shown.Link.of, links) if not shown.link_filtered_by_kernel(link, sel)]
    decoded = [(message, shown.Address.of(message)) for message in addresses]
    kept = shown.links_with_addresses(kept, [a for _, a in decoded], sel, names)
    up = {link.index for link in kept if link.flags & shown.IFF_UP or not sel.up}
    return [message for message, a in decoded
            if a.index in up and (not sel.family or a.family == sel.family)
            and shown.address_selected(a, sel, names)]


def flush(command, session: Session) -> Result:
    """ipaddr_flush(): delete every address the selector matches, secondaries
    first (deleting a primary takes its secondaries along), round after round."""
    options = show_options(command.options, session.names)
    flt = address_filter(command.body, session)
    family = None if options.family == socket.AF_PACKET else options.family
    names = Names(options, dump_links(session.rtnl))
    try:
        sel = shown.Selection.of(flt, options, names)
    except ShowError as error:
        return Result(1, stderr="%s\n" % error)
    index = sel.ifindex or 0
    out, rounds = [], 0
    while True:
        try:
            doomed = flushed(dump(session, family, index), sel, names)
        except KernelError as error:
            return Result(2, "".join(out), error.message + "\nFlush terminated\n", errno=error.errno)
        if not doomed:
            break
        rounds += 1
        for message in doomed:
            try:
                session.rtnl.talk(session.rtnl.request(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, message[16:]))
            except KernelError as error:
                return Result(2, "".join(out), "Failed to send flush request: %s\n" % os.strerror(error.errno))
        if options.stats:
            out.append("\n*** Round %d, deleting %d addresses ***\n" % (rounds, len(doomed)))
        if sel.flagmask & IFA_F_SECONDARY and not sel.flags & IFA_F_SECONDARY:
            break  # flushing primaries only: promoted secondaries stay
    if options.stats:
        out.append("Nothing to flush.\n" if rounds == 0 else
                   "*** Flush is complete after %d round%s ***\n" % (rounds, "s" if rounds > 1 else ""))
    return Result(0, "".join(out))


def flushed(messages: list[bytes], sel, names: Names) -> list[bytes]:
    """print_addrinfo()'s tests when flushing: family, device and the address selectors."""
    chosen = []
    for message in messages:
        a = shown.Address.of(message)
        if sel.family and a.family != sel.family or sel.ifindex is not None and a.index != sel.ifindex:
            continue
        if shown.address_selected(a, sel, names):
            chosen.append((not a.flags & IFA_F_SECONDARY, message))
    return [message for _, message in sorted(chosen, key=lambda pair: pair[0])]


# -- what the kernel holds, as pyip.ast ------------------------------------------------------

def address_node(message: bytes, links: Links, names) -> InterfaceAddress:
    """A dumped address as the pyip.ast InterfaceAddress that would create it."""
    a = shown.Address.of(message)
    values = a.attrs
    local = Prefix(ipaddress.ip_address(values[IFA_LOCAL]), a.prefixlen)
    peer = Prefix(ipaddress.ip_address(values[IFA_ADDRESS]), a.prefixlen)
    preferred = valid = None
    if IFA_CACHEINFO in values:
        preferred, valid = (Lifetime(None if s == INFINITY_LIFE_TIME else s)
                            for s in struct.unpack_from("=II", values[IFA_CACHEINFO]))
    return InterfaceAddress(
        local=local, dev=links.name(a.index), peer=peer if peer != local else None,
        broadcast=ipaddress.ip_address(values[IFA_BROADCAST]) if IFA_BROADCAST in values else None,
        anycast=ipaddress.ip_address(values[IFA_ANYCAST]) if IFA_ANYCAST in values else None,
        label=raw.string(values[IFA_LABEL]) if IFA_LABEL in values else None,
        scope=named(names.scopes, a.scope),
        metric=raw.u32(values[IFA_RT_PRIORITY]) if IFA_RT_PRIORITY in values else None,
        valid_lft=valid, preferred_lft=preferred,
        flags=tuple(name for name, bit in CONF_FLAGS.items() if a.flags & bit),
    )  # no IFA_PROTO: ip 6.1 has no address `proto` to write it with
