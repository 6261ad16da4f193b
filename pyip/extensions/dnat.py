"""DNAT (libxt_DNAT.c): destination NAT to an address range and ports."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast.base import Symbol
from ..parser.xtables import Opt
from .snat import Target as SnatTarget
from .snat import snat_dnat_statements
from ..render.iptables_save import flags, nat_to


class Dnat(metaclass=records.frozen):
    name: ClassVar[str] = "DNAT"
    limits: ClassVar[tuple] = ("nat", {"PREROUTING", "OUTPUT"}, None)  # xt_nat: .table, .hooks
    to: fw.NatRange | Symbol
    random: bool = False
    persistent: bool = False


class Target(SnatTarget):  # reads --to-destination as SNAT reads --to-source
    name = "DNAT"
    options = (Opt("to-destination", "to"), Opt("random", "random", arity=0), Opt("persistent", "persistent", arity=0))

    def finish(self):
        self.require("to")
        return Dnat(self.plain("to"), "random" in self.given, "persistent" in self.given)


def dnat_words(target: Dnat) -> list:
    return ["--to-destination", nat_to(target), *flags(target, "random", "persistent")]


SAVE = {Dnat: dnat_words}
NFT = {Dnat: snat_dnat_statements}
TARGET = Target
