"""SNAT (libxt_SNAT.c): source NAT to an address range and ports."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt
from ..parser.targets import parse_nat_range
from ..render.iptables_save import flags, nat_to


class Snat(metaclass=records.frozen):
    name: ClassVar[str] = "SNAT"
    limits: ClassVar[tuple] = ("nat", {"POSTROUTING", "INPUT"}, None)  # xt_nat: .table, .hooks
    to: fw.NatRange | Symbol
    random: bool = False
    random_fully: bool = False
    persistent: bool = False


class Target(Extension):
    name = "SNAT"
    options = (Opt("to-source", "to"), Opt("random", "random", arity=0), Opt("random-fully", "random-fully", arity=0),
               Opt("persistent", "persistent", arity=0))

    def read_to(self, given):
        nat = parse_nat_range(given.value, self.rule, offset=True)  # revision 2: shifted port ranges
        if self.name == "SNAT" and nat.base_port is not None:
            # iptables-nft 1.8.9 builds SNAT as nft's nat expression, which has no base: it keeps the flag only
            nat = records.evolve(nat, base_port=0)
        return nat

    def finish(self):
        self.require("to")
        return Snat(self.plain("to"), "random" in self.given, "random-fully" in self.given,
                       "persistent" in self.given)


def snat_words(target: Snat) -> list:
    return ["--to-source", nat_to(target), *flags(target, "random", "random_fully", "persistent")]


def snat_dnat_statements(target, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable, nat_flags, port_value

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
    kind = "snat" if isinstance(target, Snat) else "dnat"
    return [nft.Nat(kind, address, port, nat_flags(target, "random", "random_fully", "persistent"))]


SAVE = {Snat: snat_words}
NFT = {Snat: snat_dnat_statements}
TARGET = Target
