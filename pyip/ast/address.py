"""`ip address`: an address (add/change/replace/delete) and the selector of list/flush."""

from __future__ import annotations

import attrs

from .base import Address, Named, Prefix, Symbol


@attrs.frozen
class Lifetime:
    seconds: int | None  # None: forever

    def __str__(self) -> str:
        return "forever" if self.seconds is None else str(self.seconds)


@attrs.frozen
class InterfaceAddress:
    """What ipaddr_modify() sends."""

    local: Prefix | Symbol | None = None
    dev: str | Symbol | None = None
    peer: Prefix | Symbol | None = None
    broadcast: Address | str | Symbol | None = None  # str: "+" or "-"
    anycast: Address | Symbol | None = None
    label: str | Symbol | None = None
    scope: Named | Symbol | None = None
    metric: int | Symbol | None = None
    valid_lft: Lifetime | None = None
    preferred_lft: Lifetime | None = None
    flags: tuple[str, ...] = ()  # home nodad optimistic mngtmpaddr noprefixroute autojoin
    proto: Named | Symbol | None = None


@attrs.frozen
class AddressSelector:
    """The filter of `ip address list|flush|save`."""

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
    proto: Named | Symbol | None = None
