"""REDIRECT (libxt_REDIRECT.c): destination NAT to the host itself, on given ports."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Opt
from .masquerade import Target as MasqueradeTarget
from ..render.iptables_save import flags, ports_text


class Redirect(metaclass=records.frozen):
    name: ClassVar[str] = "REDIRECT"
    limits: ClassVar[tuple] = ("nat", {"PREROUTING", "OUTPUT"}, None)  # xt_REDIRECT: .table, .hooks
    ports: fw.PortRange | None = None
    random: bool = False


class Target(MasqueradeTarget):  # reads --to-ports as MASQUERADE does
    name = "REDIRECT"
    options = (Opt("to-ports", "to-ports"), Opt("random", "random", arity=0))

    def finish(self):
        return Redirect(self.plain("to-ports"), "random" in self.given)


def redirect_words(target: Redirect) -> list:
    words = ["--to-ports", ports_text(target.ports)] if target.ports is not None else []
    return words + flags(target, "random")


def redirect_statements(target: Redirect, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import nat_flags, port_value

    port = None if target.ports is None else port_value(target.ports)
    return [nft.Nat("redirect", port=port, flags=nat_flags(target, "random"))]


SAVE = {Redirect: redirect_words}
NFT = {Redirect: redirect_statements}
TARGET = Target


def redirect_from_ipchains(translator, rule: fw.Rule, context: str | None, chain, table: str, variants: list):
    """ipchains' REDIRECT [port] (in input) as an ACCEPT plus a nat PREROUTING REDIRECT rule."""
    if context != "input":
        translator.note(f"REDIRECT in `{context or rule.chain}': only input redirects; ACCEPT, as the 2.4 ipchains "
                        "layer did", rule.location)
        return fw.Verdict("ACCEPT")
    nat = translator.chain("nat", "PREROUTING")
    nat.rules += [records.evolve(v, table="nat", chain="PREROUTING", target=rule.target) for v in variants]
    if rule.chain != "input":
        translator.note(f"REDIRECT in the user chain `{rule.chain}': nat PREROUTING tests this rule's own "
                        "conditions only, not those of the rules that jump to the chain", rule.location)
    return fw.Verdict("ACCEPT")


FROM_IPCHAINS = {Redirect: redirect_from_ipchains}  # see pyip/extensions/masquerade.py
