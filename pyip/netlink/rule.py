"""`ip rule` over rtnetlink: iprule_modify() and iprule_list_flush_or_save()
of iproute2's ip/iprule.c, from a parsed pyip.ast command."""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

from ..lazy import LazyModule
from .. import records

from ..ast import PortRange, Prefix, Rule
from ..ast.route import ROUTE_TYPES
from ..show import RuleFilter
from ..show.rule import RuleListing
from ..show import rule as shown
from ..show.common import RTN_NAMES, device_groups, ip_protocols
from .common import (FAMILIES, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, CommandFailed,
                     KernelError, Request, Result, Session, attr, attr_string, attr_u8, attr_u32,
                     group_number, ip_protocol, known, named, show_options, talk,
                     unsupported)
from . import listing
from .route import prefix_attr, prefix_text, realms_of, realms_value

ipaddress = LazyModule("ipaddress")  # only to build pyip.ast nodes from a dump, not for the drop-in's show

RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE = 32, 33, 34
FIB_RULE_HDR = struct.Struct("=BBBBBBBBI")
RANGE = struct.Struct("=II")
PORT_RANGE = struct.Struct("=HH")

FRA_DST, FRA_SRC, FRA_IIFNAME, FRA_GOTO, FRA_PRIORITY = 1, 2, 3, 4, 6
FRA_FWMARK, FRA_FLOW, FRA_TUN_ID, FRA_SUPPRESS_IFGROUP, FRA_SUPPRESS_PREFIXLEN = 10, 11, 12, 13, 14
FRA_TABLE, FRA_FWMASK, FRA_OIFNAME, FRA_L3MDEV, FRA_UID_RANGE = 15, 16, 17, 19, 20
FRA_PROTOCOL, FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE = 21, 22, 23, 24
RTA_GATEWAY = 5  # the address of the deprecated `nat` action

FR_ACT_UNSPEC, FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_NOP = 0, 1, 2, 3
FIB_RULE_INVERT = 0x2
RT_TABLE_MAIN = 254
ACTIONS = {"lookup": FR_ACT_TO_TBL, "goto": FR_ACT_GOTO, "nop": FR_ACT_NOP}


def execute(command, session: Session, words=(), out=None) -> Result:
    verb = command.verb
    if verb in ("add", "delete"):
        return talk(session, request(command, session))
    if verb == "show":
        return show(command, session, out)
    if verb == "flush":
        return flush(command, session)
    raise unsupported("ip rule " + verb)


def family_of(command) -> int:
    """ip rule takes its family from -4/-6/-0 alone; AF_INET without."""
    return FAMILIES[command.options.family] if command.options.family is not None else socket.AF_INET


# -- iprule_modify() --------------------------------------------------------------------

def request(command, session: Session) -> Request:
    """The RTM_NEWRULE / RTM_DELRULE that `ip rule add|del ...` sends."""
    rule = command.body
    adding = command.verb == "add"
    table = known(rule.table).number if rule.table is not None else 0
    if rule.l3mdev and table:
        # iprule_modify() returns -EINVAL, which main() turns into exit status 22
        raise CommandFailed("table can not be specified for l3mdev rules", 22)
    if adding and not table_chosen(rule):
        table = RT_TABLE_MAIN
    src_len = known(rule.src).length if rule.src is not None else 0
    dst_len = known(rule.dst).length if rule.dst is not None else 0
    tos = known(rule.tos).number if rule.tos is not None else 0
    header = FIB_RULE_HDR.pack(family_of(command), dst_len, src_len, tos, table if table < 256 else 0,
                               0, 0, action_number(rule, adding), FIB_RULE_INVERT if rule.invert else 0)
    body = header + attributes(rule, table)
    flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_CREATE | NLM_F_EXCL if adding else 0)
    return Request(session.rtnl.request(RTM_NEWRULE if adding else RTM_DELRULE, flags, body))


def table_chosen(rule: Rule) -> bool:
    """table_ok: a table, l3mdev, or an action other than a lookup (nat excepted, as in ip)."""
    return rule.table is not None or rule.l3mdev or rule.action not in (None, "lookup", "nat")


def action_number(rule: Rule, adding: bool) -> int:
    """frh.action: a new rule looks a table up unless told otherwise; a
    deletion matches any action unless one is named."""
    if rule.action in (None, "lookup"):
        return FR_ACT_TO_TBL if adding else FR_ACT_UNSPEC
    return ACTIONS.get(rule.action) or ROUTE_TYPES[rule.action]


def attributes(rule: Rule, table: int) -> bytes:
    parts = [prefix_attr(FRA_SRC, rule.src), prefix_attr(FRA_DST, rule.dst)]
    for kind, value in ((FRA_PRIORITY, rule.priority), (FRA_FWMARK, rule.fwmark), (FRA_FWMASK, rule.fwmask),
                        (FRA_GOTO, rule.goto), (FRA_SUPPRESS_PREFIXLEN, rule.suppress_prefixlength),
                        (FRA_TABLE, table if table >= 256 else None)):
        if value is not None:
            parts.append(attr_u32(kind, known(value)))
    if rule.realms is not None:
        parts.append(attr_u32(FRA_FLOW, realms_value(rule.realms)))
    if rule.protocol is not None:
        parts.append(attr_u8(FRA_PROTOCOL, known(rule.protocol).number))
    if rule.tun_id is not None:
        parts.append(attr(FRA_TUN_ID, struct.pack(">Q", known(rule.tun_id))))
    if rule.suppress_ifgroup is not None:
        parts.append(attr_u32(FRA_SUPPRESS_IFGROUP, group_number(known(rule.suppress_ifgroup), 'Invalid "suppress_ifgroup" value')))
    for kind, name in ((FRA_IIFNAME, rule.iif), (FRA_OIFNAME, rule.oif)):
        if name is not None:
            parts.append(attr_string(kind, known(name)))
    if rule.l3mdev:
        parts.append(attr_u8(FRA_L3MDEV, 1))
    if rule.uidrange is not None:
        parts.append(attr(FRA_UID_RANGE, RANGE.pack(known(rule.uidrange).start, rule.uidrange.end)))
    if rule.ipproto is not None:
        parts.append(attr_u8(FRA_IP_PROTO, ip_protocol(known(rule.ipproto))))
    for kind, ports in ((FRA_SPORT_RANGE, rule.sport), (FRA_DPORT_RANGE, rule.dport)):
        if ports is not None:
            parts.append(attr(kind, PORT_RANGE.pack(known(ports).start, ports.end)))
    if rule.nat is not None:
        parts.append(attr(RTA_GATEWAY, known(rule.nat).packed))
    return b"".join(parts)


# -- iprule_list_flush_or_save() ----------------------------------------------------------

def dump_request(command) -> bytes:
    """RTM_GETRULE's body: every rule of the command's family."""
    return listing.rule_dump_request(FAMILIES[command.options.family])


def dump(command, session: Session) -> list[bytes]:
    return session.rtnl.dump(RTM_GETRULE, dump_request(command))


def show(command, session: Session, out=None) -> Result:
    """iprule_list_flush_or_save() listing: to OUT as the kernel dumps the rules when OUT is
    given (the Result then holds no stdout and no objects; pyip.netlink.listing), else all in
    the Result."""
    options = show_options(command.options, session.names)
    flt = rule_filter(command.body)
    if out is not None:
        status, stderr = listing.rules(session.rtnl, options, out, flt)
        return Result(status, stderr=stderr)
    listed = RuleListing({}, options, flt)
    messages = []
    try:
        for data, spans in session.rtnl.dump_stream(RTM_GETRULE, dump_request(command), RTM_NEWRULE):
            listed.feed(data, spans)
            messages += [data[offset:offset + length] for offset, length in spans]
    except KernelError as error:
        return records.evolve(dump_refused(error), stdout=listed.take())  # JSON's opening bracket, at least
    chosen = [m for m in messages if shown.selected(shown.Rule.of(m), flt, family_of(command))]
    return Result(0, listed.result(), objects=tuple(rule_node(m, session.names) for m in chosen))


def flush(command, session: Session) -> Result:
    """flush_rule(): every listed rule that has a priority (rule 0 stays), protocol honoured."""
    try:
        messages = dump(command, session)
    except KernelError as error:
        return dump_refused(error)  # flush lists first, and says so as a listing does
    flt = rule_filter(command.body)
    for message in messages:
        rule = shown.Rule.of(message)
        if not shown.selected(rule, flt, family_of(command)) or shown.FRA_PRIORITY not in rule.attrs:
            continue
        if flt.protocol is not None and shown.FRA_PROTOCOL in rule.attrs and rule.u8(shown.FRA_PROTOCOL) != flt.protocol:
            continue
        try:
            session.rtnl.talk(session.rtnl.request(RTM_DELRULE, NLM_F_REQUEST | NLM_F_ACK, message[16:]))
        except KernelError as error:
            return Result(2, stderr=error.message + "\nFlush terminated\n", errno=error.errno)
    return Result(0)


def dump_refused(error: KernelError) -> Result:
    """rtnl_dump_filter() failed (`ip -0 rule`: the family is refused): ip says so and exits 255."""
    return Result(255, stderr=error.message + "\nDump terminated\n")


def rule_filter(rule: Rule) -> RuleFilter:
    """A pyip.ast Rule used as a selector, as pyip.show's RuleFilter."""
    return RuleFilter(
        not_=rule.invert, from_=prefix_text(rule.src), to=prefix_text(rule.dst),
        tos=known(rule.tos).number if rule.tos is not None else None,
        fwmark=known(rule.fwmark), fwmask=rule.fwmask, iif=known(rule.iif), oif=known(rule.oif),
        pref=known(rule.priority), table=known(rule.table).number if rule.table is not None else None,
        l3mdev=rule.l3mdev, uidrange=span(rule.uidrange),
        ipproto=ip_protocol(known(rule.ipproto)) if rule.ipproto is not None else None,
        sport=span(rule.sport), dport=span(rule.dport),
        # `protocol all` lists every protocol, as if none were given
        protocol=known(rule.protocol).number if rule.protocol not in (None, "all") else None,
        tun_id=known(rule.tun_id))


def span(ports) -> tuple | None:
    return None if ports is None else (known(ports).start, ports.end)


# -- what the kernel holds, as pyip.ast -----------------------------------------------------

def rule_node(message: bytes, names) -> Rule:
    """A dumped rule as the pyip.ast Rule that would create it."""
    rule = shown.Rule.of(message)
    values = rule.attrs
    return Rule(
        invert=bool(rule.flags & FIB_RULE_INVERT),
        src=prefix_of(rule, FRA_SRC, rule.src_len), dst=prefix_of(rule, FRA_DST, rule.dst_len),
        priority=rule.u32(FRA_PRIORITY),
        tos=named(names.dsfield, rule.tos) if rule.tos else None,
        fwmark=rule.u32(FRA_FWMARK) if FRA_FWMARK in values else None,
        fwmask=rule.u32(FRA_FWMASK) if FRA_FWMASK in values else None,
        realms=realms_of(rule.u32(FRA_FLOW), names) if FRA_FLOW in values else None,
        protocol=named(names.protocols, rule.u8(FRA_PROTOCOL)) if FRA_PROTOCOL in values else None,
        tun_id=struct.unpack(">Q", values[FRA_TUN_ID])[0] if FRA_TUN_ID in values else None,
        table=named(names.tables, rule.table) if rule.table else None,
        suppress_prefixlength=signed_or_none(rule.u32(FRA_SUPPRESS_PREFIXLEN, 0xFFFFFFFF)),
        suppress_ifgroup=group_name(rule.u32(FRA_SUPPRESS_IFGROUP, 0xFFFFFFFF)),
        iif=rule.text(FRA_IIFNAME), oif=rule.text(FRA_OIFNAME), l3mdev=bool(rule.u8(FRA_L3MDEV)),
        uidrange=PortRange(*rule.pair(FRA_UID_RANGE, RANGE)) if FRA_UID_RANGE in values else None,
        ipproto=ip_protocols().get(rule.u8(FRA_IP_PROTO), str(rule.u8(FRA_IP_PROTO)))
        if FRA_IP_PROTO in values else None,
        sport=PortRange(*rule.pair(FRA_SPORT_RANGE, PORT_RANGE)) if FRA_SPORT_RANGE in values else None,
        dport=PortRange(*rule.pair(FRA_DPORT_RANGE, PORT_RANGE)) if FRA_DPORT_RANGE in values else None,
        action=action_name(rule.action),
        goto=rule.u32(FRA_GOTO) if FRA_GOTO in values else None,
        nat=ipaddress.ip_address(values[RTA_GATEWAY]) if RTA_GATEWAY in values else None,
    )


def prefix_of(rule, kind: int, length: int) -> Prefix | None:
    if kind not in rule.attrs:
        return None
    return Prefix(ipaddress.ip_address(rule.attrs[kind]), length)


def signed_or_none(value: int) -> int | None:
    """0xFFFFFFFF (-1) is the kernel's "not set"."""
    return None if value == 0xFFFFFFFF else value


def group_name(value: int) -> str | None:
    if value == 0xFFFFFFFF:
        return None
    return device_groups().get(value, str(value))


def action_name(action: int) -> str:
    for name, number in ACTIONS.items():
        if number == action:
            return name
    return RTN_NAMES.get(action, str(action))
