"""TPROXY (libxt_TPROXY.c, revision 1): hand the packet to a local transparent socket, marking it."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from .. import records

from .. import netdb
from ..ast.firewall import Masked
from ..parser.matches import getportbyname
from ..parser.xtables import Extension, Opt, numeric_address, parse_markmask, problem


def parse_host(text: str) -> ipaddress.IPv4Address:
    """XTTYPE_HOST: an address, or a name resolved now (the first address)."""
    address = numeric_address(text)
    if address is None:
        found = netdb.resolve_host(text)
        if not found:
            raise problem(f"host/network `{text}' not found")
        address = found[0]
    return address


class Tproxy(metaclass=records.frozen):
    name: ClassVar[str] = "TPROXY"
    port: int
    address: ipaddress.IPv4Address = ipaddress.IPv4Address(0)
    mark: Masked = Masked(0, 0)

    @property
    def limits(self):
        """xt_TPROXY: mangle PREROUTING, with `-p tcp` or `-p udp` (checked by the kernel)."""
        return ("mangle", {"PREROUTING"}, (6, 17))


class Target(Extension):
    name = "TPROXY"
    options = (Opt("on-port", "on-port"), Opt("on-ip", "on-ip"), Opt("tproxy-mark", "tproxy-mark"))

    def read_on_port(self, given):
        return getportbyname(given.value)

    def read_on_ip(self, given):
        return parse_host(given.value)

    def read_tproxy_mark(self, given):
        return parse_markmask(self.name, "tproxy-mark", given.value)

    def finish(self):
        self.require("on-port")
        return Tproxy(self.plain("on-port"), self.plain("on-ip", ipaddress.IPv4Address(0)),
                      self.plain("tproxy-mark", Masked(0, 0)))


def target_words(target: Tproxy) -> list:
    return ["--on-port", str(target.port), "--on-ip", str(target.address),
            "--tproxy-mark", f"0x{target.mark.value:x}/0x{target.mark.mask:x}"]


def target_nft(target: Tproxy, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("TPROXY (nft's tproxy statement does not mark the packet nor drop it when no socket "
                         "takes it, as xt_TPROXY does)")


SAVE = {Tproxy: target_words}
NFT = {Tproxy: target_nft}
TARGET = Target


# -- lint: what the target does to the marks ------------------------------------------------


def mark_effect(target: Tproxy):
    """(nfmark, ctmark) -> (nfmark, ctmark): xt_TPROXY sets mark = (mark & ~mask) ^ value."""
    value, mask = target.mark.value, target.mark.mask
    return lambda nf, ct: ((nf & ~mask & 0xFFFFFFFF) ^ value, ct)


MARK_EFFECTS = {Tproxy: mark_effect}
