"""Value readers several iptables matches share (ports, conntrack addresses), with iptables' messages.

Each match lives in its own module of pyip.extensions (libxt_NAME.c's pyip twin); what is here is the
machinery libxtables and more than one extension have in common."""

from __future__ import annotations

import ipaddress
from _socket import inet_aton  # socket.inet_aton itself, without socket.py's imports (selectors, array)

from .. import netdb
from ..ast import firewall as fw
from .xtables import parse_plen_mask, problem, strtoul

FULL_RANGE = fw.PortRange(0, 0xFFFF)


def port_tests(values: dict) -> list:
    """--sport and --dport; 0:65535 is no test at all to the kernel (iptables-save leaves it out)."""
    tests = [values.get(key) for key in ("sport", "dport")]
    return [None if test is not None and test.value == FULL_RANGE and not test.negated else test for test in tests]


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


def parse_ct_address(text: str, extension: str = "conntrack", option: str = "ctorigsrc") -> fw.Address:
    """XTTYPE_HOSTMASK (conntrack's --ctorigsrc..., ipvs's --vaddr): HOST[/PREFIX-OR-MASK], host bits kept."""
    host, slash, mask_text = text.partition("/")
    return fw.Address(host_address(host), parse_plen_mask(extension, option, mask_text) if slash else 0xFFFFFFFF)


def host_address(host: str) -> ipaddress.IPv4Address:
    """xtopt_parse_host(): what getaddrinfo() makes of the word, not -s's zero-filled short forms: inet_aton's
    numbers (`1.2.3` is 1.2.0.3, `010.1.1.1` 8.1.1.1, `0x7f.1` 127.0.0.1), else a name resolved to one address."""
    if host and not any(character.isspace() for character in host):  # inet_aton() would stop at a blank
        try:
            return ipaddress.IPv4Address(inet_aton(host))
        except OSError:
            pass
    addresses = netdb.resolve_host(host) if host else ()
    if not addresses:
        raise problem("getaddrinfo: Name or service not known")
    if len(set(addresses)) > 1:
        raise problem(f"{host} resolves to more than one address")
    return addresses[0]
