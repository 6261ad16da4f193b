"""`ip rule show` output: ip/iprule.c print_rule() and filter_nlmsg()."""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from .. import records

from pyip.show import netlink
from pyip.show.templates import ADDR4, ADDR6, HEX, SHADOWED, U32, TemplatedListing, Templates
from pyip.show.common import (ESCAPE_TABLE, PRINT_ANY, PRINT_FP, Names, Prefix, Printer, ShowOptions,
                              host_bits, prefix_matches_attribute)

FRA_DST, FRA_SRC, FRA_IIFNAME, FRA_GOTO, FRA_PRIORITY = 1, 2, 3, 4, 6
FRA_FWMARK, FRA_FLOW, FRA_TUN_ID, FRA_SUPPRESS_IFGROUP, FRA_SUPPRESS_PREFIXLEN = 10, 11, 12, 13, 14
FRA_TABLE, FRA_FWMASK, FRA_OIFNAME, FRA_L3MDEV, FRA_UID_RANGE = 15, 16, 17, 19, 20
FRA_PROTOCOL, FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE = 21, 22, 23, 24
RTA_GATEWAY = 5  # what the long gone NAT action carried
PRINTED_FIRST = frozenset((FRA_PRIORITY, FRA_SRC, FRA_DST))  # what comes before the rest of the line

FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_NOP = 1, 2, 3
RTN_NAT = 10
RTPROT_KERNEL = 2
FIB_RULE_INVERT, FIB_RULE_UNRESOLVED = 0x2, 0x4
FIB_RULE_IIF_DETACHED, FIB_RULE_OIF_DETACHED = 0x8, 0x10

TABLE = struct.Struct("=I")
RANGE = struct.Struct("=II")        # fib_rule_uid_range
PORT_RANGE = struct.Struct("=HH")   # fib_rule_port_range


class RuleFilter(metaclass=records.frozen):
    """The selectors of `ip rule show`; None / False means not given.

    from_ / to: a prefix (str or ipaddress object).  uidrange, sport, dport:
    (start, end).  protocol is accepted but, as in iproute2 6.1, a listing
    ignores it (only `ip rule flush` honours it).
    """

    not_: bool = False
    from_: object = None
    to: object = None
    tos: int | None = None
    fwmark: int | None = None
    fwmask: int | None = None
    iif: str | None = None
    oif: str | None = None
    pref: int | None = None
    table: int | None = None
    l3mdev: bool = False
    uidrange: tuple | None = None
    ipproto: int | None = None
    sport: tuple | None = None
    dport: tuple | None = None
    protocol: int | None = None
    tun_id: int | None = None


class Rule:
    """A decoded RTM_NEWRULE: its fib_rule_hdr fields (the table from FRA_TABLE
    when there is one, as frh_get_table()) and its attributes' payloads by type."""

    __slots__ = ("family", "dst_len", "src_len", "tos", "table", "action", "flags", "attrs")

    def __init__(self, header: tuple, attributes: dict):
        self.family, self.dst_len, self.src_len, self.tos, table, _, _, self.action, self.flags = header
        table_attr = attributes.get(FRA_TABLE)
        self.table = TABLE.unpack_from(table_attr)[0] if table_attr is not None else table
        self.attrs = attributes

    @classmethod
    def of(cls, message) -> Rule:
        decoded = netlink.decode(message, netlink.FIB_RULE_HDR)
        return cls(decoded.header, decoded.attrs)

    def u8(self, kind: int) -> int:
        return netlink.u8(self.attrs[kind]) if kind in self.attrs else 0

    def u32(self, kind: int, default: int = 0) -> int:
        return netlink.u32(self.attrs[kind]) if kind in self.attrs else default

    def text(self, kind: int) -> str | None:
        return netlink.string(self.attrs[kind]) if kind in self.attrs else None

    def pair(self, kind: int, layout: struct.Struct) -> tuple | None:
        return layout.unpack_from(self.attrs[kind]) if kind in self.attrs else None


def selected(rule: Rule, flt: RuleFilter, family: int) -> bool:
    """filter_nlmsg() of ip/iprule.c."""
    if rule.family != family:
        return False
    if flt.pref is not None and rule.u32(FRA_PRIORITY) != flt.pref:
        return False
    if flt.not_ and not rule.flags & FIB_RULE_INVERT:
        return False
    for value, length, kind in ((flt.from_, rule.src_len, FRA_SRC), (flt.to, rule.dst_len, FRA_DST)):
        if value is not None and not _prefix_selected(Prefix.of(value), rule, length, kind):
            return False
    return _selectors_match(rule, flt)


def _prefix_selected(prefix: Prefix, rule: Rule, length: int, kind: int) -> bool:
    if prefix.family != rule.family or prefix.bits > length:
        return False
    return prefix_matches_attribute(prefix, rule.attrs.get(kind))


def _selectors_match(rule: Rule, flt: RuleFilter) -> bool:
    # Zero in the C filter means "not given" for these, hence the truthiness.
    checks = (
        (flt.tos is not None, flt.tos == rule.tos),
        (bool(flt.fwmark), flt.fwmark == rule.u32(FRA_FWMARK)),
        (bool(flt.fwmask), flt.fwmask == rule.u32(FRA_FWMASK)),
        (flt.iif is not None, flt.iif == rule.text(FRA_IIFNAME)),
        (flt.oif is not None, flt.oif == rule.text(FRA_OIFNAME)),
        (flt.l3mdev, rule.u8(FRA_L3MDEV) != 0),
        (flt.uidrange is not None, rule.pair(FRA_UID_RANGE, RANGE) == tuple(flt.uidrange or ())),
        (bool(flt.ipproto), flt.ipproto == rule.u8(FRA_IP_PROTO)),
        (bool(flt.sport and flt.sport[0]), rule.pair(FRA_SPORT_RANGE, PORT_RANGE) == tuple(flt.sport or ())),
        (bool(flt.dport and flt.dport[0]), rule.pair(FRA_DPORT_RANGE, PORT_RANGE) == tuple(flt.dport or ())),
        (bool(flt.table), flt.table == rule.table),
        (bool(flt.tun_id), flt.tun_id == _tun_id(rule)),
    )
    return all(ok for given, ok in checks if given)


def _tun_id(rule: Rule) -> int:
    value = rule.attrs.get(FRA_TUN_ID)
    return int.from_bytes(value[:8], "big") if value else 0


class RulePrinter:
    """print_rule() for one listing."""

    def __init__(self, out: Printer, names: Names, options: ShowOptions):
        self.out = out
        self.names = names
        self.options = options
        self.after_prefixes: dict[bytes, tuple] = {}

    def rule(self, rule: Rule, key: bytes | None = None):
        """print_rule().  KEY: the rule's bytes but its priority's and prefixes', when the
        caller has them: what follows the prefixes depends on nothing else, so it is
        printed once per KEY and reused (rules repeat their tables, marks, devices)."""
        out = self.out
        out.open_object()
        out.number(PRINT_ANY, "priority", "%u:\t", rule.u32(FRA_PRIORITY))
        if rule.flags & FIB_RULE_INVERT:
            out.null(PRINT_ANY, "not", "not ")
        self._prefixes(rule)
        out.remembered(self.after_prefixes, key, lambda: self._after_prefixes(rule))

    def _after_prefixes(self, rule: Rule):
        out = self.out
        if rule.tos:
            out.string(PRINT_ANY, "tos", " tos %s", self.names.dsfield(rule.tos))
        self._fwmark(rule)
        self._interface(rule, FRA_IIFNAME, "iif", FIB_RULE_IIF_DETACHED)
        self._interface(rule, FRA_OIFNAME, "oif", FIB_RULE_OIF_DETACHED)
        if rule.u8(FRA_L3MDEV):
            out.null(PRINT_ANY, "l3mdev", " lookup [l3mdev-table]")
        self._ranges(rule)
        if FRA_TUN_ID in rule.attrs:
            tun_id = struct.unpack_from(">Q", rule.attrs[FRA_TUN_ID])[0]
            out.number(PRINT_ANY, "tun_id", " tun_id %u", tun_id)
        if rule.table:
            self._lookup(rule)
        if FRA_FLOW in rule.attrs:
            self._realms(rule.u32(FRA_FLOW))
        self._action(rule)
        self._protocol(rule)
        out.string(PRINT_FP, None, "%s", "\n")
        out.close_object()

    def _prefixes(self, rule: Rule):
        out, host_len = self.out, host_bits(rule.family)
        for kind, length, key, word in ((FRA_SRC, rule.src_len, "src", "from"),
                                         (FRA_DST, rule.dst_len, "dst", " to")):
            if kind in rule.attrs:
                out.string(PRINT_FP, None, "%s ", word)
                out.string(PRINT_ANY, key, "%s", netlink.address(rule.family, rule.attrs[kind]))
                if length != host_len:
                    out.number(PRINT_ANY, key + "len", "/%u", length)
            elif length:
                out.string(PRINT_ANY, key, word + " %s", "0")
                out.number(PRINT_ANY, key + "len", "/%u", length)
            elif kind == FRA_SRC:
                out.string(PRINT_ANY, "src", "from %s", "all")

    def _fwmark(self, rule: Rule):
        if FRA_FWMARK not in rule.attrs and FRA_FWMASK not in rule.attrs:
            return
        mark = rule.u32(FRA_FWMARK)
        mask = rule.u32(FRA_FWMASK, 0xFFFFFFFF)
        self.out.hex0x(PRINT_ANY, "fwmark", " fwmark %#x", mark)
        if FRA_FWMASK in rule.attrs and mask != 0xFFFFFFFF:
            self.out.hex0x(PRINT_ANY, "fwmask", "/%#x", mask)

    def _interface(self, rule: Rule, kind: int, key: str, detached: int):
        name = rule.text(kind)
        if name is None:
            return
        self.out.fp(" %s " % key)
        self.out.string(PRINT_ANY, key, "%s", name)
        if rule.flags & detached:
            self.out.null(PRINT_ANY, key + "_detached", " [detached]")

    def _ranges(self, rule: Rule):
        out = self.out
        uids = rule.pair(FRA_UID_RANGE, RANGE)
        if uids:
            out.number(PRINT_ANY, "uid_start", " uidrange %u", uids[0])
            out.number(PRINT_ANY, "uid_end", "-%u", uids[1])
        if FRA_IP_PROTO in rule.attrs:
            out.string(PRINT_ANY, "ipproto", " ipproto %s", self.names.ip_protocol(rule.u8(FRA_IP_PROTO)))
        for kind, name in ((FRA_SPORT_RANGE, "sport"), (FRA_DPORT_RANGE, "dport")):
            ports = rule.pair(kind, PORT_RANGE)
            if ports and ports[0] == ports[1]:
                out.number(PRINT_ANY, name, " %s %%u" % name, ports[0])
            elif ports:
                out.number(PRINT_ANY, name + "_start", " %s %%u" % name, ports[0])
                out.number(PRINT_ANY, name + "_end", "-%u", ports[1])

    def _lookup(self, rule: Rule):
        out = self.out
        out.string(PRINT_ANY, "table", " lookup %s", self.names.table(rule.table))
        prefixlen = rule.u32(FRA_SUPPRESS_PREFIXLEN, 0xFFFFFFFF)
        if prefixlen != 0xFFFFFFFF:
            out.number(PRINT_ANY, "suppress_prefixlen", " suppress_prefixlength %d", _signed(prefixlen))
        group = rule.u32(FRA_SUPPRESS_IFGROUP, 0xFFFFFFFF)
        if group != 0xFFFFFFFF:
            name = self.names.group(_signed(group))
            out.string(PRINT_ANY, "suppress_ifgroup", " suppress_ifgroup %s", name)

    def _realms(self, flow: int):
        source, destination = flow >> 16, flow & 0xFFFF
        if source:
            self.out.string(PRINT_ANY, "flow_from", " realms %s/", self.names.realm(source))
        else:
            self.out.string(PRINT_FP, None, " realms %s", "")
        self.out.string(PRINT_ANY, "flow_to", "%s", self.names.realm(destination))

    def _action(self, rule: Rule):
        out = self.out
        if rule.action == RTN_NAT:
            if RTA_GATEWAY in rule.attrs:
                gateway = netlink.address(rule.family, rule.attrs[RTA_GATEWAY])
                out.string(PRINT_ANY, "nat_gateway", " map-to %s", gateway)
            else:
                out.null(PRINT_ANY, "masquerade", " masquerade")
        elif rule.action == FR_ACT_GOTO:
            if FRA_GOTO in rule.attrs:
                out.number(PRINT_ANY, "goto", " goto %u", rule.u32(FRA_GOTO))
            else:
                out.string(PRINT_ANY, "goto", " goto %s", "none")
            if rule.flags & FIB_RULE_UNRESOLVED:
                out.null(PRINT_ANY, "unresolved", " [unresolved]")
        elif rule.action == FR_ACT_NOP:
            out.null(PRINT_ANY, "nop", " nop")
        elif rule.action != FR_ACT_TO_TBL:
            out.string(PRINT_ANY, "action", " %s", self.names.route_type(rule.action))

    def _protocol(self, rule: Rule):
        if FRA_PROTOCOL not in rule.attrs:
            return
        protocol = rule.u8(FRA_PROTOCOL)
        if (protocol and protocol != RTPROT_KERNEL) or self.options.details:
            self.out.string(PRINT_ANY, "protocol", " proto %s", self.names.protocol(protocol))


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value


NO_FILTER = RuleFilter()


class RuleListing(TemplatedListing):
    """One `ip rule show`: rules printed as the dump brings them (feed()), the
    text so far taken whenever the caller wants to write it (take()).

    Like ip, only the -4/-6 family is listed, IPv4 when none is given.
    `links` is accepted for symmetry: rules name their devices themselves.
    Without selectors a rule prints from its key's template (pyip.show.templates):
    its priority, prefixes and mark are what vary.
    """

    def __init__(self, links, options: ShowOptions = ShowOptions(), flt: RuleFilter = RuleFilter()):
        self.flt = flt
        self.family = options.family or socket.AF_INET
        self.out = Printer(options)
        self.printer = RulePrinter(self.out, Names(options, links), options)
        self.layouts = netlink.Layouts(netlink.FIB_RULE_HDR)
        self.templates = None
        if flt == NO_FILTER:
            self.scratch = Printer(options)
            self.scratch.take()  # JSON's opening bracket: the scratch printer prints objects alone
            self.scratch_printer = RulePrinter(self.scratch, self.printer.names, options)
            self.templates = Templates(netlink.FIB_RULE_HDR, varying_fields, self._render,
                                       self._table_text(options), header_fields)

    def _feed_in_full(self, data: bytes, spans) -> None:
        """Every selected rule decoded and printed."""
        decode, flt, family, print_rule = self.layouts.decode, self.flt, self.family, self.printer.rule
        for offset, length in spans:
            header, attributes, layout, kinds = decode(data, offset, length)
            rule = Rule(header, attributes)
            if selected(rule, flt, family):
                print_rule(rule, netlink.without(data, offset, length, layout, kinds, PRINTED_FIRST))

    def _table_text(self, options: ShowOptions) -> dict:
        """The name_of of the templates: a table's text as _lookup() writes it (a JSON string's
        escapes included); None for table 0, which prints no `lookup`."""
        table = self.printer.names.table
        if options.json:
            return {TABLE_NAME: lambda number: table(number).translate(ESCAPE_TABLE) if number else None}
        return {TABLE_NAME: lambda number: table(number) if number else None}

    def _render(self, data: bytes, offset: int, length: int) -> str | None:
        """The rule printed in full, alone (JSON: its object), or None when it is not listed."""
        header, attributes, _, _ = self.layouts.decode(data, offset, length)
        rule = Rule(header, attributes)
        if rule.family != self.family:
            return None
        if self.scratch.writer is not None:
            self.scratch.writer.sep = ""
        self.scratch_printer.rule(rule)
        return self.scratch.take()


def varying_fields(kind: int, size: int, family: int) -> tuple:
    """What varies from rule to rule in a big table, printed as plain text (pyip.show.templates)."""
    if kind == FRA_PRIORITY and size == 4:
        return ((0, 4, U32, None),)
    if kind == FRA_FWMARK and size == 4:
        return ((0, 4, HEX, None),)
    if kind == FRA_TABLE and size == 4:  # printed by _lookup() as names.table()'s text, when not zero
        return ((0, 4, TABLE_NAME, None),)
    if kind in (FRA_SRC, FRA_DST):
        if family == socket.AF_INET and size == 4:
            return ((0, 4, ADDR4, None),)
        if family == socket.AF_INET6 and size == 16:
            return ((0, 16, ADDR6, None),)
    return ()


TABLE_NAME = "table"  # a named field of the templates (RuleListing._table_text())


def header_fields(family: int, sizes: dict) -> tuple:
    """fib_rule_hdr's table byte is not read where FRA_TABLE is (Rule: frh_get_table())."""
    return ((4, 1, SHADOWED, None),) if sizes.get(FRA_TABLE) == 4 else ()


def format_rules(messages, links, options: ShowOptions = ShowOptions(),
                 flt: RuleFilter = RuleFilter()) -> str:
    """`ip rule show [SELECTORS]` for a dump of the rules (messages as bytes, or pyroute2's).

    Like ip, only the -4/-6 family is listed, IPv4 when none is given.
    `links` is accepted for symmetry: rules name their devices themselves.
    """
    listing = RuleListing(links, options, flt)
    for message in messages:
        data = netlink.raw_bytes(message)
        listing.feed(data, ((0, netlink.NLMSG_HEADER.unpack_from(data)[0]),))
    return listing.result()
