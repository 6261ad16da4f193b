"""CLASSIFY (libxt_CLASSIFY.c): set the packet's tc class (skb->priority)."""

from __future__ import annotations

import re
from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem

HEX = re.compile(r"\s*[+-]?(?:0[xX])?[0-9a-fA-F]+")


class Classify(metaclass=records.frozen):
    name: ClassVar[str] = "CLASSIFY"
    major: int
    minor: int


def scan_hex(text: str) -> tuple[int | None, str]:
    """sscanf's %x: blanks, a sign, an optional 0x, hex digits; the value wraps at 32 bits."""
    found = HEX.match(text)
    if found is None:
        return None, text
    word = found.group().strip()
    negative = word.startswith("-")
    digits = word.lstrip("+-")
    digits = digits[2:] if digits[:2].lower() == "0x" else digits
    value = int(digits, 16) & 0xFFFFFFFF
    return ((-value) & 0xFFFFFFFF if negative else value), text[found.end():]


class Target(Extension):
    name = "CLASSIFY"
    options = (Opt("set-class", "set-class"),)

    def read_set_class(self, given):
        major, rest = scan_hex(given.value)
        minor = None
        if major is not None and rest.startswith(":"):
            minor, _ = scan_hex(rest[1:])
        if minor is None:
            raise problem(f'Bad class value "{given.value}"')
        return Classify((major << 16) >> 16 & 0xFFFF, minor & 0xFFFF)

    def finish(self):
        self.require("set-class")
        return self.plain("set-class")


def target_nft(target: Classify, rule, quotes_allowed: bool) -> list:
    handle = target.major << 16 | target.minor
    text = {0xFFFFFFFF: "root", 0: "none"}.get(handle, f"{target.major:x}:{target.minor:x}")
    return [nft.Mangle(nft.Meta("priority"), nft.Raw(text, text))]


SAVE = {Classify: lambda target: ["--set-class", f"{target.major:04x}:{target.minor:04x}"]}
NFT = {Classify: target_nft}
TARGET = Target
