"""iptables 1.8 matches (libxt_*.c): options, value checks with iptables' messages, AST nodes."""

from __future__ import annotations

from functools import lru_cache

from .. import netdb
from ..ast import firewall as fw
from .xtables import (Extension, Opt, numeric_address, parse_number_range,
                      parse_plen_mask, parse_port_range, parse_protocol, problem, strtoui, strtoul)

# -- tcp, udp, icmp ---------------------------------------------------------------

TCP_FLAGS = (("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20),
             ("ALL", 0x3F), ("NONE", 0))
SYN_FLAGS = fw.TcpFlags(0x17, 0x02)  # --syn: FIN,SYN,RST,ACK / SYN
FULL_RANGE = fw.PortRange(0, 0xFFFF)


def parse_tcp_flags(text: str) -> int:
    flags = 0
    names = dict((name.lower(), bit) for name, bit in TCP_FLAGS)
    for name in filter(None, text.split(",")):
        if name.lower() not in names:
            raise problem(f"Unknown TCP flag `{name}'")
        flags |= names[name.lower()]
    return flags


def port_tests(values: dict) -> list:
    """--sport and --dport; 0:65535 is no test at all to the kernel (iptables-save leaves it out)."""
    tests = [values.get(key) for key in ("sport", "dport")]
    return [None if test is not None and test.value == FULL_RANGE and not test.negated else test for test in tests]


class Tcp(Extension):
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
        return fw.TcpMatch(*port_tests(self.values), self.values.get("option"), self.values.get("flags"))


def getportbyname(text: str) -> int:
    """xtables_getportbyname(): getaddrinfo's service lookup (numbers wrap at 16 bits)."""
    value, rest = strtoul(text, 10)
    if value is not None and not rest and not text.lstrip().startswith("-"):  # getaddrinfo() takes no `-1'
        return value & 0xFFFF
    port = netdb.service_port(text, "tcp")
    if port is None:
        port = netdb.service_port(text, "udp")
    if port is None:
        raise problem(f'Port "{text}" does not resolve to anything.')
    return port


def parse_port_components(extension: str, option: str, text: str) -> fw.PortRange:
    """XTTYPE_PORTRC: `P` or `P:Q`, an empty side meaning 0 or 65535."""
    parts = text.split(":")
    if len(parts) > 2:
        raise problem(f'{extension}: Too many components for option "--{option}" (max: 2)')
    ports = [getportbyname(part) if part else (0 if i == 0 else 0xFFFF) for i, part in enumerate(parts)]
    return fw.PortRange(ports[0], ports[-1])


class Udp(Extension):
    name = "udp"
    options = (Opt("source-port", "sport", invert=True), Opt("sport", "sport", invert=True),
               Opt("destination-port", "dport", invert=True), Opt("dport", "dport", invert=True))

    def read_sport(self, given):
        return parse_port_components(self.name, self.canonical(given.option.key), given.value)

    read_dport = read_sport

    def finish(self):
        return fw.UdpMatch(*port_tests(self.values))


ICMP_TYPES = (
    ("any", 0xFF, 0, 0xFF), ("echo-reply", 0, 0, 0xFF), ("pong", 0, 0, 0xFF),
    ("destination-unreachable", 3, 0, 0xFF), ("network-unreachable", 3, 0, 0), ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2), ("port-unreachable", 3, 3, 3), ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5), ("network-unknown", 3, 6, 6), ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9), ("host-prohibited", 3, 10, 10), ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12), ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14), ("precedence-cutoff", 3, 15, 15), ("source-quench", 4, 0, 0xFF),
    ("redirect", 5, 0, 0xFF), ("network-redirect", 5, 0, 0), ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2), ("TOS-host-redirect", 5, 3, 3), ("echo-request", 8, 0, 0xFF),
    ("ping", 8, 0, 0xFF), ("router-advertisement", 9, 0, 0xFF), ("router-solicitation", 10, 0, 0xFF),
    ("time-exceeded", 11, 0, 0xFF), ("ttl-exceeded", 11, 0, 0xFF), ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1), ("parameter-problem", 12, 0, 0xFF), ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1), ("timestamp-request", 13, 0, 0xFF), ("timestamp-reply", 14, 0, 0xFF),
    ("address-mask-request", 17, 0, 0xFF), ("address-mask-reply", 18, 0, 0xFF),
)


@lru_cache(maxsize=1024)  # a few types fill most rules; the result is frozen, an error is raised anew each time
def parse_icmp_type(text: str) -> fw.IcmpType:
    """A case-insensitive unique prefix of a type name, else TYPE or TYPE/CODE."""
    named = [entry for entry in ICMP_TYPES if entry[0].lower().startswith(text.lower())]
    if len(named) > 1:
        raise problem(f"Ambiguous ICMP type `{text}': `{named[0][0]}' or `{named[1][0]}'?")
    if named:
        return fw.IcmpType(*named[0][1:])
    type_text, slash, code_text = text.partition("/")
    icmp_type = strtoui(type_text, 0, 255)
    if icmp_type is None:
        raise problem(f"Unknown ICMP type `{text}'")
    if not slash:
        return fw.IcmpType(icmp_type)
    code = strtoui(code_text, 0, 255)
    if code is None:
        raise problem(f"Unknown ICMP code `{text}'")
    return fw.IcmpType(icmp_type, code, code)


class Icmp(Extension):
    name = "icmp"
    options = (Opt("icmp-type", "icmp-type", invert=True),)

    def read_icmp_type(self, given):
        return parse_icmp_type(given.value)

    def finish(self):
        self.require("icmp-type")
        return fw.IcmpMatch(self.values["icmp-type"])


# -- conntrack, state ---------------------------------------------------------------

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


class State(Extension):
    name = "state"
    options = (Opt("state", "state", invert=True),)

    def read_state(self, given):
        return parse_states(given.value, STATES, "state", "Bad state")

    def finish(self):
        self.require("state")
        return fw.StateMatch(self.values["state"])


CT_STATUS = ("NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED")


def parse_ct_address(text: str, extension: str = "conntrack", option: str = "ctorigsrc") -> fw.Address:
    """XTTYPE_HOSTMASK: ADDR[/PREFIX-OR-MASK], host bits kept."""
    host, slash, mask_text = text.partition("/")
    address = numeric_address(host)
    if address is None:
        raise problem(f"host/network `{host}' not found")
    return fw.Address(address, parse_plen_mask(extension, option, mask_text) if slash else 0xFFFFFFFF)


class Conntrack(Extension):
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
        return fw.ConntrackMatch(
            self.values.get("ctstate"), self.values.get("ctproto"), self.values.get("ctorigsrc"),
            self.values.get("ctorigdst"), self.values.get("ctreplsrc"), self.values.get("ctrepldst"),
            self.values.get("ctstatus"), self.values.get("ctexpire"),
            tuple((key, self.values[key]) for key in PORT_KEYS if key in self.values),
            direction.value if direction else None)


PORT_KEYS = ("ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport")

# -- ports, rates, marks --------------------------------------------------------------


# -- payload: string, u32, length, tos, ttl ------------------------------------------------


ALL = (Tcp, Udp, Icmp, State, Conntrack)
