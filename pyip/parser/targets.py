"""iptables 1.8 targets (libxt_*.c, libipt_*.c): options, value checks with iptables' messages, AST nodes."""

from __future__ import annotations

import attrs

from .. import netdb
from ..ast import firewall as fw
from .xtables import Extension, Opt, numeric_address, parse_number, problem, strtoui, strtoul

REJECT_TYPES = (("icmp-net-unreachable", "net-unreach"), ("icmp-host-unreachable", "host-unreach"),
                ("icmp-proto-unreachable", "proto-unreach"), ("icmp-port-unreachable", "port-unreach"),
                ("icmp-net-prohibited", "net-prohib"), ("icmp-host-prohibited", "host-prohib"),
                ("tcp-reset", "tcp-rst"), ("icmp-admin-prohibited", "admin-prohib"))


class Reject(Extension):
    name = "REJECT"
    options = (Opt("reject-with", "reject-with"),)

    def read_reject_with(self, given):
        """Case-insensitive: the first type whose name or alias the word begins."""
        text = given.value.lower()
        for name, alias in REJECT_TYPES:
            if name.startswith(text) or alias.startswith(text):
                return name
        raise problem(f'unknown reject type "{given.value}"')

    def finish(self):
        return fw.Reject(self.plain("reject-with", default="icmp-port-unreachable"))


LOG_LEVELS = {"emerg": 0, "panic": 0, "alert": 1, "crit": 2, "error": 3, "warning": 4, "notice": 5, "info": 6,
              "debug": 7}
LOG_FLAGS = ("log-tcp-sequence", "log-tcp-options", "log-ip-options", "log-uid", "log-macdecode")


class Log(Extension):
    name = "LOG"
    options = (Opt("log-level", "log-level"), Opt("log-prefix", "log-prefix"),
               *(Opt(flag, flag, arity=0) for flag in LOG_FLAGS))

    def read_log_level(self, given):
        level = strtoui(given.value, 0, 7)
        if level is None:
            level = LOG_LEVELS.get(given.value)
        if level is None:
            raise problem(f'log level "{given.value}" unknown')
        return level

    def read_log_prefix(self, given):
        return read_prefix(given.value, 29, "--log-prefix")

    def finish(self):
        return fw.Log(self.plain("log-level", default=4), self.plain("log-prefix"),
                      *(flag in self.given for flag in LOG_FLAGS))


def read_prefix(text: str, length: int, option: str) -> str:
    """A log prefix: at least one character, no newline, cut to what the kernel keeps."""
    if not text:
        raise problem("Argument must have a minimum length of 1 characters")
    if "\n" in text:
        raise problem(f"Newlines not allowed in {option}")
    return text[:length]


def needs_ports_protocol(rule) -> None:
    number, _ = rule.protocol_now()
    if number not in (6, 17, 132, 33):
        raise problem("Need TCP, UDP, SCTP or DCCP with port specification")


def service_to_port(text: str) -> int | None:
    """xtables_service_to_port(name, NULL): a service of any protocol."""
    return netdb.service_port(text, "tcp") or netdb.service_port(text, "udp")


def parse_port_range(text: str, offset: bool = False) -> tuple[fw.PortRange, int | None]:
    """parse_ports() of the NAT targets: PORT (a number or a service) or PORT-PORT, each 0..65535, then for SNAT
    and DNAT (`offset`) a /BASE port, which maps the range from BASE on; returns the range and the base."""
    low, rest = strtoul(text, 0)
    if low is None or low > 0xFFFF or text.lstrip().startswith("-"):
        low, rest = service_to_port(text), ""
        if low is None:
            raise problem(f"Port `{text}' not valid")
    if not rest:
        return fw.PortRange(low, low), None
    if rest[0] == ":":
        raise problem("Invalid port:port syntax - use dash")
    if rest[0] != "-":
        raise problem(f"Garbage after port value: `{rest}'")
    high_text = rest[1:]
    high, rest = strtoul(high_text, 0)
    if high is None or high > 0xFFFF or high_text.lstrip().startswith("-"):
        raise problem(f"Port `{high_text}' not valid")
    if high < low:
        raise problem(f"Port range `{high_text}' funky")
    if not rest:
        return fw.PortRange(low, high), None
    if rest[0] != "/":
        raise problem(f"Garbage after port range: `{rest}'")
    base_text = rest[1:]
    base, rest = strtoul(base_text, 0)
    if base is None or rest or not 1 <= base <= 0xFFFF:
        base = service_to_port(base_text)
        if base is None:
            raise problem(f"Port `{base_text}' not valid")
    if not offset:
        raise problem("Shifted portmap ranges not supported with this kernel")
    return fw.PortRange(low, high), base


def parse_nat_range(text: str, rule, offset: bool = False) -> fw.NatRange:
    """ADDR[-ADDR][:PORT[-PORT][/BASE]] of SNAT and DNAT."""
    addresses, colon, ports = text.partition(":")
    port_range = base = None
    if colon:
        needs_ports_protocol(rule)
        port_range, base = parse_port_range(ports, offset)
    low = high = None
    if addresses:
        first, dash, last = addresses.partition("-")
        low = numeric_address(first)
        high = numeric_address(last) if dash else low
        if low is None or (dash and high is None):
            raise problem(f'Bad IP address "{first if low is None else last}"')
    return fw.NatRange(low, high, *((port_range.first, port_range.last) if port_range else (None, None)), base)


class Masquerade(Extension):
    name = "MASQUERADE"
    options = (Opt("to-ports", "to-ports"), Opt("random", "random", arity=0),
               Opt("random-fully", "random-fully", arity=0))

    def read_to_ports(self, given):
        needs_ports_protocol(self.rule)
        return parse_port_range(given.value)[0]

    def finish(self):
        return fw.Masquerade(self.plain("to-ports"), "random" in self.given, "random-fully" in self.given)


class Redirect(Masquerade):
    name = "REDIRECT"
    options = (Opt("to-ports", "to-ports"), Opt("random", "random", arity=0))

    def finish(self):
        return fw.Redirect(self.plain("to-ports"), "random" in self.given)


class Snat(Extension):
    name = "SNAT"
    options = (Opt("to-source", "to"), Opt("random", "random", arity=0), Opt("random-fully", "random-fully", arity=0),
               Opt("persistent", "persistent", arity=0))

    def read_to(self, given):
        nat = parse_nat_range(given.value, self.rule, offset=True)  # revision 2: shifted port ranges
        if self.name == "SNAT" and nat.base_port is not None:
            # iptables-nft 1.8.9 builds SNAT as nft's nat expression, which has no base: it keeps the flag only
            nat = attrs.evolve(nat, base_port=0)
        return nat

    def finish(self):
        self.require("to")
        return fw.Snat(self.plain("to"), "random" in self.given, "random-fully" in self.given,
                       "persistent" in self.given)


class Dnat(Snat):
    name = "DNAT"
    options = (Opt("to-destination", "to"), Opt("random", "random", arity=0), Opt("persistent", "persistent", arity=0))

    def finish(self):
        self.require("to")
        return fw.Dnat(self.plain("to"), "random" in self.given, "persistent" in self.given)


class Tcpmss(Extension):
    name = "TCPMSS"
    options = (Opt("set-mss", "set-mss"), Opt("clamp-mss-to-pmtu", "clamp-mss-to-pmtu", arity=0))

    def read_set_mss(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF - 20)

    def finish(self):
        if not self.given:
            raise problem("TCPMSS target: At least one parameter is required")
        return fw.Tcpmss(None if list(self.given)[-1] == "clamp-mss-to-pmtu" else self.plain("set-mss"))


class Nflog(Extension):
    name = "NFLOG"
    options = (Opt("nflog-group", "nflog-group"), Opt("nflog-prefix", "nflog-prefix"),
               Opt("nflog-range", "nflog-range"), Opt("nflog-size", "nflog-size"),
               Opt("nflog-threshold", "nflog-threshold"))

    def read_nflog_group(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF)

    read_nflog_threshold = read_nflog_group

    def read_nflog_size(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFFFFFF)

    def read_nflog_range(self, given):
        self.rule.notes.append("--nflog-range has never worked and is no longer supported, please use --nflog-size")
        return self.read_nflog_size(given)

    def read_nflog_prefix(self, given):
        return read_prefix(given.value, 127, "--nflog-prefix")  # NF_LOG_PREFIXLEN, with its NUL

    def finish(self):
        self.exclusive("nflog-size", "nflog-range")
        return fw.Nflog(self.plain("nflog-group", default=0), self.plain("nflog-prefix"),
                        self.plain("nflog-size"), self.plain("nflog-threshold", default=0))


ALL = (Reject, Log, Masquerade, Redirect, Snat, Dnat, Tcpmss, Nflog)
