"""What the kernel holds in table `ip ipchains`, read back as pyip's ipchains model.

The table is the only state (no file, no daemon), laid out so that one
`list table` gives everything back:

- set `pyip-chains`: one element per ipchains chain, in ipchains' order,
  its comment `NAME POLICY` (`-` for a user chain);
- set `pyip-gen`: one element, the table's generation, which every change
  replaces in its own transaction: two changes made from the same reading
  cannot both commit (see pyip.ipchains_live.transaction);
- the nft chains the faithful translation makes (pyip.translators.ipchains_iptables),
  plus `nat-postrouting`/`nat-prerouting` for MASQ and REDIRECT, so that
  nothing of ipchains lives outside this table;
- each ipchains rule's first nft rule carries `ipchains: RULE` (its words as
  ipchains-save writes them after `-A CHAIN`) in its comment, the other nft
  rules it became `ipchains+CRC`; the policy's rule (a counter, or a
  reject) `ipchains policy CRC`.  A rule without such a comment was put there with nft directly:
  it stays where it is, is listed as nft shows it, and counts for no rule
  number.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

import attrs

from ..ast import firewall as fw
from ..ast import ipchains as ch
from ..errors import Location, PyipError
from ..parser.ipchains import parse_ipchains
from ..parser.words import Word
from ..ruleset import Chain
from ..ruleset_ipchains import IpchainsRuleset
from .nftlib import Nft, NftError

TABLE = "ipchains"
CHAINS_SET = "pyip-chains"
GEN_SET = "pyip-gen"
PART_PREFIX = "ipchains+"
POLICY_COMMENT = "ipchains policy"
REPLIES_COMMENT = "ipchains masq replies"
NAT_CHAINS = {"POSTROUTING": "nat-postrouting", "PREROUTING": "nat-prerouting"}
CONTEXTS = ch.BUILTIN_CHAINS
SPLIT_OUTPUT = ("output-local", "output-routed")  # pyip.translators.ipchains_iptables.SPLIT_OUTPUT


RULE_COMMENT = re.compile(r"ipchains [0-9a-f]{8}: (.*)", re.S)


def crc(text: str) -> str:
    return f"{zlib.crc32(text.encode()):08x}"


def rule_comment(nft_text: str, words: str) -> str:
    """`ipchains CRC: WORDS`: the ipchains rule, and a checksum of the nft rule it became here (a rule whose
    translation changes, a jump to a chain that became copies, is then written again)."""
    return f"ipchains {crc(nft_text)}: {words}"


def part_comment(text: str) -> str:
    return f"{PART_PREFIX}{crc(text)}"


@attrs.define
class KernelRule:
    handle: int
    comment: str | None
    packets: int = 0
    bytes: int = 0

    @property
    def ours(self) -> bool:
        return self.comment is not None and self.comment.startswith("ipchains")


@attrs.define
class KernelChain:
    name: str
    type: str | None = None
    hook: str | None = None
    priority: int | None = None
    policy: str | None = None
    rules: list = attrs.Factory(list)


@attrs.define
class Counted:
    """One ipchains rule as the kernel holds it, and what its nft rules counted."""

    rule: fw.Rule
    packets: int = 0
    bytes: int = 0


@attrs.define
class Foreign:
    """A rule someone put into the table with nft directly."""

    chain: str
    handle: int


@attrs.define
class KernelState:
    exists: bool = False
    generation: int = 0
    layout: list = attrs.Factory(list)  # (ipchains chain, policy or None), in order
    chains: dict = attrs.Factory(dict)  # nft chain name -> KernelChain

    def nft_chains_of(self, name: str) -> list[KernelChain]:
        """The nft chains holding an ipchains chain's rules: its own name, or its copies (NAME-input, ...;
        output-local and output-routed for an output that rejects), each with all of its rules."""
        return [self.chains[candidate] for candidate in nft_names(name) if candidate in self.chains]


def nft_names(name: str) -> tuple:
    split = SPLIT_OUTPUT if name == "output" else ()
    return (name, *(f"{name}-{context}" for context in CONTEXTS), *split)


def read_state(nft: Nft) -> KernelState:
    """One `list table ip ipchains`; a table that does not exist is the state of a fresh 2.2 boot."""
    try:
        items = nft.json(f"list table ip {TABLE}")
    except NftError:
        return KernelState()
    state = KernelState(exists=True)
    for item in items:
        if "set" in item:
            read_set(state, item["set"])
        elif "chain" in item:
            chain = item["chain"]
            state.chains[chain["name"]] = KernelChain(chain["name"], chain.get("type"), chain.get("hook"),
                                                      chain.get("prio"), chain.get("policy"))
        elif "rule" in item:
            rule = item["rule"]
            counter = next((e["counter"] for e in rule["expr"] if "counter" in e and e["counter"]), {})
            state.chains[rule["chain"]].rules.append(
                KernelRule(rule["handle"], rule.get("comment"), counter.get("packets", 0), counter.get("bytes", 0)))
    return state


def read_set(state: KernelState, item: dict) -> None:
    elements = [e["elem"] if isinstance(e, dict) and "elem" in e else {"val": e} for e in item.get("elem", [])]
    if item["name"] == GEN_SET:
        state.generation = max((e["val"] for e in elements), default=0)
    elif item["name"] == CHAINS_SET:
        for element in sorted(elements, key=lambda e: e["val"]):
            name, _, policy = element.get("comment", "").rpartition(" ")
            state.layout.append((name, None if policy == "-" else policy))


@attrs.define
class Model:
    """The ipchains ruleset the kernel holds, with each rule's counters and the foreign rules."""

    ruleset: IpchainsRuleset
    counters: dict  # id(rule) -> Counted
    policy_counters: dict  # built-in chain -> (packets, bytes)
    foreign: dict  # ipchains chain -> [Foreign]


def read_model(state: KernelState) -> Model:
    ruleset = IpchainsRuleset()
    model = Model(ruleset, {}, {}, {})
    if not state.exists:
        return model
    ruleset.chains = {name: Chain(name, policy) for name, policy in state.layout}
    for name, chain in ruleset.chains.items():
        kernels = state.nft_chains_of(name)
        if kernels:
            read_rules(model, chain, kernels[0])
        for other in kernels[1:]:  # a user chain's copies, output on two hooks: each counts its packets
            add_counters(model, chain, other)
    return model


def add_counters(model: Model, chain: Chain, kernel: KernelChain) -> None:
    """Add the counters of another nft chain made from the same ipchains chain, rule by rule."""
    copy = Model(IpchainsRuleset(), {}, {}, {})
    twin = Chain(chain.name, chain.policy)
    read_rules(copy, twin, kernel)
    for rule, other in zip(chain.rules, twin.rules):
        counted, extra = model.counters[id(rule)], copy.counters[id(other)]
        counted.packets += extra.packets
        counted.bytes += extra.bytes
    if chain.name in copy.policy_counters:
        packets, octets = model.policy_counters.get(chain.name, (0, 0))
        more = copy.policy_counters[chain.name]
        model.policy_counters[chain.name] = (packets + more[0], octets + more[1])


def read_rules(model: Model, chain: Chain, kernel: KernelChain) -> None:
    current: Counted | None = None
    counted = 0  # how many nft rules of the current ipchains rule count its packets (one per ICMP variant)
    for rule in kernel.rules:
        first = RULE_COMMENT.fullmatch(rule.comment or "")
        if first is not None:
            current = Counted(parse_rule(chain.name, first.group(1)))
            chain.rules.append(current.rule)
            model.counters[id(current.rule)] = current
            counted = variant_count(current.rule)
        elif (rule.comment or "").startswith(POLICY_COMMENT):
            model.policy_counters[chain.name] = (rule.packets, rule.bytes)
            current = None
            continue
        elif not rule.ours:
            model.foreign.setdefault(chain.name, []).append(Foreign(kernel.name, rule.handle))
            continue
        if current is not None and counted > 0:
            current.packets += rule.packets
            current.bytes += rule.bytes
            counted -= 1


def variant_count(rule: fw.Rule) -> int:
    from ..extensions.icmp import ipchains_icmp_rules
    from ..translators.ipchains_iptables import Untranslatable

    try:
        return len(ipchains_icmp_rules(rule))
    except Untranslatable:
        return 1


@lru_cache(maxsize=4096)
def parse_words(chain: str, text: str) -> fw.Rule:
    location = Location("table ip ipchains", 1, 1)
    words = [Word(w, location) for w in ("ipchains", "-A", chain, *text.split())]
    return parse_ipchains(words).rule


def parse_rule(chain: str, text: str) -> fw.Rule:
    try:
        return parse_words(chain, text)
    except PyipError as error:
        raise PyipError(f"table ip ipchains holds a rule pyip cannot read back ({error.message}): {text}") from None
