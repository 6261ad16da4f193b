"""`ipchains -L`: the chains as ipchains 1.3.10's list_entries()/print_firewall() printed them.

The columns, widths and words are ipchains' (`Chain input (policy DENY: 3
packets, 180 bytes):`, `target prot opt source destination ports`, with
-v the TOS masks, interface, mark and output size); the header line comes
before the first rule listed, a blank line after a chain that had rules.
Counters are the kernel's: each ipchains rule counts what its first nft
rule counted, the policy what reached the chain's last rule.  A rule put
into the table with nft directly is listed after its chain's rules as nft
prints it, marked `(not an ipchains rule: changed with nft)`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .. import netdb
from ..ast import firewall as fw
from ..extensions.redirect import Redirect
from ..extensions.masquerade import Masquerade
from ..extensions.nflog import Nflog
from ..extensions.log import Log
from ..extensions.reject import Reject
from ..extensions.tcp import TcpMatch
from ..extensions.tos import Tos
from ..extensions.mark import Mark
from ..ast import ipchains as ch
from ..parser.ipchains import ICMP_NAMES
from ..render.ipchains import ports_of
from .state import Model

TARGETS = {Reject: "REJECT", Masquerade: "MASQ", Redirect: "REDIRECT"}
SPECIAL_PROTOCOLS = {6: "tcp", 17: "udp", 1: "icmp", 0: "all"}


class Format:
    def __init__(self, verbose: bool = False, numeric: bool = False, exact: bool = False, line_numbers: bool = False):
        self.verbose, self.numeric, self.exact, self.line_numbers = verbose, numeric, exact, line_numbers


def listing(model: Model, chain: str | None, fmt: Format, foreign_text=None) -> str:
    """The text of `ipchains -L [CHAIN]`; `foreign_text(nft chain, handle)` gives a foreign rule's nft text."""
    chains = model.ruleset.chains
    names = list(chains) if chain is None else [chain]
    out: list[str] = []
    header_due = True
    for index, name in enumerate(names):
        rules = chains[name].rules
        foreign = model.foreign.get(name, [])
        if index and out and (chains[names[index - 1]].rules or model.foreign.get(names[index - 1])):
            out.append("")
        out.append(chain_line(model, name, fmt))
        for number, rule in enumerate(rules, 1):
            counted = model.counters.get(id(rule))
            packets, octets = (counted.packets, counted.bytes) if counted else (0, 0)
            if header_due:
                out.append(header(fmt))
                header_due = False
            out.append(rule_line(rule, packets, octets, fmt, number))
        for item in foreign:
            text = foreign_text(item.chain, item.handle) if foreign_text else f"handle {item.handle}"
            out.append(f"nft:  {text}  (not an ipchains rule: changed with nft)")
    return "".join(line + "\n" for line in out)


def chain_line(model: Model, name: str, fmt: Format) -> str:
    policy = model.ruleset.chains[name].policy
    if policy is None:
        return f"Chain {name} (refcnt = {references(model, name)}):"
    if fmt.verbose:
        packets, octets = model.policy_counters.get(name, (0, 0))
        return f"Chain {name} (policy {policy}: {packets} packets, {octets} bytes):"
    return f"Chain {name} (policy {policy}):"


def references(model: Model, name: str) -> int:
    return sum(1 for chain in model.ruleset.chains.values() for rule in chain.rules
               if isinstance(rule.target, fw.ChainJump) and rule.target.chain == name)


def header(fmt: Format) -> str:
    words = ["num  "] if fmt.line_numbers else []
    if fmt.verbose:
        words += [f"{'pkts':>8} ", f"{'bytes':>10} "] if fmt.exact else [f"{'pkts':>5} ", f"{'bytes':>5} "]
    words += [f"{'target':<9} ", " prot ", "opt    "]
    if fmt.verbose:
        words += ["tosa tosx ", f" {'ifname':<10} ", f"{'mark':<10} ", f"{'outsize':<7} "]
    words += [f" {'source':<20} ", f" {'destination':<20} ", " ports"]
    return "".join(words)


def count_text(value: int, exact: bool, width: int) -> str:
    if exact:
        return f"{value:>{width}} "
    if value <= 99999:
        return f"{value:>5} "
    kilo = (value + 500) // 1000
    if kilo <= 9999:
        return f"{kilo:>4}K "
    mega = (value + 500000) // 1000000
    if mega <= 9999:
        return f"{mega:>4}M "
    return f"{(mega + 500) // 1000:>4}G "


def rule_line(rule: fw.Rule, packets: int, octets: int, fmt: Format, position: int) -> str:
    words = [f"{position:<4} "] if fmt.line_numbers else []
    if fmt.verbose:
        words += [count_text(packets, fmt.exact, 8), count_text(octets, fmt.exact, 10)]
    words.append(f"{target_label(rule.target):<9} ")
    protocol = rule.protocol
    protocol_number = protocol.value.number if protocol is not None else 0
    words.append(("!" if protocol is not None and protocol.negated else " ") + protocol_column(protocol_number))
    words.append(options(rule))
    if fmt.verbose:
        words.append(verbose_columns(rule, fmt))
    words.append(address_column(rule.source, fmt) + " ")
    words.append(address_column(rule.destination, fmt))
    words.append(ports_column(rule, protocol_number, fmt))
    return "".join(words)


def target_label(target) -> str:
    if target is None:
        return "-"
    if isinstance(target, fw.Verdict):
        return target.name
    if isinstance(target, fw.ChainJump):
        return target.chain
    return TARGETS.get(type(target), str(getattr(target, "name", target)))


def protocol_column(number: int) -> str:
    return f"{SPECIAL_PROTOCOLS.get(number, str(number)):<5}"


def syn_test(rule: fw.Rule):
    return next((m.flags for m in rule.matches if isinstance(m, TcpMatch)), None)


def options(rule: fw.Rule) -> str:
    syn, fragment = syn_test(rule), rule.fragment
    actions = rule.actions
    return "".join([
        "!" if syn is not None and syn.negated else "-", "y" if syn is not None else "-",
        "!" if fragment is not None and fragment.negated else "-", "f" if fragment is not None else "-",
        "l" if any(isinstance(a, Log) for a in actions) else "-",
        "o" if any(isinstance(a, Nflog) for a in actions) else "-", " "])


def verbose_columns(rule: fw.Rule, fmt: Format) -> str:
    tos = next((a for a in rule.actions if isinstance(a, Tos)), None)
    tos_and, tos_xor = (~tos.mask & 0xFF, tos.value) if tos is not None else (0xFF, 0)
    words = [f"0x{tos_and:02X} 0x{tos_xor:02X} "]
    interface = rule.in_interface
    name = interface.value if interface is not None and interface.value else ("*" if fmt.numeric else "any")
    words.append(("!" if interface is not None and interface.negated else " ") + f"{str(name)[:16]:<10} ")
    mark = next((a for a in rule.actions if isinstance(a, (Mark, ch.MarkAdd))), None)
    if isinstance(mark, Mark):
        words.append(f"0x{mark.value:<10x} ")
    elif isinstance(mark, ch.MarkAdd) and mark.value:
        words.append(f"0x{mark.value:<10x} ")
    else:
        words.append(" " * 11)
    output = next((a for a in rule.actions if isinstance(a, Nflog)), None)
    size = output.size if output is not None else None
    words.append(f"{size:<7} " if size not in (None, 0xFFFF) else " " * 8)
    return "".join(words)


def address_column(test: fw.Test | None, fmt: Format) -> str:
    mark = "!" if test is not None and test.negated else " "
    address = test.value[0] if test is not None else fw.Address(fw.ZERO, 0)
    if address.mask == 0 and not fmt.numeric:
        return f"{mark}{'anywhere':<20}"
    return f"{mark}{address_name(address.address, fmt.numeric) + mask_text(address.mask):<20}"


def mask_text(mask: int) -> str:
    if mask == 0xFFFFFFFF:
        return ""
    length = 32 - (~mask & 0xFFFFFFFF).bit_length()
    if mask == (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF:
        return f"/{length}"
    return f"/{ipaddress.IPv4Address(mask)}"


@lru_cache(maxsize=None)
def host_names() -> dict:
    names: dict = {}
    for name, addresses in netdb._hosts().items():
        for address in addresses:
            names.setdefault(address, name)
    return names


def address_name(address, numeric: bool) -> str:
    """addr_to_anyname(): the /etc/hosts name (pyip asks no DNS server), else the dotted quad."""
    return str(address) if numeric else host_names().get(address, str(address))


@lru_cache(maxsize=None)
def service_names() -> dict:
    names: dict = {}
    for (name, protocol), port in netdb._services().items():
        names.setdefault((port, protocol), name)
    return names


def port_text(port: int, protocol: int, numeric: bool) -> str:
    name = None if numeric else service_names().get((port, SPECIAL_PROTOCOLS.get(protocol)))
    return name or str(port)


def range_text(test: fw.Test | None, protocol: int, numeric: bool) -> str:
    mark = " !" if test is not None and test.negated else "  "
    if test is None or (test.value.first, test.value.last) == (0, 0xFFFF):
        return mark + ("*" if numeric else "any")
    low, high = test.value.first, test.value.last
    if low == high:
        return mark + port_text(low, protocol, numeric)
    return f"{mark}{port_text(low, protocol, numeric)}:{port_text(high, protocol, numeric)}"


def ports_column(rule: fw.Rule, protocol: int, fmt: Format) -> str:
    if protocol not in (1, 6, 17):
        return "  n/a"
    source, destination, _ = ports_of(rule)
    if source is not None and isinstance(source.value, str):  # an ICMP name, exactly a name's type and codes
        if not fmt.numeric:
            return f"  {source.value}"
        source, destination = icmp_numbers(source.value)
    text = range_text(source, protocol, fmt.numeric) + " -> " + range_text(destination, protocol, fmt.numeric)
    if isinstance(rule.target, Redirect):
        ports = rule.target.ports
        text += " => " + (port_text(ports.first, protocol, fmt.numeric) if ports else (" *" if fmt.numeric else " any"))
    return text


def icmp_numbers(name: str) -> tuple:
    entry = next(e for e in ICMP_NAMES if e[0] == name)
    return fw.Test(fw.PortRange(entry[1], entry[1])), fw.Test(fw.PortRange(entry[2], entry[3]))
