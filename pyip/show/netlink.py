"""Raw rtnetlink decoding, the way iproute2's parse_rtattr() sees a message.

Printing byte for byte what iproute2 prints needs the bytes iproute2 saw
(a decoding library drops attributes it does not know, renames others and
turns some into strings), so the printers read the raw messages: bytes, or
a datagram and the span of each message in it (Layouts), as a dump streams
them.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module (start-up time)

NLA_F_NESTED = 0x8000
NLMSG_HEADER = struct.Struct("=IHHII")

# Fixed family headers after the nlmsghdr.
RTMSG = struct.Struct("=BBBBBBBBI")          # family dst_len src_len tos table protocol scope type flags
FIB_RULE_HDR = struct.Struct("=BBBBBBBBI")   # family dst_len src_len tos table res1 res2 action flags
IFADDRMSG = struct.Struct("=BBBBI")          # family prefixlen flags scope index
IFINFOMSG = struct.Struct("=BxHiII")         # family type index flags change
RTNEXTHOP = struct.Struct("=HBBi")           # len flags hops ifindex


def align(length: int) -> int:
    return (length + 3) & ~3


class Message:
    """One netlink message: its type, its family header fields, its attributes."""

    __slots__ = ("type", "header", "attrs")

    def __init__(self, kind: int, header: tuple, attributes_: dict):
        self.type = kind
        self.header = header
        self.attrs = attributes_  # attribute type -> payload bytes (first occurrence, as parse_rtattr)


def raw_bytes(message) -> bytes:
    """The wire bytes of a message: bytes, or a pyroute2 message (which keeps them)."""
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    length = message["header"]["length"]
    return bytes(message.data[message.offset:message.offset + length])


def decode(message, layout: struct.Struct) -> Message:
    data = raw_bytes(message)
    length, kind = NLMSG_HEADER.unpack_from(data)[:2]
    header = layout.unpack_from(data, NLMSG_HEADER.size)
    start = NLMSG_HEADER.size + align(layout.size)
    return Message(kind, header, attributes(data[start:length]))


def attribute_list(data: bytes) -> list[tuple[int, bytes]]:
    """Every attribute in order, nested flag masked off (RTA_OK/RTA_NEXT)."""
    found = []
    offset = 0
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4 or offset + length > len(data):
            break
        found.append((kind & ~NLA_F_NESTED, data[offset + 4:offset + length]))
        offset += align(length)
    return found


def attributes(data: bytes) -> dict[int, bytes]:
    """parse_rtattr(): the first attribute of each type wins."""
    table: dict[int, bytes] = {}
    for kind, payload in attribute_list(data):
        table.setdefault(kind, payload)
    return table


def u8(payload: bytes) -> int:
    return payload[0]


def u16(payload: bytes) -> int:
    return struct.unpack_from("=H", payload)[0]


def u32(payload: bytes) -> int:
    return struct.unpack_from("=I", payload)[0]


def s32(payload: bytes) -> int:
    return struct.unpack_from("=i", payload)[0]


def string(payload: bytes) -> str:
    """An asciiz attribute (rta_getattr_str)."""
    return payload.split(b"\0", 1)[0].decode(errors="surrogateescape")  # the bytes, as ip prints them


ADDRESS_LENGTHS = {socket.AF_INET: 4, socket.AF_INET6: 16}


def address(family: int, payload: bytes) -> str:
    """rt_addr_n2a(): inet_ntop for IPv4/IPv6, as ip prints without -r."""
    if family == socket.AF_INET and len(payload) == 4:  # glibc's inet_ntop is sprintf, twice as slow
        return DOTTED[payload[0]] + DOTTED[payload[1]] + DOTTED[payload[2]] + DECIMAL[payload[3]]
    if ADDRESS_LENGTHS.get(family) == len(payload):
        return inet_ntop(family, payload)
    return "???"


DECIMAL = [str(byte) for byte in range(256)]
DOTTED = [text + "." for text in DECIMAL]
inet_ntop = socket.inet_ntop


def multipath(payload: bytes) -> list[tuple[tuple, dict[int, bytes]]]:
    """The rtnexthop entries of RTA_MULTIPATH: (len, flags, hops, ifindex), attributes."""
    hops = []
    offset = 0
    while len(payload) - offset >= RTNEXTHOP.size:
        fields = RTNEXTHOP.unpack_from(payload, offset)
        length = fields[0]
        if length > len(payload) - offset:
            break
        hops.append((fields, attributes(payload[offset + RTNEXTHOP.size:offset + length])))
        offset += align(length)
    return hops


def spans(data: bytes, kind: int):
    """(offset, length) of each message of type KIND in a datagram of a dump."""
    offset, size = 0, len(data)
    while offset + NLMSG_HEADER.size <= size:
        length, found = SPAN.unpack_from(data, offset)
        if length < NLMSG_HEADER.size or offset + length > size:
            return
        if found == kind:
            yield offset, length
        offset += (length + 3) & ~3


SPAN = struct.Struct("=IH")  # nlmsg_len, nlmsg_type
NLMSG_ERROR, NLMSG_DONE = 2, 3
DUMP_HEAD = struct.Struct("=IHHI")  # nlmsg_len, nlmsg_type, nlmsg_flags, nlmsg_seq


def spans_until_end(data: bytes, seq: int, wanted: int) -> tuple[list[tuple[int, int]], bytes | None]:
    """(offset, length) of each message of type WANTED and sequence SEQ in a datagram of a dump,
    and the message that ends the dump (NLMSG_DONE or NLMSG_ERROR) if the datagram holds it."""
    found, offset, size = [], 0, len(data)
    while offset + DUMP_HEAD.size <= size:
        length, kind, _, message_seq = DUMP_HEAD.unpack_from(data, offset)
        if length < NLMSG_HEADER.size or offset + length > size:
            break
        if message_seq == seq:
            if kind == wanted:
                found.append((offset, length))
            elif kind in (NLMSG_DONE, NLMSG_ERROR):
                return found, data[offset:offset + length]
        offset += (length + 3) & ~3
    return found, None


class Layout:
    """Messages whose attributes have the same lengths, in the same order, read by one unpack_from.

    `unpack` gives the family header's fields, then (length, type, payload)
    for each attribute; `bounds` says where each attribute starts, and where
    the last ends, from the start of the message.  `complete`: the attributes
    fill the message (else it must be walked each time: what follows is not
    theirs).
    """

    __slots__ = ("unpack", "lengths", "header_fields", "bounds", "complete")

    def __init__(self, header: struct.Struct, data: bytes, offset: int, length: int):
        start = NLMSG_HEADER.size + align(header.size)
        fmt = ["=%dx%s%dx" % (NLMSG_HEADER.size, header.format.lstrip("=@<>!"), align(header.size) - header.size)]
        bounds = []
        position = start
        for _, payload in attribute_list(data[offset + start:offset + length]):
            size = 4 + len(payload)
            padding = min(align(size), length - position) - size
            fmt.append("HH%ds%dx" % (len(payload), padding))
            bounds.append(position)
            position += size + padding
        self.bounds = (*bounds, position)
        self.complete = position == length
        self.unpack = struct.Struct("".join(fmt)).unpack_from
        self.header_fields = len(header.unpack_from(bytes(header.size)))
        self.lengths = self.unpack(data, offset)[self.header_fields::3]


class Layouts:
    """The layouts met in one dump, by message length: a dump repeats a few of them.

    decode() checks that the message has the attribute lengths of the layout
    it tries (the types may differ: they are read, not assumed), so a wrong
    guess costs another try or a walk, never a wrong answer.  A few layouts
    are kept for each length (rules of one length often differ in their
    attributes' lengths).  Trailing bytes too short for an attribute are
    dropped, as parse_rtattr() drops them.
    """

    KEPT = 4  # layouts per message length

    def __init__(self, header: struct.Struct):
        self.header = header
        self.known: dict[int, list[Layout]] = {}

    def decode(self, data: bytes, offset: int, length: int) -> tuple[tuple, dict, Layout, tuple]:
        """The family header's fields, {attribute type: payload} (the first of each type wins),
        the layout (where each attribute is) and the attribute types in order."""
        for layout in self.known.get(length, ()):
            fields = layout.unpack(data, offset)
            count = layout.header_fields
            if fields[count::3] == layout.lengths:
                break
        else:
            layout = Layout(self.header, data, offset, length)
            if layout.complete:
                self.known[length] = [*self.known.get(length, ())[:self.KEPT - 1], layout]
            fields = layout.unpack(data, offset)
            count = layout.header_fields
        kinds = fields[count + 1::3]
        table = dict(zip(kinds, fields[count + 2::3]))
        if len(table) != len(kinds) or (kinds and max(kinds) & NLA_F_NESTED):
            kinds = tuple(kind & ~NLA_F_NESTED for kind in kinds)
            table = {}
            for kind, payload in zip(kinds, fields[count + 2::3]):
                table.setdefault(kind, payload)
        return fields[:count], table, layout, kinds


def without(data: bytes, offset: int, length: int, layout: Layout, kinds: tuple, dropped) -> bytes:
    """The bytes of a message decoded by Layouts.decode(), past its netlink header, without
    its attributes whose type is in DROPPED: what the rest of a printed line depends on."""
    parts, start = [], offset + NLMSG_HEADER.size
    bounds = layout.bounds
    for index, kind in enumerate(kinds):
        if kind in dropped:
            parts.append(data[start:offset + bounds[index]])
            start = offset + bounds[index + 1]
    parts.append(data[start:offset + length])
    return b"".join(parts)


def find_attribute(data: bytes, start: int, stop: int, kind: int) -> tuple[int, int, int]:
    """Where the first attribute of type KIND is among those from START to STOP, as
    parse_rtattr() walks them: (its start, its payload's end, its end with padding), or
    (0, 0, 0) when there is none."""
    unpack = ATTRIBUTE_HEADER.unpack_from
    while start + 4 <= stop:
        length, found = unpack(data, start)
        if length < 4 or start + length > stop:
            break
        if found & ~NLA_F_NESTED == kind:
            return start, start + length, min(start + align(length), stop)
        start += align(length)
    return 0, 0, 0


ATTRIBUTE_HEADER = struct.Struct("=HH")
