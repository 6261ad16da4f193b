"""The final iptables ruleset (pyip.ruleset) -> an nftables ruleset (pyip.ast.nft) that does the same.

Each iptables table becomes an `ip` table of the same name, each built-in
chain a base chain on its hook at iptables-nft's priority, each user chain
a regular chain.  A rule becomes its matches, a counter (iptables counts
every rule), then its target.  A rule holding anything nft cannot do
exactly is left out whole -- half a rule would match more than the rule
-- and becomes a `LeftOut` where it stood plus a Finding at its source line.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .. import extensions
from ..ast import firewall as fw
from ..extensions.comment import CommentMatch
from ..ast import nft
from ..errors import PyipError, PyipWarning, printable
from ..render.iptables_save import rule_line


class Finding(PyipError):
    """A construct without an exact nftables equivalent, reported at the command it came from."""


class Untranslatable(Exception):
    """Raised inside a rule's translation: why the rule has no exact nft equivalent."""


# (table, built-in chain) -> (chain type, hook, priority), as iptables-nft registers them.
PRIORITIES = {"raw": "raw", "mangle": "mangle", "filter": "filter", "security": "security"}
NAT_PRIORITIES = {"PREROUTING": "dstnat", "INPUT": 100, "OUTPUT": -100, "POSTROUTING": "srcnat"}


def base_chain(table: str, chain: str) -> tuple[str, str, str | int]:
    hook = chain.lower()
    if table == "nat":
        return "nat", hook, NAT_PRIORITIES[chain]
    if table == "mangle" and chain == "OUTPUT":
        return "route", hook, "mangle"  # a changed mark or TOS re-routes the packet, as iptables' mangle OUTPUT does
    return "filter", hook, PRIORITIES[table]


def translate_ruleset(ruleset, quotes_allowed: bool = False) -> tuple[nft.Ruleset, list[Finding]]:
    """The nft ruleset and the findings, in table order; `quotes_allowed` for JSON, whose strings may hold `"`."""
    translator = RuleTranslator(quotes_allowed)
    result = nft.Ruleset()
    for name in fw.TABLES:
        table = ruleset.tables.get(name)
        if table is not None:
            result.tables.append(nft.Table(name, chains=[translator.chain(name, chain) for chain in table.chains.values()]))
    return result, translator.findings


class RuleTranslator:
    def __init__(self, quotes_allowed: bool):
        self.quotes_allowed = quotes_allowed
        self.findings: list[Finding] = []

    def chain(self, table: str, chain) -> nft.Chain:
        result = nft.Chain(chain.name)
        if chain.policy is not None:
            result.type, result.hook, result.priority = base_chain(table, chain.name)
            result.policy = chain.policy.lower()
        result.rules = [self.rule(rule) for rule in chain.rules]
        return result

    def rule(self, rule: fw.Rule) -> nft.Rule | nft.LeftOut:
        try:
            return translate_rule(rule, self.quotes_allowed, self.findings)
        except Untranslatable as why:
            self.findings.append(Finding(f"no exact nftables equivalent: {why}", rule.location))
            return nft.LeftOut(f"{printable(str(why))}: {printable(rule_line(rule))}")


def translate_rule(rule: fw.Rule, quotes_allowed: bool = False, notes: list | None = None) -> nft.Rule:
    """The nft rule; what had to change on the way (a comment nft cannot hold as it is) goes to `notes` as
    warnings."""
    statements = header_matches(rule)
    comments = []
    for match in rule.matches:
        if match.__class__ is CommentMatch:
            comments.append(match.comment)
        else:
            translate = MATCHES.get(type(match))
            statements += translate(match, rule) if translate is not None else unknown_match(match, rule,
                                                                                             quotes_allowed)
    statements.append(COUNTER)
    statements += target_statements(rule.target, rule, quotes_allowed)
    comment = None if not comments else nft_comment(comments, quotes_allowed, rule.location, notes)
    return nft.Rule(tuple(statements), comment)


COMMENT_BYTES = 128  # nft: "comment too long, 128 characters maximum allowed"


def nft_comment(comments: list, quotes_allowed: bool, location, notes: list | None) -> str:
    """A comment never costs a rule: several become one, `"` (which nft's text syntax cannot quote) becomes
    `'`, and what is longer than nft keeps is cut; each change is a warning."""
    changes = []
    if len(comments) > 1:
        changes.append(f"its {len(comments)} comments joined with `; ' (an nft rule has one)")
    text = "; ".join(checked_string(comment, "a comment", True) for comment in comments)
    if '"' in text and not quotes_allowed:
        text = text.replace('"', "'")
        changes.append("`\"' written as `'' in its comment (nft's text syntax cannot quote `\"')")
    encoded = text.encode("utf-8", "surrogateescape")
    if len(encoded) > COMMENT_BYTES:
        text = encoded[:COMMENT_BYTES].decode("utf-8", "ignore")
        changes.append(f"its comment cut to nft's {COMMENT_BYTES} bytes")
    if changes and notes is not None:
        notes.append(PyipWarning("the nft rule has " + "; ".join(changes), location))
    return text


# Statements are frozen, so rules may share them; a few interfaces, protocols and states make up most rules.
@lru_cache(maxsize=4096)
def interface_match(left, name, negated: bool) -> nft.Match | None:
    """None for `-i +`, which every packet matches; `! -i +` matches none, as an impossible name does (iptables-
    translate's "INVAL/D": `/` is never in an interface name)."""
    if name == "+":
        return nft.Match(left, nft.Quoted("INVAL/D")) if negated else None
    return nft.Match(left, interface_value(name), negated)


@lru_cache(maxsize=1024)
def protocol_match(protocol, negated: bool) -> nft.Match:
    """(protocol_value() reads the number only, by which Protocols compare.)"""
    return nft.Match(IP_PROTOCOL, protocol_value(protocol), negated)


@lru_cache(maxsize=1024)
def ct_state_match(states: tuple, negated: bool) -> nft.Match:
    return nft.Match(CT_STATE, state_value(states), negated)


# Expressions every rule uses: frozen, so one of each serves them all.
COUNTER = nft.Counter()
IIFNAME, OIFNAME = nft.Meta("iifname"), nft.Meta("oifname")
IP_PROTOCOL = nft.Payload("ip", "protocol")
IP_ADDRESSES = {"saddr": nft.Payload("ip", "saddr"), "daddr": nft.Payload("ip", "daddr")}
PORTS = {(protocol, field): nft.Payload(protocol, field) for protocol in ("tcp", "udp") for field in ("sport", "dport")}
CT_STATE = nft.Ct("state")


def checked_string(text, what: str, quotes_allowed: bool) -> str:
    if not isinstance(text, str):
        raise Untranslatable(f"{what} known only when the script runs")
    if '"' in text and not quotes_allowed:
        raise Untranslatable(f'{what} holding `"\', which nft\'s text syntax cannot quote (the JSON output can)')
    return text


def unknown_match(match, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    if extensions.is_extension_node(match):
        return extensions.nft_statements(match, rule, quotes_allowed)
    raise Untranslatable(f"the {getattr(match, 'name', type(match).__name__)} match")


def test_match(left, test: fw.Test | None, convert=lambda v: v) -> list:
    return [] if test is None else [nft.Match(left, convert(test.value), test.negated)]


# -- the rule's own tests -----------------------------------------------------------------------


def header_matches(rule: fw.Rule) -> list:
    """In iptables-nft's order (nft_ipv4_xlate()): interfaces, fragment, protocol, addresses."""
    statements = []
    for left, test in ((IIFNAME, rule.in_interface), (OIFNAME, rule.out_interface)):
        match = None if test is None else interface_match(left, test.value, test.negated)
        if match is not None:
            statements.append(match)
    if rule.fragment is not None:
        # -f: the fragment offset is not 0, i.e. a second or later fragment
        offset = nft.Binary("&", nft.Payload("ip", "frag-off"), 0x1FFF)
        statements.append(nft.Match(offset, 0, negated=not rule.fragment.negated))
    if rule.protocol is not None:
        statements.append(protocol_match(rule.protocol.value, rule.protocol.negated))
    statements += address_matches("saddr", rule.source)
    statements += address_matches("daddr", rule.destination)
    return statements


def address_matches(field: str, test: fw.Test | None) -> list:
    """`ip saddr PREFIX`, or `ip saddr & MASK == ADDRESS` for a mask that is not a prefix."""
    if test is None:
        return []
    addresses = test.value
    if len(addresses) == 1 and isinstance(addresses[0], fw.Address) and addresses[0].prefix_length is None:
        masked = nft.Binary("&", IP_ADDRESSES[field], str(ipaddress.IPv4Address(addresses[0].mask)))
        return [nft.Match(masked, str(addresses[0].address), test.negated)]
    return [nft.Match(IP_ADDRESSES[field], addresses_value(addresses), test.negated)]


def addresses_value(addresses: tuple):
    if len(addresses) == 1:
        return address_value(addresses[0])
    return nft.Elements(tuple([address_value(a) for a in addresses]))


def address_value(address):
    if isinstance(address, fw.HostName):
        raise Untranslatable(f"the host name {address.name}, which iptables resolves each time the rule is "
                             "added; give its address")
    if not isinstance(address, fw.Address):
        raise Untranslatable(f"the address {address}, known only when the script runs")
    if address.mask == 0xFFFFFFFF:
        return str(address.address)  # a host: prefix_length 32, without computing it
    length = address.prefix_length
    return str(address.address) if length == 32 else nft.Prefix(str(address.address), length)


def interface_value(name) -> nft.Quoted:
    """iptables' trailing `+` is nft's trailing `*`; any other `*` is a plain character to both, except that nft
    would read a last one as its wildcard: it is written `\\*`."""
    if not isinstance(name, str):
        raise Untranslatable(f"the interface {name}, known only when the script runs")
    if '"' in name:
        raise Untranslatable(f"the interface name {name}: nft's text syntax cannot quote `\"'")
    if name.endswith("+"):
        return nft.Quoted(name[:-1] + "*")
    return nft.Quoted(name[:-1] + "\\*" if name.endswith("*") else name)


PROTOCOL_NAMES = {1: "icmp", 6: "tcp", 17: "udp"}


def protocol_value(protocol):
    if not isinstance(protocol, fw.Protocol):
        raise Untranslatable(f"the protocol {protocol}, known only when the script runs")
    return PROTOCOL_NAMES.get(protocol.number, protocol.number)


# -- matches ---------------------------------------------------------------------------------


def port_value(ports: fw.PortRange):
    return ports.first if ports.first == ports.last else nft.Span(ports.first, ports.last)


def port_matches(match, rule: fw.Rule) -> list:
    statements = []
    for field, test in (("sport", match.sport), ("dport", match.dport)):
        if test is not None:
            statements.append(nft.Match(PORTS[match.name, field], port_value(test.value), test.negated))
    return statements


def tcp_matches(match: fw.TcpMatch, rule: fw.Rule) -> list:
    statements = port_matches(match, rule)
    if match.option is not None:
        kind = match.option.value
        exists = "missing" if match.option.negated else "exists"
        statements.append(nft.Raw(f"tcp option {kind} {exists}", {"match": {
            "op": "==", "left": {"tcp option": {"name": str(kind)}}, "right": not match.option.negated}}))
    if match.flags is not None:
        flags = nft.Binary("&", nft.Payload("tcp", "flags"), match.flags.value.mask)
        statements.append(nft.Match(flags, match.flags.value.compare, match.flags.negated))
    # the xt tcp match never matches a later fragment; nor does any test on the tcp header
    return statements or [nft.Match(nft.Payload("tcp", "dport"), nft.Span(0, 0xFFFF))]


def udp_matches(match: fw.UdpMatch, rule: fw.Rule) -> list:
    return port_matches(match, rule) or [nft.Match(nft.Payload("udp", "dport"), nft.Span(0, 0xFFFF))]


def icmp_matches(match: fw.IcmpMatch, rule: fw.Rule) -> list:
    icmp, negated = match.icmp_type.value, match.icmp_type.negated
    type_field, code_field = nft.Payload("icmp", "type"), nft.Payload("icmp", "code")
    if icmp.type == 0xFF:  # iptables' `any`
        return [nft.Match(type_field, nft.Span(0, 0xFF), negated)]
    every_code = (icmp.code_min, icmp.code_max) == (0, 0xFF)
    if every_code:
        return [nft.Match(type_field, icmp.type, negated)]
    if not negated:
        code = icmp.code_min if icmp.code_min == icmp.code_max else nft.Span(icmp.code_min, icmp.code_max)
        return [nft.Match(type_field, icmp.type), nft.Match(code_field, code)]
    if icmp.code_min != icmp.code_max:
        raise Untranslatable("a negated ICMP type with a range of codes")
    pair = nft.Concat((type_field, code_field))
    return [nft.Match(pair, nft.Elements((nft.Concat((icmp.type, icmp.code_min)),)), negated=True)]


def names_value(names: tuple):
    if len(names) == 1:
        return names[0].lower().replace("_", "-")
    return nft.Elements(tuple([name.lower().replace("_", "-") for name in names]))


def state_value(states: tuple):
    """`ct state a,b`, a bitmask test, as iptables-translate writes it; a connection has one state, so it is the
    same as the set `{ a, b }`."""
    if len(states) == 1:
        return states[0].lower()
    return nft.Flags(tuple(name.lower() for name in states))


def state_matches(match: fw.StateMatch, rule: fw.Rule) -> list:
    # a connection has exactly one state, so a set of states is exact (`ct state` is one bit)
    return [ct_state_match(match.states.value, match.states.negated)]


CT_ADDRESSES = (("orig_src", "original", "saddr"), ("orig_dst", "original", "daddr"),
                ("repl_src", "reply", "saddr"), ("repl_dst", "reply", "daddr"))


CT_PORTS = {"ctorigsrcport": ("original", "proto-src"), "ctorigdstport": ("original", "proto-dst"),
            "ctreplsrcport": ("reply", "proto-src"), "ctrepldstport": ("reply", "proto-dst")}
CT_NAT_STATES = {"SNAT": "snat", "DNAT": "dnat"}  # ct status bits xt_conntrack mixes into its state list


def ct_flags(names) -> nft.Flags:
    return nft.Flags(tuple(name.lower().replace("_", "-") for name in names))


def conntrack_matches(match: fw.ConntrackMatch, rule: fw.Rule) -> list:
    """In iptables-translate's order: direction, protocol, state, status, addresses, ports."""
    if match.ports and match.proto is None:
        raise Untranslatable("a conntrack port without --ctproto (nft needs the protocol to read a port)")
    statements = [] if match.direction is None else [nft.Match(nft.Ct("direction"), match.direction.lower())]
    statements += test_match(nft.Ct("protocol", "original"), match.proto)
    statements += ct_state_matches(match.state)
    statements += ct_status_matches(match.status)
    for field, direction, key in CT_ADDRESSES:
        statements += test_match(nft.Ct(key, direction, "ip"), getattr(match, field), address_value)
    for option, test in match.ports:
        statements += test_match(nft.Ct(CT_PORTS[option][1], CT_PORTS[option][0]), test, port_value)
    return statements + ct_expire_matches(match.expire)


CT_EXPIRATION = nft.Ct("expiration")
EXPIRATION_SECONDS = 0xFFFFFFFF // 1000  # nft's ct expiration is 32 bits of milliseconds


def ct_expire_matches(test) -> list:
    """xt_conntrack compares the whole seconds left (jiffies / HZ), nft's `ct expiration' the milliseconds:
    MIN:MAX seconds is `>= MIN s` and `< MAX+1 s`, both bounds exact.  (A millisecond range `3000ms-3999ms`
    would do as well in the kernel, but nft lists it as `3s-3s`, which reads back as something else.)  A bound past
    nft's 32 bits of milliseconds (49 days) is left out: no conntrack timeout is that long by default."""
    if test is None:
        return []
    low, high = test.value.first, test.value.last
    open_top = high >= EXPIRATION_SECONDS
    if low > EXPIRATION_SECONDS:
        raise Untranslatable("--ctexpire past nft's 32 bits of milliseconds (49 days)")
    if not test.negated and low == 0 and open_top:  # any time left, but there must be a connection
        return [ct_state_match(("ESTABLISHED", "RELATED", "NEW"), False)]
    if not test.negated:
        return ([nft.Match(CT_EXPIRATION, f"{low}s", operator=">=")] if low else []) + \
            ([] if open_top else [nft.Match(CT_EXPIRATION, f"{high + 1}s", operator="<")])
    if low == 0 and not open_top:
        return [nft.Match(CT_EXPIRATION, f"{high + 1}s", operator=">=")]
    if open_top and low > 0:
        return [nft.Match(CT_EXPIRATION, f"{low}s", operator="<")]
    raise Untranslatable("! --ctexpire with both bounds (outside a range is an OR of two tests in nft)")


def ct_state_matches(test) -> list:
    """xt_conntrack's state list may hold SNAT and DNAT, ct status bits: alone they are `ct status`; mixed
    with states they would need an OR of two keys."""
    if test is None:
        return []
    nat = [name for name in test.value if name in CT_NAT_STATES]
    if not nat:
        return [nft.Match(CT_STATE, state_value(test.value), test.negated)]
    if len(nat) != len(test.value):
        raise Untranslatable("--ctstate mixing states with SNAT/DNAT (a ct status bit): one of two keys")
    return [ct_bits_match(tuple(CT_NAT_STATES[name] for name in nat), test.negated)]


def ct_status_matches(test) -> list:
    if test is None:
        return []
    if not test.value:
        raise Untranslatable("--ctstatus NONE (no bit to test)")
    return [ct_bits_match(test.value, test.negated)]


def ct_bits_match(names: tuple, negated: bool) -> nft.Match:
    """Any of the bits set: `ct status a,b`; none of them: `ct status ! a,b`, nft's `& (a|b) == 0`."""
    return nft.Match(nft.Ct("status"), ct_flags(names), False, "!" if negated else "==")


def masked_value_match(left, test: fw.Test, full_mask: int) -> list:
    masked = test.value
    if masked.mask != full_mask:
        left = nft.Binary("&", left, masked.mask)
    return [nft.Match(left, masked.value, test.negated)]


def id_value(ids: fw.Range):
    return ids.first if ids.first == ids.last else nft.Span(ids.first, ids.last)


MATCHES = {
    fw.TcpMatch: tcp_matches, fw.UdpMatch: udp_matches, fw.IcmpMatch: icmp_matches, fw.StateMatch: state_matches,
    fw.ConntrackMatch: conntrack_matches,


}


# -- targets ---------------------------------------------------------------------------------

LOG_LEVELS = ("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug")
LOG_FLAGS = (("tcp_sequence", "tcp sequence"), ("tcp_options", "tcp options"), ("ip_options", "ip options"),
             ("uid", "skuid"), ("macdecode", "ether"))
REJECT_CODES = {"icmp-net-unreachable": "net-unreachable", "icmp-host-unreachable": "host-unreachable",
                "icmp-proto-unreachable": "prot-unreachable", "icmp-net-prohibited": "net-prohibited",
                "icmp-host-prohibited": "host-prohibited", "icmp-admin-prohibited": "admin-prohibited"}


VERDICTS: dict = {}  # verdict name -> its (frozen, shared) statement


def target_statements(target, rule: fw.Rule, quotes_allowed: bool) -> list:
    if target is None:
        return []
    if target.__class__ is fw.Verdict:
        verdict = VERDICTS.get(target.name)
        if verdict is None:
            verdict = VERDICTS[target.name] = nft.Verdict({"DENY": "drop"}.get(target.name, target.name.lower()))
        return [verdict]
    if isinstance(target, fw.ChainJump):
        return [nft.Verdict("goto" if target.goto else "jump", target.chain)]
    translate = TARGETS.get(type(target))
    if translate is None and extensions.is_extension_node(target):
        return extensions.nft_statements(target, rule, quotes_allowed)
    if translate is None:
        raise Untranslatable(f"the {getattr(target, 'name', type(target).__name__)} target")
    return translate(target, quotes_allowed)


def reject_statements(target: fw.Reject, quotes_allowed: bool) -> list:
    if target.reject_with == "icmp-port-unreachable":
        return [nft.Reject()]
    if target.reject_with == "tcp-reset":
        return [nft.Reject("tcp reset")]
    return [nft.Reject("icmp", REJECT_CODES[target.reject_with])]


def log_statements(target: fw.Log, quotes_allowed: bool) -> list:
    prefix = None if target.prefix is None else checked_string(target.prefix, "a log prefix", quotes_allowed)
    level = None if target.level == 4 else LOG_LEVELS[target.level]
    flags = tuple(flag for field, flag in LOG_FLAGS if getattr(target, field))
    return [nft.Log(prefix, level, flags)]


def nflog_statements(target: fw.Nflog, quotes_allowed: bool) -> list:
    prefix = None if target.prefix is None else checked_string(target.prefix, "a log prefix", quotes_allowed)
    return [nft.Log(prefix, group=target.group, snaplen=target.size, threshold=target.threshold or None)]


NAT_FLAGS = {"random": "random", "random_fully": "fully-random", "persistent": "persistent"}


def nat_flags(target, *names: str) -> tuple:
    """iptables' --random-fully is nft's `fully-random`."""
    return tuple(NAT_FLAGS[name] for name in names if getattr(target, name, False))


def masquerade_statements(target: fw.Masquerade, quotes_allowed: bool) -> list:
    port = None if target.ports is None else port_value(target.ports)
    return [nft.Nat("masquerade", port=port, flags=nat_flags(target, "random", "random_fully"))]


def redirect_statements(target: fw.Redirect, quotes_allowed: bool) -> list:
    port = None if target.ports is None else port_value(target.ports)
    return [nft.Nat("redirect", port=port, flags=nat_flags(target, "random"))]


def snat_dnat_statements(target, quotes_allowed: bool) -> list:
    to = target.to
    if not isinstance(to, fw.NatRange):
        raise Untranslatable(f"the NAT address {to}, known only when the script runs")
    if to.base_port is not None:
        raise Untranslatable("a shifted NAT port range (/BASE): nft 1.0.6 maps ports one to one")
    address = None
    if to.min_address is not None:
        single = to.max_address in (None, to.min_address)
        address = str(to.min_address) if single else nft.Span(str(to.min_address), str(to.max_address))
    port = None if to.min_port is None else port_value(fw.PortRange(to.min_port, to.max_port))
    kind = "snat" if isinstance(target, fw.Snat) else "dnat"
    return [nft.Nat(kind, address, port, nat_flags(target, "random", "random_fully", "persistent"))]


def tcpmss_statements(target: fw.Tcpmss, quotes_allowed: bool) -> list:
    return [nft.TcpMss(target.mss)]


TARGETS = {
    fw.Reject: reject_statements, fw.Log: log_statements, fw.Nflog: nflog_statements,
    fw.Masquerade: masquerade_statements, fw.Redirect: redirect_statements, fw.Snat: snat_dnat_statements,
    fw.Dnat: snat_dnat_statements,
    fw.Tcpmss: tcpmss_statements,
}
