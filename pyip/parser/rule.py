"""`ip rule` parse trees -> Rule (iproute2's ip/iprule.c)."""

from __future__ import annotations

from ..ast import Rule, Symbol
from ..compat import legacy
from ..errors import PyipError, invalid_argument
from ..prefix import parse_address, parse_prefix
from . import values as v
from .ip import Context, items, last_value, plain_prefix, twin, type_name, values_of
from .route import direct_named, flag, read_ipproto, realms_into, select_all_or, simple, with_names


VERBS = {"LIST": "show", "SAVE": "save", "RESTORE": "restore", "ADD": "add",
         "DELETE": "delete", "FLUSH": "flush"}
DIRECT_VERBS = ("add",)  # build() needs no tree for it (see ip.parse_direct())


def readers(verb: str | None, context: Context) -> dict:
    if verb in ("show", "flush", "save"):
        if context.family is None:
            context.family = 4  # iprule_list_flush_or_save(): AF_UNSPEC means AF_INET
        return SELECT_READERS
    return READERS


def build(verb: str, tree, fields: dict, context: Context, end):
    if verb == "restore":
        return None
    if verb == "delete" and len(tree.children) == 1:
        raise PyipError('"ip rule del" requires arguments.', end, 1)
    if verb == "add" and not fields:
        raise PyipError('"ip rule add" requires arguments.', end, 1)
    if verb == "add" and fields.get("action") is None and "table" not in fields and not fields.get("l3mdev"):
        fields.setdefault("action", "lookup")
    # ip rule takes its family from -4/-6 only, never from an address
    return context.finish(Rule(**fields))


def read_prefix(field: str):
    def reader(node, fields, context: Context) -> None:
        prefix = context.at(last_value(node), parse_prefix, context.family)
        fields[field] = prefix

    def direct(text: str, fields, context: Context) -> bool:
        prefix = fields[field] = plain_prefix(text, context.family)
        return prefix is not None
    return twin(reader, direct, 2)


def read_fwmark(node, fields, context: Context) -> None:
    token = last_value(node)
    text = context.text(token)
    if isinstance(text, Symbol):
        fields["fwmark"] = text
        return
    base = legacy.fwmark_base(context.dialect)
    mark_word, slash, mask_word = text.partition("/")
    location = context.word(token).location
    try:
        fields["fwmark"] = v.u32(mark_word, "fwmark value is invalid", base)
        if slash:
            fields["fwmask"] = v.u32(mask_word, "fwmask value is invalid", base)
    except PyipError as error:
        raise error.at(location) from None
    if context.dialect == legacy.LEGACY:
        context.notes.append(legacy.fwmark_note(mark_word, fields["fwmark"]))


def direct_fwmark(text: str, fields, context: Context) -> bool:
    """read_fwmark() of today's dialect (the legacy one adds a note)."""
    if context.dialect == legacy.LEGACY:
        return False
    base = legacy.fwmark_base(context.dialect)
    mark_word, slash, mask_word = text.partition("/")
    mark = fields["fwmark"] = v.read_u32(mark_word, base)
    if slash:
        fields["fwmask"] = v.read_u32(mask_word, base)
        return mark is not None and fields["fwmask"] is not None
    return mark is not None


twin(read_fwmark, direct_fwmark, 2)


def read_table(node, fields, context: Context) -> None:
    read_table_name(node, fields, context)
    fields.setdefault("action", "lookup")


read_table_name = with_names("table", "tables", "invalid table ID")
read_table_selector = with_names("table", "tables", "table id value is invalid")
_direct_table_name = direct_named("table", "tables")


def direct_table(text: str, fields, context: Context) -> bool:
    if not _direct_table_name(text, fields, context):
        return False
    fields.setdefault("action", "lookup")
    return True


twin(read_table, direct_table, 2)


def read_action(node, fields, context: Context) -> None:
    action = node.children[-1]
    if action.data == "goto":
        fields["action"] = "goto"
        fields["goto"] = context.at(values_of(action)[-1], v.u32, "invalid target")
    elif action.data == "nop":
        fields["action"] = "nop"
    else:
        fields["action"] = read_rule_type(action, context)


def read_rule_type(action, context: Context) -> str:
    name = type_name(action.children[0])
    if name != "reject":
        return name
    token = action.children[0].children[0]
    if context.dialect != legacy.LEGACY:
        raise invalid_argument(str(token), "Failed to parse rule type", context.word(token).location)
    context.notes.append(legacy.REJECT_NOTE)
    return "prohibit"


def read_ifname(field: str, why: str):
    def reader(node, fields, context: Context) -> None:
        fields[field] = context.at(last_value(node), v.check_ifname, why)
    return reader


def read_nat(node, fields, context: Context) -> None:
    context.notes.append("Warning: route NAT is deprecated")
    fields["nat"] = context.at(last_value(node), parse_address, 4)
    fields["action"] = "nat"


def read_ifgroup(node, fields, context: Context) -> None:
    """rtnl_group_a2n(): a name from the group file or a number, checked as ip reads the line."""
    token = last_value(node)
    context.at(token, v.group, 'Invalid "suppress_ifgroup" value')
    fields["suppress_ifgroup"] = context.text(token)


READERS = {
    "not_": flag("invert"),
    "from_": read_prefix("src"),
    "to": read_prefix("dst"),
    "priority": simple("priority", v.u32, "preference value is invalid"),
    "tos": with_names("tos", "dsfield", "TOS value is invalid"),
    "fwmark": read_fwmark,
    "realms": realms_into("realms", "invalid realms"),
    "protocol": with_names("protocol", "protocols", '"protocol" value is invalid'),
    "tun_id": simple("tun_id", v.u32, '"tun_id" value is invalid', 0, (1 << 64) - 1),
    "table": read_table,
    "suppress_prefixlength": simple("suppress_prefixlength", v.s32, "suppress_prefixlength value is invalid", 0),
    "suppress_ifgroup": read_ifgroup,
    "iif": read_ifname("iif", '"iif"/"dev" not a valid ifname'),
    "oif": read_ifname("oif", '"oif" not a valid ifname'),
    "l3mdev": flag("l3mdev"),
    "uidrange": simple("uidrange", v.uid_range, "invalid UID range"),
    "nat": read_nat,
    "ipproto": read_ipproto,
    "sport": simple("sport", v.port_range, "invalid port range"),
    "dport": simple("dport", v.port_range, "invalid dport range"),
    "action": read_action,
}

# iprule_list_flush_or_save() says some things otherwise than iprule_modify()
SELECT_READERS = {
    **READERS,
    "table": read_table_selector,
    "protocol": select_all_or("protocol", "protocols", 'invalid "protocol"'),
}
