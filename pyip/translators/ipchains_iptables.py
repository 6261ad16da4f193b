"""The final ipchains ruleset (pyip.ruleset_ipchains) -> an iptables ruleset (pyip.ruleset) that does the same.

Where the chains go (spec/translation.md, spec/ipchains.md "Where the chains run (2.2)"):

- style "faithful" (default) keeps where 2.2 ran them: `input` at mangle
  PREROUTING (every inbound packet, before routing), `forward` at filter
  FORWARD, `output` at mangle POSTROUTING (every outbound packet, forwarded
  ones included).  An ACCEPT ends the stage and the packet goes on to the
  next, as in 2.2.
- style "conventional": INPUT, FORWARD and OUTPUT of the filter table, with
  a warning for every difference that makes.

To nftables, the faithful style does not go through iptables' tables (no
tool exists for this): one table `ipchains` holds the three chains under
their own names, each a base chain on the hook where 2.2 ran it
(IPCHAINS_HOOKS): `input` on prerouting before destination NAT, `forward`
on forward, `output` on postrouting after source NAT, so that its tests see
the masqueraded source as 2.2's output did.  nft allows REJECT on
prerouting and TOS in any chain, so those need no detour; only `output`
(postrouting) cannot reject.

ipchains' `-i` is the incoming interface in `input` and the outgoing one in
`forward` and `output`: it becomes `-o` there.  A user chain goes in the
table of its callers; reached from chains where `-i` or the table differ, it
becomes one copy per calling chain (`NAME-input`, ...), reported.

A rule's side actions become rules of their own before the verdict rule, in
the kernel's order: `-l` a LOG rule (level info), `-t` a TOS rule (mangle
only: from a filter chain it goes to mangle at the same hook), `-m N` a
MARK rule, `-o` an NFLOG rule.  DENY is DROP; MASQ in forward is ACCEPT plus
a nat POSTROUTING MASQUERADE rule (and one conntrack ESTABLISHED,RELATED
accept at the top of FORWARD: replies to masqueraded connections skipped
`forward`); REDIRECT in input is ACCEPT plus a nat PREROUTING REDIRECT rule.

Never silent: what has no equivalent is a Finding (error) at the ipchains
command, and a `LeftOutRule` where it stood, printed as `# pyip: left out:`;
what works but differs from 2.2 is a `Note` (warning), which does not make
the translation fail.
"""

from __future__ import annotations

from .. import records

from ..ast import firewall as fw
from ..extensions import is_extension_node, module_of
from ..extensions.masquerade import Masquerade
from ..extensions.reject import Reject
from ..extensions.icmp import ipchains_icmp_rules
from ..extensions.udp import UdpMatch
from ..extensions.tcp import TcpMatch
from ..extensions.state import StateMatch
from ..extensions.tos import Tos
from ..extensions.mark import Mark
from ..ast import ipchains as ch
from ..ast import nft
from ..errors import Location, PyipError, printable
from ..ruleset import Chain, Ruleset
from .detect import is_error, is_ipchains_save, uses_ipchains  # noqa: F401  (this module's API too)
from .iptables_nft import Finding, RuleTranslator, base_chain

FAITHFUL, CONVENTIONAL = "faithful", "conventional"
STYLES = (FAITHFUL, CONVENTIONAL)
# built-in ipchains chain -> (table, chain, `-i` becomes `-o`)
PLACES = {
    FAITHFUL: {"input": ("mangle", "PREROUTING", False), "forward": ("filter", "FORWARD", True),
               "output": ("mangle", "POSTROUTING", True)},
    CONVENTIONAL: {"input": ("filter", "INPUT", False), "forward": ("filter", "FORWARD", True),
                   "output": ("filter", "OUTPUT", True)},
}
# The faithful mapping straight to nftables: one table, each chain on its 2.2 hook (see IPCHAINS_HOOKS).
NFT_TABLE = "ipchains"
NFT_PLACES = {"input": (NFT_TABLE, "input", False), "forward": (NFT_TABLE, "forward", True),
              "output": (NFT_TABLE, "output", True)}
# chain -> (type, hook, priority).  input runs before destination NAT (-100), where REDIRECT rewrites the
# port its own rule tested, and sees replies to masqueraded connections before they are demasqueraded,
# as 2.2's input did; output runs after source NAT (100): 2.2's output saw packets masqueraded.
# nft cannot REJECT on postrouting: an output that rejects runs as two base chains, locally made packets on
# the output hook (which rejects) and forwarded ones on the forward hook after `forward' (2.2 ran output after
# forward), before masquerading -- exact when no rule reached from output tests the source that masquerading
# rewrites.  When one does, forwarded packets stay on postrouting, after masquerading, behind a first rule
# that lets locally made ones by (`meta iif 0`: they have no input interface), and a REJECT there drops
# without the ICMP error (a warning).  See IpchainsTranslator.output_split.
SPLIT_OUTPUT = ("output-local", "output-routed")
# To iptables, output rejects at filter OUTPUT (local packets) and in this user chain of the filter table,
# which forward's ACCEPTs go to with -g (forwarded ones): 2.2 ran output after forward.
ROUTED_OUTPUT = "output-routed"
IPCHAINS_HOOKS = {"input": ("filter", "prerouting", "mangle"), "forward": ("filter", "forward", "filter"),
                  "output": ("filter", "postrouting", 110), "output-local": ("filter", "output", "filter"),
                  "output-routed": ("filter", "forward", 10)}
UNREACHED = ("filter", None, False)  # a user chain no built-in chain jumps to
VERDICTS = {"ACCEPT": "ACCEPT", "DENY": "DROP", "RETURN": "RETURN"}
ESTABLISHED = StateMatch(fw.Test(("RELATED", "ESTABLISHED")))


class Note(Finding):
    """A difference the translation makes that the user should know about; not a failure."""

    severity = "warning"

    def __str__(self) -> str:
        return f"{self.location}: warning: {printable(self.message)}"


class LeftOutRule(metaclass=records.frozen):
    """Where a construct stood that has no iptables equivalent: a `# pyip: left out:` line in the output."""

    why: str


class Untranslatable(Exception):
    pass


class NftOnly(metaclass=records.frozen):
    """A rule only nft can say, given as pyip.ast.nft's Rule; `key` names it for the live ipchains."""

    rule: object
    key: str


FORWARDED_ONLY = NftOnly(nft.Rule((nft.Match(nft.Meta("iif"), 0), nft.Verdict("accept"))), "forwarded only")


def ipchains_text(rule: fw.Rule) -> str:
    from ..render.ipchains import rule_line

    try:
        return rule_line(rule)
    except Exception:  # a value the renderer cannot print: say where it was instead
        return f"the ipchains rule at {rule.location}"


class IpchainsTranslator:
    def __init__(self, style: str = FAITHFUL, policy_locations: dict | None = None, tool: str = "iptables"):
        if style not in STYLES or tool not in ("iptables", "nftables"):
            raise ValueError(f"unknown style {style} or tool {tool}")
        self.style = style
        self.tool = tool
        self.direct = tool == "nftables" and style == FAITHFUL  # straight to nft hooks (NFT_PLACES)
        self.places = NFT_PLACES if self.direct else PLACES[style]
        self.policy_locations = policy_locations or {}
        self.findings: list[PyipError] = []
        self.result = Ruleset()
        self.masquerading: Location | None = None
        self.split_output = False  # output on the output and forward hooks (SPLIT_OUTPUT), to REJECT there
        self.split_blocker: fw.Rule | None = None  # the rule that keeps a rejecting output on postrouting
        self.routed_after_nat = False  # forwarded packets stay on postrouting (see SPLIT_OUTPUT)
        self.routed_goto: str | None = None  # iptables: the chain forward's ACCEPTs go to (see ROUTED_OUTPUT)
        self.forward_policy: str | None = None

    # -- findings ----------------------------------------------------------------------------------

    def error(self, chain: Chain, message: str, rule: fw.Rule | None, location: Location | None = None) -> None:
        location = location or (rule.location if rule is not None else Location())
        self.findings.append(Finding(f"no {self.tool} equivalent: {message}", location))
        where = ipchains_text(rule) if rule is not None else f"at {location}"
        chain.rules.append(LeftOutRule(f"{printable(message)}: {printable(where)}"))

    def note(self, message: str, location: Location) -> None:
        self.findings.append(Note(message, location))

    # -- chains ------------------------------------------------------------------------------------

    def chain(self, table: str, name: str) -> Chain:
        target = self.result.table(table, create=True)
        if name in fw.TABLES.get(table, ()):
            return target.builtin(name)
        if name not in target.chains:
            target.chains[name] = Chain(name)
        return target.chains[name]

    def translate(self, ruleset) -> tuple[Ruleset, list[PyipError]]:
        chains = ruleset.chains
        self.contexts = reaching(chains)
        if self.direct:
            self.output_split(chains)
        elif self.style == FAITHFUL:
            self.iptables_output_split(chains)
        self.names = self.chain_names(chains)
        for name in ch.BUILTIN_CHAINS:
            self.builtin_chain(chains[name])
        for chain in chains.values():
            if chain.policy is None:
                for context in self.contexts[chain.name] or [None]:
                    self.user_chain(chain, context)
        if self.masquerading is not None:
            table, name, _ = self.place("forward")
            forward = self.chain(table, name)
            forward.rules.insert(0, fw.Rule(name, table, matches=(ESTABLISHED,),
                                            target=self.accepted("forward", forward, "ACCEPT")))
            self.note(f"MASQ: replies to masqueraded connections skipped `forward' in 2.2; a first {name} rule "
                      "accepts ESTABLISHED,RELATED packets, which lets the later packets of every connection "
                      "forward accepted through without the forward rules", self.masquerading)
        if self.style == CONVENTIONAL:
            self.conventional_notes(chains)
        self.findings.sort(key=lambda f: (f.location.line, f.location.col))
        return self.result, self.findings

    def output_rejecting(self, chains: dict) -> tuple:
        """The rules reached from output, and where output first rejects (None if it never does)."""
        reached = [chains["output"]] + [chains[name] for name, contexts in self.contexts.items() if "output" in contexts]
        rules = [rule for chain in reached for rule in chain.rules]
        rejecting = next((r for r in rules if isinstance(r.target, Reject)), None)
        if rejecting is None and chains["output"].policy != "REJECT":
            return rules, None
        return rules, rejecting.location if rejecting is not None else self.policy_locations.get("output", Location())

    def iptables_output_split(self, chains: dict) -> None:
        """iptables rejects in the filter table only: an output that rejects runs at filter OUTPUT for locally
        made packets, and in ROUTED_OUTPUT, where forward's ACCEPTs go (-g), for forwarded ones."""
        _, where = self.output_rejecting(chains)
        if where is None:
            return
        self.routed_goto = ROUTED_OUTPUT
        self.forward_policy = chains["forward"].policy
        self.places = {**self.places, "output": ("filter", "OUTPUT", True)}
        self.note(f"output: REJECT works in the filter table only, so output runs at filter OUTPUT (locally made "
                  f"packets) and in the chain {ROUTED_OUTPUT}, where forward's ACCEPTs go (forwarded ones), as 2.2 "
                  "ran output after forward", where)

    def accepted(self, context: str | None, chain: Chain, name: str):
        """ACCEPT, or in forward (and RETURN from forward itself under an accepting policy) the goto to
        ROUTED_OUTPUT when output runs there."""
        if self.routed_goto is not None and context == "forward":
            if name == "ACCEPT" or (name == "RETURN" and chain.policy is not None
                                    and self.forward_policy in ("ACCEPT", "MASQ")):
                return fw.ChainJump(self.routed_goto, goto=True)
        return fw.Verdict(name)

    def output_split(self, chains: dict) -> None:
        """Split output (SPLIT_OUTPUT) when it rejects and the split is exact: nothing masquerades, or no rule
        reached from output tests the source address or port, which masquerading rewrites."""
        rules, where = self.output_rejecting(chains)
        if where is None:
            return
        if masquerades(chains):
            self.split_blocker = next((rule for rule in rules if tests_source(rule)), None)
            if self.split_blocker is not None:
                if any(isinstance(rule.target, Reject) for rule in rules if rule not in chains["output"].rules):
                    return  # a user chain that rejects cannot be jumped to from postrouting
                self.routed_after_nat = True
        self.split_output = True
        self.places = {**self.places, "output": (NFT_TABLE, SPLIT_OUTPUT[0], True)}
        if self.routed_after_nat:
            self.note(f"output: nft cannot REJECT on postrouting, and the rule at {self.split_blocker.location} tests "
                      "the source masquerading rewrites: locally made packets go through output on the output hook "
                      "(where REJECT rejects, as 2.2), forwarded ones after masquerading on postrouting, where a "
                      "REJECT drops them without the ICMP error 2.2 sent", where)
        else:
            self.note("output: nft cannot REJECT on postrouting, so output runs on the output hook (locally made "
                      "packets) and on the forward hook after forward (forwarded ones), before masquerading; the "
                      "same as 2.2, as no rule of output tests the source masquerading rewrites", where)

    def chain_names(self, chains: dict) -> dict:
        """(ipchains chain, context) -> the iptables chain name: the same name unless it needs copies."""
        names = {}
        for chain in chains.values():
            if chain.policy is not None:
                continue
            contexts = self.contexts[chain.name]
            # where ACCEPT differs too: forward's go on to output (ROUTED_OUTPUT)
            places = {(*self.place(c)[0::2], c == "forward" and self.routed_goto is not None) for c in contexts}
            for context in contexts or [None]:
                names[chain.name, context] = f"{chain.name}-{context}" if len(places) > 1 else chain.name
            if contexts:  # a jump from a chain nothing reaches never runs: any copy is its target
                names[chain.name, None] = names[chain.name, contexts[0]]
            if len(places) > 1:
                jump = first_jump(chains, chain.name)
                self.note(f"chain `{chain.name}' is reached from {', '.join(contexts)}, where `-i' means different "
                          f"interfaces or the tables differ: translated as one copy each "
                          f"({', '.join(names[chain.name, c] for c in contexts)})", jump)
        return names

    def place(self, context: str | None) -> tuple:
        if context is None:
            return (NFT_TABLE, None, False) if self.direct else UNREACHED
        return self.places[context]

    def rejects(self, context: str | None, table: str) -> bool:
        """Can REJECT stand here?  iptables: in the filter table only; nft: on any hook but postrouting."""
        return (context != "output" or self.split_output) if self.direct else table == "filter"

    def builtin_chain(self, chain) -> None:
        table, name, _ = self.place(chain.name)
        target = self.chain(table, name)
        target.policy = target.policy or "ACCEPT"  # a base chain from the start (nft's are not iptables built-ins)
        for rule in chain.rules:
            self.rule(rule, chain.name, target, table)
        self.policy(chain, target, table)
        if chain.name == "output" and self.split_output:
            self.forwarded_output(target, table)
        if self.routed_goto is not None:
            self.routed_output(chain, target, table)

    def routed_output(self, chain, target: Chain, table: str) -> None:
        """iptables: forward's accepting policy goes on to ROUTED_OUTPUT; ROUTED_OUTPUT is output's copy, its
        policy a last rule."""
        if chain.name == "forward" and chain.policy in ("ACCEPT", "MASQ"):
            target.rules.append(fw.Rule(target.name, table, target=fw.ChainJump(self.routed_goto, goto=True),
                                        location=self.policy_locations.get("forward", Location())))
        if chain.name == "output":
            routed = self.chain(table, self.routed_goto)
            routed.rules = [records.evolve(r, chain=routed.name) if isinstance(r, fw.Rule) else r for r in target.rules]
            routed.rules.append(fw.Rule(routed.name, table, target=fw.Verdict(target.policy)))

    def forwarded_output(self, local: Chain, table: str) -> None:
        """output's copy for forwarded packets: on the forward hook, or on postrouting after masquerading."""
        if not self.routed_after_nat:
            routed = self.chain(table, SPLIT_OUTPUT[1])
            routed.policy = local.policy
            routed.rules = [records.evolve(r, chain=routed.name) if isinstance(r, fw.Rule) else r for r in local.rules]
            return
        routed = self.chain(table, "output")
        routed.policy = local.policy
        routed.rules = [FORWARDED_ONLY] + [
            records.evolve(r, chain="output", target=fw.Verdict("DROP") if isinstance(r.target, Reject) else r.target)
            if isinstance(r, fw.Rule) else r for r in local.rules]

    def user_chain(self, chain, context: str | None) -> None:
        table = self.place(context)[0]
        target = self.chain(table, self.names[chain.name, context])
        for rule in chain.rules:
            self.rule(rule, context, target, table)

    def policy(self, chain, target: Chain, table: str) -> None:
        policy = chain.policy
        location = self.policy_locations.get(chain.name, Location())
        target.policy = "DROP" if policy in ("DENY", "REJECT") else "ACCEPT"
        if policy == "REJECT":
            if self.rejects(chain.name, table):
                target.rules.append(fw.Rule(target.name, table, target=Reject(), location=location))
            else:
                self.error(target, f"policy REJECT of `{chain.name}': REJECT cannot stand in "
                                   f"{self.where(table, target)} ({self.reject_limit}); the policy drops instead",
                           None, location)
        elif policy == "MASQ":
            if chain.name == "forward":
                self.chain("nat", "POSTROUTING").rules.append(
                    fw.Rule("POSTROUTING", "nat", target=Masquerade(), location=location))
                self.masquerading = self.masquerading or location
                if any(accepts(rule) for rule in chain.rules):
                    self.note("policy MASQ: nat POSTROUTING masquerades every forwarded packet, those forward's "
                              "rules accept too", location)
            else:
                self.note(f"policy MASQ of `{chain.name}': only forward masquerades; ACCEPT, as the 2.4 "
                          "ipchains layer did", location)

    # -- rules -------------------------------------------------------------------------------------

    def rule(self, rule: fw.Rule, context: str | None, target: Chain, table: str) -> None:
        swap = self.place(context)[2]
        base = records.evolve(rule, table=table, chain=target.name, actions=(), target=None)
        if swap and rule.in_interface is not None:
            base = records.evolve(base, in_interface=None, out_interface=rule.in_interface)
        try:
            variants = ipchains_icmp_rules(base)
        except Untranslatable as why:
            self.error(target, str(why), rule)
            return
        if self.style == FAITHFUL and context == "output" and rule.source is not None and table == "mangle":
            self.note("output: mangle POSTROUTING runs before masquerading, so this -s test sees the source "
                      "before MASQ rewrote it (2.2's output saw it after)", rule.location)
        elif context == "output" and rule.source is not None and self.routed_goto is not None:
            self.note(f"output: filter OUTPUT and {self.routed_goto} run before masquerading, so this -s test sees "
                      "the source before MASQ rewrote it (2.2's output saw it after)", rule.location)
        for action in rule.actions:
            self.action(action, rule, variants, context, target, table)
        if rule.target is None and rule.actions:
            return  # the action rules count the packets already
        verdict = self.target(rule, context, target, table, variants)
        if verdict is not False:
            target.rules += [records.evolve(v, target=verdict) for v in variants]

    def action(self, action, rule: fw.Rule, variants: list, context: str | None, target: Chain, table: str) -> None:
        if isinstance(action, ch.MarkAdd):
            self.error(target, f"-m {action.delta:+} (iptables' MARK sets, ORs, ANDs or XORs the mark; it cannot "
                               "add to it): this action is left out, the rest of the rule is kept", rule)
            return
        place = from_ipchains(action, "FROM_IPCHAINS_ACTION")
        if place is not None and place(self, action, rule, variants, context, target, table):
            return
        target.rules += [records.evolve(v, target=action) for v in variants]

    def target(self, rule: fw.Rule, context: str | None, target: Chain, table: str, variants: list):
        """The iptables target of the verdict rule, or False if the rule is left out."""
        verdict = rule.target
        if verdict is None:
            return None
        if isinstance(verdict, fw.Verdict):
            return self.accepted(context, target, VERDICTS.get(verdict.name, verdict.name))
        if isinstance(verdict, fw.ChainJump):
            if context is None and self.contexts.get(verdict.chain) and \
                    self.place(self.contexts[verdict.chain][0])[0] != table:
                self.note(f"`{rule.chain}' is reached by no chain, so this jump never runs; `{verdict.chain}' "
                          f"stands in another table, where a jump from here cannot go: left out", rule.location)
                return False
            return records.evolve(verdict, chain=self.names[verdict.chain, context])
        place = from_ipchains(verdict, "FROM_IPCHAINS")
        if place is not None:
            return place(self, rule, context, target, table, variants)
        self.error(target, f"the target {getattr(verdict, 'name', verdict)}", rule)
        return False

    @property
    def reject_limit(self) -> str:
        if not self.direct:
            return "the kernel allows it in the filter table only"
        if self.split_blocker is None:
            return "nft rejects on the postrouting hook"
        return (f"nft rejects on the postrouting hook, and output cannot run before masquerading on the output and "
                f"forward hooks instead: the rule at {self.split_blocker.location} tests the source masquerading "
                "rewrites")

    def where(self, table: str, chain: Chain) -> str:
        return f"the postrouting chain `{chain.name}'" if self.direct else f"{table} {chain.name}"

    # -- conventional style ------------------------------------------------------------------------

    def conventional_notes(self, chains: dict) -> None:
        def where(name: str) -> Location | None:
            rules = chains[name].rules
            if rules:
                return rules[0].location
            if chains[name].policy != "ACCEPT":
                return self.policy_locations.get(name, Location())
            return None

        location = where("input")
        if location is not None:
            self.note("conventional style: input's rules and policy are at INPUT, so they no longer see forwarded "
                      "packets (2.2's input saw every inbound packet, before routing)", location)
            marking = next((r for r in chains["input"].rules if any(isinstance(a, (Mark, Tos))
                                                                     for a in r.actions)), None)
            if marking is not None:
                self.note("conventional style: marks and TOS set at INPUT come after routing, so fwmark routing "
                          "and forwarded packets no longer see them", marking.location)
        location = where("output")
        if location is not None:
            self.note("conventional style: output's rules and policy are at OUTPUT, so they no longer see "
                      "forwarded packets (2.2's output saw every outbound packet, after masquerading)", location)


def from_ipchains(node, kind: str):
    """How the node's extension module places it (its FROM_IPCHAINS for a target, FROM_IPCHAINS_ACTION for an
    action), or None: the generic way."""
    if not is_extension_node(node):
        return None
    return getattr(module_of(node), kind, {}).get(type(node))


def reaching(chains: dict) -> dict:
    """User chain -> the built-in chains whose packets reach it (through jumps), in built-in order."""
    result = {name: [] for name, chain in chains.items() if chain.policy is None}
    for builtin in ch.BUILTIN_CHAINS:
        seen, todo = set(), [builtin]
        while todo:
            name = todo.pop()
            for rule in chains[name].rules if name in chains else []:
                jump = rule.target
                if isinstance(jump, fw.ChainJump) and jump.chain in result and jump.chain not in seen:
                    seen.add(jump.chain)
                    result[jump.chain].append(builtin)
                    todo.append(jump.chain)
    return result


def first_jump(chains: dict, name: str) -> Location:
    for chain in chains.values():
        for rule in chain.rules:
            if isinstance(rule.target, fw.ChainJump) and rule.target.chain == name:
                return rule.location
    return Location()


def masquerades(chains: dict) -> bool:
    return chains["forward"].policy == "MASQ" or any(isinstance(rule.target, Masquerade)
                                                     for chain in chains.values() for rule in chain.rules)


def tests_source(rule: fw.Rule) -> bool:
    """Does the rule test the source address or port (which masquerading rewrites; ICMP types it does not)?"""
    if rule.source is not None and any(not isinstance(a, fw.Address) or a.mask != 0 for a in rule.source.value):
        return True
    return any(isinstance(m, (TcpMatch, UdpMatch)) and m.sport is not None for m in rule.matches)


def accepts(rule: fw.Rule) -> bool:
    return rule.target == fw.Verdict("ACCEPT") or isinstance(rule.target, fw.ChainJump)


def translate_ipchains(ruleset, style: str = FAITHFUL, policy_locations: dict | None = None, tool: str = "iptables"):
    """The iptables ruleset (pyip.ruleset.Ruleset, whose chains may hold LeftOutRule) and the findings.

    tool "nftables" with the faithful style puts the chains in the table NFT_TABLE, for nft_ruleset.
    """
    return IpchainsTranslator(style, policy_locations, tool).translate(ruleset)


# -- output ----------------------------------------------------------------------------------------


def restore_text(ruleset: Ruleset) -> str:
    """pyip.render.iptables_save.restore_file, with a `# pyip: left out:` line where a LeftOutRule stands."""
    from ..render.iptables_save import rule_line

    lines = []
    for name in fw.TABLES:
        table = ruleset.tables.get(name)
        if table is None:
            continue
        lines.append(f"*{name}")
        lines += [f":{chain} {getattr(table.chains.get(chain), 'policy', 'ACCEPT')} [0:0]" for chain in fw.TABLES[name]]
        users = sorted(table.user_chains(), key=lambda chain: chain.name.encode("utf-8", "surrogateescape"))
        lines += [f":{chain.name} - [0:0]" for chain in users]
        builtins = [table.chains[chain] for chain in fw.TABLES[name] if chain in table.chains]
        for chain in builtins + users:
            for rule in chain.rules:
                if isinstance(rule, LeftOutRule):
                    lines.append(f"# pyip: left out: {rule.why}")
                else:
                    lines.append(rule_line(records.evolve(rule, chain=chain.name)))
        lines.append("COMMIT")
    return "".join(line + "\n" for line in lines)


def nft_ruleset(ruleset: Ruleset, quotes_allowed: bool = False) -> tuple[nft.Ruleset, list]:
    """pyip.translators.iptables_nft.translate_ruleset, with an nft LeftOut where a LeftOutRule stands."""
    translator = RuleTranslator(quotes_allowed)
    result = nft.Ruleset()
    for name in (NFT_TABLE, *fw.TABLES):
        table = ruleset.tables.get(name)
        if table is None:
            continue
        chains = []
        translator.table = name
        for chain in table.chains.values():
            out = nft.Chain(chain.name)
            if chain.policy is not None:
                out.type, out.hook, out.priority = \
                    IPCHAINS_HOOKS[chain.name] if name == NFT_TABLE else base_chain(name, chain.name)
                out.policy = chain.policy.lower()
            out.rules = translator.with_guards([nft.LeftOut(r.why) if isinstance(r, LeftOutRule) else r.rule
                                                if isinstance(r, NftOnly) else translator.rule(r) for r in chain.rules])
            chains.append(out)
        result.tables.append(nft.Table(name, chains=chains, sets=translator.sets_of(name)))
    translator.leave_out_shared_state(result)
    return result, translator.findings


# -- scripts -------------------------------------------------------------------------------------



def parsed_commands(text: str, file: str, dialect: str, defines: dict | None = None, scripted: list | None = None):
    """Each command as ("ipchains" | "iptables", its AST), or a PyipError, from a script or an ipchains-save file;
    `scripted`: the script's script_commands(), if the caller has them already."""
    from ..parser.ipchains import is_ipchains_command, parse_ipchains
    from ..parser.ipchains_save import save_commands
    from ..parser.iptables import is_iptables_command, parse_iptables
    from ..script import script_commands

    if is_ipchains_save(text):
        for command in save_commands(text, file):
            yield command if isinstance(command, PyipError) else ("ipchains", command)
        return
    for words in script_commands(text, file, defines) if scripted is None else scripted:
        try:
            if isinstance(words, PyipError):
                yield words
            elif is_ipchains_command(words):
                yield "ipchains", parse_ipchains(words)
            elif is_iptables_command(words):
                yield "iptables", parse_iptables(words, dialect)
        except PyipError as error:
            yield error


def script_rulesets(text: str, file: str, dialect: str, defines: dict | None = None, scripted: list | None = None):
    """Apply each command to its tool's ruleset: (ipchains ruleset, iptables ruleset, policy locations,
    where ipchains was first run, whether iptables was run, errors)."""
    from ..ruleset_ipchains import IpchainsRuleset
    from .pipeline import dropped_state

    chains, tables, policies, errors = IpchainsRuleset(), Ruleset(), {}, []
    first_ipchains, iptables_used = None, False
    for parsed in parsed_commands(text, file, dialect, defines, scripted):
        if isinstance(parsed, PyipError):
            errors.append(parsed)
            continue
        tool, command = parsed
        try:
            if tool == "ipchains":
                first_ipchains = first_ipchains or command.location
                chains.apply(command)
                if isinstance(command, ch.SetTimeouts):
                    errors.append(timeouts_left_out(command))
                if isinstance(command, ch.Policy):
                    policies[command.chain] = command.location
            else:
                iptables_used = True
                tables.apply(command)
                errors += dropped_state(command)
        except PyipError as error:
            errors.append(error)
    return chains, tables, policies, first_ipchains, iptables_used, errors


# ipchains -M -S TCP TCPFIN UDP -> the conntrack sysctls that hold those timeouts today.
TIMEOUT_SYSCTLS = (("tcp", "net.netfilter.nf_conntrack_tcp_timeout_established"),
                   ("tcp_fin", "net.netfilter.nf_conntrack_tcp_timeout_fin_wait"),
                   ("udp", "net.netfilter.nf_conntrack_udp_timeout"))


def timeouts_left_out(command: ch.SetTimeouts) -> Finding:
    """-M -S sets kernel state that no ruleset holds, in iptables or nft: an error, with what to run instead."""
    from ..render.ipchains import command_line

    settings = [f"{name}={value}" for field, name in TIMEOUT_SYSCTLS
                if (value := getattr(command, field)) != 0]  # 0 left that timeout as it was
    if not settings:
        return Note(f"`{command_line(command)}' changed nothing (0 leaves a masquerading timeout as it was): "
                    "left out", command.location)
    return Finding(f"no ruleset equivalent: `{command_line(command)}' sets the masquerading timeouts, which are "
                   f"connection tracking settings today: set {' '.join(settings)} (sysctl)", command.location)


def merge(into: Ruleset, ruleset: Ruleset) -> None:
    """The translated ipchains rules after the script's own iptables rules, chain by chain."""
    for name, table in ruleset.tables.items():
        target = into.table(name, create=True)
        for chain in table.chains.values():
            existing = target.chains.setdefault(chain.name, Chain(chain.name, chain.policy))
            existing.rules += chain.rules
            if chain.policy not in (None, "ACCEPT"):
                existing.policy = chain.policy


def translate_script(text: str, file: str, target: str, dialect: str, style: str = FAITHFUL,
                     defines: dict | None = None, scripted: list | None = None) -> tuple[str, list]:
    """`pyip translate` for a script that runs ipchains: the output for TARGET and every error and finding."""
    from ..render.nft import ruleset_text
    from ..render.nft_json import ruleset_json

    chains, tables, policies, first, iptables_used, errors = script_rulesets(text, file, dialect, defines, scripted)
    tool = "iptables" if target in ("iptables", "iptables-restore") else "nftables"
    translated, findings = translate_ipchains(chains, style, policies, tool)
    if iptables_used:
        findings.append(Note("the script runs both ipchains and iptables, which no kernel ran together; the "
                             "ipchains rules follow the iptables ones in each chain", first))
    merge(tables, translated)
    header = "".join(f"# pyip: left out: {error}\n" for error in errors if is_error(error))
    if target in ("iptables", "iptables-restore"):
        output = header + restore_text(tables)
    else:
        result, nft_findings = nft_ruleset(tables, quotes_allowed=target == "nft-json")
        findings += nft_findings
        output = ruleset_json(result) if target == "nft-json" else header + ruleset_text(result)
    return output, sorted(errors + findings, key=lambda e: (e.location.line, e.location.col))
