"""The typed AST: one module per object, like iproute2 (address, route, rule)."""

from __future__ import annotations

import attrs

from ..errors import Location
from .address import AddressSelector, InterfaceAddress, Lifetime
from .base import Named, Options, Prefix, Symbol
from .route import Gateway, Metric, Nexthop, Realms, Route, RouteGet, RouteSelector
from .rule import PortRange, Rule

OBJECTS = ("address", "route", "rule")


@attrs.frozen
class IpCommand:
    """One `ip OBJECT VERB ...` command.

    `body` is a Route, Rule, InterfaceAddress, RouteSelector, RouteGet,
    AddressSelector, or None (restore, showdump).  Equality is about meaning:
    where the command came from, how it was spelled and the dialect notes
    do not count.
    """

    object: str
    verb: str
    body: object = None
    options: Options = Options()
    program: str = attrs.field(default="ip", eq=False)
    location: Location = attrs.field(factory=Location, eq=False)
    notes: tuple[str, ...] = attrs.field(default=(), eq=False)

    def __str__(self) -> str:
        from ..render.iproute2 import render_command

        return render_command(self)


__all__ = [
    "AddressSelector", "Gateway", "InterfaceAddress", "IpCommand", "Lifetime",
    "Metric", "Named", "Nexthop", "Options", "PortRange", "Prefix", "Realms",
    "Route", "RouteGet", "RouteSelector", "Rule", "Symbol", "OBJECTS",
]
