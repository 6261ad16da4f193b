"""tcp (libxt_tcp.c): ports, flags and an option of the TCP header."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt, parse_port_range, problem, strtoui
from ..parser.matches import port_tests
from ..parser.slots import slot_maker
from ..render.iptables_save import negatable, port_words


class TcpMatch(metaclass=records.frozen):
    name: ClassVar[str] = "tcp"
    sport: fw.Test | None = None  # PortRange
    dport: fw.Test | None = None
    option: fw.Test | None = None  # int
    flags: fw.Test | None = None  # TcpFlags; `--syn` is FIN,SYN,RST,ACK/SYN

    @property
    def limits(self) -> tuple | None:
        """With options, the test is an nftables expression (the parser checked `-p'); without, it is the
        kernel's xt match, which wants its protocol, not negated."""
        return XT_TCP if self.sport is None and self.dport is None and self.option is None and self.flags is None \
            else None


TCP_FLAGS = (("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20),
             ("ALL", 0x3F), ("NONE", 0))


SYN_FLAGS = fw.TcpFlags(0x17, 0x02)  # --syn: FIN,SYN,RST,ACK / SYN


def parse_tcp_flags(text: str) -> int:
    flags = 0
    names = dict((name.lower(), bit) for name, bit in TCP_FLAGS)
    for name in filter(None, text.split(",")):
        if name.lower() not in names:
            raise problem(f"Unknown TCP flag `{name}'")
        flags |= names[name.lower()]
    return flags


XT_TCP = (None, None, 6)


class Match(Extension):
    """libxt_tcp.c: an old-style extension with its own messages."""

    name = "tcp"
    generic = False
    options = (Opt("source-port", "sport", invert=True), Opt("sport", "sport", invert=True),
               Opt("destination-port", "dport", invert=True), Opt("dport", "dport", invert=True),
               Opt("syn", "flags", arity=0, invert=True), Opt("tcp-flags", "flags", arity=2, invert=True),
               Opt("tcp-option", "option", invert=True))
    TWICE = {"sport": "Only one `--source-port' allowed", "dport": "Only one `--destination-port' allowed",
             "flags": "Only one of `--syn' or `--tcp-flags'  allowed", "option": "Only one `--tcp-option' allowed"}

    def take(self, given) -> None:
        if given.option.key in self.given:
            raise problem(self.TWICE[given.option.key], given.location)
        super().take(given)

    def read_sport(self, given):
        return parse_port_range(given.value, "tcp")

    read_dport = read_sport

    def read_flags(self, given):
        if given.option.name == "syn":
            return SYN_FLAGS
        if len(given.values) < 2:
            raise problem("--tcp-flags requires two args.")
        return fw.TcpFlags(parse_tcp_flags(given.values[0]), parse_tcp_flags(given.values[1]))

    def read_option(self, given):
        number = strtoui(given.value, 1, 255)
        if number is None:
            raise problem(f'Bad TCP option "{given.value}"')
        return number

    def finish(self):
        return TcpMatch(*port_tests(self.values), self.values.get("option"), self.values.get("flags"))

    @classmethod
    def direct(cls, takes: tuple):
        """`--sport` and/or `--dport`, each once (`!` or not): their ports read as take() reads them, the
        node finish() makes of them.  A rule's own port (a service a rule) is a node seldom met again."""
        keys = [take.option.key for take in takes]
        if not takes or len(set(keys)) != len(keys) or not set(keys) <= {"sport", "dport"}:
            return None
        ports = tuple((take.option.key, take.values[0], take.negated, take.legacy) for take in takes)
        make_test, make_match = slot_maker(fw.Test), slot_maker(TcpMatch)

        def node(texts: list) -> TcpMatch:
            values = {key: make_test(parse_port_range(texts[at], "tcp"), negated, legacy)
                      for key, at, negated, legacy in ports}
            return make_match(*port_tests(values), None, None)

        return node


TCP_FLAG_NAMES = (("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20))


def tcp_flags_text(flags: int) -> str:
    return ",".join(name for name, bit in TCP_FLAG_NAMES if flags & bit) or "NONE"


def tcp_words(match: TcpMatch) -> list:
    words = port_words(match)
    negatable(words, match.option, "--tcp-option")
    if match.flags is not None:
        negatable(words, match.flags, "--tcp-flags", lambda f: tcp_flags_text(f.mask))
        words.append(match.flags.value if isinstance(match.flags.value, Symbol) else tcp_flags_text(match.flags.value.compare))
    return words


def tcp_matches(match: TcpMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import port_matches

    statements = port_matches(match)
    if match.option is not None:
        kind = match.option.value
        exists = "missing" if match.option.negated else "exists"
        statements.append(nft.Raw(f"tcp option {kind} {exists}", {"match": {
            "op": "==", "left": {"tcp option": {"name": str(kind)}}, "right": not match.option.negated}}))
    if match.flags is not None:
        flags = nft.Binary("&", nft.Payload("tcp", "flags"), match.flags.value.mask)
        statements.append(nft.Match(flags, match.flags.value.compare, match.flags.negated))
    # the xt tcp match never matches a later fragment; nor does any test on the tcp header
    return statements or [nft.Match(nft.Payload("tcp", "dport"), nft.Span(0, 0xFFFF))]


SAVE = {TcpMatch: tcp_words}
NFT = {TcpMatch: tcp_matches}
MATCH = Match


# ipchains: its -y (a SYN that opens a connection) is this test of the flags (SYN,RST,ACK / SYN, FIN not
# looked at, unlike --syn).
IPCHAINS_SYN = fw.TcpFlags(0x16, 0x02)


def ipchains_tcp(match: TcpMatch):
    """ipchains says the ports and -y (or ! -y); not --tcp-option nor other flags."""
    if match.option is None and (match.flags is None or match.flags.value == IPCHAINS_SYN):
        return match
    return None


# node type -> (node) -> the node as pyip's ipchains AST holds it (a target: (target, actions)), or None where
# ipchains cannot say it exactly (pyip.translators.iptables_ipchains).
TO_IPCHAINS = {TcpMatch: ipchains_tcp}
