"""iptables 1.8 matches (libxt_*.c): options, value checks with iptables' messages, AST nodes."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .. import netdb
from ..ast import firewall as fw
from .xtables import (Extension, Opt, numeric_address, parse_number, parse_number_range,
                      parse_plen_mask, parse_port, parse_port_range, parse_protocol, problem, strtoui, strtoul)

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

MULTIPORT_PROTOCOLS = {6: "tcp", 17: "udp", 136: "udplite", 132: "sctp", 33: "dccp"}


class Multiport(Extension):
    name = "multiport"
    options = (Opt("source-ports", "sports", invert=True), Opt("sports", "sports", invert=True),
               Opt("destination-ports", "dports", invert=True), Opt("dports", "dports", invert=True),
               Opt("ports", "ports", invert=True))

    def read_sports(self, given):
        protocol = self.protocol_name()
        return parse_multiport(given.value, protocol)

    read_dports = read_ports = read_sports

    def protocol_name(self) -> str:
        number, inverted = self.rule.protocol_now()
        if inverted:
            raise problem("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP")
        if number == 0:
            raise problem("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'")
        if number not in MULTIPORT_PROTOCOLS:
            raise problem("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP")
        return MULTIPORT_PROTOCOLS[number]

    def finish(self):
        if not self.given:
            raise problem("multiport expection an option")
        self.exclusive("sports", "dports", "ports")
        [key] = self.values
        return fw.MultiportMatch(key, self.values[key])


def parse_multiport(text: str, protocol: str) -> tuple:
    """Up to 15 ports, a range `P:Q` taking two of them."""
    ports, slots = [], 0
    items = text.split(",")
    for item in items:
        if slots == 15:
            raise problem("too many ports specified")
        first, colon, last = item.partition(":")
        if colon and slots == 14:
            raise problem("too many ports specified")
        low = parse_port(first, protocol)
        high = parse_port(last, protocol) if colon else low
        if colon and low >= high:
            raise problem("invalid portrange specified")
        ports.append(fw.PortRange(low, high))
        slots += 2 if colon else 1
    return tuple(ports)


LIMIT_SCALE = 10000
RATE_UNITS = (("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400))


def parse_rate(text: str) -> int | None:
    """parse_rate(): N[/second|minute|hour|day, any prefix]; the interval in 1/10000 s."""
    number_text, slash, unit = text.partition("/")
    seconds = 1
    if slash:
        matching = [s for name, s in RATE_UNITS if unit and name.startswith(unit.lower())]
        if not matching:
            return None
        seconds = matching[0]
    count = atoi(number_text)
    if count == 0:
        return None
    interval = LIMIT_SCALE * seconds // count
    if interval == 0:
        raise problem(f'Rate too fast "{text}"')
    return interval


def atoi(text: str) -> int:
    """C atoi(): the leading decimal number, 0 if none."""
    value, _ = strtoul(text, 10)
    return 0 if value is None or text.lstrip().startswith("-") else value & 0xFFFFFFFF


class Limit(Extension):
    name = "limit"
    options = (Opt("limit", "limit"), Opt("limit-burst", "limit-burst"))

    def read_limit(self, given):
        interval = parse_rate(given.value)
        if interval is None:
            raise problem(f"bad rate \"{given.value}\"'")
        return interval

    def read_limit_burst(self, given):
        return parse_number(self.name, "limit-burst", given.value, 0, 10000)

    def finish(self):
        # a burst of 0 comes back from the kernel as the default 5 (iptables-save prints no --limit-burst)
        burst = self.plain("limit-burst", default=5) or 5
        return fw.LimitMatch(self.plain("limit", default=LIMIT_SCALE * 3600 // 3), burst)


class Owner(Extension):
    name = "owner"
    options = (Opt("uid-owner", "uid-owner", invert=True), Opt("gid-owner", "gid-owner", invert=True),
               Opt("socket-exists", "socket-exists", arity=0, invert=True),
               Opt("suppl-groups", "suppl-groups", arity=0))

    def read_suppl_groups(self, given):
        if "gid-owner" not in self.given:  # the group must come first
            raise problem('owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"')
        return True

    def read_uid_owner(self, given):
        return self.id_range(given, netdb.user_id)

    def read_gid_owner(self, given):
        return self.id_range(given, netdb.group_id)

    def id_range(self, given, lookup) -> fw.Range:
        """A user (group) name, or ID or ID-ID."""
        known = lookup(given.value)
        if known is not None:
            return fw.Range(known, known)
        first, dash, last = given.value.partition("-")
        low = strtoui(first, 0, 0xFFFFFFFE)
        high = strtoui(last, 0, 0xFFFFFFFE) if dash else low
        if low is None or high is None:
            raise problem(f'owner: Bad value for "--{given.option.name}" option: "{given.value}"')
        return fw.Range(low, high)

    def finish(self):
        if not self.given:
            raise problem("owner: At least one of --uid-owner, --gid-owner or --socket-exists is required")
        return fw.OwnerMatch(self.values.get("uid-owner"), self.values.get("gid-owner"),
                             self.values.get("socket-exists"), "suppl-groups" in self.given)


class Comment(Extension):
    name = "comment"
    options = (Opt("comment", "comment"),)

    def read_comment(self, given):
        return given.value[:255]  # XT_MAX_COMMENT_LEN, with its terminating NUL

    def finish(self):
        self.require("comment")
        return fw.CommentMatch(self.values["comment"].value)


# -- payload: string, u32, length, tos, ttl ------------------------------------------------


def parse_hex_string(text: str) -> bytes:
    """parse_hex_string(): text with |hex| blocks; `\\` quotes one character outside them."""
    if not text:
        raise problem("STRING must contain at least one char")
    out, i, hex_mode = bytearray(), 0, False
    while i < len(text):
        char = text[i]
        if char == "\\" and hex_mode:
            raise problem("Cannot include literals in hex data")
        if char == "|":
            hex_mode = not hex_mode
            i += 1
            while hex_mode and text[i:i + 1] == " ":
                i += 1
            continue
        if char == "\\":
            if i + 1 >= len(text):
                raise problem("Bad literal placement at end of string")
            out.append(ord(text[i + 1]) & 0xFF)
            i += 2
        elif hex_mode:
            out.append(read_hex_pair(text, i))
            i += 3 if text[i + 2:i + 3] == " " else 2
        else:
            out += text[i].encode("utf-8", "surrogateescape")
            i += 1
    return bytes(out)


def read_hex_pair(text: str, i: int) -> int:
    if i + 1 >= len(text):
        raise problem("Odd number of hex digits")
    if i + 2 >= len(text):
        raise problem("Invalid hex block")
    for char in text[i:i + 2]:
        if char not in "0123456789abcdefABCDEF":
            raise problem(f"Invalid hex char '{char}'")
    return int(text[i:i + 2], 16)


class String(Extension):
    name = "string"
    options = (Opt("from", "from"), Opt("to", "to"), Opt("algo", "algo"), Opt("string", "string", invert=True),
               Opt("hex-string", "hex-string", invert=True), Opt("icase", "icase", arity=0))

    def read_from(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF)

    read_to = read_from

    def read_string(self, given):
        data = given.value.encode("utf-8", "surrogateescape")
        if len(data) > 128:
            raise problem(f'STRING too long "{given.value}"')
        return data

    def read_hex_string(self, given):
        data = parse_hex_string(given.value)
        if len(data) > 128:
            raise problem(f'STRING too long "{given.value}"')
        return data

    def finish(self):
        pattern = self.values.get("string") or self.values.get("hex-string")
        if pattern is None:
            raise problem("STRING match: You must specify `--string' or `--hex-string'")
        self.require("algo")
        return fw.StringMatch(pattern, self.plain("algo"), self.plain("from", default=0),
                              self.plain("to", default=0xFFFF), "icase" in self.given)


class Recent(Extension):
    name = "recent"
    MODES = ("set", "rcheck", "update", "remove")
    options = (Opt("set", "set", arity=0, invert=True), Opt("rcheck", "rcheck", arity=0, invert=True),
               Opt("update", "update", arity=0, invert=True), Opt("remove", "remove", arity=0, invert=True),
               Opt("seconds", "seconds"), Opt("reap", "reap", arity=0), Opt("hitcount", "hitcount"),
               Opt("rttl", "rttl", arity=0), Opt("name", "name"), Opt("rsource", "rsource", arity=0),
               Opt("rdest", "rdest", arity=0), Opt("mask", "mask"))

    def read_seconds(self, given):
        return parse_number(self.name, given.option.name, given.value, 1, 0xFFFFFFFF)

    def read_hitcount(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFFFFFF)

    def read_name(self, given):
        if len(given.value) >= 200:
            raise problem(f'{self.name}: "--name" must be no more than 199 characters')
        return given.value

    def read_mask(self, given):
        address = numeric_address(given.value)
        if address is None:
            raise problem(f"host/network `{given.value}' not found")
        return address

    def finish(self):
        self.exclusive(*self.MODES)
        mode = next((key for key in self.MODES if key in self.values), None)
        if mode is None:
            raise problem("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'")
        if "rttl" in self.given and mode in ("set", "remove"):
            raise problem(f'recent: option "--rttl" cannot be used together with "--{mode}".')
        if "reap" in self.given and "seconds" not in self.given:
            raise problem('recent: option "--reap" also requires "--seconds".')
        test = self.values[mode]
        return fw.RecentMatch(fw.Test(mode, test.negated, test.legacy), self.plain("seconds", default=0),
                              "reap" in self.given, self.plain("hitcount", default=0), "rttl" in self.given,
                              self.plain("name", default="DEFAULT"),
                              self.plain("mask", default=ipaddress.IPv4Address("255.255.255.255")),
                              self.side())

    def side(self) -> str:
        """--rsource and --rdest may both be given: the later one counts."""
        sides = [key for key in self.given if key in ("rsource", "rdest")]
        return "dest" if sides and sides[-1] == "rdest" else "source"


U32_OPERATORS = ("&", "<<", ">>", "@")


def parse_u32(text: str) -> tuple:
    """libxt_u32: TESTS joined by &&; a test is LOCATION=RANGES, LOCATION is NUM (OP NUM)*."""
    tests = []
    for part in text.replace(" ", "").replace("\t", "").split("&&"):
        location_text, equals, ranges_text = part.partition("=")
        if not equals:
            raise problem(f"u32: missing \"=\" in \"{part}\"")
        tests.append(fw.U32Test(parse_u32_location(location_text), parse_u32_ranges(ranges_text)))
    if len(tests) > 10:
        raise problem("u32: too many \"&&\"s")
    return tuple(tests)


def parse_u32_location(text: str) -> tuple:
    elements, operator, rest = [], "", text
    while True:
        value, rest = strtoul(rest, 0)
        if value is None or value > 0xFFFFFFFF:
            raise problem(f'u32: bad number in "{text}"')
        elements.append((operator, value))
        if not rest:
            return tuple(elements)
        operator = next((op for op in U32_OPERATORS if rest.startswith(op)), None)
        if operator is None or len(elements) == 10:
            raise problem(f'u32: bad operator in "{text}"')
        rest = rest[len(operator):]


def parse_u32_ranges(text: str) -> tuple:
    ranges = []
    for item in text.split(","):
        first, colon, last = item.partition(":")
        low, high = strtoui(first), strtoui(last) if colon else strtoui(first)
        if low is None or high is None:
            raise problem(f'u32: bad range "{item}"')
        ranges.append((low, high))
    if len(ranges) > 10:
        raise problem("u32: too many ranges")
    return tuple(ranges)


class U32(Extension):
    name = "u32"
    options = (Opt("u32", "u32", invert=True),)

    def read_u32(self, given):
        return parse_u32(given.value)

    def finish(self):
        self.require("u32")
        return fw.U32Match(self.values["u32"])


ADDRESS_TYPES = ("UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE",
                 "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE")


class Addrtype(Extension):
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
        return fw.AddrtypeMatch(self.values.get("src-type"), self.values.get("dst-type"), side)


ALL = (Tcp, Udp, Icmp, State, Conntrack, Multiport, Limit, Owner, Comment, String, Recent, U32, Addrtype)
