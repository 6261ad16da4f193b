"""CT (libxt_CT.c, revision 2): the connection tracking a packet gets: none, a helper, a timeout policy, the
events it reports, its zone."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoul

CT_EVENTS = ("new", "related", "destroy", "reply", "assured", "protoinfo", "helper", "mark", "natseqinfo",
             "secmark")
EXP_EVENTS = ("new",)


class Ct(metaclass=records.frozen):
    name: ClassVar[str] = "CT"
    limits: ClassVar[tuple] = ("raw", None, None)
    notrack: bool = False
    helper: str = ""
    timeout: str = ""
    ct_events: tuple = ()  # in CT_EVENTS order
    exp_events: tuple = ()
    zone: object = None  # (direction "", "-orig" or "-reply"; a number or "mark"), None: no zone


def parse_events(text: str, names: tuple) -> tuple:
    found = set()
    for item in text.split(","):
        if item not in names:
            raise problem(f'Unknown event type "{item}"')
        found.add(item)
    return tuple(name for name in names if name in found)


def parse_zone(text: str):
    if text.lower() == "mark":
        return "mark"
    value, rest = strtoul(text, 0)
    if value is None or rest or value > 0xFFFF or text.lstrip().startswith("-"):
        raise problem(f"Cannot parse {text} as a zone ID")
    return value


class Target(Extension):
    name = "CT"
    options = (Opt("notrack", "notrack", arity=0), Opt("helper", "helper"), Opt("timeout", "timeout"),
               Opt("ctevents", "ctevents"), Opt("expevents", "expevents"), Opt("zone-orig", "zone-orig"),
               Opt("zone-reply", "zone-reply"), Opt("zone", "zone"))

    def read_helper(self, given):
        return given.value[:15]  # XTOPT_PUT into char helper[16]

    def read_timeout(self, given):
        return given.value[:31]  # char timeout[32]

    def read_ctevents(self, given):
        return parse_events(given.value, CT_EVENTS)

    def read_expevents(self, given):
        return parse_events(given.value, EXP_EVENTS)

    def read_zone(self, given):
        return parse_zone(given.value)

    read_zone_orig = read_zone_reply = read_zone

    def finish(self):
        zone = None
        for key in self.given:  # each zone option overwrites the id; the directions add up
            if key.startswith("zone"):
                zone = (zone or ((), 0))[0] + ((key[4:],) if key != "zone" else ()), self.values[key].value
        if zone is not None:
            directions = set(zone[0])
            zone = ("-orig" if directions == {"-orig"} else "-reply" if directions == {"-reply"} else "", zone[1])
        return Ct("notrack" in self.given, self.plain("helper", ""), self.plain("timeout", ""),
                  self.plain("ctevents", ()), self.plain("expevents", ()), zone)


def target_words(target: Ct) -> list:
    words = ["--notrack"] * target.notrack
    words += ["--helper", target.helper] if target.helper else []
    words += ["--timeout", target.timeout] if target.timeout else []
    words += ["--ctevents", ",".join(target.ct_events)] if target.ct_events else []
    words += ["--expevents", ",".join(target.exp_events)] if target.exp_events else []
    if target.zone is not None and target.zone[1] != 0:
        words += [f"--zone{target.zone[0]}", str(target.zone[1])]
    return words


def target_nft(target: Ct, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    if target.helper or target.timeout or target.ct_events or target.exp_events:
        raise Untranslatable("CT --helper, --timeout or events (nft assigns those through named ct objects)")
    statements = [nft.Raw("notrack", {"notrack": None})] if target.notrack else []
    if target.zone is not None:
        direction = {"": None, "-orig": "original", "-reply": "reply"}[target.zone[0]]
        value = nft.Meta("mark") if target.zone[1] == "mark" else target.zone[1]
        statements.append(nft.Mangle(nft.Ct("zone", direction), value))
    if not statements:
        raise Untranslatable("a CT target that changes nothing nft can say")
    return statements


SAVE = {Ct: target_words}
NFT = {Ct: target_nft}
TARGET = Target
