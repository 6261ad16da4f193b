"""The typed AST: one module per object, like iproute2 (address, route, rule)."""

from __future__ import annotations

from .. import records

from ..errors import Location
from .base import Named, Options, Prefix, Symbol

OBJECTS = ("address", "route", "rule")
# The object modules load on first use: a firewall script (pyip.ast.firewall) needs none of them,
# and every record class costs start-up time.
_LAZY = {"AddressSelector": "address", "InterfaceAddress": "address", "Lifetime": "address",
         "Gateway": "route", "Metric": "route", "Nexthop": "route", "Realms": "route", "Route": "route",
         "RouteGet": "route", "RouteSelector": "route", "PortRange": "rule", "Rule": "rule"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ..lazy import submodule

    value = getattr(submodule(__name__, _LAZY[name]), name)
    globals()[name] = value
    return value


class IpCommand(metaclass=records.frozen):
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
    program: str = records.field(default="ip", eq=False)
    location: Location = records.field(factory=Location, eq=False)
    notes: tuple[str, ...] = records.field(default=(), eq=False)

    def __str__(self) -> str:
        from ..render.iproute2 import render_command

        return render_command(self)


__all__ = [
    "AddressSelector", "Gateway", "InterfaceAddress", "IpCommand", "Lifetime",
    "Metric", "Named", "Nexthop", "Options", "PortRange", "Prefix", "Realms",
    "Route", "RouteGet", "RouteSelector", "Rule", "Symbol", "OBJECTS",
]
