"""connmark and CONNMARK (libxt_connmark.c, libxt_CONNMARK.c revision 2): the connection's mark.

The match tests `ctmark & mask == value`.  The target, as the kernel runs
it (net/netfilter/xt_connmark.c), in one of three modes:

- set:     ctmark = ((ctmark & ~ctmask) ^ ctmark_value) shifted
- save:    ctmark = (ctmark & ~ctmask) ^ ((nfmark & nfmask) shifted)
- restore: nfmark = (nfmark & ~nfmask) ^ ((ctmark & ctmask) shifted)

nft computes with one register and constants only, so save and restore are
exact only when the mask on the side being written keeps nothing
(ctmask resp. nfmask 0xffffffff).
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_markmask, parse_number, problem
from ..render.iptables_save import masked_text, negatable

ALL_BITS = 0xFFFFFFFF


class ConnmarkMatch(metaclass=records.frozen):
    name: ClassVar[str] = "connmark"
    mark: fw.Test  # Masked


class Match(Extension):
    name = "connmark"
    options = (Opt("mark", "mark", invert=True),)

    def read_mark(self, given):
        return parse_markmask(self.name, "mark", given.value)

    def finish(self):
        self.require("mark")
        return ConnmarkMatch(self.values["mark"])


class Connmark(metaclass=records.frozen):
    """CONNMARK in the kernel's terms: mode set/save/restore, its masks, a shift."""

    name: ClassVar[str] = "CONNMARK"
    mode: str
    ctmark: int = 0
    ctmask: int = ALL_BITS
    nfmask: int = ALL_BITS
    shift: int = 0  # bits; negative: to the right


OPERATIONS = ("set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark", "save-mark", "restore-mark")


class Target(Extension):
    name = "CONNMARK"
    options = (*(Opt(name, name, arity=0 if name.endswith(("save-mark", "restore-mark")) else 1)
                 for name in OPERATIONS),
               Opt("left-shift-mark", "left-shift-mark"), Opt("right-shift-mark", "right-shift-mark"),
               Opt("ctmask", "ctmask"), Opt("nfmask", "nfmask"), Opt("mask", "mask"))

    def read_set_xmark(self, given):
        return parse_markmask(self.name, given.option.name, given.value)

    read_set_mark = read_set_xmark

    def read_and_mark(self, given):
        return parse_number(self.name, given.option.name, given.value)

    read_or_mark = read_xor_mark = read_ctmask = read_nfmask = read_mask = read_and_mark

    def read_left_shift_mark(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 32)

    read_right_shift_mark = read_left_shift_mark

    def finish(self):
        self.exclusive(*OPERATIONS)
        self.exclusive("ctmask", "mask")
        self.exclusive("nfmask", "mask")
        if not any(key in self.given for key in OPERATIONS):
            raise problem("CONNMARK target: No operation specified")
        fields = {"mode": "set", "ctmark": 0, "ctmask": ALL_BITS, "nfmask": ALL_BITS, "shift": 0}
        for key in self.given:  # in argv order, as connmark_tg_parse_v2() stores them
            fields.update(option_fields(key, self.values[key].value))
        return Connmark(**fields)


def option_fields(key: str, value) -> dict:
    if key == "set-xmark":
        return {"mode": "set", "ctmark": value.value, "ctmask": value.mask}
    if key == "set-mark":
        return {"mode": "set", "ctmark": value.value, "ctmask": value.value | value.mask}
    return {
        "and-mark": lambda: {"mode": "set", "ctmark": 0, "ctmask": ~value & ALL_BITS},
        "or-mark": lambda: {"mode": "set", "ctmark": value, "ctmask": value},
        "xor-mark": lambda: {"mode": "set", "ctmark": value, "ctmask": 0},
        "save-mark": lambda: {"mode": "save"},
        "restore-mark": lambda: {"mode": "restore"},
        "ctmask": lambda: {"ctmask": value},
        "nfmask": lambda: {"nfmask": value},
        "mask": lambda: {"ctmask": value, "nfmask": value},
        "left-shift-mark": lambda: {"shift": value},
        "right-shift-mark": lambda: {"shift": -value},
    }[key]()


# -- iptables-save -------------------------------------------------------------------------


def match_words(match: ConnmarkMatch) -> list:
    words: list = []
    negatable(words, match.mark, "--mark", masked_text)
    return words


def target_words(target: Connmark) -> list:
    """connmark_tg_save_v2()."""
    if target.mode == "set":
        words = ["--set-xmark", f"0x{target.ctmark:x}/0x{target.ctmask:x}"]
    else:
        words = [f"--{target.mode}-mark", "--nfmask", f"0x{target.nfmask:x}", "--ctmask", f"0x{target.ctmask:x}"]
    if target.shift:
        words += ["--left-shift-mark" if target.shift > 0 else "--right-shift-mark", str(abs(target.shift))]
    return words


SAVE = {ConnmarkMatch: match_words, Connmark: target_words}


# -- nft -------------------------------------------------------------------------------------


def match_nft(match: ConnmarkMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import masked_value_match

    return masked_value_match(nft.Ct("mark"), match.mark, ALL_BITS)


def masked(expression, keep: int, flip: int = 0):
    """(expression & keep) ^ flip, leaving out what changes nothing."""
    if keep != ALL_BITS:
        expression = nft.Binary("&", expression, keep)
    return nft.Binary("^", expression, flip) if flip else expression


def shifted(expression, bits: int):
    if not bits:
        return expression
    return nft.Binary("<<" if bits > 0 else ">>", expression, abs(bits))


def target_nft(target: Connmark, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    ctmark, mark = nft.Ct("mark"), nft.Meta("mark")
    if target.mode == "set":
        if target.ctmask == ALL_BITS:
            return [nft.Mangle(ctmark, shifted_constant(target.ctmark, target.shift))]
        return [nft.Mangle(ctmark, shifted(masked(ctmark, ~target.ctmask & ALL_BITS, target.ctmark), target.shift))]
    written, mask_written, mask_read, source = ((ctmark, target.ctmask, target.nfmask, mark) if target.mode == "save"
                                                else (mark, target.nfmask, target.ctmask, ctmark))
    if mask_written != ALL_BITS:
        raise Untranslatable(f"CONNMARK --{target.mode}-mark keeping bits of the mark it writes: nft cannot "
                             "combine two marks in one expression")
    return [nft.Mangle(written, shifted(masked(source, mask_read), target.shift))]


def shifted_constant(value: int, bits: int) -> int:
    return (value << bits if bits >= 0 else value >> -bits) & ALL_BITS


NFT = {ConnmarkMatch: match_nft, Connmark: target_nft}

MATCH, TARGET = Match, Target


# -- lint: what the target does to the marks ------------------------------------------------


def mark_effect(target: Connmark):
    """(nfmark, ctmark) -> (nfmark, ctmark) as xt_connmark.c computes it, for the lint rule that
    asks which marks a ruleset can give a packet (pyip.lint.rules.pi023_fwmark_never_set)."""
    def shift(value: int) -> int:
        return shifted_constant(value, target.shift)

    if target.mode == "set":
        return lambda nf, ct: (nf, shift((ct & ~target.ctmask & ALL_BITS) ^ target.ctmark))
    if target.mode == "save":
        return lambda nf, ct: (nf, (ct & ~target.ctmask & ALL_BITS) ^ shift(nf & target.nfmask))
    return lambda nf, ct: ((nf & ~target.nfmask & ALL_BITS) ^ shift(ct & target.ctmask), ct)


MARK_EFFECTS = {Connmark: mark_effect}
