"""`ip rule`: a routing policy rule, also used as the selector of list/flush."""

from __future__ import annotations

from .. import records

from .base import Named, Prefix, Symbol, ip_line, parsed_as

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from .base import Address
from .route import Realms


class PortRange(metaclass=records.frozen):
    start: int
    end: int

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


class Rule(metaclass=records.frozen):
    """What iprule_modify() sends; for list/flush, the selector (None = any).

    `action` is "lookup" (a table), "goto", "nop", or a route type
    (blackhole, unreachable, prohibit, nat, ...).  Without an action a new
    rule looks up table main, which `table` then says.
    """

    __str__ = ip_line  # as ip takes it: `10.0.0.0/8 via 192.0.2.1 table 5`

    invert: bool = False  # `not`
    src: Prefix | Symbol | None = records.field(default=None,
        converter=parsed_as("ip rule add from {}", "src", Prefix, Symbol))
    dst: Prefix | Symbol | None = records.field(default=None,
        converter=parsed_as("ip rule add to {}", "dst", Prefix, Symbol))
    priority: int | Symbol | None = records.field(default=None,
        converter=parsed_as("ip rule add priority {}", "priority", int, Symbol))
    tos: Named | Symbol | None = None
    fwmark: int | Symbol | None = records.field(default=None,
        converter=parsed_as("ip rule add fwmark {}", "fwmark", int, Symbol))
    fwmask: int | None = None
    realms: Realms | None = None
    protocol: Named | Symbol | None = None
    tun_id: int | Symbol | None = None
    table: Named | Symbol | None = records.field(default=None,
        converter=parsed_as("ip rule add lookup {}", "table", Named, Symbol))
    suppress_prefixlength: int | Symbol | None = None
    suppress_ifgroup: str | Symbol | None = None
    iif: str | Symbol | None = None
    oif: str | Symbol | None = None
    l3mdev: bool = False
    uidrange: PortRange | Symbol | None = None
    ipproto: str | Symbol | None = None
    sport: PortRange | Symbol | None = None
    dport: PortRange | Symbol | None = None
    action: str | None = None
    goto: int | Symbol | None = None
    nat: Address | Symbol | None = None
