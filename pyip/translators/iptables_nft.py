"""The final iptables ruleset (pyip.ruleset) -> an nftables ruleset (pyip.ast.nft) that does the same.

Each iptables table becomes an `ip` table of the same name, each built-in
chain a base chain on its hook at iptables-nft's priority, each user chain
a regular chain.  A rule becomes its matches, a counter (iptables counts
every rule), then its target.  A rule holding anything nft cannot do
exactly is left out whole -- half a rule would match more than the rule
-- and becomes a `LeftOut` where it stood plus a Finding at its source line.
A match that keeps a state per key (connlimit, hashlimit) becomes a dynamic
set the table declares, one per rule, as each iptables rule keeps its own;
where iptables drops the packet of a key its full table cannot take
(hashlimit), a guard rule after the rule does.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .. import records

from .. import extensions
from ..ast import firewall as fw
from ..extensions.comment import CommentMatch
from ..ast import nft
from ..errors import PyipError, PyipWarning, printable
from ..memo import memo
from ..render.iptables_save import dotted, rule_line


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
            chains = [translator.chain(name, chain) for chain in table.chains.values()]
            result.tables.append(nft.Table(name, chains=chains, sets=translator.sets_of(name)))
    translator.leave_out_shared_state(result)
    return result, translator.findings


class RuleTranslator:
    def __init__(self, quotes_allowed: bool):
        self.quotes_allowed = quotes_allowed
        self.findings: list[Finding] = []
        self.table = "filter"  # the table the next rules go to: the sets they fill are declared there
        self.sets: dict = {}  # table -> {set name: Set}
        self.owners: dict = {}  # shared state's name -> [(table, the nft rule or LeftOut, the iptables rule)]
        self.guards: dict = {}  # id() of an nft rule -> the rule that must follow it

    def chain(self, table: str, chain) -> nft.Chain:
        self.table = table
        result = nft.Chain(chain.name)
        if chain.policy is not None:
            result.type, result.hook, result.priority = base_chain(table, chain.name)
            result.policy = chain.policy.lower()
        result.rules = self.with_guards([self.rule(rule) for rule in chain.rules])
        return result

    def with_guards(self, rules: list) -> list:
        """The chain's rules, each followed by the guard rule it needs (see guard_rule())."""
        if not self.guards:
            return rules
        return [placed for rule in rules for placed in (rule, self.guards.get(id(rule))) if placed is not None]

    def rule(self, rule: fw.Rule) -> nft.Rule | nft.LeftOut | nft.Printed:
        if rule.__class__ is not fw.Rule:  # a rule the rule lane read (pyip.translators.lane)
            text = rule.nft_text(self.quotes_allowed)
            if text is not None:
                return nft.Printed(text)
            rule = rule.materialized()  # its translation is more than text: a set, shared state, a finding
        result = self.translated(rule)
        for match in rule.matches:
            if extensions.SHARERS.get(match.__class__, True) is None:
                continue  # a node of a class known to keep no shared state (most): not asked
            owner = extensions.shared_state(match)
            if owner is not None:
                self.owners.setdefault(owner, []).append((self.table, result, rule))
        return result

    def translated(self, rule: fw.Rule) -> nft.Rule | nft.LeftOut:
        try:
            result = translate_rule(rule, self.quotes_allowed, self.findings)
        except Untranslatable as why:
            self.findings.append(Finding(f"no exact nftables equivalent: {why}", rule.location))
            return nft.LeftOut(f"{printable(str(why))}: {printable(rule_line(rule))}")
        for statement in result.statements:
            if statement.__class__ is nft.SetUpdate:
                try:
                    return self.with_sets_declared(result)
                except Untranslatable as why:
                    self.findings.append(Finding(f"no exact nftables equivalent: {why}", rule.location))
                    return nft.LeftOut(f"{printable(str(why))}: {printable(rule_line(rule))}")
        return result

    def with_sets_declared(self, result: nft.Rule) -> nft.Rule:
        """The rule with each set it fills declared in the table, under a name no other set there has (the state
        is the rule's own, as the iptables match's is), and the guard rule to follow it where one is needed."""
        updates = [statement for statement in result.statements if statement.__class__ is nft.SetUpdate]
        for update in updates:
            if update.full_drops:
                check_guardable(result, update)
        statements = tuple(records.evolve(statement, set=self.declare(statement.set))
                           if statement.__class__ is nft.SetUpdate else statement for statement in result.statements)
        result = records.evolve(result, statements=statements)
        guarded = next((statement for statement in statements
                        if statement.__class__ is nft.SetUpdate and statement.full_drops), None)
        if guarded is not None:
            self.guards[id(result)] = guard_rule(result, guarded)
        return result

    def declare(self, wanted: nft.Set) -> nft.Set:
        declared = self.sets.setdefault(self.table, {})
        name = wanted.name
        while name in declared:
            name = next_name(name)
        declared[name] = records.evolve(wanted, name=name)
        return declared[name]

    def sets_of(self, table: str) -> list:
        return list(self.sets.get(table, {}).values())

    def leave_out_shared_state(self, ruleset: nft.Ruleset) -> None:
        for why, table_name, result, rule in self.sharing_state():
            self.leave_out(next(table for table in ruleset.tables if table.name == table_name), result, rule, why)

    def sharing_state(self) -> list:
        """(why, table, nft rule, iptables rule) for each translated rule that shares a kernel state by name with
        another in iptables (one hashlimit table for every rule naming it, in any table, with the first rule's rate
        and key): nft keeps a state per rule, so they are left out."""
        found = []
        for owner, users in self.owners.items():
            if len(users) > 1:
                why = (f"the {len(users)} rules naming {owner} share one state in iptables (in any table), where "
                       "nft keeps a state per rule")
                found += [(why, table, result, rule) for table, result, rule in users if isinstance(result, nft.Rule)]
        return found

    def leave_out(self, table: nft.Table, result: nft.Rule, rule: fw.Rule, why: str) -> None:
        guard = self.guards.get(id(result))
        for chain in table.chains:
            for index, standing in enumerate(chain.rules):
                if standing is result:
                    chain.rules[index] = nft.LeftOut(f"{printable(why)}: {printable(rule_line(rule))}")
            chain.rules = [standing for standing in chain.rules if standing is not guard]
        names = {s.set.name for s in result.statements if s.__class__ is nft.SetUpdate}
        table.sets = [declared for declared in table.sets if declared.name not in names]
        self.findings.append(Finding(f"no exact nftables equivalent: {why}", rule.location))


# Tests that only read the packet: repeating them in a guard rule changes nothing.
PURE_EXPRESSIONS = (nft.Payload, nft.RawPayload, nft.Meta, nft.Ct, nft.Fib)


def guard_rule(result: nft.Rule, update: nft.SetUpdate) -> nft.Rule:
    """The rule that drops a packet whose key the set could not take, as xt_hashlimit drops it when its table is
    full: the tests before the update again (where they matched, the update ran), then `KEY != @SET drop` (the
    key not there after the update: the set was full)."""
    before = result.statements[:result.statements.index(update)]
    lookup = nft.Match(update.key, nft.SetRef(update.set.name), negated=True)
    return nft.Rule((*before, lookup, COUNTER, nft.Verdict("drop")))


def check_guardable(result: nft.Rule, update: nft.SetUpdate) -> None:
    """The guard rule repeats the tests before the update: each must only read the packet."""
    for statement in result.statements[:result.statements.index(update)]:
        if statement.__class__ is not nft.Match or not pure(statement.left):
            raise Untranslatable("a match that keeps state or acts before hashlimit, which a full hashlimit table "
                                 "drops the packet after; pyip drops it in nft with a rule repeating those tests")


def pure(expression) -> bool:
    if expression.__class__ is nft.Binary:
        return pure(expression.left)
    return isinstance(expression, PURE_EXPRESSIONS)


def next_name(name: str) -> str:
    """connlimit0 -> connlimit1; x -> x_2 -> x_3."""
    stem = name.rstrip("0123456789")
    if stem != name:
        return f"{stem}{int(name[len(stem):]) + 1}"
    return f"{name}_2"


def translate_rule(rule: fw.Rule, quotes_allowed: bool = False, notes: list | None = None) -> nft.Rule:
    """The nft rule; what had to change on the way (a comment nft cannot hold as it is) goes to `notes` as
    warnings."""
    statements = header_matches(rule)
    comments = []
    remembered = extensions.NFT_MEMO.found  # nft_statements()' memo, looked up here for the common case
    for match in rule.matches:
        if match.__class__ is CommentMatch:
            comments.append(match.comment)
            continue
        # (id, quotes_allowed) is the key of a node whose statements read nothing of the rule (see NFT_READS)
        entry = remembered.get((id(match), quotes_allowed))
        if entry is not None:
            statements += entry[1]
            continue
        translate = MATCHES.get(match.__class__)
        statements += translate(match, rule) if translate is not None else unknown_match(match, rule, quotes_allowed)
    statements.append(COUNTER)
    statements += target_statements(rule.target, rule, quotes_allowed)
    comment = None if not comments else nft_comment(comments, quotes_allowed, rule.location, notes)
    return nft.Rule(tuple(statements), comment)


COMMENT_BYTES = 128  # nft: "comment too long, 128 characters maximum allowed"


def nft_comment(comments: list, quotes_allowed: bool, location, notes: list | None) -> str:
    """A comment never costs a rule: several become one, `"` (which nft's text syntax cannot quote) becomes
    `'`, and what is longer than nft keeps is cut; each change is a warning."""
    if len(comments) == 1:  # nearly every rule: one plain comment nft takes as it is
        text = comments[0]
        if text.__class__ is str and '"' not in text and (len(text) <= COMMENT_BYTES // 4 or
                                                           len(text) <= COMMENT_BYTES and text.isascii()):
            return text
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
    entry = HEADER_MEMO.found.get((id(rule.in_interface), id(rule.out_interface), id(rule.fragment), id(rule.protocol)))
    statements = list(entry[1] if entry is not None else
                      interface_protocol_matches(rule.in_interface, rule.out_interface, rule.fragment, rule.protocol))
    if rule.source is not None:
        statements += address_matches("saddr", rule.source)
    if rule.destination is not None:
        statements += address_matches("daddr", rule.destination)
    return statements


# The interfaces, fragment and protocol of most rules are a few tests the parser shares (see pyip.memo).
HEADER_MEMO = memo()


def interface_protocol_matches(in_interface, out_interface, fragment, protocol) -> tuple:
    key = (id(in_interface), id(out_interface), id(fragment), id(protocol))
    statements = HEADER_MEMO.get(key)
    if statements is None:
        statements = tuple(interface_protocol_statements(in_interface, out_interface, fragment, protocol))
        HEADER_MEMO.keep(key, (in_interface, out_interface, fragment, protocol), statements)
    return statements


def interface_protocol_statements(in_interface, out_interface, fragment, protocol) -> list:
    statements = []
    for left, test in ((IIFNAME, in_interface), (OIFNAME, out_interface)):
        match = None if test is None else interface_match(left, test.value, test.negated)
        if match is not None:
            statements.append(match)
    if fragment is not None:
        # -f: the fragment offset is not 0, i.e. a second or later fragment
        offset = nft.Binary("&", nft.Payload("ip", "frag-off"), 0x1FFF)
        statements.append(nft.Match(offset, 0, negated=not fragment.negated))
    if protocol is not None:
        statements.append(protocol_match(protocol.value, protocol.negated))
    return statements


def address_matches(field: str, test: fw.Test | None) -> list:
    """`ip saddr PREFIX`, or `ip saddr & MASK == ADDRESS` for a mask that is not a prefix."""
    if test is None:
        return []
    addresses = test.value
    if len(addresses) == 1 and addresses[0].__class__ is fw.Address and addresses[0].mask == 0xFFFFFFFF:
        return [nft.Match(IP_ADDRESSES[field], dotted(addresses[0].address), test.negated)]  # a host: most rules
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


def port_matches(match) -> list:
    statements = []
    for field, test in (("sport", match.sport), ("dport", match.dport)):
        if test is not None:
            statements.append(nft.Match(PORTS[match.name, field], port_value(test.value), test.negated))
    return statements


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


def masked_value_match(left, test: fw.Test, full_mask: int) -> list:
    masked = test.value
    if masked.mask != full_mask:
        left = nft.Binary("&", left, masked.mask)
    return [nft.Match(left, masked.value, test.negated)]


def id_value(ids: fw.Range):
    return ids.first if ids.first == ids.last else nft.Span(ids.first, ids.last)


MATCHES = {


}


# -- targets ---------------------------------------------------------------------------------


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


NAT_FLAGS = {"random": "random", "random_fully": "fully-random", "persistent": "persistent"}


def nat_flags(target, *names: str) -> tuple:
    """iptables' --random-fully is nft's `fully-random`."""
    return tuple(NAT_FLAGS[name] for name in names if getattr(target, name, False))


TARGETS = {



}
