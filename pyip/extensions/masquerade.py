"""MASQUERADE (libipt_MASQUERADE.c): source NAT to the outgoing interface's address."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt
from ..parser.targets import needs_ports_protocol, parse_port_range
from ..render.iptables_save import flags, ports_text


class Masquerade(metaclass=records.frozen):
    name: ClassVar[str] = "MASQUERADE"
    limits: ClassVar[tuple] = ("nat", {"POSTROUTING"}, None)  # ipt_MASQUERADE: .table, .hooks
    ports: fw.PortRange | None = None
    random: bool = False
    random_fully: bool = False


class Target(Extension):
    name = "MASQUERADE"
    options = (Opt("to-ports", "to-ports"), Opt("random", "random", arity=0),
               Opt("random-fully", "random-fully", arity=0))

    def read_to_ports(self, given):
        needs_ports_protocol(self.rule)
        return parse_port_range(given.value)[0]

    def finish(self):
        return Masquerade(self.plain("to-ports"), "random" in self.given, "random-fully" in self.given)


def masquerade_words(target: Masquerade) -> list:
    words = ["--to-ports", ports_text(target.ports)] if target.ports is not None else []
    return words + flags(target, "random", "random_fully")


def masquerade_statements(target: Masquerade, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import nat_flags, port_value

    port = None if target.ports is None else port_value(target.ports)
    return [nft.Nat("masquerade", port=port, flags=nat_flags(target, "random", "random_fully"))]


SAVE = {Masquerade: masquerade_words}
NFT = {Masquerade: masquerade_statements}
TARGET = Target


def masquerade_from_ipchains(translator, rule: fw.Rule, context: str | None, chain, table: str, variants: list):
    """ipchains' MASQ (in forward: ACCEPT, and masquerade on the way out) as an ACCEPT plus a nat POSTROUTING
    MASQUERADE rule (pyip.translators.ipchains_iptables)."""
    from ..translators.ipchains_iptables import accepts

    if context != "forward":
        translator.note(f"MASQ in `{context or rule.chain}': only forward masquerades; ACCEPT, as the 2.4 ipchains "
                        "layer did", rule.location)
        return fw.Verdict("ACCEPT")
    nat = translator.chain("nat", "POSTROUTING")
    nat.rules += [records.evolve(v, table="nat", chain="POSTROUTING", target=Masquerade()) for v in variants]
    translator.masquerading = translator.masquerading or rule.location
    if chain.policy is None:
        translator.note(f"MASQ in the user chain `{rule.chain}': nat POSTROUTING tests this rule's own conditions "
                        "only, not those of the rules that jump to the chain", rule.location)
    elif any(accepts(r) for r in chain.rules if isinstance(r, fw.Rule)):
        translator.note("MASQ: nat POSTROUTING tests this rule's conditions on its own, so it also masquerades "
                        "packets that earlier forward rules accepted", rule.location)
    return translator.accepted(context, chain, "ACCEPT")


# node type -> (translator, ipchains rule, its built-in chain, iptables chain, table, the rule's variants) -> the
# iptables target of the verdict rule, or False if the rule is left out (pyip.translators.ipchains_iptables).
FROM_IPCHAINS = {Masquerade: masquerade_from_ipchains}
