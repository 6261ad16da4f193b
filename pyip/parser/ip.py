"""`ip addr | route | rule` words -> IpCommand, as iproute2 reads them.

The grammars (grammar/ip*.lark) fix which word is which keyword; this module
reads the values with iproute2's rules and messages, tracks the address
family the way iproute_modify() does (the first address decides), and
applies the dialect (compat/legacy.py).
"""

from __future__ import annotations

from .. import records

from ..ast import IpCommand, Options, Prefix, Symbol
from ..compat import legacy
from ..errors import IncompleteCommand, Location, NotRead, PyipError, invalid_argument
from ..names import Databases
from ..prefix import KEYWORDS, LINK, Unresolved, parse_address, parse_prefix, read_prefix
from . import values as v
from .words import Word, grammar

FAMILY_WORDS = {"inet": 4, "inet6": 6}
GRAMMARS = {"address": "ip_addr", "route": "ip_route", "rule": "ip_rule"}


class Context(metaclass=records.define):
    """What a command's value readers need: dialect, names, the family so far."""

    dialect: str
    names: Databases
    family: int | None
    notes: list = records.Factory(list)
    words: list = records.Factory(list)
    nexthop: dict = records.Factory(dict)  # the `nexthop` block being read
    unresolved: bool = False  # a `default`/`all`/`any` awaits the final family
    route_type: str | None = None  # a numeric route type (`+1`, `-0`) read, its prefix to come

    def word(self, token) -> Word:
        return self.words[token.start_pos]

    def text(self, token) -> str | Symbol:
        """The token's value: its text, or the Symbol of an unknown shell value."""
        word = self.word(token)
        return word.symbol if word.symbol is not None else word.text

    def at(self, token, read, *args):
        """read(text, *args), with any error placed at the token's word."""
        word = self.words[token.start_pos]  # text() and word(), inlined: every value passes here
        value = word.text if word.symbol is None else word.symbol
        if isinstance(value, Symbol):
            return value
        try:
            result = read(value, *args)
        except PyipError as error:
            raise error.at(word.location) from None
        if isinstance(result, Unresolved):
            self.unresolved = True
        return result

    def finish(self, node):
        """The node with `default`/`all`/`any` given the command's final family."""
        return resolve_all(node, self.family or 4) if self.unresolved else node

    def learn_family(self, value) -> None:
        """rtm_family: unset until the first address that has one."""
        if self.family is None:
            if isinstance(value, Prefix):  # tested first: hasattr() is slow when it fails
                self.family = value.family
            elif hasattr(value, "version"):
                self.family = value.version


def parse_ip(words: list[Word], dialect: str = legacy.MODERN, names: Databases | None = None,
             end: Location | None = None, batch_line: bool = False) -> IpCommand:
    """Parse one `ip ...` command line (or, with batch_line, an `OBJECT CMD ...` line)."""
    if names is None:
        from ..names import system

        names = system()
    end = end or (words[-1].location if words else Location())
    options, object_name, program, rest = parse_front(words, end, batch_line)
    context = Context(dialect, names, options.family, words=rest)
    verb, body = parse_object(object_name, rest, context, end)
    location = words[0].location if words else end
    return IpCommand(object_name, verb, body, options, program, location, tuple(context.notes))


# -- ip.c: program, options, object -------------------------------------------

OPTION_FLAGS = {
    "OPT_FORCE": "force", "OPT_ONELINE": "oneline", "OPT_DETAILS": "details",
    "OPT_JSON": "json", "OPT_PRETTY": "pretty", "OPT_NUMERIC": "numeric",
    "OPT_RESOLVE": "resolve", "OPT_BRIEF": "brief", "OPT_HUMAN": "human",
    "OPT_ALL": "all", "OPT_TIMESTAMP": "timestamp", "OPT_IEC": "iec", "OPT_ECHO": "echo",
}
# ip.c's family options and read_family()'s names: AF_INET, AF_INET6, AF_PACKET, AF_MPLS, AF_BRIDGE
FAMILY_OPTIONS = {"OPT_INET": 4, "OPT_INET6": 6, "OPT_LINK": 0, "OPT_MPLS": 28, "OPT_BRIDGE": 7}
FAMILY_NAMES = {"inet": 4, "inet6": 6, "link": 0, "mpls": 28, "bridge": 7}


def parse_front(words: list[Word], end: Location, batch_line: bool):
    """Split off the program word and options; return (options, object, program, rest)."""
    if not batch_line and len(words) > 1 and words[0].symbol is None and words[1].symbol is None:
        known = _FRONTS.get((words[0].text, words[1].text))
        if known is not None:  # `ip route`, as met before: the program word was ip, with no options
            return known[0], known[1], words[0].text, words[2:]
    front = grammar("ip")
    consumed = 0 if batch_line else 1
    if not batch_line and (not words or front.first_match(words[0].text, "PROGRAM") is None):
        raise PyipError("not an ip command", words[0].location if words else end)
    while consumed < len(words) and words[consumed].text.startswith("-") and words[consumed].symbol is None:
        consumed += 2 if needs_value(words[consumed].text) else 1
    if consumed >= len(words):
        raise PyipError('Object "" is unknown, try "ip help".', end, 1)
    object_word = words[consumed]
    front_words = ([] if not batch_line else [Word("ip", object_word.location)]) + words[:consumed + 1]
    # an unknown value keys by its Symbol, so it never meets a known front
    key = tuple([w.text if w.symbol is None else w.symbol for w in front_words])
    known = _FRONTS.get(key)
    if known is None:
        known = read_front(front, front_words, end)
        if len(_FRONTS) < 1000 and all(w.symbol is None for w in front_words):
            _FRONTS[key] = known  # scripts repeat the same few `ip -4 route` fronts
    options, object_name = known
    return options, object_name, front_words[0].text, words[consumed + 1:]


_FRONTS: dict = {}


def read_front(front, front_words: list[Word], end: Location):
    try:
        tree = front.parse(front_words, end)
    except PyipError as error:
        raise front_error(error) from None
    options = read_options(tree, front_words)
    object_name = {"OBJ_ADDRESS": "address", "OBJ_ROUTE": "route", "OBJ_RULE": "rule"}[tree.children[-1].children[0].type]
    return options, object_name


def needs_value(option: str) -> bool:
    """The options that take the next word (-n NETNS, -b FILE, -f FAMILY, ...)."""
    return grammar("ip").first_match(option, "OPT_") in ("OPT_LOOPS", "OPT_FAMILY", "OPT_BATCH", "OPT_RCVBUF", "OPT_NETNS")


# ip's objects in ip.c's order (an abbreviation names the first one it begins); pyip reads three of them.
IP_OBJECTS = ("address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl",
              "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "tap", "token", "tcpmetrics",
              "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop",
              "mptcp", "ioam", "stats", "help")


class OtherObject(NotRead):
    """A command of an ip object pyip does not read (`ip link set eth0 up`): the real ip takes it."""

    def __init__(self, name: str, location: Location):
        super().__init__(f"pyip reads ip address, route and rule, not {name}", location, 1)
        self.object = name


def front_error(error: PyipError) -> PyipError:
    word = getattr(error, "word", None)
    if word is None:
        return error
    if word.text.startswith("-"):
        return PyipError(f'Option "{word.text}" is unknown, try "ip -help".', word.location, 255)
    other = next((name for name in IP_OBJECTS if word.text and name.startswith(word.text)), None)
    if other is not None:  # address, route and rule never get here: the grammar takes them first
        return OtherObject(other, word.location)
    return PyipError(f'Object "{word.text}" is unknown, try "ip help".', word.location, 1)


def read_options(tree, words: list[Word]) -> Options:
    fields: dict = {}
    for option in tree.children[1:-1]:
        if option.data != "option":
            continue
        token = option.children[0]
        kind = token.type
        value = option.children[1] if len(option.children) > 1 else None
        if kind in OPTION_FLAGS:
            fields[OPTION_FLAGS[kind]] = True
        elif kind == "OPT_TSHORT":
            fields["timestamp"] = fields["tshort"] = True
        elif kind in FAMILY_OPTIONS:
            fields["family"] = FAMILY_OPTIONS[kind]
        elif kind == "OPT_LOOPS":
            fields["loops"] = c_atoi(str(value))
        elif kind == "OPT_RCVBUF":
            fields["rcvbuf"] = read_rcvbuf(value, words)
        elif kind == "OPT_FAMILY":
            fields["family"] = read_family_option(value, words)
        elif kind == "OPT_STATS":
            fields["stats"] = fields.get("stats", 0) + 1
        elif kind == "OPT_NETNS":
            fields["netns"] = words[value.start_pos].symbol or str(value)
        elif kind == "OPT_BATCH":
            fields["batch"] = words[value.start_pos].symbol or str(value)
        elif kind == "OPT_COLOR":
            fields["color"] = token.partition("=")[2] or "always"
    return Options(**fields)


def c_atoi(text: str) -> int:
    """C's atoi(), as ip reads -loops: leading blanks, a sign, digits; 0 when none."""
    import re

    found = re.match(r"\s*([+-]?\d+)", text)
    return int(found.group(1)) if found else 0


def read_rcvbuf(token, words: list[Word]) -> int:
    """ip.c's get_unsigned(): a C number (0x.., 0..) that fits 32 bits."""
    from .values import read_u32

    size = read_u32(str(token))
    if size is None:
        raise PyipError(f"Invalid rcvbuf size '{token}'", words[token.start_pos].location, 255)
    return size


def read_family_option(token, words: list[Word]) -> int:
    family = FAMILY_NAMES.get(str(token))
    if family is None:
        raise PyipError(f'Error: argument "{token}" is wrong: invalid protocol family',
                        words[token.start_pos].location, 255)
    return family


# -- the objects -----------------------------------------------------------------

DEFAULT_VERB = {"address": "show", "route": "show", "rule": "show"}
# `ip OBJECT show` (or `list`) alone, the commonest listing, reads as the object alone does: the
# default selector, without loading the object's grammar and readers (a drop-in's start-up).
# tests/test_parser_speed_equivalence.py holds it to the grammar's reading; an empty set turns it off.
PLAIN_LISTING = frozenset(("show", "list"))


def parse_object(object_name: str, words: list[Word], context: Context, end: Location):
    if not words or len(words) == 1 and words[0].text in PLAIN_LISTING and words[0].symbol is None:
        return DEFAULT_VERB[object_name], default_selector(object_name)
    object_grammar = grammar(GRAMMARS[object_name])
    builder = builder_of(object_name)
    readers = builder.readers(verb_of(object_grammar, words[0], builder.VERBS), context)
    direct = parse_direct(object_grammar, builder, readers, words, context, end) if DIRECT else None
    if direct is not None:
        return direct
    fields: dict = {}

    def read_argument(tree):
        if context.route_type is not None and tree.data != "dst":
            raise after_numeric_type(tree, fields, context)
        reader = readers.get(tree.data)
        if reader is not None:
            reader(tree, fields, context)
        return tree

    try:
        tree = object_grammar.parse_memoised(words, end, read_argument)
    except IncompleteCommand:
        raise
    except PyipError as error:
        raise object_error(object_name, error, words) from None
    return tree.data, builder.build(tree.data, tree, fields, context, end)


# -- the direct path: arguments read without parse trees ---------------------------------------
#
# Bulk input repeats a few simple shapes (`route add P via A table T proto X`).
# For a shape (WordGrammar.shape_of()) whose every argument tree has a reader
# with a direct twin (reader.direct: the same reading from the value's text,
# or False where the value is not a plain one), the twins run in the order the
# readers would, with no tree built.  Any False, an unknown ($X) word, or a
# shape or verb they do not cover, and the words take the trees' path from
# the start: its values, errors and messages are the reference.

DIRECT = True  # the equivalence tests turn it off to compare both paths
_DIRECT_PLANS: dict = {}
_NO_PLAN = object()


def parse_direct(object_grammar, builder, readers: dict, words: list[Word], context: Context, end: Location):
    """(verb, body) as the trees' path gives them, or None where it must run instead."""
    texts = [word.text for word in words if word.symbol is None]
    if context.dialect != legacy.MODERN or len(texts) != len(words):
        return None
    shape = object_grammar.shape_of(texts)
    plan = _DIRECT_PLANS.get((shape, id(readers)), _NO_PLAN) if shape is not None else None
    if plan is _NO_PLAN:
        plan = direct_plan(object_grammar, builder, readers, texts)
        if len(_DIRECT_PLANS) < 4096:
            _DIRECT_PLANS[shape, id(readers)] = plan
    if plan is None:
        return None
    verb, steps = plan
    fields: dict = {}
    family = context.family
    for read, index in steps:
        if not read(texts[index], fields, context):
            context.family = family
            return None
    return verb, builder.build(verb, None, fields, context, end)


def direct_plan(object_grammar, builder, readers: dict, texts: list[str]):
    """(verb, [(direct reader, index of its value word)]) in reduction order, or None."""
    kinds = object_grammar.kinds_of(texts)
    planned = object_grammar.planned(kinds) if kinds is not None else None
    if not planned or planned[-1].data not in getattr(builder, "DIRECT_VERBS", ()):
        return None
    steps = []
    for tree in planned:
        reader = readers.get(tree.data) if tree.hooked else None
        if reader is None:
            continue  # nothing reads it on the trees' path either
        direct = getattr(reader, "direct", None)
        children = tree.children
        if direct is None or len(children) not in direct.arities or not all(isinstance(c, int) for c in children):
            return None
        steps.append((direct, children[-1]))
    return planned[-1].data, steps


def twin(reader, direct, *arities: int):
    """Give a reader its direct twin, for argument trees of these numbers of words."""
    direct.arities = arities
    reader.direct = direct
    return reader


def plain_prefix(text: str, family: int | None) -> Prefix | None:
    """parse_prefix()'s prefix; None where it raises or the family stays open (`default`)."""
    if family == LINK:
        return None
    result = read_prefix(text, family)
    return result if isinstance(result, Prefix) else None


def plain_address(text: str, family: int | None):
    """parse_address()'s address; None where it raises or the word is `default`/`all`/`any`."""
    if family == LINK or text in KEYWORDS:
        return None
    try:
        return parse_address(text, family)
    except PyipError:
        return None


def verb_of(object_grammar, word: Word, verbs: dict) -> str | None:
    """The verb the first word names (its terminal), before the parse says so."""
    return None if word.symbol is not None else verbs.get(object_grammar.kind_at_start(word.text))


def default_selector(object_name: str):
    from .. import ast

    # the class's name first: pyip.ast loads an object's module when one of its classes is asked for
    return getattr(ast, {"address": "AddressSelector", "route": "RouteSelector", "rule": "Rule"}[object_name])()


def after_numeric_type(tree, fields: dict, context: Context) -> PyipError:
    """After a numeric route type (`+1`, `-0`) ip reads the next word as the prefix, whatever it is."""
    from ..prefix import parse_prefix

    token = next(child for child in tree.children if isinstance(child, str))
    word = context.word(token)
    if "dst" in fields:
        return PyipError(f'Error: either "to" is duplicate, or "{word.text}" is a garbage.', word.location, 255)
    try:
        parse_prefix(word.text, context.family)
    except PyipError as error:
        return error.at(word.location)
    return PyipError(f'Error: unexpected "{word.text}"', word.location, 255)  # a prefix that is a keyword: none


def object_error(object_name: str, error: PyipError, words: list[Word]) -> PyipError:
    word = getattr(error, "word", None)
    if word is None:
        return error
    text, loc = word.text, word.location
    expected = getattr(error, "expected", frozenset())
    if word is words[0]:
        name = {"address": "address", "route": "route", "rule": "rule"}[object_name]
        return PyipError(f'Command "{text}" is unknown, try "ip {name} help".', loc, 255)
    if "NEXTHOP" in expected:
        return PyipError(f'Error: "nexthop" or end of line is expected instead of "{text}"', loc, 255)
    if any(name.startswith("T_") for name in expected) and object_name == "route":
        return invalid_argument(text, "node type value is invalid", loc)
    if object_name == "rule":
        return invalid_argument(text, "Failed to parse rule type", loc)
    return PyipError(f'Error: unexpected "{text}"', loc, 255)


def items(tree):
    """The keyword subtrees of a command, in the order they were written."""
    for child in tree.children:
        if hasattr(child, "data"):
            yield child


def values_of(node):
    """The VALUE tokens (and other tokens after the keyword) of an argument."""
    return [c for c in node.children if isinstance(c, str)]


def last_value(node):
    """values_of(node)[-1], without the list: an argument mostly ends with its value token."""
    last = node.children[-1]
    return last if isinstance(last, str) else values_of(node)[-1]


def type_name(node) -> str:
    """The route type a `route_type`/`rule_type` subtree names (T_PROHIBIT -> prohibit)."""
    return node.children[0].type[2:].lower()


def resolve(value, family: int):
    return value.resolve(family) if isinstance(value, Unresolved) else value


def resolve_all(obj, family: int):
    """Give `default`/`all`/`any` the command's final family."""
    from ..ast.route import Gateway  # loaded already, with pyip.parser.route

    changes = {}
    for field in records.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, Unresolved):
            changes[field.name] = value.resolve(family)
        elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], Unresolved):
            changes[field.name] = (value[0], value[1].resolve(family))
        elif isinstance(value, Gateway) and isinstance(value.address, Unresolved):
            changes[field.name] = Gateway(value.address.resolve(family), value.family_word)
    return records.evolve(obj, **changes) if changes else obj


def builder_of(object_name: str):
    """The module that reads OBJECT's words (pyip.parser.address, route or rule; they use the helpers
    above), imported when a command first names the object: a drop-in loads one of them."""
    from ..lazy import submodule

    return submodule(__package__, object_name)


def __getattr__(name: str):
    """The node classes this module once imported for all objects, from pyip.ast (which loads
    their object's module then)."""
    if name in ("Metric", "Nexthop", "Route", "RouteGet", "RouteSelector", "Rule", "InterfaceAddress",
                "AddressSelector", "Gateway"):
        from .. import ast

        return getattr(ast, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["parse_ip", "Context", "parse_prefix", "parse_address", "Metric", "Nexthop",
           "Route", "RouteGet", "RouteSelector", "Rule", "InterfaceAddress"]


def is_ip_command(words: list[Word]) -> bool:
    """Does the command run ip (`ip`, `/sbin/ip`, `pyip`)?"""
    return bool(words) and words[0].symbol is None and grammar("ip").first_match(words[0].text, "PROGRAM") is not None
