"""string (libxt_string.c): a string or bytes searched for in the packet."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt, parse_number, problem
from ..render.iptables_save import Text


class StringMatch(metaclass=records.frozen):
    name: ClassVar[str] = "string"
    pattern: fw.Test  # bytes
    algorithm: str
    offset_from: int = 0
    offset_to: int = 65535
    icase: bool = False

    @property
    def kernel_error(self) -> str | None:
        """xt_string refuses an empty pattern; an algorithm other than bm or kmp is no textsearch module."""
        if self.pattern.value == b"":
            return "Invalid argument"
        return None if self.algorithm in ("bm", "kmp") else "No such file or directory"


def parse_hex_string(text: str) -> bytes:
    """parse_hex_string(): text with |hex| blocks; `\\` quotes one character outside them."""
    if not text:
        raise problem("STRING must contain at least one char")
    out, i, hex_mode = bytearray(), 0, False
    while i < len(text):
        char = text[i]
        if char == "\\" and hex_mode:
            raise problem("Cannot include literals in hex data")
        if char == "|":
            hex_mode = not hex_mode
            i += 1
            while hex_mode and text[i:i + 1] == " ":
                i += 1
            continue
        if char == "\\":
            if i + 1 >= len(text):
                raise problem("Bad literal placement at end of string")
            out.append(ord(text[i + 1]) & 0xFF)
            i += 2
        elif hex_mode:
            out.append(read_hex_pair(text, i))
            i += 3 if text[i + 2:i + 3] == " " else 2
        else:
            out += text[i].encode("utf-8", "surrogateescape")
            i += 1
    return bytes(out)


def read_hex_pair(text: str, i: int) -> int:
    if i + 1 >= len(text):
        raise problem("Odd number of hex digits")
    if i + 2 >= len(text):
        raise problem("Invalid hex block")
    for char in text[i:i + 2]:
        if char not in "0123456789abcdefABCDEF":
            raise problem(f"Invalid hex char '{char}'")
    return int(text[i:i + 2], 16)


class Match(Extension):
    name = "string"
    options = (Opt("from", "from"), Opt("to", "to"), Opt("algo", "algo"), Opt("string", "string", invert=True),
               Opt("hex-string", "hex-string", invert=True), Opt("icase", "icase", arity=0))

    def read_from(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF)

    read_to = read_from

    def read_string(self, given):
        data = given.value.encode("utf-8", "surrogateescape")
        if len(data) > 128:
            raise problem(f'STRING too long "{given.value}"')
        return data

    def read_hex_string(self, given):
        data = parse_hex_string(given.value)
        if len(data) > 128:
            raise problem(f'STRING too long "{given.value}"')
        return data

    def finish(self):
        pattern = self.values.get("string") or self.values.get("hex-string")
        if pattern is None:
            raise problem("STRING match: You must specify `--string' or `--hex-string'")
        self.require("algo")
        return StringMatch(pattern, self.plain("algo"), self.plain("from", default=0),
                              self.plain("to", default=0xFFFF), "icase" in self.given)


def string_words(match: StringMatch) -> list:
    words = ["!"] if match.pattern.negated else []
    pattern = match.pattern.value
    if isinstance(pattern, Symbol):
        words += ["--string", pattern]
    elif all(0x20 <= byte < 0x7F for byte in pattern):
        words += ["--string", Text(pattern.decode("ascii"), "string")]
    else:
        words += ["--hex-string", Text("|" + pattern.hex() + "|", "quoted")]
    words += ["--algo", match.algorithm]
    if match.offset_from != 0:
        words += ["--from", str(match.offset_from)]
    if match.offset_to != 0xFFFF:
        words += ["--to", str(match.offset_to)]
    if match.icase:
        words.append("--icase")
    return words


def string_matches(match: StringMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the string match (nft cannot search the payload for a string)")


SAVE = {StringMatch: string_words}
NFT = {StringMatch: string_matches}
MATCH = Match

# Lint (PI007): an option today's match requires that the 2001 (patch-o-matic) one did not have: (option, the
# value the fix adds, why).
REQUIRED_SINCE = ("--algo", "bm", "the 2001 string match (patch-o-matic) had no --algo; today's wants one: "
                                  "-m string --algo bm --string TEXT")
