"""REDIRECT (libxt_REDIRECT.c): destination NAT to the host itself, on given ports."""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Opt
from .masquerade import Target as MasqueradeTarget
from ..render.iptables_save import flags, ports_text


@attrs.frozen
class Redirect:
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
