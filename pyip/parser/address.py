"""`ip address` parse trees -> InterfaceAddress, AddressSelector (iproute2's ip/ipaddress.c)."""

from __future__ import annotations

from ..ast import AddressSelector, InterfaceAddress
from ..errors import PyipError
from ..prefix import parse_address, parse_prefix
from . import values as v
from .ip import Context, items, resolve_all, values_of
from .route import address_into, simple, with_names

MODIFY_VERBS = ("add", "change", "replace", "delete")


def build_address(verb: str, tree, context: Context, end):
    if verb in MODIFY_VERBS:
        return build_modify(tree.children[1], context, end)
    if verb in ("restore", "showdump"):
        return None
    if verb == "flush" and len(tree.children) == 1:
        raise PyipError("Flush requires arguments.", end, 1)
    fields: dict = {"flags": []}
    for node in items(tree):
        SELECT[node.data](node, fields, context)
    fields["flags"] = tuple(fields["flags"])
    return resolve_all(AddressSelector(**fields), context.family or 4)


def build_modify(address_tree, context: Context, end) -> InterfaceAddress:
    fields: dict = {"flags": []}
    for node in items(address_tree):
        once = node.data in ("local", "peer", "broadcast", "anycast")
        if once and node.data in fields:
            raise duplicate(node, context)
        MODIFY[node.data](node, fields, context)
    if "dev" not in fields:
        raise PyipError('Not enough information: "dev" argument is required.', end, 1)
    fields["flags"] = tuple(fields["flags"])
    return resolve_all(InterfaceAddress(**fields), context.family or 4)


def duplicate(node, context: Context) -> PyipError:
    token = values_of(node)[-1]
    keyword = {"local": "local", "peer": "peer", "broadcast": "broadcast", "anycast": "anycast"}[node.data]
    if node.data == "local":
        message = f'Error: either "{keyword}" is duplicate, or "{context.text(token)}" is a garbage.'
    else:
        message = f'Error: duplicate "{keyword}": "{context.text(token)}" is the second value.'
    return PyipError(message, context.word(token).location, 255)


def read_broadcast(node, fields, context: Context) -> None:
    token = values_of(node)[-1]
    text = context.text(token)
    fields["broadcast"] = text if text in ("+", "-") else context.at(token, parse_address, context.family)


def read_flag(node, fields, context: Context) -> None:
    fields["flags"].append(str(node.children[0]))


def read_lifetime(field: str):
    return simple(field, v.lifetime, f"{field} value")


MODIFY = {
    "peer": address_into("peer", parse_prefix),
    "broadcast": read_broadcast,
    "anycast": address_into("anycast", parse_address),
    "scope": with_names("scope", "scopes", "invalid scope value."),
    "dev": simple("dev"),
    "label": simple("label"),
    "metric": simple("metric", v.u32, '"metric" value is invalid'),
    "valid_lft": read_lifetime("valid_lft"),
    "preferred_lft": read_lifetime("preferred_lft"),
    "flag": read_flag,
    "proto": simple("proto"),
    "local": address_into("local", parse_prefix),
}


def select_scope(node, fields, context: Context) -> None:
    token = values_of(node)[-1]
    if context.text(token) == "all":
        fields["scope"] = "all"
    else:
        with_names("scope", "scopes", "invalid \"scope\"")(node, fields, context)


SELECT = {
    "to": address_into("to", parse_prefix),
    "scope": select_scope,
    "up": lambda node, fields, context: fields.__setitem__("up", True),
    "flag": read_flag,
    "label": simple("label"),
    "group": simple("group"),
    "master": simple("master"),
    "vrf": simple("vrf"),
    "nomaster": lambda node, fields, context: fields.__setitem__("nomaster", True),
    "type": simple("type"),
    "proto": simple("proto"),
    "dev": simple("dev"),
}
