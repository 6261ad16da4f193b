"""sctp (libxt_sctp.c): SCTP ports and chunk types.  An old-style extension with its own messages.

--chunk-types MODE LIST: MODE all (every listed chunk type is in the packet),
any (one of them is), only (no other type is); LIST is ALL, NONE or
NAME[:FLAGS],... where FLAGS are the chunk's flag letters, upper case for a
set bit, lower case for a clear one.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..ast.firewall import PortRange
from ..parser.xtables import Extension, Opt, parse_port, problem

# sctp_chunk_names[]: name, type, valid flag letters (bit 7 first), nft's name
CHUNKS = (("DATA", 0, "----IUBE", "data"), ("INIT", 1, "--------", "init"), ("INIT_ACK", 2, "--------", "init-ack"),
          ("SACK", 3, "--------", "sack"), ("HEARTBEAT", 4, "--------", "heartbeat"),
          ("HEARTBEAT_ACK", 5, "--------", "heartbeat-ack"), ("ABORT", 6, "-------T", "abort"),
          ("SHUTDOWN", 7, "--------", "shutdown"), ("SHUTDOWN_ACK", 8, "--------", "shutdown-ack"),
          ("ERROR", 9, "--------", "error"), ("COOKIE_ECHO", 10, "--------", "cookie-echo"),
          ("COOKIE_ACK", 11, "--------", "cookie-ack"), ("ECN_ECNE", 12, "--------", "ecne"),
          ("ECN_CWR", 13, "--------", "cwr"), ("SHUTDOWN_COMPLETE", 14, "-------T", "shutdown-complete"),
          ("I_DATA", 64, "----IUBE", "i-data"), ("RE_CONFIG", 130, "--------", "re-config"),
          ("PAD", 132, "--------", "pad"), ("ASCONF", 193, "--------", "asconf"),
          ("ASCONF_ACK", 128, "--------", "asconf-ack"), ("FORWARD_TSN", 192, "--------", "forward-tsn"),
          ("I_FORWARD_TSN", 194, "--------", "i-forward-tsn"))
BY_TYPE = {number: (name, flags, nft_name) for name, number, flags, nft_name in CHUNKS}
ALL_TYPES = "ALL"


class Chunks(metaclass=records.frozen):
    mode: str  # all, any, only
    types: object  # frozenset of chunk type numbers, or ALL_TYPES (every one of the 256)
    flags: tuple = ()  # (type, mask, value) in the order first given


class SctpMatch(metaclass=records.frozen):
    name: ClassVar[str] = "sctp"
    limits: ClassVar[tuple] = (None, None, 132)  # xt_sctp: .proto = IPPROTO_SCTP
    sport: object = None  # Test of PortRange
    dport: object = None
    chunks: object = None  # Test of Chunks


def parse_ports(text: str) -> PortRange:
    """parse_sctp_ports(): P, or P:Q with an empty side 0 or 65535."""
    if ":" not in text:
        port = parse_port(text, "sctp")
        return PortRange(port, port)
    first, _, last = text.partition(":")
    ports = PortRange(parse_port(first, "sctp") if first else 0, parse_port(last, "sctp") if last else 0xFFFF)
    if ports.first > ports.last:
        raise problem("invalid portrange (min > max)")
    return ports


def parse_chunks(mode_text: str, text: str) -> Chunks:
    mode = mode_text.lower()
    if mode not in ("all", "any", "only"):
        raise problem('Match type has to be one of "ALL", "ANY" or "ONLY"')
    if text.upper() == "ALL":
        return Chunks(mode, ALL_TYPES)
    if text.upper() == "NONE":
        return Chunks(mode, frozenset())
    types, flags = [], {}
    for item in filter(None, text.split(",")):
        name, colon, letters = item.partition(":")
        entry = next((chunk for chunk in CHUNKS if chunk[0].lower() == name.lower()), None)
        if entry is None:
            raise problem(f"Unknown sctp chunk `{name}'")
        types.append(entry[1])
        for letter in letters if colon else "":
            position = entry[2].find(letter.upper())
            if letter.upper() == "-" or position < 0:
                raise problem(f"Invalid flags for chunk type {CHUNKS.index(entry)}")
            bit = 1 << (7 - position)
            mask, value = flags.get(entry[1], (0, 0))
            flags[entry[1]] = (mask | bit, value | (bit if letter.isupper() else 0))
    return Chunks(mode, frozenset(types), tuple((number, mask, value) for number, (mask, value) in flags.items()))


class Match(Extension):
    name = "sctp"
    generic = False
    options = (Opt("source-port", "sport", invert=True), Opt("sport", "sport", invert=True),
               Opt("destination-port", "dport", invert=True), Opt("dport", "dport", invert=True),
               Opt("chunk-types", "chunks", arity=2, invert=True))
    TWICE = {"sport": "Only one `--source-port' allowed", "dport": "Only one `--destination-port' allowed",
             "chunks": "Only one `--chunk-types' allowed"}

    def take(self, given) -> None:
        if given.option.key in self.given:
            raise problem(self.TWICE[given.option.key], given.location)
        super().take(given)

    def read_sport(self, given):
        return parse_ports(given.value)

    read_dport = read_sport

    def read_chunks(self, given):
        if len(given.values) < 2 or given.values[1][:1] in ("-", "!"):
            raise problem("--chunk-types requires two args")
        return parse_chunks(given.values[0], given.values[1])

    def finish(self):
        return SctpMatch(self.values.get("sport"), self.values.get("dport"), self.values.get("chunks"))


def chunks_text(chunks: Chunks) -> list:
    """print_chunks(): the mode, then ALL, NONE or the types in number order, each with its flags."""
    if chunks.types == ALL_TYPES:
        return [chunks.mode, "ALL"]
    if not chunks.types:
        return [chunks.mode, "NONE"]
    items = []
    for number in sorted(chunks.types):
        name, letters, _ = BY_TYPE[number]
        text = name
        for flag_type, mask, value in chunks.flags:
            if flag_type == number:
                text += ":" + "".join(letters[7 - bit] if value & 1 << bit else letters[7 - bit].lower()
                                      for bit in range(7, -1, -1) if mask & 1 << bit)
        items.append(text)
    return [chunks.mode, ",".join(items)]


def match_words(match: SctpMatch) -> list:
    words: list = []
    for test, option in ((match.sport, "--sport"), (match.dport, "--dport")):
        if test is not None:
            words += (["!"] if test.negated else []) + [option, str(test.value)]
    if match.chunks is not None:
        words += (["!"] if match.chunks.negated else []) + ["--chunk-types", *chunks_text(match.chunks.value)]
    return words


def match_nft(match: SctpMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable, port_value

    statements = [nft.Match(nft.Payload("sctp", field), port_value(test.value), test.negated)
                  for test, field in ((match.sport, "sport"), (match.dport, "dport")) if test is not None]
    if match.chunks is not None:
        chunks = match.chunks.value
        if match.chunks.negated or chunks.mode != "all" or chunks.flags or chunks.types == ALL_TYPES:
            raise Untranslatable("sctp --chunk-types other than `all' of plain chunk types (nft tests the first "
                                 "chunk of a type, xt_sctp every one; `only' also refuses types nft has no name for)")
        for number in sorted(chunks.types):
            name = BY_TYPE[number][2]
            statements.append(nft.Raw(f"sctp chunk {name} exists",
                                      {"match": {"op": "==", "left": {"sctp chunk": {"name": name}}, "right": True}}))
    return statements or [nft.Match(nft.Payload("sctp", "dport"), nft.Span(0, 0xFFFF))]


SAVE = {SctpMatch: match_words}
NFT = {SctpMatch: match_nft}
MATCH = Match
