"""`ip address`: an address (add/change/replace/delete) and the selector of list/flush."""

from __future__ import annotations

from .. import records

from .base import Named, Prefix, Symbol, ip_line, parsed_as

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from .base import Address


class Lifetime(metaclass=records.frozen):
    seconds: int | None  # None: forever

    def __str__(self) -> str:
        return "forever" if self.seconds is None else str(self.seconds)


class InterfaceAddress(metaclass=records.frozen):
    """What ipaddr_modify() sends."""

    __str__ = ip_line  # as ip takes it: `10.0.0.0/8 via 192.0.2.1 table 5`

    local: Prefix | Symbol | None = records.field(default=None,
        converter=parsed_as("ip address add {} dev lo", "local", Prefix, Symbol))
    dev: str | Symbol | None = None
    peer: Prefix | Symbol | None = records.field(default=None,
        converter=parsed_as("ip address add 10.0.0.1 peer {} dev lo", "peer", Prefix, Symbol))
    broadcast: Address | str | Symbol | None = None  # str: "+" or "-"
    anycast: Address | Symbol | None = None
    label: str | Symbol | None = None
    scope: Named | Symbol | None = records.field(default=None,
        converter=parsed_as("ip address add 10.0.0.1/8 scope {} dev lo", "scope", Named, Symbol))
    metric: int | Symbol | None = None
    valid_lft: Lifetime | None = None
    preferred_lft: Lifetime | None = None
    flags: tuple[str, ...] = ()  # home nodad optimistic mngtmpaddr noprefixroute autojoin


class AddressSelector(metaclass=records.frozen):
    """The filter of `ip address list|flush|save`."""

    __str__ = ip_line  # as ip takes it: `10.0.0.0/8 via 192.0.2.1 table 5`

    dev: str | Symbol | None = None
    to: Prefix | Symbol | None = None
    scope: Named | str | Symbol | None = None
    up: bool = False
    flags: tuple[str, ...] = ()
    label: str | Symbol | None = None
    group: str | Symbol | None = None
    master: str | Symbol | None = None
    vrf: str | Symbol | None = None
    nomaster: bool = False
    type: str | Symbol | None = None
