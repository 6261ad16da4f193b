"""addrtype (libxt_addrtype.c): the routing type of the source or destination address."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, problem
from ..render.iptables_save import names_text, negatable


class AddrtypeMatch(metaclass=records.frozen):
    name: ClassVar[str] = "addrtype"
    source: fw.Test | None = None  # tuple of type names, kernel order
    destination: fw.Test | None = None
    limit_iface: str | None = None  # in or out

    @property
    def limits(self) -> tuple | None:
        """--limit-iface-in needs an input interface, --limit-iface-out an output one (xt_addrtype's check)."""
        if self.limit_iface is None:
            return None
        return (None, IFACE_HOOKS[self.limit_iface], None)


IFACE_HOOKS = {"in": {"PREROUTING", "INPUT", "FORWARD"}, "out": {"POSTROUTING", "OUTPUT", "FORWARD"}}


ADDRESS_TYPES = ("UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE",
                 "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE")


class Match(Extension):
    name = "addrtype"
    options = (Opt("src-type", "src-type", invert=True), Opt("dst-type", "dst-type", invert=True),
               Opt("limit-iface-in", "limit-iface-in", arity=0), Opt("limit-iface-out", "limit-iface-out", arity=0))

    def read_src_type(self, given):
        """parse_types(): an item before a comma is quoted with the rest of the list."""
        found, rest = set(), given.value
        while "," in rest:
            item, _, after = rest.partition(",")
            if item.upper() not in ADDRESS_TYPES:
                raise problem(f"addrtype: bad type `{rest}'")
            found.add(item.upper())
            rest = after
        if rest.upper() not in ADDRESS_TYPES:
            raise problem(f'addrtype: bad type "{rest}"')
        found.add(rest.upper())
        return tuple(t for t in ADDRESS_TYPES if t in found)

    read_dst_type = read_src_type

    def finish(self):
        self.exclusive("limit-iface-in", "limit-iface-out")
        if "src-type" not in self.given and "dst-type" not in self.given:
            raise problem("addrtype: you must specify --src-type or --dst-type")
        side = "in" if "limit-iface-in" in self.given else "out" if "limit-iface-out" in self.given else None
        return AddrtypeMatch(self.values.get("src-type"), self.values.get("dst-type"), side)


def addrtype_words(match: AddrtypeMatch) -> list:
    words: list = []
    negatable(words, match.source, "--src-type", names_text)
    negatable(words, match.destination, "--dst-type", names_text)
    if match.limit_iface is not None:
        words.append(f"--limit-iface-{match.limit_iface}")
    return words


def addrtype_matches(match: AddrtypeMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import names_value, test_match

    interface = {"in": ("iif",), "out": ("oif",), None: ()}[match.limit_iface]
    return (test_match(nft.Fib(("saddr", *interface)), match.source, names_value)
            + test_match(nft.Fib(("daddr", *interface)), match.destination, names_value))


SAVE = {AddrtypeMatch: addrtype_words}
NFT = {AddrtypeMatch: addrtype_matches}
MATCH = Match
