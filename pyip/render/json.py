"""AST -> plain JSON data: every node an object with its class under "node"."""

from __future__ import annotations

import ipaddress

from .. import records

from ..ast import Named, Prefix, Symbol
from ..errors import Location


def to_data(value):
    if isinstance(value, Symbol):
        return {"node": "Symbol", "name": value.name}
    if isinstance(value, Named):
        return {"node": "Named", "number": value.number, "name": value.name}
    if isinstance(value, Prefix):
        return {"node": "Prefix", "address": str(value.address), "length": value.length}
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value)
    if isinstance(value, bytes):  # a string match's pattern
        return value.decode("utf-8", "backslashreplace")
    if records.has(type(value)):
        data = {"node": type(value).__name__}
        for field in records.fields(type(value)):
            item = getattr(value, field.name)
            if isinstance(item, Location):  # not by name: a u32 test has a `location` of its own
                data[field.name] = {"file": item.file, "line": item.line, "col": item.col}
            elif item not in (None, False, (), field.default) or field.name in ("object", "verb"):
                data[field.name.rstrip("_")] = to_data(item)
        return data
    if isinstance(value, tuple):
        return [to_data(item) for item in value]
    return value
