"""pyip's ipchains model -> the nft chains that run it -> ONE nft transaction from what the kernel holds.

The chains come from the faithful translation (pyip.translators.ipchains_iptables,
style faithful, straight to nft hooks), so that `pyip ipchains` and
`pyip translate --to nft` load the same rules.  The transaction changes
only what differs, chain by chain: the rules before and after the first
and last difference stay (so `-A` is one `add rule`, and counters survive),
the rest is deleted by handle and added again.  It replaces the generation
element it read (`delete element` of the old one, `create element` of the
next): if another change committed in between, or someone deleted with nft
a rule this one names by handle, the kernel refuses the whole transaction,
and the command starts again from a fresh reading.
"""

from __future__ import annotations

from functools import lru_cache

import attrs

from ..ast import firewall as fw
from ..ast import nft
from ..errors import Location, PyipError
from ..render.ipchains import rule_words
from ..render.nft import quoted, rule_text
from ..ruleset import Chain
from ..ruleset_ipchains import IpchainsRuleset
from ..translators import ipchains_iptables as chains_translator
from ..translators.iptables_nft import Untranslatable, base_chain, translate_rule
from .state import (CHAINS_SET, GEN_SET, NAT_CHAINS, POLICY_COMMENT, REPLIES_COMMENT, TABLE, KernelState,
                    crc, part_comment, rule_comment)

ORIGIN, POLICY = "ipchains rule", "ipchains policy"
COMMENT_LIMIT = 128  # nft refuses longer comments


class LiveError(PyipError):
    """The command is valid ipchains, but this kernel cannot run what it leaves (exit status 1)."""


@attrs.define
class WantedChain:
    name: str
    type: str | None = None
    hook: str | None = None
    priority: object = None
    policy: str | None = None
    rules: list = attrs.Factory(list)  # (comment, nft rule text)

    def declaration(self) -> str:
        if self.hook is None:
            return f"add chain ip {TABLE} {self.name}"
        return (f"add chain ip {TABLE} {self.name} {{ type {self.type} hook {self.hook} priority {self.priority}; "
                f"policy {self.policy}; }}")


@lru_cache(maxsize=8192)
def nft_text(rule: fw.Rule) -> str:
    """The nft statements of one translated rule (rules compare without their location: cached by content)."""
    return rule_text(nft.Rule(translate_rule(rule).statements))


@lru_cache(maxsize=8192)
def rule_text_of(rule: fw.Rule) -> str:
    """The words that follow `-A CHAIN` in ipchains-save's format: what a rule's comment keeps."""
    return " ".join(str(word) for word in rule_words(rule))


def wanted_chains(ruleset: IpchainsRuleset) -> dict[str, WantedChain]:
    """The nft chains of table ipchains that run the ruleset, by name; LiveError if a rule cannot run."""
    located, origins = with_origins(ruleset)
    policies = {name: Location(POLICY, 1, 1) for name in ruleset.chains}
    translated, findings = chains_translator.translate_ipchains(located, chains_translator.FAITHFUL, policies,
                                                                "nftables")
    refuse_findings(findings, origins)
    wanted: dict[str, WantedChain] = {}
    for table_name, table in translated.tables.items():
        for chain in table.chains.values():
            out = wanted_chain(table_name, chain)
            out.rules = list(wanted_rules(chain, origins, table_name == TABLE))
            if table_name == TABLE and chain.policy is not None and not ends_with_policy(out):
                out.rules.append((f"{POLICY_COMMENT} {crc('counter')}", "counter"))
            wanted[out.name] = out
    return wanted


def with_origins(ruleset: IpchainsRuleset) -> tuple[IpchainsRuleset, list]:
    """A copy whose rules are located at their index in `origins`, so each nft rule says where it came from."""
    located = IpchainsRuleset()
    located.chains = {}
    origins: list[fw.Rule] = []
    for chain in ruleset.chains.values():
        copy = located.chains[chain.name] = Chain(chain.name, chain.policy)
        for rule in chain.rules:
            origins.append(rule)
            copy.rules.append(attrs.evolve(rule, location=Location(ORIGIN, len(origins), 1)))
    return located, origins


def refuse_findings(findings: list, origins: list) -> None:
    errors = [f for f in findings if not isinstance(f, chains_translator.Note)]
    if not errors:
        return
    error = errors[0]
    where = error.location
    if where.file == ORIGIN:
        rule = origins[where.line - 1]
        message = f"{error.message} (-A {rule.chain} {rule_text_of(rule)})"
    else:
        message = error.message
    raise LiveError(f"cannot run on this kernel: {message}", origins[0].location if origins else Location(), 1)


def wanted_chain(table_name: str, chain) -> WantedChain:
    if table_name == TABLE:
        out = WantedChain(chain.name)
        if chain.policy is not None:
            out.type, out.hook, out.priority = chains_translator.IPCHAINS_HOOKS[chain.name]
    elif table_name == "nat" and chain.name in NAT_CHAINS:
        out = WantedChain(NAT_CHAINS[chain.name])
        out.type, out.hook, out.priority = base_chain("nat", chain.name)
    else:
        raise LiveError(f"cannot run on this kernel: the translation needs {table_name} {chain.name}", Location(), 1)
    if out.hook is not None:
        out.policy = (chain.policy or "ACCEPT").lower()
    return out


def wanted_rules(chain, origins: list, named_chain: bool):
    previous = None
    for rule in chain.rules:
        if isinstance(rule, chains_translator.NftOnly):
            yield f"ipchains {rule.key}", rule_text(rule.rule)
            previous = None
            continue
        try:
            text = nft_text(rule)
        except Untranslatable as why:
            raise LiveError(f"cannot run on this kernel: {why}", Location(), 1) from None
        where = rule.location
        if where.file == ORIGIN:
            words = rule_text_of(origins[where.line - 1])
            first = named_chain and previous != where.line
            comment = rule_comment(text, words) if first else part_comment(f"{text} {words}")
            if first and len((comment).encode()) > COMMENT_LIMIT:
                raise LiveError(f"cannot keep this rule in the kernel: its text is longer than nft's comments "
                                f"({COMMENT_LIMIT} bytes): {words}", Location(), 1)
            previous = where.line
        else:
            # the policy's rule changes with the policy (a counter, a reject): its checksum tells them apart
            comment = f"{POLICY_COMMENT} {crc(text)}" if where.file == POLICY else REPLIES_COMMENT
            previous = None
        yield comment, text


def ends_with_policy(chain: WantedChain) -> bool:
    return bool(chain.rules) and chain.rules[-1][0].startswith(POLICY_COMMENT)


# -- the transaction ---------------------------------------------------------------------------------


def transaction(state: KernelState, ruleset: IpchainsRuleset, zero: tuple = ()) -> str:
    """The nft commands that turn what the kernel holds into `ruleset`, as one `nft -f` text.

    `zero`: nft chains whose rules are written again with fresh counters (-Z).
    """
    wanted = wanted_chains(ruleset)
    lines = header(state)
    layout = [(name, chain.policy) for name, chain in ruleset.chains.items()]
    if layout != state.layout:
        lines.append(f"flush set ip {TABLE} {CHAINS_SET}")
        elements = ", ".join(f"{index} comment {quoted(name + ' ' + (policy or '-'))}"
                             for index, (name, policy) in enumerate(layout, 1))
        lines.append(f"add element ip {TABLE} {CHAINS_SET} {{ {elements} }}")
    # A base chain that moved to another hook is made again; jumps to a chain are deleted before the chain.
    moving = [name for name in state.chains if name in wanted and moved(state.chains[name], wanted[name])]
    removed = [name for name in state.chains if name not in wanted]
    lines += dropping(moving)
    dropped = moving + removed
    for name, chain in wanted.items():
        kernel = state.chains.get(name) if name not in dropped else None
        if kernel is None or kernel.policy != chain.policy:
            lines.append(chain.declaration())
    for name, chain in wanted.items():
        kernel = state.chains.get(name) if name not in dropped else None
        lines += rule_changes(name, kernel.rules if kernel is not None else [], chain.rules, name in zero)
    lines += dropping(removed)
    return "\n".join(lines) + "\n"


def dropping(names: list) -> list[str]:
    return [f"flush chain ip {TABLE} {name}" for name in names] + [f"delete chain ip {TABLE} {name}" for name in names]


def header(state: KernelState) -> list[str]:
    """Create the table on the first call; replace the generation element (the transaction's lock)."""
    lines = []
    if not state.exists:
        lines += [f"add table ip {TABLE}", f"add set ip {TABLE} {GEN_SET} {{ type mark; }}",
                  f"add set ip {TABLE} {CHAINS_SET} {{ type mark; }}"]
    else:
        lines.append(f"delete element ip {TABLE} {GEN_SET} {{ {state.generation} }}")
    lines.append(f"create element ip {TABLE} {GEN_SET} {{ {state.generation + 1} }}")
    return lines


def moved(kernel, wanted: WantedChain) -> bool:
    """A chain whose hook or type changed is made again (nft cannot move a base chain)."""
    return (kernel.type, kernel.hook) != (wanted.type, wanted.hook) or \
        (wanted.hook is not None and str(kernel.priority) != str(priority_number(wanted.priority)))


NAMED_PRIORITIES = {"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100}


def priority_number(priority) -> int:
    return NAMED_PRIORITIES.get(priority, priority) if isinstance(priority, str) else priority


def rule_changes(chain: str, kernel: list, wanted: list, rewrite: bool) -> list[str]:
    """Delete what differs between the common head and tail, and add the wanted rules in its place."""
    ours = [rule for rule in kernel if rule.ours]
    head = 0
    if not rewrite:
        while head < min(len(ours), len(wanted)) and ours[head].comment == wanted[head][0]:
            head += 1
    tail = 0
    if not rewrite:
        while tail < min(len(ours), len(wanted)) - head and ours[-1 - tail].comment == wanted[-1 - tail][0]:
            tail += 1
    lines = [f"delete rule ip {TABLE} {chain} handle {rule.handle}" for rule in ours[head:len(ours) - tail]]
    new = wanted[head:len(wanted) - tail]
    if tail:
        anchor = ours[len(ours) - tail].handle
        lines += [f"insert rule ip {TABLE} {chain} position {anchor} {added(text, comment)}" for comment, text in new]
    elif head:
        anchor = ours[head - 1].handle
        lines += [f"add rule ip {TABLE} {chain} position {anchor} {added(text, comment)}"
                  for comment, text in reversed(new)]
    else:
        lines += [f"add rule ip {TABLE} {chain} {added(text, comment)}" for comment, text in new]
    return lines


def added(text: str, comment: str) -> str:
    return f"{text} comment {quoted(comment)}"
