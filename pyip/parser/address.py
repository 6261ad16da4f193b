"""`ip address` parse trees -> InterfaceAddress, AddressSelector (iproute2's ip/ipaddress.c)."""

from __future__ import annotations

from ..ast import AddressSelector, InterfaceAddress
from ..errors import PyipError
from ..prefix import parse_address, parse_prefix
from . import values as v
from .ip import Context, items, last_value
from .route import address_into, simple, with_names

MODIFY_VERBS = ("add", "change", "replace", "delete")


VERBS = {"ADD": "add", "CHANGE": "change", "REPLACE": "replace", "DELETE": "delete",
         "LIST": "show", "FLUSH": "flush", "SAVE": "save", "SHOWDUMP": "showdump",
         "RESTORE": "restore"}


def readers(verb: str | None, context: Context) -> dict:
    return MODIFY if verb in MODIFY_VERBS else SELECT


def build(verb: str, tree, fields: dict, context: Context, end):
    if verb in ("restore", "showdump"):
        return None
    fields["flags"] = tuple(fields.get("flags", ()))
    if verb in MODIFY_VERBS:
        if "dev" not in fields:
            raise PyipError('Not enough information: "dev" argument is required.', end, 1)
        return context.finish(InterfaceAddress(**fields))
    if verb == "flush" and len(tree.children) == 1:
        raise PyipError("Flush requires arguments.", end, 1)
    return context.finish(AddressSelector(**fields))


def once(reader):
    """local, peer, broadcast and anycast may be given once."""
    def read(node, fields, context: Context) -> None:
        if node.data in fields:
            raise duplicate(node, context)
        reader(node, fields, context)
    return read


def duplicate(node, context: Context) -> PyipError:
    token = last_value(node)
    keyword = {"local": "local", "peer": "peer", "broadcast": "broadcast", "anycast": "anycast"}[node.data]
    if node.data == "local":
        message = f'Error: either "{keyword}" is duplicate, or "{context.text(token)}" is a garbage.'
    else:
        message = f'Error: duplicate "{keyword}": "{context.text(token)}" is the second value.'
    return PyipError(message, context.word(token).location, 255)


def read_broadcast(node, fields, context: Context) -> None:
    token = last_value(node)
    text = context.text(token)
    fields["broadcast"] = text if text in ("+", "-") else context.at(token, parse_address, context.family)


def read_flag(node, fields, context: Context) -> None:
    fields.setdefault("flags", []).append(str(node.children[0]))


def read_lifetime(field: str):
    return simple(field, v.lifetime, f"{field} value")


MODIFY = {
    "peer": once(address_into("peer", parse_prefix)),
    "broadcast": once(read_broadcast),
    "anycast": once(address_into("anycast", parse_address)),
    "scope": with_names("scope", "scopes", "invalid scope value."),
    "dev": simple("dev"),
    "label": simple("label"),
    "metric": simple("metric", v.u32, '"metric" value is invalid'),
    "valid_lft": read_lifetime("valid_lft"),
    "preferred_lft": read_lifetime("preferred_lft"),
    "flag": read_flag,
    "local": once(address_into("local", parse_prefix)),
}


def select_scope(node, fields, context: Context) -> None:
    token = last_value(node)
    if context.text(token) == "all":
        fields["scope"] = "all"
    else:
        with_names("scope", "scopes", "invalid \"scope\"")(node, fields, context)


def select_dev(node, fields, context: Context) -> None:
    """`[dev] NAME`, once: duparg2("dev", ...) on a second one (ip 6.1 has no address `proto`)."""
    token = last_value(node)
    if "dev" in fields:
        raise PyipError(f'Error: either "dev" is duplicate, or "{context.text(token)}" is a garbage.',
                        context.word(token).location, 255)
    fields["dev"] = context.text(token)


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
    "dev": select_dev,
}
