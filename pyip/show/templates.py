"""Line templates: a listing's entries printed with one unpack_from and one `%` each.

A big table repeats a few shapes: rules that differ only in their
priorities and prefixes, addresses only in their address.  Such a message
splits into its *varying* fields (a priority, an address, a mark: what
changes from entry to entry and is printed as plain text) and the rest,
its *key*.  The first message of each key is printed in full by the
listing's own printer; so is a copy of it whose varying fields hold
sentinel values.  Where the sentinels' texts stand in that copy's output,
the template takes `%` conversions; it is kept only if it prints the real
message exactly as the printer did.  Later messages with the same key print
from the template, never decoded.

Why this is exact: the key holds every byte of the message past its
netlink header but the varying fields' (the attribute headers included, so
a key also says where each attribute is), and the printers look at a
varying field only through its text, save for the checks a message must
pass to use a template (`Check`: an equal pair of addresses, a non-zero
mark).  The struct that splits a message is guessed from its length among
the few met before; a wrong guess gives a key that no verified message
had, so the message is printed in full.

tests/test_show_stream.py checks every listing made this way against the
same messages printed in full.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)
import sys
from _operator import itemgetter  # operator.py re-exports the C module (start-up time)

from pyip.show.netlink import (ATTRIBUTE_HEADER, DUMP_HEAD, NLA_F_NESTED, NLMSG_DONE, NLMSG_ERROR,
                               NLMSG_HEADER, align, spans_until_end)

U32_AT = struct.Struct("=I").unpack_from
LENGTH_BYTES = 4  # nlmsg_len, which says the message's layout: the rest of the header is key

# What a varying field is, and how its text is written: (struct code, conversion)
U32, HEX, ADDR4, ADDR6 = "u32", "hex", "addr4", "addr6"
FORMATS = {U32: ("I", "%u"), HEX: ("I", "%#x"), ADDR4: ("BBBB", "%d.%d.%d.%d"), ADDR6: ("16s", "%s")}
# SKIP: bytes no printer reads (not key).  SHADOWED: bytes the printer does not read because an
# attribute stands for them (fib_rule_hdr's table byte): key bytes, but not a Proto's.
SKIP, SHADOWED = "skip", "shadowed"
# Any other role is a *named* field's, printed as the listing's `name_of[role](value)` text (a
# table's name, a prefix length), or printed otherwise where that gives None (a zero table: no
# `lookup`).  Its bytes stay in the key, its text baked into the key's template as plain text; a
# new value with a known key's other bytes gets its template from that key's Proto, not by printing.
NOT_LISTED = (None, None)  # the key's messages are not printed (another family, a selector)
RENDER = object()          # the key's messages are printed in full: no template fits ...
RENDERED = (RENDER, None)  # ... the entry that says so
KEPT = 4                   # layouts per message length
TEMPLATES = 65536          # templates per layout, at most: a table of all-different entries stays bounded


class Field:
    """One varying field of a message: where it is, what it is, which group of equal fields it is in."""

    __slots__ = ("start", "size", "role", "group", "indexes")

    def __init__(self, start: int, size: int, role: str, group):
        self.start, self.size, self.role, self.group = start, size, role, group
        self.indexes: tuple = ()  # its places in the unpacked tuple


class Layout:
    """One arrangement of a message: the struct that splits it into key chunks and varying fields."""

    __slots__ = ("format", "identity", "unpack", "key", "fields", "check", "templates", "named", "masked",
                 "protos", "parts")

    def __init__(self, length: int, fields: list[Field]):
        # The key starts after the message's length (the layout's own) with the netlink header's type,
        # flags, sequence and port: a message of another type or dump finds no template, so the
        # per-message loops need not check them (they do on a miss).
        parts, key_indexes, position, count = ["=%dx" % LENGTH_BYTES], [], LENGTH_BYTES, 0
        self.masked = [field for field in fields if field.role == SHADOWED or _named(field.role)]
        self.named = [field for field in self.masked if field.role != SHADOWED]
        fields = [field for field in fields if field not in self.masked]  # the rest are key bytes
        for field in fields:
            if field.start > position:
                parts.append("%ds" % (field.start - position))
                key_indexes.append(count)
                count += 1
            if field.role == SKIP:
                parts.append("%dx" % field.size)
            else:
                code = FORMATS[field.role][0]
                parts.append(code)
                width = 4 if code == "BBBB" else 1
                field.indexes = tuple(range(count, count + width))
                count += width
            position = field.start + field.size
        if length > position:
            parts.append("%ds" % (length - position))
            key_indexes.append(count)
        self.format = "".join(parts)
        self.identity = (self.format, tuple((field.start, field.size, field.role) for field in self.masked))
        self.key = itemgetter(*key_indexes) if key_indexes else _no_key
        self.fields = [field for field in fields if field.role != SKIP] + self.named  # what takes sentinels

    def compile(self) -> Layout:
        """Make the struct and the check: for a layout that is kept."""
        self.unpack = struct.Struct(self.format).unpack_from
        self.check = _check(self.fields)
        self.templates: dict = {}
        self.protos: dict = {}  # the key with the masked bytes zero -> Proto, for a layout with named fields
        # what the per-message loops call, in one tuple (the templates are cleared in place, never replaced)
        self.parts = (self.unpack, self.key, self.templates.get, self.check)
        return self

    def named_values(self, data: bytes, offset: int) -> list[int]:
        return [int.from_bytes(data[offset + field.start:offset + field.start + field.size], sys.byteorder)
                for field in self.named]

    def proto_key(self, data: bytes, offset: int, length: int) -> tuple:
        """The key of the message with its named and shadowed bytes zero."""
        copy = bytearray(data[offset:offset + length])
        for field in self.masked:
            copy[field.start:field.start + field.size] = bytes(field.size)
        return self.key(self.unpack(copy, 0))


def _named(role: str) -> bool:
    return role not in FORMATS and role != SKIP and role != SHADOWED


def _no_key(_fields):
    return ()


def _check(fields: list[Field]):
    """What a message must pass to print from a template: a non-zero HEX (C's %#x of 0 is "0", not
    "0x0") and equal fields in a group (an address and its peer: a different peer is printed).
    One expression, compiled: it runs once per message."""
    tests, first = [], {}
    for field in fields:
        if field.role == HEX:
            tests.append("v[%d]" % field.indexes[0])
        if field.group is None or not field.indexes:
            continue
        if field.group in first:
            ours = first[field.group].indexes
            if len(ours) == len(field.indexes):  # item by item: no slices made (an address's 4 octets)
                tests += ["v[%d] == v[%d]" % pair for pair in zip(ours, field.indexes)]
            else:
                tests.append("False")
        else:
            first[field.group] = field
    if not tests:
        return None
    # truthy or not is all the callers ask: no bool() call
    return eval("lambda v: %s" % " and ".join(tests))  # noqa: S307 (indexes made here, nothing read)


def sentinel(field: Field, number: int, name_of: dict) -> tuple[bytes, str]:
    """A value for the field unlike anything a listing prints around it, and its text."""
    if field.role in (U32, HEX):
        value = 0xC0FFEE01 + 0x10101 * number
        return struct.pack("=I", value), FORMATS[field.role][1] % value
    if field.role not in FORMATS:  # a named field
        value = 0xE3 - number if field.size == 1 else 0xC0FFEE01 + 0x10101 * number
        return value.to_bytes(field.size, sys.byteorder), name_of[field.role](value)
    if field.role == ADDR4:
        data = bytes((203, 0, 113, 201 + number))
        return data, "%d.%d.%d.%d" % tuple(data)
    data = bytes.fromhex("20010db8c0ffee00000000000000ee%02x" % (0xa1 + number))
    return data, socket.inet_ntop(socket.AF_INET6, data)


class Templates:
    """The templates of one listing.

    `fields(kind, payload_length, family)` says which parts of an attribute
    vary: [(offset in the payload, size, role, group)], [] when none;
    `header_fields(family, sizes)` (optional) the same of the family header
    (offset in it), given the payload size of the first attribute of each
    type.  `render(data, offset, length)` prints one message in full and
    returns its text (JSON: its object, no separator before it), or None when
    it is not listed.  `name_of[role](value)` is a named field's text as the
    printer writes it (JSON escapes included), None where it prints the field
    otherwise; a role that is neither known nor named is key bytes.

    Which layout a message has is chosen by its length and, where several
    layouts share it, by one attribute header at a place they all have one
    (`choose`: length -> the layout, or (place, {header: layout})); a message
    whose choice fails is tried against each layout of its length.
    """

    def __init__(self, header: struct.Struct, fields, render, name_of: dict | None = None, header_fields=None):
        self.start = NLMSG_HEADER.size + align(header.size)
        self.fields_of = fields
        self.render = render
        self.name_of = name_of or {}
        self.header_fields = header_fields
        self.known: dict[int, list[Layout]] = {}
        self.choose: dict = {}
        self.plans: dict = {}  # length -> what the per-message loops look up (_plan())
        self.signatures: dict[int, dict[tuple, Layout]] = {}  # length -> attribute headers -> layout

    def text(self, data: bytes, offset: int, length: int) -> str | None:
        """The message's text, from its template if it has one (print_datagram() inlines this)."""
        layout = self.choose.get(length)
        if type(layout) is tuple:
            layout = layout[1].get(U32_AT(data, offset + layout[0])[0])
        if layout is not None:
            values = layout.unpack(data, offset)
            entry = layout.templates.get(layout.key(values))
            if entry is not None:
                fmt, pick = entry
                if pick is not None and (layout.check is None or layout.check(values)):
                    return fmt % pick(values)
                return self.from_entry(entry, layout, values, data, offset, length)
        return self.search(data, offset, length)

    def from_entry(self, entry: tuple, layout: Layout, values: tuple, data: bytes, offset: int, length: int):
        fmt, pick = entry
        if pick is not None:
            if layout.check is None or layout.check(values):
                return fmt % pick(values)
            return self.render(data, offset, length)
        if fmt is RENDER:
            return self.render(data, offset, length)
        return fmt

    def search(self, data: bytes, offset: int, length: int) -> str | None:
        """text() when the chosen layout has no template for the message: each layout of its length
        is tried, else the message is learnt."""
        known = self.known.get(length, ())
        for layout in known:
            values = layout.unpack(data, offset)
            entry = layout.templates.get(layout.key(values))
            if entry is not None:
                return self.from_entry(entry, layout, values, data, offset, length)
        for layout in known:
            if layout.protos:
                entry = self.derived(layout, data, offset, length)
                if entry is not None:
                    return self.from_entry(entry, layout, layout.unpack(data, offset), data, offset, length)
        return self.learn(data, offset, length)

    def derived(self, layout: Layout, data: bytes, offset: int, length: int):
        """The entry of a key whose bytes but its named and shadowed ones are a known key's (its
        Proto), with the names baked in; None when there is none, or a name is printed otherwise."""
        proto = layout.protos.get(layout.proto_key(data, offset, length))
        if proto is None:
            return None
        names = self.names(layout, data, offset)
        if names is None:
            return None
        entry = proto.baked(names)
        _remember(layout.templates, layout.key(layout.unpack(data, offset)), entry)
        return entry

    def names(self, layout: Layout, data: bytes, offset: int) -> list[str] | None:
        """The texts of the message's named fields, None if one of them is printed otherwise."""
        names = [self.name_of[field.role](value)
                 for field, value in zip(layout.named, layout.named_values(data, offset))]
        return None if None in names else names

    def print_datagram(self, data: bytes, seq: int, wanted: int, out) -> bytes | None:
        """Print on OUT (a pyip.show.common.Printer) the messages of type WANTED and sequence SEQ
        in DATA, a datagram of a dump; return the message that ends the dump (NLMSG_DONE or
        NLMSG_ERROR) if DATA holds it.  text() and the netlink walk of Rtnl.dump_stream(), inlined:
        this loop runs once per entry of a big table.  A message its layout's template prints is
        printed at once (the key holds its type and sequence); missed() sees to any other."""
        plans, missed, u32_at = self.plans, self.missed, U32_AT
        texts: list[str] = []
        append = texts.append
        end, offset, size = None, 0, len(data)
        while offset + 16 <= size:
            length = u32_at(data, offset)[0]
            plan = plans.get(length)
            if plan is not None and len(plan) == 2:  # (byte place, {byte there: parts})
                plan = plan[1].get(data[offset + plan[0]])
            if plan is not None:
                unpack, key, get, check = plan
                try:
                    values = unpack(data, offset)
                except struct.error:  # the message runs past the datagram: the walk ends, as below
                    break
                entry = get(key(values))
                if entry is not None:
                    fmt, pick = entry
                    if pick is not None and (check is None or check(values)):
                        append(fmt % pick(values))
                        offset += (length + 3) & ~3
                        continue
            if length < 16 or offset + length > size:
                break
            _, text, end = missed(data, offset, length, seq, wanted)
            if end is not None:
                break
            if text is not None:
                append(text)
            offset += (length + 3) & ~3
        if texts:
            writer = out.writer
            if writer is None:
                out.text.append("".join(texts))
            else:  # the objects' separators, the first as the array's state says
                writer.out.append(writer.sep + ",".join(texts))
                writer.sep = ","
        return end

    def missed(self, data: bytes, offset: int, length: int, seq: int, wanted: int) -> tuple:
        """A message of a datagram that no template printed at once: (True, its text or None when
        it is not listed, None) for one of the dump; (False, None, the message) for the one that
        ends the dump; (False, None, None) for another request's or type's, passed over."""
        _, kind, _, message_seq = DUMP_HEAD.unpack_from(data, offset)
        if message_seq != seq or kind != wanted:
            if message_seq == seq and (kind == NLMSG_DONE or kind == NLMSG_ERROR):
                return False, None, data[offset:offset + length]
            return False, None, None
        return True, self.text(data, offset, length), None

    def group_datagram(self, data: bytes, seq: int, wanted: int, groups: dict, group_at: int) -> bytes | None:
        """print_datagram() into GROUPS: each message's text (if listed) appended to the list of
        the u32 at GROUP_AT in it (an address's ifindex), that list made for every message of the
        dump; the same walk and look-up, inlined for the same reason."""
        plans, missed, u32_at = self.plans, self.missed, U32_AT
        group, texts = None, None
        end, offset, size = None, 0, len(data)
        while offset + 16 <= size:
            length = u32_at(data, offset)[0]
            plan = plans.get(length)
            if plan is not None and len(plan) == 2:  # (byte place, {byte there: parts})
                plan = plan[1].get(data[offset + plan[0]])
            text = None
            if plan is not None:
                unpack, key, get, check = plan
                try:
                    values = unpack(data, offset)
                except struct.error:
                    break
                entry = get(key(values))
                if entry is not None:
                    fmt, pick = entry
                    if pick is not None and (check is None or check(values)):
                        text = fmt % pick(values)
            if text is None:
                if length < 16 or offset + length > size:
                    break
                ours, text, end = missed(data, offset, length, seq, wanted)
                if end is not None:
                    break
                if not ours:
                    offset += (length + 3) & ~3
                    continue
            value = u32_at(data, offset + group_at)[0]
            if value != group:  # a dump brings each link's addresses together
                group = value
                texts = groups.get(value)
                if texts is None:
                    texts = groups[value] = []
            if text is not None:
                texts.append(text)
            offset += (length + 3) & ~3
        return end

    def learn(self, data: bytes, offset: int, length: int) -> str | None:
        """Print the message in full; remember a template for its key when one fits."""
        text = self.render(data, offset, length)
        layout = self.layout(data, offset, length)
        if layout is None:
            return text
        values = layout.unpack(data, offset)
        if text is None:
            entry = NOT_LISTED
        elif layout.check is not None and not layout.check(values):
            # a peer of its own, a zero mark: the key's messages are printed in full from now on
            # (a key of peer addresses would otherwise learn again at each one)
            entry = RENDERED
        else:
            entry = self.template(layout, data, offset, length, values, text)
        _remember(layout.templates, layout.key(values), entry)
        return text

    def layout(self, data: bytes, offset: int, length: int) -> Layout | None:
        """The message's layout (a known one, or a new one kept), or None when its attributes do not
        fill it exactly."""
        walked = self.varying(data, offset, length)
        if walked is None:
            return None
        fields, headers = walked
        layout = Layout(length, fields)
        known = self.known.setdefault(length, [])
        for other in known:
            if other.identity == layout.identity:
                layout = other
                break
        else:
            known.insert(0, layout.compile())
            del known[KEPT:]
        signatures = self.signatures.setdefault(length, {})
        if signatures.get(headers) is layout:
            return layout  # an arrangement met before: the choice stands
        signatures[headers] = layout
        for signature, kept in list(signatures.items()):
            if kept not in known:
                del signatures[signature]
        self.choose[length] = _choice(signatures)
        plan = _plan(self.choose[length])
        if plan is None:
            self.plans.pop(length, None)
        else:
            self.plans[length] = plan
        return layout

    def varying(self, data: bytes, offset: int, length: int) -> tuple[list[Field], tuple] | None:
        """The varying fields, as parse_rtattr() sees the attributes (the first of each type), and
        the attribute headers ((place, header as a u32), ...)."""
        fields, seen, position, headers = [], {}, self.start, []
        family = data[offset + NLMSG_HEADER.size]
        while position + 4 <= length:
            size, kind = ATTRIBUTE_HEADER.unpack_from(data, offset + position)
            if size < 4 or position + size > length:
                return None
            headers.append((position, U32_AT(data, offset + position)[0]))
            kind &= ~NLA_F_NESTED
            if kind not in seen:
                seen[kind] = size - 4
                for start, width, role, group in self.fields_of(kind, size - 4, family):
                    if not _named(role) or role in self.name_of:
                        fields.append(Field(position + 4 + start, width, role, group))
            position += align(size)
        if self.header_fields is not None:
            fields[:0] = [Field(NLMSG_HEADER.size + start, width, role, group)
                          for start, width, role, group in self.header_fields(family, seen)
                          if not _named(role) or role in self.name_of]
        return (fields, tuple(headers)) if position == length else None

    def template(self, layout: Layout, data: bytes, offset: int, length: int, values: tuple, text: str):
        """(format, pick) for the key: print the message with sentinels in its varying fields,
        put a conversion where each sentinel's text stands; RENDERED if that does not print TEXT.
        A named field's place gets its name, baked in; the key's Proto, which has the place, is
        kept for other names.  Where a name is printed otherwise (a zero table), the named fields
        keep their values and no Proto is kept."""
        names = self.names(layout, data, offset) if layout.named else []
        copy = bytearray(data[offset:offset + length])
        texts, groups = [], {}
        for number, field in enumerate(layout.fields):
            if names is None and field in layout.named:
                continue  # each named field keeps its value: this key's template alone
            if field.group in groups:
                payload = groups[field.group]
            else:
                payload, shown = sentinel(field, number, self.name_of)
                texts.append((shown, field))
                if field.group is not None:
                    groups[field.group] = payload
            copy[field.start:field.start + field.size] = payload
        printed = self.render(bytes(copy), 0, length)
        if printed is None:
            return RENDERED
        places = []
        for shown, field in texts:
            count = printed.count(shown)
            if count > 1:
                return RENDERED
            if count:
                places.append((printed.index(shown), shown, field))
        places.sort(key=lambda place: place[0])
        pieces, indexes, position = [], [], 0
        for at, shown, field in places:
            pieces.append(printed[position:at])
            if field in layout.named:
                pieces.append(layout.named.index(field))
            else:
                pieces.append((FORMATS[field.role][1],))
                indexes.extend(field.indexes)
            position = at + len(shown)
        pieces.append(printed[position:])
        pick = _picker(indexes, [field for _, _, field in places if field not in layout.named]) if indexes else None
        proto = Proto(pieces, pick)
        entry = proto.baked(names or [])
        try:
            same = (entry[0] if pick is None else entry[0] % pick(values)) == text
        except (TypeError, ValueError):
            same = False
        if not same:
            return RENDERED
        if names:
            _remember(layout.protos, layout.proto_key(data, offset, length), proto)
        return entry


class Proto:
    """A template before its names: literal texts, conversions ("%u",) and named places (the
    index of the name), and the pick of the conversions' values."""

    __slots__ = ("pieces", "pick")

    def __init__(self, pieces: list, pick):
        self.pieces, self.pick = pieces, pick

    def baked(self, names: list[str]) -> tuple:
        """(format, pick) with the names; (text, None) when nothing is converted."""
        escape = (lambda text: text) if self.pick is None else (lambda text: text.replace("%", "%%"))
        out = []
        for piece in self.pieces:
            if type(piece) is str:
                out.append(escape(piece))
            elif type(piece) is int:
                out.append(escape(names[piece]))
            else:
                out.append(piece[0])
        return "".join(out), self.pick


def _remember(table: dict, key, value) -> None:
    """table[key] = value, the table cleared when full: a long-running process meeting ever new
    keys stays bounded."""
    if len(table) >= TEMPLATES:
        table.clear()
    table[key] = value


def _choice(signatures: dict[tuple, Layout]):
    """How to choose the layout of a message of one length: the layout when there is one, else
    (place, {attribute header there: layout}) for the first place where every known arrangement
    has an attribute header that says its layout; None: try each."""
    layouts = set(signatures.values())
    if len(layouts) == 1:
        return next(iter(layouts))
    places = None
    for signature in signatures:
        here = {place for place, _ in signature}
        places = here if places is None else places & here
    for place in sorted(places or ()):
        table: dict[int, Layout] = {}
        for signature, layout in signatures.items():
            header = dict(signature)[place]
            if table.setdefault(header, layout) is not layout:
                break
        else:
            return place, table
    return None


def _plan(choice):
    """What the per-message loops look up for one length, from its choice (_choice()): the
    layout's parts; or, where layouts share the length, (place, {byte there: parts}) for the first
    byte of the choice's attribute header that tells them apart (one byte read, no unpack); None
    where no byte does, or there is no choice: each message of that length is then missed()."""
    if choice is None:
        return None
    if type(choice) is not tuple:
        return choice.parts
    place, table = choice
    for byte in range(4):
        parts = {header >> 8 * byte & 0xFF: layout.parts for header, layout in table.items()}
        if len(parts) == len(table):
            return place + byte, parts
    return None


def _picker(indexes: list[int], fields: list[Field]):
    """The values a template's conversions take, in the order it prints them."""
    pick = itemgetter(*indexes)
    if not any(field.role == ADDR6 for field in fields):
        return pick
    places, position = [], 0
    for field in fields:
        if field.role == ADDR6:
            places.append(position)
        position += len(field.indexes)
    ntop, family = socket.inet_ntop, socket.AF_INET6

    def pick_texts(values: tuple) -> tuple:
        picked = pick(values)
        picked = list(picked) if len(indexes) > 1 else [picked]
        for place in places:
            picked[place] = ntop(family, picked[place])
        return tuple(picked)

    return pick_texts


class TemplatedListing:
    """What a route or rule listing does with the dump (pyip.show.route.RouteListing, .rule.RuleListing):
    each message printed from its key's template when the listing has `templates`, else by the
    subclass's _feed_in_full(); `out` is the Printer the caller takes the text from."""

    templates: Templates | None
    out: object

    def feed(self, data: bytes, spans) -> None:
        """Print the selected messages among those at SPANS (offset, length) of DATA."""
        if self.templates is None:
            self._feed_in_full(data, spans)
            return
        text_of, add = self.templates.text, self.out.add
        for offset, length in spans:
            text = text_of(data, offset, length)
            if text is not None:
                add(text)

    def feed_datagram(self, data: bytes, seq: int, wanted: int) -> bytes | None:
        """feed() of the messages of type WANTED and sequence SEQ in a datagram of the dump; the
        message that ends the dump (NLMSG_DONE or NLMSG_ERROR), if the datagram holds it."""
        if self.templates is not None:
            return self.templates.print_datagram(data, seq, wanted, self.out)
        spans, end = spans_until_end(data, seq, wanted)
        self._feed_in_full(data, spans)
        return end

    def take(self) -> str:
        """What is printed since the last take(), for the caller to write now."""
        return self.out.take()

    def result(self) -> str:
        """The rest of the listing, its end (JSON's closing bracket) included."""
        return self.out.result()

