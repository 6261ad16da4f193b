"""ipchains' packet commands on today's kernel.

- `-C CHAIN` (check a packet): 2.2's kernel sent the packet down the chain;
  here pyip's model of the chains the kernel holds does (`fate()`), with
  2.2's rules: the first matching rule with a target decides, RETURN or the
  end of a user chain goes back to the caller, the end of a built-in chain
  is its policy.  The answer is ipchains' line (`packet accepted`, ...).
- `-M -L`: the masqueraded connections are conntrack's source-NAT entries
  (`conntrack -L --src-nat`), in ipchains' columns.
- `-M -S TCP TCPFIN UDP`: 2.2's three masquerading timeouts become the
  namespace's conntrack timeouts (nf_conntrack_tcp_timeout_established,
  ..._fin_wait, nf_conntrack_udp_timeout and ..._stream); 0 leaves one as it
  is.  What it cannot do is said: today's timeouts hold for every tracked
  connection, not only masqueraded ones.
"""

from __future__ import annotations

import ipaddress
import subprocess

from ..ast import firewall as fw
from ..extensions.redirect import Redirect
from ..extensions.masquerade import Masquerade
from ..extensions.reject import Reject
from ..extensions.icmp import IcmpMatch
from ..extensions.udp import UdpMatch
from ..extensions.tcp import TcpMatch
from ..ast import ipchains as ch
from ..ruleset import kernel_rules
from .listing import address_name, port_text
from .state import read_model, read_state

FATES = {"ACCEPT": "accepted", "DENY": "denied", "REJECT": "rejected", "MASQ": "masqueraded",
         "REDIRECT": "redirected", "LOOP": "caught in a loop", "PASSED": "passed through chain"}
MAX_DEPTH = 64
SYSCTL = "/proc/sys/net/netfilter/"


def run(command, nft, out, err) -> int:
    if isinstance(command, ch.CheckPacket):
        return check(command, nft, out, err)
    if isinstance(command, ch.ListMasquerading):
        return list_masquerading(command, out, err)
    return set_timeouts(command, err)


# -- -C ------------------------------------------------------------------------------------------


class Packet:
    def __init__(self, rule: fw.Rule):
        self.protocol = rule.protocol.value.number if rule.protocol is not None else 0
        self.source = rule.source.value[0].address
        self.destination = rule.destination.value[0].address
        self.interface = rule.in_interface.value
        self.fragment = rule.fragment is not None and not rule.fragment.negated
        self.sport = self.dport = 0
        self.syn = False
        for match in rule.matches:
            if isinstance(match, (TcpMatch, UdpMatch)):
                self.sport = match.sport.value.first if match.sport is not None else 0
                self.dport = match.dport.value.first if match.dport is not None else 0
                self.syn = isinstance(match, TcpMatch) and match.flags is not None and not match.flags.negated
            elif isinstance(match, IcmpMatch):
                self.sport, self.dport = match.icmp_type.value.type, match.icmp_type.value.code_min
            elif isinstance(match, ch.IcmpRanges):
                self.sport = match.types.value.first if match.types is not None else 0
                self.dport = match.codes.value.first if match.codes is not None else 0


def check(command: ch.CheckPacket, nft, out, err) -> int:
    chains = read_model(read_state(nft)).ruleset.chains
    if command.rule.chain not in chains:
        err.write("No chain by that name\n")
        return 1
    for rule in command.rules:
        for single in kernel_rules(rule):
            out.write(f"packet {FATES[fate(chains, single.chain, Packet(single), 0)]}\n")
    return 0


def fate(chains: dict, name: str, packet: Packet, depth: int) -> str:
    """The verdict's key in FATES; RETURN when a user chain hands the packet back."""
    if depth > MAX_DEPTH:
        return "LOOP"
    chain = chains[name]
    for rule in chain.rules:
        if not matches(rule, packet):
            continue
        target = rule.target
        if target is None:
            continue
        if isinstance(target, fw.ChainJump):
            verdict = fate(chains, target.chain, packet, depth + 1)
            if verdict != "RETURN":
                return verdict
            continue
        if isinstance(target, fw.Verdict):
            return target.name
        return {Reject: "REJECT", Masquerade: "MASQ", Redirect: "REDIRECT"}[type(target)]
    if chain.policy is None:
        return "RETURN" if depth else "PASSED"
    return chain.policy


def matches(rule: fw.Rule, packet: Packet) -> bool:
    return all(test_holds(test, holds) for test, holds in (
        (rule.protocol, lambda p: p.number in (0, packet.protocol)),
        (rule.source, lambda addresses: in_address(addresses, packet.source)),
        (rule.destination, lambda addresses: in_address(addresses, packet.destination)),
        (rule.in_interface, lambda name: interface_matches(name, packet.interface)),
        (rule.fragment, lambda _: packet.fragment),
    )) and all(match_holds(match, packet) for match in rule.matches)


def test_holds(test: fw.Test | None, holds) -> bool:
    return test is None or holds(test.value) != test.negated


def in_address(addresses: tuple, address: ipaddress.IPv4Address) -> bool:
    return any(int(address) & a.mask == int(a.address) & a.mask for a in addresses)


def interface_matches(name: str, interface: str) -> bool:
    return interface.startswith(name[:-1]) if name.endswith("+") else name == interface


def in_range(test: fw.Test | None, value: int) -> bool:
    return test_holds(test, lambda r: r.first <= value <= r.last)


def match_holds(match, packet: Packet) -> bool:
    if packet.fragment:  # later fragments carry no ports: 2.2 let port tests pass them
        return True
    if isinstance(match, (TcpMatch, UdpMatch)):
        syn = getattr(match, "flags", None)
        return in_range(match.sport, packet.sport) and in_range(match.dport, packet.dport) and \
            test_holds(syn, lambda _: packet.syn)
    if isinstance(match, IcmpMatch):
        icmp = match.icmp_type.value
        hit = icmp.type in (packet.sport, 0xFF) and icmp.code_min <= packet.dport <= icmp.code_max
        return hit != match.icmp_type.negated
    if isinstance(match, ch.IcmpRanges):
        return in_range(match.types, packet.sport) and in_range(match.codes, packet.dport)
    return True


# -- -M -L and -M -S ------------------------------------------------------------------------------


def list_masquerading(command: ch.ListMasquerading, out, err) -> int:
    done = subprocess.run(["conntrack", "-L", "--src-nat"], capture_output=True, text=True)
    if done.returncode != 0:
        err.write(f"ipchains: cannot read conntrack: {done.stderr.strip()}\n")
        return 1
    entries = [entry for entry in map(conntrack_entry, done.stdout.splitlines()) if entry is not None]
    out.write("IP masquerading entries\n")
    for index, entry in enumerate(entries):
        if index == 0:
            out.write(f"prot {'expire':<8} {'source':<20} {'destination':<20} ports\n")
        protocol, seconds, source, destination, sport, mport, dport = entry
        if not command.numeric:  # names as print_masq() gave them: hosts, and services of TCP and UDP ports
            source, destination = (address_name(ipaddress.IPv4Address(a), False) for a in (source, destination))
            if protocol in ("TCP", "UDP"):
                sport, dport = (port_text(int(p), 6 if protocol == "TCP" else 17, False) for p in (sport, dport))
        out.write(f"{protocol:<5}{seconds // 60:02d}:{seconds % 60:02d}.00 {source:<20} {destination:<20} "
                  f"{sport} ({mport}) -> {dport}\n")
    return 0


def conntrack_entry(line: str):
    """(PROT, seconds left, source, destination, source port, masquerading port, destination port)."""
    fields = line.split()
    if len(fields) < 3 or not fields[2].isdigit():
        return None
    pairs = [f.split("=", 1) for f in fields if "=" in f]
    original = dict(first_tuple(pairs))
    reply = dict(second_tuple(pairs))
    protocol = fields[0].upper()
    sport = original.get("sport", original.get("id", "0"))
    return (protocol, int(fields[2]), original.get("src", "?"), original.get("dst", "?"), sport,
            reply.get("dport", reply.get("id", "0")), original.get("dport", original.get("type", "0")))


def first_tuple(pairs: list) -> list:
    seen, out = set(), []
    for key, value in pairs:
        if key in seen:
            break
        seen.add(key)
        out.append((key, value))
    return out


def second_tuple(pairs: list) -> list:
    first = first_tuple(pairs)
    return first_tuple(pairs[len(first):])


TIMEOUTS = (("tcp", ("nf_conntrack_tcp_timeout_established",)),
            ("tcp_fin", ("nf_conntrack_tcp_timeout_fin_wait",)),
            ("udp", ("nf_conntrack_udp_timeout", "nf_conntrack_udp_timeout_stream")))


def set_timeouts(command: ch.SetTimeouts, err) -> int:
    for field, names in TIMEOUTS:
        seconds = getattr(command, field)
        if seconds == 0:
            continue
        for name in names:
            try:
                with open(SYSCTL + name, "w") as file:
                    file.write(f"{seconds}\n")
            except OSError as error:
                err.write(f"ipchains: cannot set {name}: {error.strerror}\n")
                return 1
    err.write("ipchains: note: these timeouts now hold for every tracked connection in this namespace, "
              "not only masqueraded ones (conntrack has no masquerading timeouts of its own)\n")
    return 0
