from __future__ import annotations

import re

from ... import records

from ...ast import Symbol
from ...ast import firewall as fw
from ...extensions.mark import Mark
from ...errors import PyipError
from ...extensions import is_extension_node, module_of
from ...names import parse_c_number
from ...parser.xtables import strtoui
from ..model import WARNING, Rule, register

ALL_BITS = 0xFFFFFFFF
# More (packet mark, connection mark) pairs than this: the marks are too many to judge.
MOST_STATES = 4096
MOST_STEPS = 1_000_000
# Programs that can mark packets beyond what the script's iptables and ipchains commands say.
OUTSIDE_MARKERS = frozenset({
    "tc", "nft", "iptables-restore", "iptables-legacy-restore", "iptables-nft-restore", "ip6tables",
    "ip6tables-restore", "ip6tables-legacy", "ip6tables-nft", "iptables-legacy", "iptables-nft", "ebtables",
    "ebtables-restore", "arptables", "ipset", "wg", "wg-quick", "openvpn", "xtables-multi", "xtables-legacy-multi",
    "xtables-nft-multi", "conntrack"})
# Targets that set a mark, in a firewall command iptables refuses.
MARKING_TARGETS = frozenset({"MARK", "CONNMARK", "TPROXY", "HMARK"})
ADDING = (fw.Append, fw.Insert, fw.Replace)


class Unknown(Exception):
    """Some mark comes from outside what the script says: no finding can be sure."""


@register
class FwmarkNeverSet(Rule):
    """`ip rule ... fwmark N`: no MARK, CONNMARK or ipchains `-m` of the script ever gives a packet mark N.

    The rule never fires: the packets it was written for are marked with
    another value (a typo, a mark renumbered on one side only, a mask
    forgotten).  Marks are followed as the kernel computes them: `--set-xmark`,
    `--or-mark`, `--and-mark`, `--xor-mark`, CONNMARK `--save-mark` and
    `--restore-mark` with their masks and shifts, TPROXY `--tproxy-mark`,
    and `fwmark N/MASK` compares only the bits of MASK.  Reported only when the
    script sets marks itself and every way a mark comes is known to it: a
    value known only at run time, or a program that also marks packets (tc,
    nft, iptables-restore, ip6tables, wg, ipset, ...), means no finding.  A warning:
    another script may set the mark.

    Bad:  iptables -t mangle -A PREROUTING -i eth1 -j MARK --set-mark 2
          ip rule add fwmark 3 table 100
    Good: iptables -t mangle -A PREROUTING -i eth1 -j MARK --set-mark 2
          ip rule add fwmark 2 table 100
    """

    code = "PI023"
    name = "fwmark-never-set"
    severity = WARNING

    def check(self, script):
        selectors = rule_fwmarks(script)
        if not selectors:
            return []
        try:
            marks = packet_marks(script)
        except Unknown:
            return []
        if not any(marks):
            return []  # the script sets no mark: they come from elsewhere
        findings = []
        for command, word, value, mask in selectors:
            if any(mark & mask == value for mark in marks) or other_reading_matches(word.text, marks):
                continue  # the other reading: PI006's finding
            findings.append(self.finding(script, word.location, message(word.text, value, mask, marks)))
        return findings


def message(text: str, value: int, mask: int, marks) -> str:
    shown = ", ".join(f"0x{mark:x}" for mark in sorted(marks)[:8] if mark) + (", ..." if len(marks) > 9 else "")
    compared = f"0x{value:x}" if mask == ALL_BITS else f"0x{value:x} under mask 0x{mask:x}"
    return (f"fwmark {text}: no packet is ever marked {compared}; the script's firewall marks only "
            f"{shown}: the rule never fires")


def rule_fwmarks(script) -> list:
    """(command, fwmark word, value, mask) of every `ip rule add` that compares a known mark."""
    out = []
    for command in script.ip_commands("rule"):
        body = command.ip.body
        if command.ip.verb not in ("add", "replace", "prepend", "append") or not isinstance(body.fwmark, int):
            continue
        mask = body.fwmask if body.fwmask is not None else ALL_BITS
        word = command.word_after("fwmark")
        if body.fwmark and word is not None and word.symbol is None:
            out.append((command, word, body.fwmark, mask))
    return out


def other_reading_matches(text: str, marks) -> bool:
    """Does the other base (hexadecimal to the 2.2-era ip, C rules today) name a mark the script sets?"""
    value, _, mask = text.partition("/")
    readings = {parse_c_number(value, 16), parse_c_number(value, 0)} - {None}
    masks = {parse_c_number(mask, base) for base in (0, 16)} - {None} if mask else {ALL_BITS}
    return any(mark & m == reading & m for mark in marks for reading in readings for m in masks)


def packet_marks(script) -> set[int]:
    """Every packet mark some sequence of the script's marking targets can leave (0: unmarked).
    Raises Unknown when a mark may come from elsewhere."""
    effects = marking_effects(script)
    states = {(0, 0)}
    frontier = set(states)
    work = 0
    while frontier:
        work += len(frontier) * len(effects)
        if work > MOST_STEPS:
            raise Unknown  # thousands of distinct marking targets: not worth the time of a lint run
        new = {effect(nf, ct) for nf, ct in frontier for effect in effects} - states
        states |= new
        frontier = new
        if len(states) > MOST_STATES:
            raise Unknown
    return {nf for nf, _ in states}


def marking_effects(script) -> list:
    """(nfmark, ctmark) -> (nfmark, ctmark) of every target of the script that changes a mark."""
    effects = {}
    if outside_marker(script.text):
        raise Unknown
    if marking_lines(script.text) - command_lines(script):
        raise Unknown  # `$IPT -j MARK ...` with $IPT unknown, an iptables-restore here-document, ...
    for command in script.of("iptables"):
        effects.update(iptables_effects(command))
    for command in script.of("ipchains"):
        effects.update(ipchains_effects(command))
    return list(effects.values())  # one of each: a thousand rules marking 2 are one effect


_MARKING = re.compile(r"(?:-j|--jump)\s+['\"]?(?:MARK|CONNMARK|TPROXY|HMARK)\b"
                      r"|--(?:set-x?|or-|and-|xor-|restore-|tproxy-)mark\b|\s-m\s+[+-]?\d")


def marking_lines(text: str) -> set[int]:
    """The lines whose text sets a mark, as far as words tell (comments left out)."""
    return {number for number, line in enumerate(text.split("\n"), 1)
            if not line.lstrip().startswith("#") and _MARKING.search(line)}


def command_lines(script) -> set[int]:
    """The lines of the firewall commands the script's reading holds."""
    return {word.location.line for command in script.commands if command.program in ("iptables", "ipchains")
            for word in command.words}


_OUTSIDE = re.compile(r"(?:^|[\s;|&(`/])(?:" + "|".join(re.escape(name) for name in sorted(OUTSIDE_MARKERS))
                      + r")(?=[\s;|&)`]|$)|\bip\s+(?:-\S+\s+)*x(?:f|fr|frm)?\s")


def outside_marker(text: str) -> bool:
    """Does the script run a program that marks packets besides iptables and ipchains (`ip xfrm`'s
    output-mark counts)?  Read from the text: the shell reading keeps only the commands lint reads."""
    return any(_OUTSIDE.search(line) for line in text.split("\n") if not line.lstrip().startswith("#"))


def iptables_effects(command) -> dict:
    """The command's marking effect; a rule whose values are known only at run time counts too (its
    target's values may still be known: `-i $WAN -j MARK --set-mark 2`)."""
    parsed = command.firewall
    if isinstance(parsed, PyipError):
        if any(marking_word(word) for word in command.words):
            raise Unknown  # iptables refuses it; but what did the author mean to mark?
        return {}
    if not isinstance(parsed, ADDING):
        return {}
    target = parsed.rule.target
    if isinstance(target, Mark):
        if not (isinstance(target.value, int) and isinstance(target.mask, int)):
            raise Unknown
        return {target: lambda nf, ct, value=target.value, mask=target.mask: ((nf & ~mask & ALL_BITS) ^ value, ct)}
    if target is not None and is_extension_node(target):
        effects = getattr(module_of(target), "MARK_EFFECTS", {})
        if type(target) in effects:
            effect = effects[type(target)]
            if effect is None or any(isinstance(getattr(target, f.name), Symbol) for f in records.fields(type(target))):
                raise Unknown
            return {target: effect(target)}
    elif isinstance(getattr(target, "chain", None), Symbol):
        raise Unknown  # -j $TARGET
    return {}


def marking_word(word) -> bool:
    return word.symbol is not None or word.text in MARKING_TARGETS or word.text.endswith("-mark")


def ipchains_effects(command) -> dict:
    """ipchains `-m N` sets the mark N; `-m +N` adds to it (no bound to what it makes)."""
    words = command.words
    for option, value in zip(words, words[1:]):
        if option.text in ("-m", "--mark", "--mar", "--ma"):
            number = strtoui(value.text) if value.symbol is None and value.text[:1] not in "+-" else None
            if number is None:
                raise Unknown
            return {("ipchains", number): lambda nf, ct, number=number: (number, ct)}
    return {}
