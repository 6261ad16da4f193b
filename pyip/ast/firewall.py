"""The firewall AST: one Rule type for iptables and ipchains, and the commands that change a ruleset.

Design
------
A `Rule` is what the kernel stores in a chain: where it lives (`table`,
`chain`), the built-in header tests (`source`, `destination`,
`in_interface`, `out_interface`, `protocol`, `fragment`), the extension
`matches` in the order they run, and the `target`.  Every negatable test
is a `Test`: its typed value, `negated`, and `legacy` when the `!` was
written inside the argument (`-s ! NET`, the 2001 syntax that iptables
1.4.12 removed) -- `legacy` does not count for equality, so `-s ! NET` and
`! -s NET` are the same rule and the linter still sees how it was spelled.

Matches and targets are typed classes, one per iptables extension, each
defined in its module of pyip.extensions (tcp.TcpMatch, state.StateMatch,
log.Log, masquerade.Masquerade, ...), holding values as the kernel holds them:
ports as numbers, `--set-mark 5` as the xmark pair (5, 0xffffffff),
`Minimize-Delay` as TOS (0x10, 0x3f).  So rules that the kernel cannot tell
apart compare equal, and rendering (pyip.render.iptables_save) prints exactly
what iptables-save prints.

Room for ipchains (Linux 2.2), whose parser produces the same Rule:
- `origin` says which tool's command the rule came from ("iptables" or
  "ipchains"); chains keep their own names (`input`, `forward`, `output`),
  the translator maps them.
- ipchains performs side actions on every match before its verdict: `-l`
  (log), `-m` (mark), `-t AND XOR` (TOS), `-o` (netlink copy).  They go in
  `actions` (Log, Mark, Tos, Nflog), in the kernel's order; iptables rules
  leave it empty, having one target only.
- `-y` is a TcpMatch with flags SYN,RST,ACK/SYN; `-f` is `fragment`; ports
  written after an address are TcpMatch/UdpMatch ports; an ICMP type after
  `-s` is an IcmpMatch; `-b` is two Rules.  DENY is Verdict("DENY"), MASQ is
  Masquerade(), REDIRECT [port] is Redirect(); a marks action that adds or
  subtracts (`-m +N`) needs a class of its own when ipchains comes.

Values the script computes at run time stay `Symbol`s wherever a value can be;
a parsed command lists them in `unknowns`, and a ruleset refuses to follow it.
"""

from __future__ import annotations

import ipaddress

from .. import records

from ..errors import Location
from .base import Symbol

# Built-in chains per table, in the order iptables-save prints them.
TABLES = {
    "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
    "security": ("INPUT", "FORWARD", "OUTPUT"),
    "raw": ("PREROUTING", "OUTPUT"),
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
}
# The verdicts a rule can jump to, and the policies a built-in chain can have.
VERDICTS = ("ACCEPT", "DROP", "RETURN", "QUEUE")
POLICIES = ("ACCEPT", "DROP")


class Test(metaclass=records.frozen):
    """A negatable condition: its typed value, `!`, and whether the `!` was inside the argument."""

    value: object
    negated: bool = False
    legacy: bool = records.field(default=False, eq=False)


# -- values ------------------------------------------------------------------

ZERO = ipaddress.IPv4Address(0)


class Address(metaclass=records.frozen):
    """An IPv4 address and netmask as iptables keeps them: host bits cleared, any mask."""

    address: ipaddress.IPv4Address
    mask: int = 0xFFFFFFFF

    @property
    def prefix_length(self) -> int | None:
        """The mask as a prefix length, or None when it is not contiguous."""
        inverted = ~self.mask & 0xFFFFFFFF
        return 32 - inverted.bit_length() if inverted & (inverted + 1) == 0 else None

    def __str__(self) -> str:
        length = self.prefix_length
        return f"{self.address}/{length if length is not None else ipaddress.IPv4Address(self.mask)}"


class HostName(metaclass=records.frozen):
    """A name iptables resolves through the resolver each time the command runs."""

    name: str
    mask: int = 0xFFFFFFFF

    def __str__(self) -> str:
        return self.name if self.mask == 0xFFFFFFFF else f"{self.name}/{str(Address(ZERO, self.mask)).split('/')[1]}"


class Protocol(metaclass=records.frozen):
    """An IP protocol number; the name it was written as is only remembered."""

    number: int
    name: str | None = records.field(default=None, eq=False)


class PortRange(metaclass=records.frozen):
    first: int
    last: int

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}:{self.last}"


class Range(metaclass=records.frozen):
    """An inclusive range of numbers or addresses (`--length 100:200`, `--src-range A-B`)."""

    first: object
    last: object


class Masked(metaclass=records.frozen):
    """A value under a mask (`--mark 0x5/0xff`, `--tos 0x10/0x3f`)."""

    value: int
    mask: int


class TcpFlags(metaclass=records.frozen):
    mask: int
    compare: int


class IcmpType(metaclass=records.frozen):
    """`type` 255 is iptables' `any`; codes 0..255 mean every code."""

    type: int
    code_min: int = 0
    code_max: int = 0xFF


class NatRange(metaclass=records.frozen):
    """`ADDR[-ADDR][:PORT[-PORT][/BASE]]` of SNAT/DNAT; BASE: the range is mapped from that port on."""

    min_address: ipaddress.IPv4Address | None = None
    max_address: ipaddress.IPv4Address | None = None
    min_port: int | None = None
    max_port: int | None = None
    base_port: int | None = None


class Verdict(metaclass=records.frozen):
    """ACCEPT, DROP, RETURN, QUEUE (and ipchains' DENY)."""

    name: str


class ChainJump(metaclass=records.frozen):
    """-j CHAIN (returns), or -g CHAIN (does not)."""

    chain: str | Symbol
    goto: bool = False


# -- rules and commands ------------------------------------------------------


class Rule(metaclass=records.frozen):
    """One rule: where it lives, what it matches, what it does."""

    chain: str | Symbol
    table: str = "filter"
    source: Test | None = None  # tuple of Address / HostName / Symbol
    destination: Test | None = None
    in_interface: Test | None = None  # name; a trailing `+` matches every name it begins
    out_interface: Test | None = None
    protocol: Test | None = None  # Protocol or Symbol; `all` is no protocol test at all
    fragment: Test | None = None  # True: second and later fragments only
    matches: tuple = ()
    target: object = None  # None: the rule only counts
    actions: tuple = ()  # ipchains' side actions, before the target
    origin: str = records.field(default="iptables", eq=False)
    location: Location = records.field(factory=Location, eq=False)

    def __str__(self) -> str:
        if self.origin == "ipchains":
            from ..render.ipchains import rule_line
        else:
            from ..render.iptables_save import rule_line
        return rule_line(self)


class Command(metaclass=records.frozen, kw_only=True):
    """What every firewall command has: where it was written, by which program, and notes."""

    program: str = records.field(default="iptables", eq=False)
    location: Location = records.field(factory=Location, eq=False)
    notes: tuple = records.field(default=(), eq=False)
    unknowns: tuple = records.field(default=(), eq=False)  # the Symbols in it: values known only at run time

    def __str__(self) -> str:
        from ..render.iptables_save import command_line

        return command_line(self)


class Append(Command, metaclass=records.frozen, kw_only=True):
    rule: Rule


class Check(Command, metaclass=records.frozen, kw_only=True):
    rule: Rule


class Insert(Command, metaclass=records.frozen, kw_only=True):
    rule: Rule
    position: int | Symbol = 1


class Replace(Command, metaclass=records.frozen, kw_only=True):
    rule: Rule
    position: int | Symbol


class Delete(Command, metaclass=records.frozen, kw_only=True):
    """Delete the first rule equal to `rule`."""

    rule: Rule


class DeleteNumber(Command, metaclass=records.frozen, kw_only=True):
    table: str = "filter"
    chain: str | Symbol
    position: int | Symbol


class NewChain(Command, metaclass=records.frozen, kw_only=True):
    table: str = "filter"
    chain: str | Symbol


class DeleteChain(Command, metaclass=records.frozen, kw_only=True):
    """-X CHAIN, or -X alone: every user chain of the table."""

    table: str = "filter"
    chain: str | Symbol | None = None


class RenameChain(Command, metaclass=records.frozen, kw_only=True):
    table: str = "filter"
    chain: str | Symbol
    new_name: str | Symbol


class Flush(Command, metaclass=records.frozen, kw_only=True):
    table: str = "filter"
    chain: str | Symbol | None = None


class Zero(Command, metaclass=records.frozen, kw_only=True):
    table: str = "filter"
    chain: str | Symbol | None = None
    position: int | Symbol | None = None


class Policy(Command, metaclass=records.frozen, kw_only=True):
    table: str = "filter"
    chain: str | Symbol
    policy: str | Symbol


class List(Command, metaclass=records.frozen, kw_only=True):
    """-L (a table listing) or -S (rules as commands); changes nothing."""

    table: str = "filter"
    chain: str | Symbol | None = None
    position: int | Symbol | None = None
    as_rules: bool = False  # -S
    zero: bool = False  # -Z as well: zero the counters after listing them
    numeric: bool = False
    verbose: bool = False
    exact: bool = False
    line_numbers: bool = False


RULE_COMMANDS = (Append, Check, Insert, Replace, Delete)
