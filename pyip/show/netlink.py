"""Raw rtnetlink decoding, the way iproute2's parse_rtattr() sees a message.

pyroute2 decodes attributes into names and Python values, but drops those it
does not know (RTA_NH_ID, RTAX_FASTOPEN_NO_COOKIE, FRA_DSCP...), renames some
(FRA_IFNAME is "FRA_IIFNAME") and turns others into strings ("100:200" for a
uid range, "UP" for an operstate).  Printing byte for byte what iproute2
prints needs the bytes iproute2 saw, so the printers read the raw message
that every pyroute2 message keeps (`msg.data[msg.offset:][:length]`).
"""

from __future__ import annotations

import socket
import struct

import attrs

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


@attrs.frozen
class Message:
    """One netlink message: its type, its family header fields, its attributes."""

    type: int
    header: tuple
    attrs: dict  # attribute type -> payload bytes (first occurrence, as parse_rtattr)


def raw_bytes(message) -> bytes:
    """The wire bytes of a pyroute2 message (or of bytes given as such)."""
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
    if ADDRESS_LENGTHS.get(family) == len(payload):
        return socket.inet_ntop(family, payload)
    return "???"


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
