"""What ipchains (Linux 2.2) needs beyond the firewall AST of pyip.ast.firewall.

An ipchains rule is a pyip.ast.firewall.Rule with origin "ipchains"; its
chains keep their names (`input`, `forward`, `output`, case-sensitive), and
its `-i` is the rule's one interface, kept in `in_interface`: the incoming
interface in `input`, the OUTGOING one in `forward` and `output` (the
translator maps it).  A Test's `legacy` says the `!` stood inside the
argument (`-s ! NET`, `-p ! tcp`), ipchains' documented place for it; both
places mean the same.  This module adds:

- `Address`: an address as ipchains read it, with the word it was written
  as (`10/8` is 0.0.0.0/8 to ipchains: see pyip.parser.ipchains).
- `IcmpRanges`: an ICMP test that IcmpMatch cannot hold (a type range, a
  negated code, type 255); a single type is an IcmpMatch.
- `MarkAdd`: `-m +N` / `-m -N`, an action that adds to the mark.
- The commands, as subclasses of pyip.ast.firewall's whose str() is the
  canonical ipchains command (pyip.render.ipchains); -A, -I, -D and -C carry
  `bidirectional` (-b), and `rules` gives the rule and its mirror.
- The commands iptables does not have: CheckPacket (-C tests a packet, it
  does not look for a rule), ListMasquerading (-M -L), SetTimeouts
  (-M -S), Help (-h), Version (-V).
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from .base import Symbol
from . import firewall as fw
from ..extensions.udp import UdpMatch
from ..extensions.tcp import TcpMatch

BUILTIN_CHAINS = ("input", "forward", "output")
MAX_CHAIN_NAME = 8  # IP_FW_MAX_LABEL_LENGTH
ICMP = 1


class Address(fw.Address, metaclass=records.frozen):
    """An address and mask as the kernel holds them; `text` is the word ipchains read them from."""

    text: str | None = records.field(default=None, eq=False)


class IcmpRanges(metaclass=records.frozen):
    """ipchains' ICMP test: the type in a range (the "port" after -s), the code in a range (after -d).

    Each side is negated on its own: `-s NET ! 3 -d NET 0` is "type not 3
    and code 0".  None is the whole range 0:65535.
    """

    name: ClassVar[str] = "icmp"
    types: fw.Test | None = None  # PortRange or Symbol
    codes: fw.Test | None = None


class MarkAdd(metaclass=records.frozen):
    """`-m +N` or `-m -N`: the kernel adds `value` to the mark (modulo 2**32; `-m -1` adds 0xffffffff)."""

    name: ClassVar[str] = "MARK"
    value: int | Symbol

    @property
    def delta(self) -> int | Symbol:
        """The value as the signed number it was written as (`-m -1` is -1)."""
        if isinstance(self.value, Symbol):
            return self.value
        return self.value - (1 << 32) if self.value >= 1 << 31 else self.value


def mirror(rule: fw.Rule) -> fw.Rule:
    """The second rule of -b: source and destination swapped, and the ports unless the protocol is ICMP."""
    protocol = rule.protocol.value if rule.protocol is not None else None
    icmp = isinstance(protocol, fw.Protocol) and protocol.number == ICMP
    matches = rule.matches if icmp else tuple(swap_ports(match) for match in rule.matches)
    return records.evolve(rule, source=rule.destination, destination=rule.source, matches=matches)


def swap_ports(match):
    if isinstance(match, (TcpMatch, UdpMatch)):
        return records.evolve(match, sport=match.dport, dport=match.sport)
    return match


class IpchainsText:
    """str() of an ipchains command is the canonical `ipchains ...` line."""

    __slots__ = ()

    def __str__(self) -> str:
        from ..render.ipchains import command_line

        return command_line(self)


class BothWays:
    """-b: the command runs for the rule, then for its mirror."""

    __slots__ = ()

    @property
    def rules(self) -> tuple:
        return (self.rule, mirror(self.rule)) if self.bidirectional else (self.rule,)


class Append(BothWays, IpchainsText, fw.Append, metaclass=records.frozen, kw_only=True):
    bidirectional: bool = False


class Insert(BothWays, IpchainsText, fw.Insert, metaclass=records.frozen, kw_only=True):
    bidirectional: bool = False


class Delete(BothWays, IpchainsText, fw.Delete, metaclass=records.frozen, kw_only=True):
    bidirectional: bool = False


class Replace(IpchainsText, fw.Replace, metaclass=records.frozen, kw_only=True):
    pass


class DeleteNumber(IpchainsText, fw.DeleteNumber, metaclass=records.frozen, kw_only=True):
    pass


class NewChain(IpchainsText, fw.NewChain, metaclass=records.frozen, kw_only=True):
    pass


class DeleteChain(IpchainsText, fw.DeleteChain, metaclass=records.frozen, kw_only=True):
    pass


class Flush(IpchainsText, fw.Flush, metaclass=records.frozen, kw_only=True):
    pass


class Zero(IpchainsText, fw.Zero, metaclass=records.frozen, kw_only=True):
    pass


class Policy(IpchainsText, fw.Policy, metaclass=records.frozen, kw_only=True):
    pass


class List(IpchainsText, fw.List, metaclass=records.frozen, kw_only=True):
    pass


class CheckPacket(BothWays, IpchainsText, fw.Command, metaclass=records.frozen, kw_only=True):
    """-C CHAIN: send a test packet down the chain and print its fate; `rule` describes the packet."""

    rule: fw.Rule
    bidirectional: bool = False


class ListMasquerading(IpchainsText, fw.Command, metaclass=records.frozen, kw_only=True):
    """-M -L: the masquerading connections."""

    numeric: bool = False
    verbose: bool = False


class SetTimeouts(IpchainsText, fw.Command, metaclass=records.frozen, kw_only=True):
    """-M -S TCP TCPFIN UDP: masquerading timeouts in seconds, 0 leaves one unchanged."""

    tcp: int | Symbol
    tcp_fin: int | Symbol
    udp: int | Symbol


class Help(IpchainsText, fw.Command, metaclass=records.frozen, kw_only=True):
    """-h [icmp]: print the help, or the ICMP type names; ipchains reads no further."""

    icmp: bool = False


class Version(IpchainsText, fw.Command, metaclass=records.frozen, kw_only=True):
    """-V: print the version; ipchains reads no further."""


RULE_COMMANDS = (Append, Insert, Delete, Replace, CheckPacket)
