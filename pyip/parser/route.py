"""`ip route` parse trees -> Route, RouteSelector, RouteGet (iproute2's ip/iproute.c)."""

from __future__ import annotations

from ..ast import Gateway, Metric, Nexthop, Route, RouteGet, RouteSelector, Symbol
from .. import cnumbers
from ..ast.route import METRIC_NAMES, ROUTE_TYPES
from ..compat import legacy
from ..errors import IncompleteCommand, PyipError, UsageError, invalid_argument
from ..prefix import parse_address, parse_prefix
from . import values as v
from .ip import FAMILY_WORDS, Context, items, last_value, plain_address, plain_prefix, twin, type_name, values_of
from .words import Tree

MODIFY_VERBS = ("add", "change", "replace", "prepend", "append", "test", "delete")
SELECT_VERBS = ("show", "flush", "save")
DIRECT_VERBS = MODIFY_VERBS  # build() needs no tree for these (see ip.parse_direct())


VERBS = {"ADD": "add", "CHANGE": "change", "REPLACE": "replace", "PREPEND": "prepend",
         "APPEND": "append", "TEST": "test", "DELETE": "delete", "LIST": "show", "GET": "get",
         "FLUSH": "flush", "SAVE": "save", "RESTORE": "restore", "SHOWDUMP": "showdump"}


def readers(verb: str | None, context: Context) -> dict:
    """The argument readers for a verb, run in word order as the parser reduces."""
    if verb in MODIFY_VERBS:
        return MODIFY
    if verb in SELECT_VERBS:
        return SELECT
    return GET if verb == "get" else {}


def build(verb: str, tree, fields: dict, context: Context, end):
    if verb in MODIFY_VERBS:
        return build_modify(fields, context, end)
    if verb in SELECT_VERBS:
        if verb == "flush" and len(tree.children) == 1:
            raise PyipError('"ip route flush" requires arguments.', end, 1)
        return context.finish(RouteSelector(**fields))
    if verb == "get":
        if "to" not in fields:
            raise PyipError("need at least a destination address", end, 1)
        return context.finish(RouteGet(**fields))
    return None  # restore, showdump: no arguments


# -- iproute_modify() ------------------------------------------------------------

def build_modify(fields: dict, context: Context, end) -> Route:
    if "dst" not in fields:
        raise UsageError("route", end)  # iproute_modify(): `if (!dst_ok) usage();`
    # RTA_METRICS is a set: keep metrics in one order so equal routes compare equal
    metrics = fields.get("metrics")
    fields["metrics"] = tuple(sorted(metrics.values(), key=lambda m: METRIC_NAMES.index(m.name))) if metrics else ()
    fields["nexthops"] = tuple(fields.get("nexthops", ()))
    return context.finish(Route(**fields))


def numeric_route_type(text) -> str | None:
    """iproute_modify() takes a word that does not begin with a digit as a route type when
    rtnl_rtntype_a2n() reads it: a type name (the grammar's), or strtoul() <= 255 (`+1`, `-0`,
    ` 7`): that number's type name, or the number."""
    if not isinstance(text, str) or not text or text[0] in "0123456789":
        return None
    number = cnumbers.a2n_number(text, 0, 255)
    if number is None:
        return None
    return next((name for name, value in ROUTE_TYPES.items() if value == number), str(number))


def read_dst(node, fields, context: Context) -> None:
    value = last_value(node)
    numeric = numeric_route_type(context.text(value)) if len(node.children) == len(values_of(node)) else None
    if numeric is not None and context.route_type is None:
        if _is_last_word(value, context):
            raise IncompleteCommand(context.word(value).location)  # NEXT_ARG() after the type
        context.route_type = numeric
        return
    if context.route_type is not None:
        fields["type"], context.route_type = context.route_type, None
    if "dst" in fields:
        raise PyipError(f'Error: either "to" is duplicate, or "{context.text(value)}" is a garbage.',
                        context.word(value).location, 255)
    route_types = [c for c in node.children if isinstance(c, Tree)]
    if route_types:
        fields["type"] = type_name(route_types[0])
    dst = context.at(value, parse_prefix, context.family)
    context.learn_family(dst)
    fields["dst"] = dst


def direct_address(field: str, plain, once: bool = False, wrap=None):
    """The direct twin of a reader of one address or prefix: plain(text, family) into `field`,
    learning the family.  `once`: a second one is an error on the trees' path, so not plain here."""
    def direct(text: str, fields, context: Context) -> bool:
        if once and field in fields:
            return False
        value = plain(text, context.family)
        if value is None:
            return False
        context.learn_family(value)
        fields[field] = value if wrap is None else wrap(value)
        return True
    return direct


_direct_dst = direct_address("dst", plain_prefix, once=True)


def direct_dst(text: str, fields, context: Context) -> bool:
    return numeric_route_type(text) is None and _direct_dst(text, fields, context)


twin(read_dst, direct_dst, 1, 2)  # `PREFIX`, `to PREFIX`


def read_via(node, fields, context: Context) -> None:
    if "gateway" in fields:
        keyword = node.children[0]
        raise invalid_argument(str(keyword), "use nexthop syntax to specify multiple via",
                               context.word(keyword).location)
    fields["gateway"] = read_gateway(node, context)


# read_via() of `via ADDRESS` (no family word)
twin(read_via, direct_address("gateway", plain_address, once=True, wrap=lambda address: Gateway(address, None)), 2)


def read_gateway(node, context: Context) -> Gateway:
    tokens = values_of(node)
    family_word = str(tokens[1]) if len(tokens) == 3 else None
    family = FAMILY_WORDS.get(family_word, context.family) if family_word else context.family
    address = context.at(tokens[-1], parse_address, family)
    context.learn_family(address)
    if family_word and FAMILY_WORDS.get(family_word) == (context.family or family):
        family_word = None  # `via inet 1.2.3.4` in an IPv4 route is a plain gateway
    return Gateway(address, family_word)


def read_metric(node, fields, context: Context) -> None:
    name_token = node.children[0].children[0]
    name = str(name_token.type).lower()
    tokens = values_of(node)
    lock = any(t.type == "LOCK" for t in tokens)
    value_token = tokens[-1]
    why = f'"{ {"advmss": "mss"}.get(name, name)}" value is invalid'
    unit = None
    if name in ("rtt", "rttvar"):
        value, unit = context.at(value_token, v.rtt_time, why) if not _is_symbol(context, value_token) else (context.text(value_token), None)
    elif name == "congctl":
        value = context.text(value_token)
    elif name == "hoplimit":
        value = context.at(value_token, v.u32, why, 0, 255)
    else:
        value = context.at(value_token, v.u32, why)
    fields.setdefault("metrics", {})[name] = Metric(name, value, lock, unit is not None, unit)


def _is_symbol(context: Context, token) -> bool:
    return isinstance(context.text(token), Symbol)


def read_rto_min(node, fields, context: Context) -> None:
    token = last_value(node)
    if _is_symbol(context, token):
        value, unit = context.text(token), None
    else:
        value, unit = context.at(token, v.rtt_time, '"rto_min" value is invalid')
    # iproute2 always locks rto_min
    fields.setdefault("metrics", {})["rto_min"] = Metric("rto_min", value, True, unit is not None, unit)


def read_features(node, fields, context: Context) -> None:
    token = last_value(node)
    if context.text(token) != "ecn":
        raise invalid_argument(str(token), '"features" value not valid', context.word(token).location)
    fields.setdefault("metrics", {})["features"] = Metric("features", "ecn")


def read_quickack(node, fields, context: Context) -> None:
    token = last_value(node)
    value = context.at(token, v.u32, '"quickack" value is invalid')
    if value not in (0, 1) and not isinstance(value, Symbol):
        raise invalid_argument(str(token), '"quickack" value should be 0 or 1', context.word(token).location)
    fields.setdefault("metrics", {})["quickack"] = Metric("quickack", value)


def read_pref(node, fields, context: Context) -> None:
    token = last_value(node)
    text = context.text(token)
    if text not in ("low", "medium", "high"):
        context.at(token, v.u32, '"pref" value is invalid', 0, 255)
    fields["pref"] = text


def read_ttl_propagate(node, fields, context: Context) -> None:
    token = last_value(node)
    text = context.text(token)
    for word in ("enabled", "disabled"):
        if isinstance(text, str) and text and word.startswith(text):
            fields["ttl_propagate"] = word
            return
    raise invalid_argument(str(token), '"ttl-propagate" value is invalid', context.word(token).location)


def read_equalize(node, fields, context: Context) -> None:
    token = node.children[0]
    if context.dialect == legacy.LEGACY:
        context.notes.append(legacy.EQUALIZE_NOTE)
        return
    # Today's ip reads the word as a (second) destination.
    read_dst(node, fields, context)


def simple(field: str, read=None, *args):
    """A keyword whose one value is read by read(text, *args) into `field`."""
    def reader(node, fields, context: Context) -> None:
        token = last_value(node)
        fields[field] = context.at(token, read, *args) if read else context.text(token)
    if read is None:
        return twin(reader, lambda text, fields, context: fields.__setitem__(field, text) or True, 2)
    if read is v.u32:
        return twin(reader, direct_u32(field, *args[1:]), 2)
    return reader


def direct_u32(field: str, base: int = 0, maximum: int = v.U32):
    def direct(text: str, fields, context: Context) -> bool:
        value = v.read_u32(text, base, maximum)
        fields[field] = value
        return value is not None
    return direct


def with_names(field: str, db_name: str, why: str):
    def reader(node, fields, context: Context) -> None:
        token = last_value(node)
        fields[field] = context.at(token, v.named, getattr(context.names, db_name), why)
    return twin(reader, direct_named(field, db_name), 2)


def direct_named(field: str, db_name: str):
    def direct(text: str, fields, context: Context) -> bool:
        found = fields[field] = getattr(context.names, db_name).named(text)
        return found is not None
    return direct


def address_into(field: str, read):
    def reader(node, fields, context: Context) -> None:
        token = last_value(node)
        value = context.at(token, read, context.family)
        context.learn_family(value)
        fields[field] = value
    plain = {parse_address: plain_address, parse_prefix: plain_prefix}[read]
    return twin(reader, direct_address(field, plain), 2)


def flag(field: str):
    def reader(node, fields, context: Context) -> None:
        fields[field] = True
    return twin(reader, lambda text, fields, context: fields.__setitem__(field, True) or True, 1)


def realms_into(field: str, why: str):
    def reader(node, fields, context: Context) -> None:
        token = last_value(node)
        fields[field] = context.at(token, lambda w: v.realms(context.names.realms, w, why))
    return reader


MODIFY = {
    "src": address_into("prefsrc", parse_address),
    "as_": address_into("as_", parse_address),
    "via": read_via,
    "from_": address_into("src_prefix", parse_prefix),
    "tos": with_names("tos", "dsfield", '"tos" value is invalid'),
    "expires": simple("expires", v.u32, '"expires" value is invalid'),
    "metric": simple("metric", v.u32, '"metric" value is invalid'),
    "scope": with_names("scope", "scopes", 'invalid "scope" value'),
    "route_metric": read_metric,
    "rto_min": read_rto_min,
    "features": read_features,
    "quickack": read_quickack,
    "realms": realms_into("realms", '"realm" value is invalid'),
    "onlink": flag("onlink"),
    "nhid": simple("nhid", v.u32, '"id" value is invalid'),
    "protocol": with_names("protocol", "protocols", '"protocol" value is invalid'),
    "table": with_names("table", "tables", '"table" value is invalid'),
    "vrf": simple("vrf"),
    "dev": simple("dev"),
    "pref": read_pref,
    "encap": lambda node, fields, context: fields.__setitem__(
        "encap", tuple(str(context.text(t)) for t in values_of(node)[1:])),
    "ttl_propagate": read_ttl_propagate,
    "equalize": read_equalize,
    "dst": read_dst,
}


def read_nexthop_argument(reader):
    """nh_* arguments go into the nexthop being read (context.nexthop)."""
    def read(node, fields, context: Context) -> None:
        reader(node, context.nexthop, context)
    return read


def close_nexthop(node, fields, context: Context) -> None:
    """A `nexthop` block ends: iproute2 refuses a bare one at the end of the line."""
    if not context.nexthop and len(node.children) == 1 and _is_last(node, context):
        raise PyipError('Error: unexpected end of line after "nexthop"', context.word(node.children[0]).location, 255)
    fields.setdefault("nexthops", []).append(Nexthop(**context.nexthop))
    context.nexthop = {}


def _is_last_word(token, context: Context) -> bool:
    return token.start_pos == len(context.words) - 1


def _is_last(node, context: Context) -> bool:
    return node.children[0].start_pos == len(context.words) - 1


def read_nexthop_via(node, fields, context: Context) -> None:
    fields["gateway"] = read_gateway(node, context)


def read_weight(node, fields, context: Context) -> None:
    token = last_value(node)
    weight = context.at(token, v.u32, '"weight" is invalid', 0, 256)
    if weight == 0:
        raise invalid_argument(str(token), '"weight" is invalid', context.word(token).location)
    fields["weight"] = weight


MODIFY.update({
    "nh_via": read_nexthop_argument(read_nexthop_via),
    "nh_dev": read_nexthop_argument(simple("dev")),
    "nh_weight": read_nexthop_argument(read_weight),
    "nh_onlink": read_nexthop_argument(flag("onlink")),
    "nh_realms": read_nexthop_argument(realms_into("realms", '"realm" value is invalid')),
    "nexthop": close_nexthop,
})


# -- iproute_list_flush_or_save() ------------------------------------------------------

def select_table(node, fields, context: Context) -> None:
    token = last_value(node)
    text = context.text(token)
    if text in ("all", "cache") and context.names.tables.lookup(text) is None:
        if text == "cache":  # `table cache` is `cached`
            fields["cached"] = True
        else:
            fields["table"] = text
        return
    fields["table"] = context.at(token, v.named, context.names.tables, "table id value is invalid")


def select_all_or(field: str, db_name: str, why: str):
    def reader(node, fields, context: Context) -> None:
        token = last_value(node)
        text = context.text(token)
        db = getattr(context.names, db_name)
        if text == "all" and db.lookup("all") is None:
            fields[field] = "all"
        else:
            fields[field] = context.at(token, v.named, db, why)
    return reader


def select_prefix(field: str):
    def reader(node, fields, context: Context) -> None:
        tokens = values_of(node)
        modes = [c for c in node.children if hasattr(c, "data")]
        mode = str(modes[0].children[0].type).lower() if modes else "exact"
        fields[field] = (mode, context.at(tokens[-1], parse_prefix, context.family))
    return reader


def select_via(node, fields, context: Context) -> None:
    tokens = values_of(node)
    family_word = str(tokens[1]) if len(tokens) == 3 else None
    family = FAMILY_WORDS.get(family_word, context.family) if family_word else context.family
    fields["via"] = context.at(tokens[-1], parse_prefix, family)
    fields["via_family"] = family_word


SELECT = {
    "table": select_table,
    "vrf": simple("vrf"),
    "cached": flag("cached"),
    "tos": with_names("tos", "dsfield", "TOS value is invalid"),
    "protocol": select_all_or("protocol", "protocols", 'invalid "protocol"'),
    "scope": select_all_or("scope", "scopes", 'invalid "scope"'),
    "type": lambda node, fields, context: fields.__setitem__("type", type_name(node.children[1])),
    "dev": simple("dev"),
    "iif": simple("iif"),
    "mark": simple("mark", v.u32, "invalid mark value"),
    "metric": simple("metric", v.u32, '"metric" value is invalid'),
    "via": select_via,
    "src": lambda node, fields, context: fields.__setitem__(
        "src", context.at(last_value(node), parse_prefix, context.family)),
    "realms": realms_into("realms", "invalid realms"),
    "from_": select_prefix("from_"),
    "to": select_prefix("to"),
}


def read_ipproto(node, fields, context: Context) -> None:
    """inet_proto_a2n() refuses while ip reads the line; the word is kept for printing."""
    token = last_value(node)
    context.at(token, v.ip_protocol)
    fields["ipproto"] = context.text(token)


# -- iproute_get() --------------------------------------------------------------

GET = {
    "tos": with_names("tos", "dsfield", "TOS value is invalid"),
    "from_": address_into("from_", parse_prefix),
    "iif": simple("iif"),
    "mark": simple("mark", v.u32, "invalid mark value"),
    "oif": simple("oif"),
    "notify": flag("notify"),
    "connected": flag("connected"),
    "vrf": simple("vrf"),
    "uid": simple("uid", v.u32, "invalid UID"),
    "fibmatch": flag("fibmatch"),
    "as_": address_into("as_", parse_address),
    "ipproto": read_ipproto,
    "sport": simple("sport", v.u32, "invalid sport", 0, 0xFFFF),
    "dport": simple("dport", v.u32, "invalid dport", 0, 0xFFFF),
    "to": address_into("to", parse_prefix),
}
