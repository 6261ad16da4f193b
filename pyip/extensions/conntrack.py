"""conntrack (libxt_conntrack.c): the connection's state, status, tuples, expiry and direction."""

from __future__ import annotations

from functools import lru_cache

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number_range, parse_protocol, problem
from ..parser.matches import parse_ct_address, parse_port_components
from ..render.iptables_save import names_text, negatable, range_text


class ConntrackMatch(metaclass=records.frozen):
    name: ClassVar[str] = "conntrack"
    state: fw.Test | None = None  # tuple of state names, DNAT, SNAT
    proto: fw.Test | None = None  # int
    orig_src: fw.Test | None = None  # Address
    orig_dst: fw.Test | None = None
    repl_src: fw.Test | None = None
    repl_dst: fw.Test | None = None
    status: fw.Test | None = None  # tuple of NONE EXPECTED SEEN_REPLY ASSURED CONFIRMED
    expire: fw.Test | None = None  # Range of seconds
    ports: tuple = ()  # (option, Test of PortRange): ctorigsrcport, ctorigdstport, ctreplsrcport, ctrepldstport
    direction: str | None = None  # ORIGINAL or REPLY


STATES = ("INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED")  # the order iptables tests them


STATE_ORDER = ("INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT")  # the order it prints


@lru_cache(maxsize=1024)  # a few lists of states make up every file
def parse_states(text: str, names: tuple, option: str, message: str) -> tuple:
    """state_parse_states(): comma-separated case-insensitive prefixes; errors quote the rest of the list."""
    found = set()
    rest = text
    while "," in rest:
        item, _, after = rest.partition(",")
        name = next((n for n in names if item and n.lower().startswith(item.lower())), None)
        if name is None:
            raise problem(f'{message} "{rest}"')
        found.add(name)
        rest = after
    if not rest:
        raise problem(f'"--{option}" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED')
    name = next((n for n in names if n.lower().startswith(rest.lower())), None)
    if name is None:
        raise problem(f'{message} "{rest}"')
    found.add(name)
    return tuple(n for n in STATE_ORDER if n in found)


CT_STATUS = ("NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED")


class Match(Extension):
    name = "conntrack"
    options = (Opt("ctstate", "ctstate", invert=True), Opt("ctproto", "ctproto", invert=True),
               Opt("ctorigsrc", "ctorigsrc", invert=True), Opt("ctorigdst", "ctorigdst", invert=True),
               Opt("ctreplsrc", "ctreplsrc", invert=True), Opt("ctrepldst", "ctrepldst", invert=True),
               Opt("ctstatus", "ctstatus", invert=True), Opt("ctexpire", "ctexpire", invert=True),
               Opt("ctorigsrcport", "ctorigsrcport", invert=True), Opt("ctorigdstport", "ctorigdstport", invert=True),
               Opt("ctreplsrcport", "ctreplsrcport", invert=True), Opt("ctrepldstport", "ctrepldstport", invert=True),
               Opt("ctdir", "ctdir"))

    def read_ctstate(self, given):
        return parse_states(given.value, STATES + ("SNAT", "DNAT"), "ctstate", "Bad ctstate")

    def read_ctproto(self, given):
        return parse_protocol(given.value)

    def read_ctorigsrc(self, given):
        return parse_ct_address(given.value, self.name, given.option.name)

    read_ctorigdst = read_ctreplsrc = read_ctrepldst = read_ctorigsrc

    def read_ctstatus(self, given):
        found = set()
        for item in given.value.split(","):
            name = next((n for n in CT_STATUS if n.lower() == item.lower()), None)
            if name is None:
                raise problem(f'Bad ctstatus "{item}"')
            found.add(name)
        return tuple(n for n in CT_STATUS if n in found)

    def read_ctexpire(self, given):
        return parse_number_range(self.name, "ctexpire", given.value, 0xFFFFFFFF)

    def read_ctorigsrcport(self, given):
        return parse_port_components(self.name, given.option.name, given.value)

    read_ctorigdstport = read_ctreplsrcport = read_ctrepldstport = read_ctorigsrcport

    def read_ctdir(self, given):
        direction = given.value.upper()
        if direction not in ("ORIGINAL", "REPLY"):
            raise problem(f'conntrack: Bad value for "--ctdir" option: "{given.value}"')
        return direction

    def finish(self):
        if not self.given:
            raise problem("conntrack: At least one option is required")
        direction = self.values.get("ctdir")
        return ConntrackMatch(
            self.values.get("ctstate"), self.values.get("ctproto"), self.values.get("ctorigsrc"),
            self.values.get("ctorigdst"), self.values.get("ctreplsrc"), self.values.get("ctrepldst"),
            self.values.get("ctstatus"), self.values.get("ctexpire"),
            tuple((key, self.values[key]) for key in PORT_KEYS if key in self.values),
            direction.value if direction else None)


PORT_KEYS = ("ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport")


def host_mask_text(address: fw.Address) -> str:
    """XTTYPE_HOSTMASK as conntrack saves it: a host alone, else ADDR/LEN."""
    return str(address.address) if address.mask == 0xFFFFFFFF else str(address)


def conntrack_words(match: ConntrackMatch) -> list:
    words: list = []
    negatable(words, match.state, "--ctstate", names_text)
    negatable(words, match.proto, "--ctproto")
    for option, test in (("--ctorigsrc", match.orig_src), ("--ctorigdst", match.orig_dst),
                         ("--ctreplsrc", match.repl_src), ("--ctrepldst", match.repl_dst)):
        negatable(words, test, option, host_mask_text)
    for option, test in match.ports:
        negatable(words, test, f"--{option}")
    negatable(words, match.status, "--ctstatus", lambda names: names_text(names) or "NONE")
    negatable(words, match.expire, "--ctexpire", range_text)
    if match.direction is not None:
        words += ["--ctdir", match.direction]
    return words


CT_ADDRESSES = (("orig_src", "original", "saddr"), ("orig_dst", "original", "daddr"),
                ("repl_src", "reply", "saddr"), ("repl_dst", "reply", "daddr"))


CT_PORTS = {"ctorigsrcport": ("original", "proto-src"), "ctorigdstport": ("original", "proto-dst"),
            "ctreplsrcport": ("reply", "proto-src"), "ctrepldstport": ("reply", "proto-dst")}


CT_NAT_STATES = {"SNAT": "snat", "DNAT": "dnat"}  # ct status bits xt_conntrack mixes into its state list


def ct_flags(names) -> nft.Flags:
    return nft.Flags(tuple(name.lower().replace("_", "-") for name in names))


def conntrack_matches(match: ConntrackMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    """In iptables-translate's order: direction, protocol, state, status, addresses, ports."""
    from ..translators.iptables_nft import Untranslatable, address_value, port_value, test_match

    if match.ports and match.proto is None:
        raise Untranslatable("a conntrack port without --ctproto (nft needs the protocol to read a port)")
    statements = [] if match.direction is None else [nft.Match(nft.Ct("direction"), match.direction.lower())]
    statements += test_match(nft.Ct("protocol", "original"), match.proto)
    statements += ct_state_matches(match.state)
    statements += ct_status_matches(match.status)
    for field, direction, key in CT_ADDRESSES:
        statements += test_match(nft.Ct(key, direction, "ip"), getattr(match, field), address_value)
    for option, test in match.ports:
        statements += test_match(nft.Ct(CT_PORTS[option][1], CT_PORTS[option][0]), test, port_value)
    return statements + ct_expire_matches(match.expire)


CT_EXPIRATION = nft.Ct("expiration")


EXPIRATION_SECONDS = 0xFFFFFFFF // 1000  # nft's ct expiration is 32 bits of milliseconds


def ct_expire_matches(test) -> list:
    """xt_conntrack compares the whole seconds left (jiffies / HZ), nft's `ct expiration' the milliseconds:
    MIN:MAX seconds is `>= MIN s` and `< MAX+1 s`, both bounds exact.  (A millisecond range `3000ms-3999ms`
    would do as well in the kernel, but nft lists it as `3s-3s`, which reads back as something else.)  A bound past
    nft's 32 bits of milliseconds (49 days) is left out: no conntrack timeout is that long by default."""
    from ..translators.iptables_nft import Untranslatable, ct_state_match

    if test is None:
        return []
    low, high = test.value.first, test.value.last
    open_top = high >= EXPIRATION_SECONDS
    if low > EXPIRATION_SECONDS:
        raise Untranslatable("--ctexpire past nft's 32 bits of milliseconds (49 days)")
    if not test.negated and low == 0 and open_top:  # any time left, but there must be a connection
        return [ct_state_match(("ESTABLISHED", "RELATED", "NEW"), False)]
    if not test.negated:
        return ([nft.Match(CT_EXPIRATION, f"{low}s", operator=">=")] if low else []) + \
            ([] if open_top else [nft.Match(CT_EXPIRATION, f"{high + 1}s", operator="<")])
    if low == 0 and not open_top:
        return [nft.Match(CT_EXPIRATION, f"{high + 1}s", operator=">=")]
    if open_top and low > 0:
        return [nft.Match(CT_EXPIRATION, f"{low}s", operator="<")]
    raise Untranslatable("! --ctexpire with both bounds (outside a range is an OR of two tests in nft)")


def ct_state_matches(test) -> list:
    """xt_conntrack's state list may hold SNAT and DNAT, ct status bits: alone they are `ct status`; mixed
    with states they would need an OR of two keys."""
    from ..translators.iptables_nft import CT_STATE, Untranslatable, state_value

    if test is None:
        return []
    nat = [name for name in test.value if name in CT_NAT_STATES]
    if not nat:
        return [nft.Match(CT_STATE, state_value(test.value), test.negated)]
    if len(nat) != len(test.value):
        raise Untranslatable("--ctstate mixing states with SNAT/DNAT (a ct status bit): one of two keys")
    return [ct_bits_match(tuple(CT_NAT_STATES[name] for name in nat), test.negated)]


def ct_status_matches(test) -> list:
    from ..translators.iptables_nft import Untranslatable

    if test is None:
        return []
    if not test.value:
        raise Untranslatable("--ctstatus NONE (no bit to test)")
    return [ct_bits_match(test.value, test.negated)]


def ct_bits_match(names: tuple, negated: bool) -> nft.Match:
    """Any of the bits set: `ct status a,b`; none of them: `ct status ! a,b`, nft's `& (a|b) == 0`."""
    return nft.Match(nft.Ct("status"), ct_flags(names), False, "!" if negated else "==")


SAVE = {ConntrackMatch: conntrack_words}
NFT = {ConntrackMatch: conntrack_matches}
MATCH = Match
