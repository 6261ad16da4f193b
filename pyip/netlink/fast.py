"""Batch route lines straight from their words to RTM_NEWROUTE / RTM_DELROUTE.

A 100,000-line batch is mostly `route add PREFIX via ADDR table N proto P`
with different values.  The general path (parse tree, readers, Route,
route.request()) costs tens of microseconds a line; here a line whose
shape the grammar knows, whose every argument is one of a few simple ones
(FIELDS) given once, and whose every value is plain (a dotted-quad IPv4
prefix, a name or number the databases know), is packed directly.  Which
word is which keyword is still the grammar's call (WordGrammar.shape_of()
and planned()), so abbreviations read as iproute2 reads them.

Anything else, and any value that is not plain, gives None, and the batch
takes the general path for the whole line: errors and their messages are
always the general path's.  The bytes are those route.request() packs,
which tests/test_parser_speed_equivalence.py checks.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)
from _operator import itemgetter  # operator.py re-exports the C module (start-up time)

from ..compat.legacy import MODERN
from ..errors import Location, PyipError
from ..parser.ip import parse_front
from ..parser.values import read_u32
from ..parser.words import Planned, Word, grammar
from ..prefix import plain_quad
from .common import HEADER, NLM_F_ACK, NLM_F_REQUEST, CommandFailed, attr_u32
from .route import (MODIFY_VERBS, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN,
                    RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RTM_DELROUTE,
                    RTM_NEWROUTE, RTMSG, RTN_UNICAST, RTN_UNSPEC, RTNH_F_ONLINK, RTPROT_BOOT)

# argument tree -> the kinds of its words (None: any keyword) ending with its VALUE
FIELDS = {"dst": ((None, "VALUE"), ("VALUE",)), "via": ((None, "VALUE"),), "src": ((None, "VALUE"),),
          "table": ((None, "VALUE"),), "protocol": ((None, "VALUE"),), "scope": ((None, "VALUE"),),
          "metric": ((None, "VALUE"),), "dev": ((None, "VALUE"),), "onlink": ((None,),)}
DATABASES = {"table": "tables", "protocol": "protocols", "scope": "scopes"}
ATTR_HEAD = struct.Struct("=HH")  # an attribute's length and kind; four address bytes follow
DST_HEAD = ATTR_HEAD.pack(8, RTA_DST)
ADDRESS_HEADS = {RTA_GATEWAY: ATTR_HEAD.pack(8, RTA_GATEWAY), RTA_PREFSRC: ATTR_HEAD.pack(8, RTA_PREFSRC)}
MISSING = object()
PREFIX_LENGTHS = {str(bits): bits for bits in range(33)}  # the plain /LENGTH words: no sign, no leading zero
inet_aton, inet_ntoa = socket.inet_aton, socket.inet_ntoa


class Plan:
    """A shape's route: the verb, and where each argument's value stands among the words."""

    __slots__ = ("verb", "kind", "flags", "deleting", "dst", "via", "src", "table", "protocol",
                 "scope", "metric", "dev", "onlink", "other_words", "known")

    def __init__(self, verb: str, slots: dict):
        self.verb = verb
        self.deleting = verb == "delete"
        self.kind = RTM_DELROUTE if self.deleting else RTM_NEWROUTE
        self.flags = NLM_F_REQUEST | NLM_F_ACK | MODIFY_VERBS[verb]
        for field in FIELDS:
            setattr(self, field, slots.get(field))
        others = sorted(index for field, index in slots.items() if field != "dst")
        # the words besides the destination (a tuple, or the word where there is one): what the rest depends on
        self.other_words = itemgetter(*others) if others else None
        self.known: dict = {}  # (prefix length word, other words) -> (rtmsg, attributes after RTA_DST)


def plan_of(route_grammar, texts: list[str]) -> Plan | None:
    """The Plan for lines shaped like these words, or None where the general path must run."""
    kinds = route_grammar.kinds_of(texts)
    planned = route_grammar.planned(kinds) if kinds is not None else None
    if not planned:
        return None
    root = planned[-1]
    if root.data not in MODIFY_VERBS or len(root.children) != 2 or not isinstance(root.children[1], Planned):
        return None
    route = root.children[1]
    arguments = route.children
    if route.data != "route" or not all(isinstance(a, Planned) for a in arguments):
        return None
    if {id(t) for t in planned if t.hooked} - {id(root), id(route), *map(id, arguments)}:
        return None  # a tree the readers would see that no argument here accounts for
    slots = {}
    for argument in arguments:
        index = slot(argument, kinds)
        if index is None or argument.data in slots:
            return None
        slots[argument.data] = index
    return Plan(root.data, slots) if "dst" in slots else None


def slot(argument: Planned, kinds: list[str]) -> int | None:
    """The index of the argument's value (or keyword, for a flag), if FIELDS knows its layout."""
    children = argument.children
    if not all(isinstance(c, int) for c in children):
        return None
    for wanted in FIELDS.get(argument.data, ()):
        if len(wanted) == len(children) and all(w is None or kinds[c] == w for c, w in zip(children, wanted)):
            return children[-1]
    return None


class FastRoutes:
    """The direct path of one batch: plans by shape, and the values met before."""

    def __init__(self, session, prefix: list[Word], dialect: str, family: int | None):
        self.session = session
        self.prefix = prefix
        self.enabled = dialect == MODERN and family in (None, 4)  # plain IPv4 reads the same under -4
        self.grammar = grammar("ip_route")
        self.plans: dict = {}
        self.objects: dict[str, str | None] = {}
        self.gateways: dict[str, bytes] = {}  # word -> its packed attribute
        self.sources: dict[str, bytes] = {}
        self.numbers: dict[str, dict[str, int]] = {field: {} for field in DATABASES}

    def message(self, texts: list[str]) -> bytes | None:
        """The request a batch line `route VERB ...` sends, or None for the general path."""
        name = self.objects.get(texts[0], MISSING)  # object_of()'s memory, without its call on every line
        if not self.enabled or (name if name is not MISSING else self.object_of(texts[0])) != "route":
            return None
        words = texts[1:]
        shape = self.grammar.shape_of(words)
        if shape is None:
            return None
        plan = self.plans.get(shape, MISSING)
        if plan is MISSING:
            plan = self.plans[shape] = plan_of(self.grammar, words)
        return None if plan is None else self.pack(plan, words)

    def object_of(self, word: str) -> str | None:
        """ip's object for the line's first word, as parse_front() reads it."""
        name = self.objects.get(word, MISSING)
        if name is MISSING:
            try:
                name = parse_front(self.prefix + [Word(word)], Location(), False)[1]
            except PyipError:
                name = None
            if len(self.objects) < 64:
                self.objects[word] = name
        return name

    def pack(self, plan: Plan, words: list[str]) -> bytes | None:
        """route.request()'s bytes for plain values; None as soon as one is not plain.

        Per line only the destination is new; the rest of the request (the rtmsg, which holds
        the prefix length, and the attributes after RTA_DST) is packed once for each set of
        the other words and remembered in the plan."""
        address, slash, length = words[plan.dst].partition("/")
        # a plain dotted quad is what inet_ntoa() writes back: no leading zeros, no octal, no
        # short forms (_PLAIN_PREFIX's reading, a regular expression's cost saved a line)
        try:
            packed = inet_aton(address)
        except (OSError, ValueError):
            return None
        if inet_ntoa(packed) != address:
            return None
        if slash:
            bits = PREFIX_LENGTHS.get(length)
            if bits is None:
                return None
        else:
            length, bits = None, 32
        key = (length, plan.other_words(words)) if plan.other_words is not None else length
        known = plan.known.get(key) if plan.dev is None else None  # an ifindex may change: not remembered
        if known is None:
            parts = self.header_and_rest(plan, words, bits)
            if parts is None:
                return None
            head, tail = parts[0] + DST_HEAD, parts[1]
            known = (head, tail, HEADER.size + len(head) + 4 + len(tail))
            if plan.dev is None and len(plan.known) < 4096:
                plan.known[key] = known
        rtnl = self.session.rtnl
        rtnl.seq += 1  # Rtnl.request(), written out: the message in one join
        return b"".join((HEADER.pack(known[2], plan.kind, plan.flags, rtnl.seq, 0), known[0], packed, known[1]))

    def header_and_rest(self, plan: Plan, words: list[str], length: int) -> tuple[bytes, bytes] | None:
        """The rtmsg and the attributes after RTA_DST, in route.attributes()' order; None if a value is not plain."""
        parts = []
        if plan.via is not None:
            gateway = self.gateways.get(words[plan.via]) or self.address_attr(RTA_GATEWAY, words[plan.via])
            if gateway is None:
                return None
            parts.append(gateway)
        if plan.src is not None:
            source = self.sources.get(words[plan.src]) or self.address_attr(RTA_PREFSRC, words[plan.src])
            if source is None:
                return None
            parts.append(source)
        table = RT_TABLE_MAIN
        if plan.table is not None:
            table = self.numbers["table"].get(words[plan.table]) or self.number("table", words[plan.table])
            if table is None:
                return None
            if table >= 256:
                parts.append(attr_u32(RTA_TABLE, table))
        if plan.metric is not None:
            metric = read_u32(words[plan.metric])
            if metric is None:
                return None
            parts.append(attr_u32(RTA_PRIORITY, metric))
        if plan.dev is not None:
            try:
                parts.append(attr_u32(RTA_OIF, self.session.links.index(words[plan.dev])))
            except CommandFailed:
                return None
        header = self.header(plan, words, length, table)
        return None if header is None else (header, b"".join(parts))

    def header(self, plan: Plan, words: list[str], length: int, table: int) -> bytes | None:
        """The rtmsg: route.header() for a unicast IPv4 route, its scope as default_scope() picks it."""
        if plan.protocol is not None:
            text = words[plan.protocol]
            protocol = self.numbers["protocol"].get(text)
            if protocol is None:
                protocol = self.number("protocol", text)
        else:
            protocol = 0 if plan.deleting else RTPROT_BOOT
        if plan.scope is not None:
            text = words[plan.scope]
            scope = self.numbers["scope"].get(text)
            if scope is None:
                scope = self.number("scope", text)
        else:
            scope = RT_SCOPE_NOWHERE if plan.deleting else RT_SCOPE_UNIVERSE if plan.via is not None else RT_SCOPE_LINK
        if protocol is None or scope is None:
            return None
        return RTMSG.pack(socket.AF_INET, length, 0, 0, table if table < 256 else 0, protocol, scope,
                          RTN_UNSPEC if plan.deleting else RTN_UNICAST, RTNH_F_ONLINK if plan.onlink is not None else 0)

    def address_attr(self, kind: int, text: str) -> bytes | None:
        """The RTA_GATEWAY / RTA_PREFSRC of a plain dotted quad, as parse_address() reads it; remembered."""
        if plain_quad(text) is None:
            return None
        attr = ADDRESS_HEADS[kind] + socket.inet_aton(text)
        remembered = self.gateways if kind == RTA_GATEWAY else self.sources
        if len(remembered) < 4096:
            remembered[text] = attr
        return attr

    def number(self, field: str, text: str) -> int | None:
        """What the field's name database makes of the word (NameDB.named()), or None; remembered."""
        named = getattr(self.session.names, DATABASES[field]).named(text)
        if named is None:
            return None
        if len(self.numbers[field]) < 4096:
            self.numbers[field][text] = named.number
        return named.number
