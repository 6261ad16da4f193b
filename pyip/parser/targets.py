"""Value readers several iptables targets share (log prefixes, NAT ranges and ports), with iptables' messages.

Each target lives in its own module of pyip.extensions; what is here is common to more than one."""

from __future__ import annotations

from .. import netdb
from ..ast import firewall as fw
from .xtables import numeric_address, problem, strtoul


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
