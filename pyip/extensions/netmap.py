"""NETMAP (libipt_NETMAP.c): map a whole network onto another, host bits kept."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from .. import records

from ..ast.firewall import Address
from ..parser.matches import parse_ct_address
from ..parser.xtables import Extension, Opt


class Netmap(metaclass=records.frozen):
    name: ClassVar[str] = "NETMAP"
    limits: ClassVar[tuple] = ("nat", None, None)
    to: Address  # the network, host bits cleared


class Target(Extension):
    name = "NETMAP"
    options = (Opt("to", "to"),)

    def read_to(self, given):
        """XTTYPE_HOSTMASK; NETMAP keeps min = address & mask."""
        found = parse_ct_address(given.value, self.name, "to")
        return Address(ipaddress.IPv4Address(int(found.address) & found.mask), found.mask)

    def finish(self):
        self.require("to")
        return Netmap(self.plain("to"))


def target_nft(target: Netmap, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("NETMAP (nft 1.0.6 maps prefixes only through an explicit map)")


SAVE = {Netmap: lambda target: ["--to", str(target.to)]}
NFT = {Netmap: target_nft}
TARGET = Target
