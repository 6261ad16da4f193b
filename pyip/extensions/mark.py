"""mark and MARK (libxt_mark.c): the packet's mark under a mask, and setting it."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_markmask, parse_number, problem
from ..render.iptables_save import hex_, masked_text, negatable


class MarkMatch(metaclass=records.frozen):
    name: ClassVar[str] = "mark"
    mark: fw.Test  # Masked


class Mark(metaclass=records.frozen):
    """MARK: the packet mark becomes (mark & ~mask) ^ value, iptables' --set-xmark."""

    name: ClassVar[str] = "MARK"
    value: int
    mask: int = 0xFFFFFFFF


class Match(Extension):
    name = "mark"
    options = (Opt("mark", "mark", invert=True),)

    def read_mark(self, given):
        return parse_markmask(self.name, "mark", given.value)

    def finish(self):
        self.require("mark")
        return MarkMatch(self.values["mark"])


class Target(Extension):
    name = "MARK"
    MARK_OPTIONS = ("set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark")
    options = tuple(Opt(option, option) for option in MARK_OPTIONS)

    def read_set_xmark(self, given):
        return parse_markmask(self.name, given.option.name, given.value)

    read_set_mark = read_set_xmark

    def read_and_mark(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFFFFFF)

    read_or_mark = read_xor_mark = read_and_mark

    def finish(self):
        self.exclusive(*self.MARK_OPTIONS)
        if not self.given:
            raise problem("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required")
        [(key, test)] = self.values.items()
        value = test.value
        if key == "set-xmark":
            return Mark(value.value, value.mask)
        if key == "set-mark":
            return Mark(value.value, value.value | value.mask)
        return {"and-mark": Mark(0, ~value & 0xFFFFFFFF), "or-mark": Mark(value, value),
                "xor-mark": Mark(value, 0)}[key]


def mark_words(match: MarkMatch) -> list:
    words: list = []
    negatable(words, match.mark, "--mark", masked_text)
    return words


def mark_target_words(target: Mark) -> list:
    return ["--set-xmark", f"{hex_(target.value)}/{hex_(target.mask)}"]


def mark_matches(match: MarkMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import masked_value_match

    return masked_value_match(nft.Meta("mark"), match.mark, 0xFFFFFFFF)


def mark_statements(target: Mark, rule, quotes_allowed: bool) -> list:
    """MARK sets mark = (mark & ~mask) ^ value."""
    mark = nft.Meta("mark")
    if target.mask == 0xFFFFFFFF:
        return [nft.Mangle(mark, target.value)]
    kept = nft.Binary("&", mark, ~target.mask & 0xFFFFFFFF)
    return [nft.Mangle(mark, kept if target.value == 0 else nft.Binary("^", kept, target.value))]


SAVE = {MarkMatch: mark_words, Mark: mark_target_words}
NFT = {MarkMatch: mark_matches, Mark: mark_statements}
MATCH = Match
TARGET = Target
