"""`ip address show` output: ip/ipaddress.c, print_linkinfo() and print_addrinfo().

The links come from a link dump and the addresses from an address dump,
both made with the -4/-6 family as ip makes them: the kernel answers an
AF_INET6 link dump with fewer attributes (no qdisc, no group), and that
shows in the output.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)
from _collections_abc import Mapping  # collections.abc's own: `import collections` costs start-up time

from ..lazy import LazyModule
from .. import records

from pyip.show import netlink
from pyip.show.templates import ADDR4, ADDR6, SKIP, Templates
from pyip.show.common import (PRINT_ANY, PRINT_FP, PRINT_JSON, Names, Prefix, Printer, ShowError,
                              ShowOptions, family_name, prefix_matches_attribute)

fnmatch = LazyModule("fnmatch")  # only for a `label` selector

IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_ANYCAST = 1, 2, 3, 4, 5
IFA_CACHEINFO, IFA_MULTICAST, IFA_FLAGS, IFA_RT_PRIORITY = 6, 7, 8, 9
INFINITY_LIFE_TIME = 0xFFFFFFFF
IFA_F_SECONDARY, IFA_F_DEPRECATED, IFA_F_PERMANENT = 0x01, 0x20, 0x80

IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_QDISC = 1, 2, 3, 4, 5, 6
IFLA_STATS, IFLA_MASTER, IFLA_TXQLEN, IFLA_OPERSTATE, IFLA_LINKINFO = 7, 10, 13, 16, 18
IFLA_IFALIAS, IFLA_STATS64, IFLA_GROUP, IFLA_PROMISCUITY = 20, 23, 27, 30
IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES, IFLA_PHYS_PORT_ID, IFLA_CARRIER_CHANGES = 31, 32, 34, 35
IFLA_PHYS_SWITCH_ID, IFLA_LINK_NETNSID, IFLA_PHYS_PORT_NAME, IFLA_PROTO_DOWN = 36, 37, 38, 39
IFLA_GSO_MAX_SEGS, IFLA_GSO_MAX_SIZE, IFLA_EVENT = 40, 41, 44
IFLA_MIN_MTU, IFLA_MAX_MTU, IFLA_PROP_LIST, IFLA_ALT_IFNAME, IFLA_PERM_ADDRESS = 50, 51, 52, 53, 54
IFLA_PARENT_DEV_NAME, IFLA_PARENT_DEV_BUS_NAME, IFLA_GRO_MAX_SIZE = 56, 57, 58
IFLA_TSO_MAX_SIZE, IFLA_TSO_MAX_SEGS, IFLA_ALLMULTI = 59, 60, 61
IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND = 1, 4

IFF_UP, IFF_RUNNING = 0x1, 0x40
# print_link_flags(): IFF_* bits in print order (RUNNING is never printed).
LINK_FLAGS = ((0x8, "LOOPBACK"), (0x2, "BROADCAST"), (0x10, "POINTOPOINT"), (0x1000, "MULTICAST"),
              (0x80, "NOARP"), (0x200, "ALLMULTI"), (0x100, "PROMISC"), (0x400, "MASTER"),
              (0x800, "SLAVE"), (0x4, "DEBUG"), (0x8000, "DYNAMIC"), (0x4000, "AUTOMEDIA"),
              (0x2000, "PORTSEL"), (0x20, "NOTRAILERS"), (0x1, "UP"), (0x10000, "LOWER_UP"),
              (0x20000, "DORMANT"), (0x40000, "ECHO"))
OPER_STATES = ("UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP")
LINK_EVENTS = ("NONE", "REBOOT", "FEATURE CHANGE", "BONDING FAILOVER", "NOTIFY PEERS",
               "RESEND IGMP", "BONDING OPTION")

# ifa_flag_data[]: name, mask, in print order; "temporary" is secondary on IPv6.
ADDRESS_FLAGS = (("secondary", 0x01), ("temporary", 0x01), ("nodad", 0x02), ("optimistic", 0x04),
                 ("dadfailed", 0x08), ("home", 0x10), ("deprecated", 0x20), ("tentative", 0x40),
                 ("permanent", 0x80), ("mngtmpaddr", 0x100), ("noprefixroute", 0x200),
                 ("autojoin", 0x400), ("stable-privacy", 0x800))

# ll_type_n2a(): ARPHRD_* names.
LINK_TYPES = {
    0: "generic", 1: "ether", 2: "eether", 3: "ax25", 4: "pronet", 5: "chaos", 6: "ieee802",
    7: "arcnet", 8: "atalk", 15: "dlci", 19: "atm", 23: "metricom", 24: "ieee1394",
    32: "infiniband", 256: "slip", 257: "cslip", 258: "slip6", 259: "cslip6", 260: "rsrvd",
    264: "adapt", 270: "rose", 271: "x25", 272: "hwx25", 280: "can", 512: "ppp", 513: "hdlc",
    516: "lapb", 517: "ddcmp", 518: "rawhdlc", 768: "ipip", 769: "tunnel6", 770: "frad",
    771: "skip", 772: "loopback", 773: "ltalk", 774: "fddi", 775: "bif", 776: "sit",
    777: "ip/ddp", 778: "gre", 779: "pimreg", 780: "hippi", 781: "ash", 782: "econet",
    783: "irda", 784: "fcpp", 785: "fcal", 786: "fcpl",
    **{787 + i: "fcfb%d" % i for i in range(13)},
    800: "tr", 801: "ieee802.11", 802: "ieee802.11/prism", 803: "ieee802.11/radiotap",
    804: "ieee802.15.4", 805: "ieee802.15.4/monitor", 820: "phonet", 821: "phonet_pipe",
    822: "caif", 823: "gre6", 824: "netlink", 825: "6lowpan", 0xFFFE: "none", 0xFFFF: "void",
}
IPV4_TUNNEL_TYPES, IPV6_TUNNEL_TYPES = (768, 776, 778), (769, 823)

# struct rtnl_link_stats64, field order.
STATS_FIELDS = ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
                "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
                "rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
                "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
                "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed",
                "rx_nohandler", "rx_otherhost_dropped")
LEGACY_STATS_COUNT = 24  # struct rtnl_link_stats: u32s, no rx_otherhost_dropped


class AddrFilter(metaclass=records.frozen):
    """The selectors of `ip address show`; None / False / () means not given.

    label: a glob, matched like fnmatch(3).  to: a prefix (str or ipaddress
    object).  flags: iproute2's flag words, "-" negates: ("secondary",),
    ("primary",), ("dynamic", "-tentative")...  master: a device name.
    kind: a link kind ("veth"), or "KIND_slave" for the slave kind.
    """

    dev: str | None = None
    label: str | None = None
    scope: int | None = None
    to: object = None
    up: bool = False
    flags: tuple = ()
    group: int | None = None
    master: str | None = None
    nomaster: bool = False
    kind: str | None = None


class Selection(metaclass=records.frozen):
    """The C `filter` of ip/ipaddress.c, resolved against the links."""

    family: int | None
    ifindex: int | None = None
    scope: int | None = None
    flags: int = 0
    flagmask: int = 0
    prefix: Prefix | None = None
    label: str | None = None
    up: bool = False
    group: int | None = None
    master: int | None = None   # -1: only links without a master
    kind: str | None = None
    slave_kind: str | None = None

    @classmethod
    def of(cls, flt: AddrFilter, options: ShowOptions, names: Names) -> Selection:
        prefix = Prefix.of(flt.to) if flt.to is not None else None
        family = options.family or (prefix.family if prefix else None)
        flags, flagmask = _flag_selection(flt.flags)
        kind, slave_kind = flt.kind, None
        if kind and kind.endswith("_slave"):
            kind, slave_kind = None, kind[:-len("_slave")]
        return cls(family=family, ifindex=_device(names, flt.dev), scope=flt.scope,
                   flags=flags, flagmask=flagmask, prefix=prefix, label=flt.label, up=flt.up,
                   group=flt.group, master=-1 if flt.nomaster else _master(names, flt.master),
                   kind=kind, slave_kind=slave_kind)


def _device(names: Names, name: str | None) -> int | None:
    if name is None:
        return None
    index = names.links.index(name)
    if index is None:
        raise ShowError('Device "%s" does not exist.' % name)
    return index


def _master(names: Names, name: str | None) -> int | None:
    if name is None:
        return None
    index = names.links.index(name)
    if index is None:
        raise ShowError('Error: argument "%s" is wrong: Device does not exist' % name)
    return index


def _flag_selection(words) -> tuple[int, int]:
    """get_filter(): flag words into (flags, flagmask)."""
    flags = flagmask = 0
    masks = dict(ADDRESS_FLAGS)
    for word in words:
        inverted, name = word.startswith("-"), word.lstrip("-")
        if name in ("dynamic", "primary"):  # the negations of permanent / secondary
            inverted, name = not inverted, {"dynamic": "permanent", "primary": "secondary"}[name]
        mask = masks[name]
        flags = flags & ~mask if inverted else flags | mask
        flagmask |= mask
    return flags, flagmask


class Address(metaclass=records.frozen):
    """A decoded RTM_NEWADDR, IFA_LOCAL and IFA_ADDRESS standing in for each other."""

    family: int
    prefixlen: int
    scope: int
    index: int
    flags: int
    attrs: dict

    @classmethod
    def of(cls, message, layouts: netlink.Layouts | None = None) -> Address:
        """From a message's bytes (or pyroute2's message); LAYOUTS, when given, reads it faster."""
        if layouts is None:
            decoded = netlink.decode(message, netlink.IFADDRMSG)
            header, table = decoded.header, dict(decoded.attrs)
        else:
            data = netlink.raw_bytes(message)
            header, table, _, _ = layouts.decode(data, 0, netlink.NLMSG_HEADER.unpack_from(data)[0])
        family, prefixlen, flags, scope, index = header
        if IFA_FLAGS in table:  # get_ifa_flags()
            flags = netlink.u32(table[IFA_FLAGS])
        if IFA_LOCAL not in table and IFA_ADDRESS in table:
            table[IFA_LOCAL] = table[IFA_ADDRESS]
        if IFA_ADDRESS not in table and IFA_LOCAL in table:
            table[IFA_ADDRESS] = table[IFA_LOCAL]
        return cls(family, prefixlen, scope, index, flags, table)

    def label(self, names: Names) -> str:
        if IFA_LABEL in self.attrs:
            return netlink.string(self.attrs[IFA_LABEL])
        return names.ifname(self.index)


class Link(metaclass=records.frozen):
    """A decoded RTM_NEWLINK."""

    family: int
    type: int
    index: int
    flags: int
    attrs: dict

    @classmethod
    def of(cls, message) -> Link:
        decoded = netlink.decode(message, netlink.IFINFOMSG)
        family, kind, index, flags, _ = decoded.header
        return cls(family, kind, index, flags, decoded.attrs)

    def u32(self, kind: int) -> int | None:
        return netlink.u32(self.attrs[kind]) if kind in self.attrs else None

    def text(self, kind: int) -> str | None:
        return netlink.string(self.attrs[kind]) if kind in self.attrs else None

    def info(self) -> dict:
        return netlink.attributes(self.attrs.get(IFLA_LINKINFO, b""))


def address_selected(address: Address, sel: Selection, names: Names) -> bool:
    """The tests that ipaddr_filter() and print_addrinfo() share."""
    if sel.scope is not None and address.scope != sel.scope:
        return False
    if (sel.flags ^ address.flags) & sel.flagmask:
        return False
    if sel.label is not None and not fnmatch.fnmatchcase(address.label(names), sel.label):
        return False
    return prefix_matches_attribute(sel.prefix, address.attrs.get(IFA_LOCAL))


def links_with_addresses(links: list[Link], addresses: list[Address], sel: Selection,
                         names: Names) -> list[Link]:
    """ipaddr_filter(): keep links with a selected address, or none at all."""
    kept = []
    by_link = by_index(addresses)
    for link in links:
        own = by_link.get(link.index, [])
        wanted = [a for a in own if not sel.family or a.family == sel.family]
        if any(address_selected(a, sel, names) for a in wanted):
            kept.append(link)
        elif not own and sel.family in (None, socket.AF_PACKET):
            kept.append(link)
    return kept


def by_index(addresses: list[Address]) -> dict[int, list[Address]]:
    """The addresses of each link, in dump order."""
    grouped: dict[int, list[Address]] = {}
    for address in addresses:
        grouped.setdefault(address.index, []).append(address)
    return grouped


def link_filtered_by_kernel(link: Link, sel: Selection) -> bool:
    """What a strict link dump leaves out: other devices, masters, kinds."""
    if sel.ifindex is not None and link.index != sel.ifindex:
        return True
    master = link.u32(IFLA_MASTER)
    if sel.master == -1:
        return bool(master)
    if sel.master is not None and master != sel.master:
        return True
    return sel.kind is not None and netlink.string(link.info().get(IFLA_INFO_KIND, b"")) != sel.kind


def ll_addr(payload: bytes, link_type: int) -> str:
    """ll_addr_n2a(): hex bytes joined by colons, tunnels as IP addresses."""
    if len(payload) == 4 and link_type in IPV4_TUNNEL_TYPES:
        return socket.inet_ntop(socket.AF_INET, payload)
    if len(payload) == 16 and link_type in IPV6_TUNNEL_TYPES:
        return socket.inet_ntop(socket.AF_INET6, payload)
    return ":".join("%02x" % byte for byte in payload)


class AddressPrinter:
    """print_linkinfo(), print_addrinfo() and print_selected_addrinfo()."""

    def __init__(self, out: Printer, names: Names, options: ShowOptions, sel: Selection,
                 queue_lengths: Mapping[int, int]):
        self.out = out
        self.names = names
        self.options = options
        self.sel = sel
        self.queue_lengths = queue_lengths

    # -- the link line --------------------------------------------------

    def link(self, link: Link) -> int:
        """print_linkinfo(): -1 when the link is filtered out, 0 when its
        line is left out (label selector), 1 when printed."""
        if self.sel.up and not link.flags & IFF_UP:
            return -1
        if self.sel.label is not None:
            return 0
        group = link.u32(IFLA_GROUP)
        if group is not None and self.sel.group is not None and group != self.sel.group:
            return -1
        slave_kind = netlink.string(link.info().get(IFLA_INFO_SLAVE_KIND, b""))
        if self.sel.slave_kind is not None and (IFLA_LINKINFO not in link.attrs
                                                or slave_kind != self.sel.slave_kind):
            return -1
        if self.options.brief:
            self._brief_link(link)
            return 0
        self._link_line(link)
        return 1

    def _brief_link(self, link: Link):
        m_flag = self._name_and_link("%-16s ", link)
        if IFLA_OPERSTATE in link.attrs:
            self._operstate(netlink.u8(link.attrs[IFLA_OPERSTATE]))
        if self.sel.family == socket.AF_PACKET:
            if IFLA_ADDRESS in link.attrs:
                self.out.string(PRINT_ANY, "address", "%s ", ll_addr(link.attrs[IFLA_ADDRESS], link.type))
            self._link_flags(link.flags, m_flag)
            self.out.string(PRINT_FP, None, "%s", "\n")

    def _link_line(self, link: Link):
        out = self.out
        out.number(PRINT_ANY, "ifindex", "%d: ", link.index)
        m_flag = self._name_and_link("%s: ", link)
        self._link_flags(link.flags, m_flag)
        if IFLA_MTU in link.attrs:
            out.number(PRINT_ANY, "mtu", "mtu %u ", link.u32(IFLA_MTU))
        if IFLA_QDISC in link.attrs:
            out.string(PRINT_ANY, "qdisc", "qdisc %s ", link.text(IFLA_QDISC))
        if IFLA_MASTER in link.attrs:
            out.string(PRINT_ANY, "master", "master %s ", self.names.ifname(link.u32(IFLA_MASTER)))
        if IFLA_OPERSTATE in link.attrs:
            self._operstate(netlink.u8(link.attrs[IFLA_OPERSTATE]))
        if IFLA_GROUP in link.attrs:
            out.string(PRINT_ANY, "group", "group %s ", self.names.group(netlink.s32(link.attrs[IFLA_GROUP])))
        qlen = link.u32(IFLA_TXQLEN)
        if qlen is None:  # print_queuelen() asks the kernel with SIOCGIFTXQLEN
            qlen = self.queue_lengths.get(link.index)
        if qlen:
            out.number(PRINT_ANY, "txqlen", "qlen %d", qlen)
        if IFLA_EVENT in link.attrs:
            self._event(link.u32(IFLA_EVENT))
        if not self.sel.family or self.sel.family == socket.AF_PACKET or self.options.details:
            self._link_address(link)
        self._netns(link)
        if IFLA_PROTO_DOWN in link.attrs and netlink.u8(link.attrs[IFLA_PROTO_DOWN]):
            out.boolean(PRINT_ANY, "proto_down", " protodown on ", True)
        if self.options.details:
            self._details(link)
            if IFLA_IFALIAS in link.attrs:
                out.string(PRINT_FP, None, "%s    ", out.sl)
                out.string(PRINT_ANY, "ifalias", "alias %s", link.text(IFLA_IFALIAS))
        self._altnames(link)
        out.string(PRINT_FP, None, "%s", "\n")

    def _name_and_link(self, fmt: str, link: Link) -> int:
        """print_name_and_link(): "name@peer", and whether the peer is down."""
        name = link.text(IFLA_IFNAME) or ""
        m_flag = 0
        iflink = link.u32(IFLA_LINK)
        if iflink is not None:
            peer = None
            if not iflink:
                self.out.null(PRINT_JSON, "link", None)
                peer = None if self.out.is_json else "NONE"
            elif IFLA_LINK_NETNSID in link.attrs:
                self.out.number(PRINT_JSON, "link_index", None, iflink)
                peer = None if self.out.is_json else "if%d" % iflink
            else:
                self.out.string(PRINT_JSON, "link", None, self.names.ifname(iflink))
                peer = None if self.out.is_json else self.names.ifname(iflink)
                m_flag = int(not self.names.links.flags.get(iflink, 0) & IFF_UP)
            if peer:
                name = "%s@%s" % (name, peer)
        self.out.string(PRINT_ANY, "ifname", fmt, name)
        return m_flag

    def _link_flags(self, flags: int, m_flag: int):
        out = self.out
        out.open_array(PRINT_ANY, "flags" if out.is_json else "<")
        if flags & IFF_UP and not flags & IFF_RUNNING:
            out.string(PRINT_ANY, None, "%s,", "NO-CARRIER")
        flags &= ~IFF_RUNNING
        for bit, name in LINK_FLAGS:
            if flags & bit:
                flags &= ~bit
                out.string(PRINT_ANY, None, "%s," if flags else "%s", name)
        if flags:
            out.hex(PRINT_ANY, None, "%x", flags)
        if m_flag:
            out.string(PRINT_ANY, None, ",%s", "M-DOWN")
        out.close_array(PRINT_ANY, "> ")

    def _operstate(self, state: int):
        out = self.out
        if state >= len(OPER_STATES):
            if out.is_json:
                out.number(PRINT_JSON, "operstate_index", None, state)
            else:
                out.fp("state %#x" % state)
        elif self.options.brief:
            out.string(PRINT_ANY, "operstate", "%-14s ", OPER_STATES[state])
        elif out.is_json:
            out.string(PRINT_JSON, "operstate", None, OPER_STATES[state])
        else:
            out.fp("state %s " % OPER_STATES[state])

    def _event(self, event: int):
        if event >= len(LINK_EVENTS):
            self.out.number(PRINT_ANY, "event", "event %d ", event)
        elif event:
            self.out.string(PRINT_ANY, "event", "event %s ", LINK_EVENTS[event])

    def _link_address(self, link: Link):
        out = self.out
        out.nl()
        out.string(PRINT_ANY, "link_type", "    link/%s ", self._link_type(link.type))
        address = link.attrs.get(IFLA_ADDRESS)
        if address is not None:
            out.string(PRINT_ANY, "address", "%s", ll_addr(address, link.type))
        if IFLA_BROADCAST in link.attrs:
            if link.flags & 0x10:  # IFF_POINTOPOINT
                out.string(PRINT_FP, None, "%s", " peer ")
                out.boolean(PRINT_JSON, "link_pointtopoint", None, True)
            else:
                out.string(PRINT_FP, None, "%s", " brd ")
            out.string(PRINT_ANY, "broadcast", "%s", ll_addr(link.attrs[IFLA_BROADCAST], link.type))
        permanent = link.attrs.get(IFLA_PERM_ADDRESS)
        if permanent is not None and permanent != address:
            out.string(PRINT_FP, None, "%s", " permaddr ")
            out.string(PRINT_ANY, "permaddr", "%s", ll_addr(permanent, link.type))

    def _link_type(self, link_type: int) -> str:
        if self.options.numeric or link_type not in LINK_TYPES:
            return "[%d]" % link_type
        return LINK_TYPES[link_type]

    def _netns(self, link: Link):
        # ip names the peer namespace when it can map the id to a name in
        # /var/run/netns; this prints the id, as ip does when it cannot.
        if IFLA_LINK_NETNSID not in link.attrs:
            return
        nsid = netlink.s32(link.attrs[IFLA_LINK_NETNSID])
        if self.out.is_json:
            self.out.number(PRINT_JSON, "link_netnsid", None, nsid)
        elif nsid >= 0:
            self.out.fp(" link-netnsid %d" % nsid)
        else:
            self.out.fp(" link-netnsid unknown")

    def _details(self, link: Link):
        """The -d part of the link line (6.1 order and spacing)."""
        out = self.out
        for kind, key, fmt in ((IFLA_PROMISCUITY, "promiscuity", " promiscuity %u "),
                               (IFLA_ALLMULTI, "allmulti", " allmulti %u "),
                               (IFLA_MIN_MTU, "min_mtu", "minmtu %u "),
                               (IFLA_MAX_MTU, "max_mtu", "maxmtu %u ")):
            if kind in link.attrs:
                out.number(PRINT_ANY, key, fmt, link.u32(kind))
        if IFLA_LINKINFO in link.attrs:
            self._link_kind(link.info())
        for kind, key, fmt in ((IFLA_NUM_TX_QUEUES, "num_tx_queues", "numtxqueues %u "),
                               (IFLA_NUM_RX_QUEUES, "num_rx_queues", "numrxqueues %u "),
                               (IFLA_GSO_MAX_SIZE, "gso_max_size", "gso_max_size %u "),
                               (IFLA_GSO_MAX_SEGS, "gso_max_segs", "gso_max_segs %u "),
                               (IFLA_TSO_MAX_SIZE, "tso_max_size", "tso_max_size %u "),
                               (IFLA_TSO_MAX_SEGS, "tso_max_segs", "tso_max_segs %u "),
                               (IFLA_GRO_MAX_SIZE, "gro_max_size", "gro_max_size %u ")):
            if kind in link.attrs:
                out.number(PRINT_ANY, key, fmt, link.u32(kind))
        if IFLA_PHYS_PORT_NAME in link.attrs:
            out.string(PRINT_ANY, "phys_port_name", "portname %s ", link.text(IFLA_PHYS_PORT_NAME))
        for kind, key, fmt in ((IFLA_PHYS_PORT_ID, "phys_port_id", "portid %s "),
                               (IFLA_PHYS_SWITCH_ID, "phys_switch_id", "switchid %s ")):
            if kind in link.attrs:
                out.string(PRINT_ANY, key, fmt, link.attrs[kind].hex())
        for kind, key, fmt in ((IFLA_PARENT_DEV_BUS_NAME, "parentbus", "parentbus %s "),
                               (IFLA_PARENT_DEV_NAME, "parentdev", "parentdev %s ")):
            if kind in link.attrs:
                out.string(PRINT_ANY, key, fmt, link.text(kind))

    def _link_kind(self, info: dict):
        """print_linktype(), without the kind-specific print_opt() parts."""
        out = self.out
        out.open_object("linkinfo")
        if IFLA_INFO_KIND in info:
            out.nl()
            out.string(PRINT_ANY, "info_kind", "    %s ", netlink.string(info[IFLA_INFO_KIND]))
        if IFLA_INFO_SLAVE_KIND in info:
            out.nl()
            slave_kind = netlink.string(info[IFLA_INFO_SLAVE_KIND])
            out.string(PRINT_ANY, "info_slave_kind", "    %s_slave ", slave_kind)
        out.close_object()

    def _altnames(self, link: Link):
        if IFLA_PROP_LIST not in link.attrs:
            return
        self.out.open_array(PRINT_JSON, "altnames")
        for kind, payload in netlink.attribute_list(link.attrs[IFLA_PROP_LIST]):
            if kind == IFLA_ALT_IFNAME:
                self.out.string(PRINT_FP, None, "%s    altname ", self.out.sl)
                self.out.string(PRINT_ANY, None, "%s", netlink.string(payload))
        self.out.close_array(PRINT_JSON, None)

    # -- the address lines ----------------------------------------------

    def addresses(self, link: Link, addresses: dict[int, list[Address]]):
        """print_selected_addrinfo(), given the addresses of each link (by_index())."""
        out = self.out
        out.open_array(PRINT_JSON, "addr_info")
        for address in addresses.get(link.index, ()):
            if self.sel.family and self.sel.family != address.family:
                continue
            if self.sel.up and not link.flags & IFF_UP:
                continue
            # ip opens the object before print_addrinfo() filters: "{}" in JSON.
            out.open_object()
            if address_selected(address, self.sel, self.names):
                self.address(address)
            out.close_object()
        out.close_array(PRINT_JSON, None)
        if self.options.brief:
            out.string(PRINT_FP, None, "%s", "\n")

    def address(self, address: Address):
        """print_addrinfo() for an address that passed the selectors."""
        out = self.out
        if not self.options.brief:
            if self.options.oneline:
                if out.is_json:
                    out.number(PRINT_JSON, "index", None, address.index)
                    out.string(PRINT_JSON, "dev", None, self.names.ifname(address.index))
                else:
                    out.fp("%u: %s" % (address.index, self.names.ifname(address.index)))
            name = family_name(address.family)
            if name != "???":
                out.string(PRINT_ANY, "family", "    %s ", name)
            else:
                out.number(PRINT_ANY, "family_index", "    family %d ", address.family)
        self._local(address)
        if self.options.brief:
            return
        for kind, key, word in ((IFA_BROADCAST, "broadcast", "brd"), (IFA_ANYCAST, "anycast", "any"),
                                (IFA_MULTICAST, "multicast", "mcast")):
            if kind in address.attrs:
                out.string(PRINT_FP, None, "%s ", word)
                out.string(PRINT_ANY, key, "%s ", netlink.address(address.family, address.attrs[kind]))
        out.string(PRINT_ANY, "scope", "scope %s ", self.names.scope(address.scope))
        self._address_flags(address)
        if IFA_LABEL in address.attrs:
            out.string(PRINT_ANY, "label", "%s", netlink.string(address.attrs[IFA_LABEL]))
        if IFA_CACHEINFO in address.attrs:
            self._lifetimes(address)
        out.string(PRINT_FP, None, "%s", "\n")

    def _local(self, address: Address):
        if IFA_LOCAL not in address.attrs:
            return
        out = self.out
        local = address.attrs[IFA_LOCAL]
        out.string(PRINT_ANY, "local", "%s", netlink.address(address.family, local))
        peer = address.attrs[IFA_ADDRESS]
        width = 4 if address.family == socket.AF_INET else 16
        if peer[:width] != local[:width]:
            out.string(PRINT_FP, None, " %s ", "peer")
            out.string(PRINT_ANY, "address", "%s", netlink.address(address.family, peer))
        out.number(PRINT_ANY, "prefixlen", "/%d ", address.prefixlen)
        if IFA_RT_PRIORITY in address.attrs:
            out.number(PRINT_ANY, "metric", "metric %u ", netlink.u32(address.attrs[IFA_RT_PRIORITY]))

    def _address_flags(self, address: Address):
        """print_ifa_flags(): known flags by name, "dynamic" for !permanent,
        the rest as "flags %02x"."""
        out, flags = self.out, address.flags
        for name, mask in ADDRESS_FLAGS:
            if mask == IFA_F_PERMANENT:
                if not flags & mask:
                    out.boolean(PRINT_ANY, "dynamic", "dynamic ", True)
            elif flags & mask:
                if mask == IFA_F_SECONDARY and address.family == socket.AF_INET6:
                    out.boolean(PRINT_ANY, "temporary", "temporary ", True)
                else:
                    out.string(PRINT_FP, None, "%s ", name)
                    out.boolean(PRINT_JSON, name, None, True)
            flags &= ~mask
        if flags:
            if out.is_json:
                out.string(PRINT_JSON, "ifa_flags", None, "%02x" % flags)
            else:
                out.fp("flags %02x " % flags)

    def _lifetimes(self, address: Address):
        out = self.out
        preferred, valid = struct.unpack_from("=II", address.attrs[IFA_CACHEINFO])
        out.nl()
        out.string(PRINT_FP, None, "%s", "       valid_lft ")
        self._lifetime("valid_life_time", valid, "%usec")
        out.string(PRINT_FP, None, "%s", " preferred_lft ")
        deprecated = address.flags & IFA_F_DEPRECATED
        if deprecated and preferred != INFINITY_LIFE_TIME:
            preferred -= (1 << 32) if preferred & 0x80000000 else 0
        self._lifetime("preferred_life_time", preferred, "%dsec" if deprecated else "%usec")

    def _lifetime(self, key: str, seconds: int, fmt: str):
        if seconds == INFINITY_LIFE_TIME:
            self.out.number(PRINT_JSON, key, None, INFINITY_LIFE_TIME)
            self.out.string(PRINT_FP, None, "%s", "forever")
        else:
            self.out.number(PRINT_ANY, key, fmt, seconds)

    # -- -s --------------------------------------------------------------

    def stats(self, link: Link):
        """print_link_stats(): the RX/TX table after the addresses."""
        stats = _link_stats(link)
        if stats is None:
            return
        values, key = stats
        StatsPrinter(self.out, self.options.stats, link.attrs.get(IFLA_CARRIER_CHANGES)).print(values, key)
        self.out.nl()


def _link_stats(link: Link) -> tuple[dict, str] | None:
    """get_rtnl_link_stats_rta(): IFLA_STATS64, else the u32 IFLA_STATS."""
    if IFLA_STATS64 in link.attrs:
        payload, size, key = link.attrs[IFLA_STATS64], 8, "stats64"
    elif IFLA_STATS in link.attrs:
        payload, size, key = link.attrs[IFLA_STATS], 4, "stats"
    else:
        return None
    count = len(STATS_FIELDS) if size == 8 else LEGACY_STATS_COUNT
    payload = payload[:count * size].ljust(count * size, b"\0")
    numbers = struct.unpack("=%d%s" % (count, "Q" if size == 8 else "I"), payload)
    values = dict.fromkeys(STATS_FIELDS, 0)
    values.update(zip(STATS_FIELDS, numbers))
    return values, key


class StatsPrinter:
    """print_stats64(): JSON objects, or the column-sized text table."""

    def __init__(self, out: Printer, level: int, carrier_changes: bytes | None):
        self.out = out
        self.level = level
        self.carrier_changes = netlink.u32(carrier_changes) if carrier_changes else None

    def print(self, s: dict, key: str):
        if self.out.is_json:
            self._json(s, key)
        else:
            self._text(s)

    def _json(self, s: dict, key: str):
        out = self.out
        out.open_object(key)
        out.open_object("rx")
        for name, field in (("bytes", "rx_bytes"), ("packets", "rx_packets"), ("errors", "rx_errors"),
                            ("dropped", "rx_dropped"), ("over_errors", "rx_over_errors"),
                            ("multicast", "multicast")):
            out.number(PRINT_JSON, name, None, s[field])
        if s["rx_compressed"]:
            out.number(PRINT_JSON, "compressed", None, s["rx_compressed"])
        if self.level > 1:
            for name in ("length", "crc", "frame", "fifo", "missed"):
                out.number(PRINT_JSON, name + "_errors", None, s["rx_%s_errors" % name])
            if s["rx_nohandler"]:
                out.number(PRINT_JSON, "nohandler", None, s["rx_nohandler"])
            if s["rx_otherhost_dropped"]:
                out.number(PRINT_JSON, "otherhost", None, s["rx_otherhost_dropped"])
        out.close_object()
        out.open_object("tx")
        for name, field in (("bytes", "tx_bytes"), ("packets", "tx_packets"), ("errors", "tx_errors"),
                            ("dropped", "tx_dropped"), ("carrier_errors", "tx_carrier_errors"),
                            ("collisions", "collisions")):
            out.number(PRINT_JSON, name, None, s[field])
        if s["tx_compressed"]:
            out.number(PRINT_JSON, "compressed", None, s["tx_compressed"])
        if self.level > 1:
            for name in ("aborted", "fifo", "window", "heartbeat"):
                out.number(PRINT_JSON, name + "_errors", None, s["tx_%s_errors" % name])
            if self.carrier_changes is not None:
                out.number(PRINT_JSON, "carrier_changes", None, self.carrier_changes)
        out.close_object()
        out.close_object()

    def _columns(self, s: dict) -> list[int]:
        """size_columns(): header widths, widened to fit the numbers."""
        cols = [len(h) for h in ("*X errors:", "packets", "errors", "dropped", "heartbt",
                                 "overrun", "compressed", "otherhost")]
        rows = [(s["rx_bytes"], s["rx_packets"], s["rx_errors"], s["rx_dropped"],
                 s["rx_missed_errors"], s["multicast"], s["rx_compressed"], 0),
                (s["tx_bytes"], s["tx_packets"], s["tx_errors"], s["tx_dropped"],
                 s["tx_carrier_errors"], s["collisions"], s["tx_compressed"], 0)]
        if self.level > 1:
            rows += [(0, s["rx_length_errors"], s["rx_crc_errors"], s["rx_frame_errors"],
                      s["rx_fifo_errors"], s["rx_over_errors"], s["rx_nohandler"],
                      s["rx_otherhost_dropped"]),
                     (0, 0, s["tx_aborted_errors"], s["tx_fifo_errors"], s["tx_window_errors"],
                      s["tx_heartbeat_errors"], self.carrier_changes or 0, 0)]
        for row in rows:
            cols = [max(width, len(str(value))) for width, value in zip(cols, row)]
        return cols

    def _num(self, width: int, value: int):
        """print_num() without -h: right-aligned in its column, then a space."""
        self.out.fp("%*d " % (width, value))

    def _text(self, s: dict):
        out, sl, c, num = self.out, self.out.sl, self._columns(s), self._num
        out.fp("    RX: %*s %*s %*s %*s %*s %*s %*s%s" % (
            c[0] - 4, "bytes", c[1], "packets", c[2], "errors", c[3], "dropped",
            c[4], "missed", c[5], "mcast", c[6], "compressed" if s["rx_compressed"] else "", sl))
        out.fp("    ")
        for width, field in zip(c, ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
                                    "rx_missed_errors", "multicast")):
            num(width, s[field])
        if s["rx_compressed"]:
            num(c[6], s["rx_compressed"])
        if self.level > 1:
            self._rx_errors(s, c)
        out.fp(sl)
        out.fp("    TX: %*s %*s %*s %*s %*s %*s %*s%s" % (
            c[0] - 4, "bytes", c[1], "packets", c[2], "errors", c[3], "dropped",
            c[4], "carrier", c[5], "collsns", c[6], "compressed" if s["tx_compressed"] else "", sl))
        out.fp("    ")
        for width, field in zip(c, ("tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
                                    "tx_carrier_errors", "collisions")):
            num(width, s[field])
        if s["tx_compressed"]:
            num(c[6], s["tx_compressed"])
        if self.level > 1:
            self._tx_errors(s, c)

    def _rx_errors(self, s: dict, c: list[int]):
        out, sl, num = self.out, self.out.sl, self._num
        nohandler, otherhost = s["rx_nohandler"], s["rx_otherhost_dropped"]
        out.fp(sl)
        out.fp("    RX errors:%*s %*s %*s %*s %*s %*s%*s%*s%s" % (
            c[0] - 10, "", c[1], "length", c[2], "crc", c[3], "frame", c[4], "fifo",
            c[5], "overrun", c[6] + 1 if nohandler else 0, " nohandler" if nohandler else "",
            c[7] + 1 if otherhost else 0, " otherhost" if otherhost else "", sl))
        out.fp("%*s" % (c[0] + 5, ""))
        for width, field in zip(c[1:], ("rx_length_errors", "rx_crc_errors", "rx_frame_errors",
                                        "rx_fifo_errors", "rx_over_errors")):
            num(width, s[field])
        if nohandler:
            num(c[6], nohandler)
        if otherhost:
            num(c[7], otherhost)

    def _tx_errors(self, s: dict, c: list[int]):
        out, sl, num = self.out, self.out.sl, self._num
        changes = self.carrier_changes
        out.fp(sl)
        out.fp("    TX errors:%*s %*s %*s %*s %*s %*s%s" % (
            c[0] - 10, "", c[1], "aborted", c[2], "fifo", c[3], "window", c[4], "heartbt",
            c[5], "transns" if changes is not None else "", sl))
        out.fp("%*s" % (c[0] + 5, ""))
        for width, field in zip(c[1:], ("tx_aborted_errors", "tx_fifo_errors", "tx_window_errors",
                                        "tx_heartbeat_errors")):
            num(width, s[field])
        if changes is not None:
            num(c[5], changes)


def queue_lengths(links) -> dict[int, int]:
    """ifindex -> txqlen from a family-less link dump, for format_addresses()."""
    return {link.index: link.u32(IFLA_TXQLEN) for link in map(Link.of, links)
            if IFLA_TXQLEN in link.attrs}


def format_addresses(links, addresses, options: ShowOptions = ShowOptions(),
                     flt: AddrFilter = AddrFilter(),
                     queue_lengths: Mapping[int, int] | None = None) -> str:
    """`ip address show [SELECTORS]`: link lines with their addresses.

    `links` and `addresses` are the link and address dumps (pyroute2
    messages, or raw bytes), made with the -4/-6 family as ip does; see
    pyip.show.dump().  The AF_INET6 link dump carries no queue length, which
    ip then reads with an ioctl: pass those as `queue_lengths` (ifindex ->
    txqlen, e.g. from a family-less link dump) to print `qlen N` as ip does.
    """
    names = Names(options, links)
    sel = Selection.of(flt, options, names)
    link_list = [link for link in map(Link.of, links) if not link_filtered_by_kernel(link, sel)]
    out = Printer(options)
    printer = AddressPrinter(out, names, options, sel, queue_lengths or {})
    if flt == NO_FILTER and sel.family != socket.AF_PACKET:
        listing = AddressListing(links, options, queue_lengths, link_list)
        for message in addresses:
            data = netlink.raw_bytes(message)
            listing.feed(data, ((0, len(data)),))
        return listing.result()
    layouts = netlink.Layouts(netlink.IFADDRMSG)
    address_list = [a for a in (Address.of(message, layouts) for message in addresses)
                    if sel.ifindex is None or a.index == sel.ifindex]
    if sel.family != socket.AF_PACKET:
        link_list = links_with_addresses(link_list, address_list, sel, names)
    if sel.group is not None:  # group_filter(): links without IFLA_GROUP stay
        link_list = [link for link in link_list
                     if link.u32(IFLA_GROUP) in (None, sel.group)]
    no_link = options.oneline and sel.family != socket.AF_PACKET
    address_map = by_index(address_list)
    for link in link_list:
        out.open_object()
        shown = printer.link(link) if options.brief or not no_link else 0
        if shown >= 0 and sel.family != socket.AF_PACKET:
            printer.addresses(link, address_map)
        if shown > 0 and options.stats:
            printer.stats(link)
        out.close_object()
    return out.result()


NO_FILTER = AddrFilter()
ADDRESS_INDEX = struct.Struct("=I")  # ifa_index, after the nlmsghdr and four bytes of the ifaddrmsg
ADDRESS_DEPTH = 3  # the JSON writer's depth at an address's object: [ {link "addr_info": [ {address


def format_address_dump(links, datagrams, options: ShowOptions = ShowOptions(),
                        queue_lengths: Mapping[int, int] | None = None) -> str:
    """format_addresses() without selectors, the addresses as a dump brings them: (datagram,
    [(offset, length) of each RTM_NEWADDR]) pairs, as pyip.netlink's Rtnl.dump_stream() yields them.
    AddressListing takes the datagrams themselves (feed_datagram())."""
    listing = AddressListing(links, options, queue_lengths)
    for data, spans in datagrams:
        listing.feed(data, spans)
    return listing.result()


class AddressListing:
    """`ip address show` without selectors (-4/-6 aside): each address's text from its key's
    template (pyip.show.templates: the address and its prefix length vary), kept by link as the
    dump brings them (feed(), feed_datagram()); result() prints the links with them as ip does."""

    def __init__(self, links, options: ShowOptions = ShowOptions(), queue_lengths: Mapping[int, int] | None = None,
                 link_list: list[Link] | None = None):
        names = Names(options, links)
        self.sel = Selection.of(NO_FILTER, options, names)
        if self.sel.family == socket.AF_PACKET:
            raise ValueError("AddressListing lists addresses; -0 lists links alone (format_addresses())")
        if link_list is None:
            link_list = [link for link in map(Link.of, links) if not link_filtered_by_kernel(link, self.sel)]
        self.link_list = link_list
        self.options = options
        self.printer = AddressPrinter(Printer(options), names, options, self.sel, queue_lengths or {})
        self.scratch = Printer(options)
        self.scratch.take()  # JSON's opening bracket: the scratch printer prints objects alone
        self.scratch_printer = AddressPrinter(self.scratch, names, options, self.sel, queue_lengths or {})
        self.layouts = netlink.Layouts(netlink.IFADDRMSG)
        self.templates = Templates(netlink.IFADDRMSG, varying_fields, self._render, NAME_OF, header_fields)
        self.texts: dict[int, list[str]] = {}  # ifindex -> its addresses' texts; a link with none listed: []

    def _render(self, data: bytes, offset: int, length: int) -> str | None:
        address = Address.of(data[offset:offset + length], self.layouts)
        family, scratch = self.sel.family, self.scratch
        if family and address.family != family:
            return None
        if scratch.writer is not None:
            scratch.writer.sep, scratch.writer.depth = "", ADDRESS_DEPTH
        scratch.open_object()
        self.scratch_printer.address(address)
        scratch.close_object()
        return scratch.take()

    def feed(self, data: bytes, spans) -> None:
        """The addresses at SPANS (offset, length) of DATA."""
        text_of, texts, unpack_index = self.templates.text, self.texts, ADDRESS_INDEX.unpack_from
        for offset, length in spans:
            index = unpack_index(data, offset + 20)[0]
            text = text_of(data, offset, length)
            found = texts.get(index)
            if found is None:
                found = texts[index] = []
            if text is not None:
                found.append(text)

    def feed_datagram(self, data: bytes, seq: int, wanted: int) -> bytes | None:
        """feed() of the messages of type WANTED and sequence SEQ in a datagram of the dump; the
        message that ends the dump (NLMSG_DONE or NLMSG_ERROR), if the datagram holds it."""
        return self.templates.group_datagram(data, seq, wanted, self.texts, 20)

    def result(self) -> str:
        printer, options, family, texts = self.printer, self.options, self.sel.family, self.texts
        out, no_link = printer.out, options.oneline
        for link in self.link_list:
            # links_with_addresses(): a link with a listed address, or without any address under no -4/-6
            listed = texts.get(link.index)
            if not listed and (listed is not None or family is not None):
                continue
            out.open_object()
            shown = printer.link(link) if options.brief or not no_link else 0
            if shown >= 0:
                _print_texts(out, listed or (), options.brief)
            if shown > 0 and options.stats:
                printer.stats(link)
            out.close_object()
        return out.result()


def _print_texts(out: Printer, texts, brief: bool) -> None:
    """print_selected_addrinfo() of addresses whose texts are made."""
    out.open_array(PRINT_JSON, "addr_info")
    writer = out.writer
    if writer is None:
        out.text += texts
    else:
        for text in texts:
            writer.out.append(writer.sep + text)
            writer.sep = ","
    out.close_array(PRINT_JSON, None)
    if brief:
        out.string(PRINT_FP, None, "%s", "\n")


PREFIX_LENGTH = "prefixlen"
NAME_OF = {PREFIX_LENGTH: "%d".__mod__}  # the templates' named fields: each prefix length's text baked in


def header_fields(family: int, sizes: dict) -> tuple:
    """ifa_prefixlen varies too: printed as "/%d" alone (_local())."""
    return ((1, 1, PREFIX_LENGTH, None),)


def varying_fields(kind: int, size: int, family: int) -> tuple:
    """What varies from address to address, printed as plain text (pyip.show.templates): the
    address and its peer, which must be equal to print from a template (a different peer is
    printed); the creation and update times of IFA_CACHEINFO are never printed."""
    if kind in (IFA_ADDRESS, IFA_LOCAL):
        if family == socket.AF_INET and size == 4:
            return ((0, 4, ADDR4, "address"),)
        if family == socket.AF_INET6 and size == 16:
            return ((0, 16, ADDR6, "address"),)
    if kind == IFA_CACHEINFO and size == 16:
        return ((8, 8, SKIP, None),)
    return ()
