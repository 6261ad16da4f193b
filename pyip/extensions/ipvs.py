"""ipvs (libxt_ipvs.c): whether the packet belongs to an IPVS connection, and that connection's properties.

The kernel here has no IPVS (xt_ipvs), so the installed iptables' refusals
of bad options (exit 2) are the oracle for reading, and the save words
follow ipvs_mt_dump() with its "--" prefix: `[!] --ipvs` only when it is
the only test, then `--vproto` as a number, `--vaddr` as ADDR[/MASK] with
the host bits kept (xtables_ipmask_to_numeric: /LEN, or the dotted mask
when it is no prefix), `--vport`, `--vdir ORIGINAL|REPLY`, `--vmethod`,
`--vportctl`, each after its `!`.  Any other option implies --ipvs, and
`! --ipvs` stands alone.  nft has no expression for IPVS connections: no
translation.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..parser.matches import getportbyname, parse_ct_address
from ..parser.xtables import Extension, Opt, parse_protocol, problem
from ..render.iptables_save import negatable
from .conntrack import host_mask_text

METHODS = ("GATE", "IPIP", "MASQ")  # IP_VS_CONN_F_DROUTE, _TUNNEL, _MASQ


class IpvsMatch(metaclass=records.frozen):
    name: ClassVar[str] = "ipvs"
    ipvs: fw.Test | None = None  # True; only when no other option is given
    proto: fw.Test | None = None  # int
    address: fw.Test | None = None  # Address, host bits kept
    port: fw.Test | None = None  # int
    direction: str | None = None  # ORIGINAL or REPLY
    method: fw.Test | None = None  # GATE, IPIP or MASQ
    port_control: fw.Test | None = None  # int


class Match(Extension):
    name = "ipvs"
    options = (Opt("ipvs", "ipvs", arity=0, invert=True), Opt("vproto", "vproto", invert=True),
               Opt("vaddr", "vaddr", invert=True), Opt("vport", "vport", invert=True), Opt("vdir", "vdir"),
               Opt("vmethod", "vmethod", invert=True), Opt("vportctl", "vportctl", invert=True))

    def read_vproto(self, given):
        return parse_protocol(given.value)

    def read_vaddr(self, given):
        return parse_ct_address(given.value, self.name, given.option.name)

    def read_vport(self, given):
        return getportbyname(given.value)

    read_vportctl = read_vport

    def read_vdir(self, given):
        direction = given.value.upper()  # strcasecmp()
        if direction not in ("ORIGINAL", "REPLY"):
            raise problem(f'ipvs: Bad value for "--vdir" option: "{given.value}"')
        return direction

    def read_vmethod(self, given):
        method = given.value.upper()
        if method not in METHODS:
            raise problem(f'ipvs: Bad value for "--vmethod" option: "{given.value}"')
        return method

    def finish(self):
        if not self.given:
            raise problem("IPVS: At least one option is required")
        others = [key for key in self.given if key != "ipvs"]
        if others and "ipvs" in self.given and self.values["ipvs"].negated:
            raise problem("! --ipvs cannot be together with other options")
        direction = self.values.get("vdir")
        return IpvsMatch(None if others else self.values["ipvs"], self.values.get("vproto"),
                         self.values.get("vaddr"), self.values.get("vport"),
                         direction.value if direction else None, self.values.get("vmethod"),
                         self.values.get("vportctl"))


def match_words(match: IpvsMatch) -> list:
    words: list = []
    if match.ipvs is not None:
        words += ["!", "--ipvs"] if match.ipvs.negated else ["--ipvs"]
    negatable(words, match.proto, "--vproto")
    negatable(words, match.address, "--vaddr", host_mask_text)
    negatable(words, match.port, "--vport")
    if match.direction is not None:
        words += ["--vdir", match.direction]
    negatable(words, match.method, "--vmethod")
    negatable(words, match.port_control, "--vportctl")
    return words


def match_nft(match: IpvsMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the ipvs match (nft has no expression for IPVS connections)")


SAVE = {IpvsMatch: match_words}
NFT = {IpvsMatch: match_nft}
MATCH = Match
