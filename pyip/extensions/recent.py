"""recent (libxt_recent.c): addresses seen lately, in named lists."""

from __future__ import annotations

import ipaddress

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..parser.xtables import Extension, Opt, numeric_address, parse_number, problem


class RecentMatch(metaclass=records.frozen):
    name: ClassVar[str] = "recent"
    mode: fw.Test  # set, rcheck, update or remove
    seconds: int = 0
    reap: bool = False
    hitcount: int = 0
    rttl: bool = False
    list_name: str = "DEFAULT"
    mask: ipaddress.IPv4Address = ipaddress.IPv4Address("255.255.255.255")
    side: str = "source"  # or dest

    @property
    def kernel_error(self) -> str | None:
        """xt_recent refuses an empty list name."""
        return "Invalid argument" if self.list_name == "" else None


class Match(Extension):
    name = "recent"
    MODES = ("set", "rcheck", "update", "remove")
    options = (Opt("set", "set", arity=0, invert=True), Opt("rcheck", "rcheck", arity=0, invert=True),
               Opt("update", "update", arity=0, invert=True), Opt("remove", "remove", arity=0, invert=True),
               Opt("seconds", "seconds"), Opt("reap", "reap", arity=0), Opt("hitcount", "hitcount"),
               Opt("rttl", "rttl", arity=0), Opt("name", "name"), Opt("rsource", "rsource", arity=0),
               Opt("rdest", "rdest", arity=0), Opt("mask", "mask"))

    def read_seconds(self, given):
        return parse_number(self.name, given.option.name, given.value, 1, 0xFFFFFFFF)

    def read_hitcount(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFFFFFF)

    def read_name(self, given):
        if len(given.value) >= 200:
            raise problem(f'{self.name}: "--name" must be no more than 199 characters')
        return given.value

    def read_mask(self, given):
        address = numeric_address(given.value)
        if address is None:
            raise problem(f"host/network `{given.value}' not found")
        return address

    def finish(self):
        self.exclusive(*self.MODES)
        mode = next((key for key in self.MODES if key in self.values), None)
        if mode is None:
            raise problem("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'")
        if "rttl" in self.given and mode in ("set", "remove"):
            raise problem(f'recent: option "--rttl" cannot be used together with "--{mode}".')
        if "reap" in self.given and "seconds" not in self.given:
            raise problem('recent: option "--reap" also requires "--seconds".')
        test = self.values[mode]
        return RecentMatch(fw.Test(mode, test.negated, test.legacy), self.plain("seconds", default=0),
                              "reap" in self.given, self.plain("hitcount", default=0), "rttl" in self.given,
                              self.plain("name", default="DEFAULT"),
                              self.plain("mask", default=ipaddress.IPv4Address("255.255.255.255")),
                              self.side())

    def side(self) -> str:
        """--rsource and --rdest may both be given: the later one counts."""
        sides = [key for key in self.given if key in ("rsource", "rdest")]
        return "dest" if sides and sides[-1] == "rdest" else "source"


def recent_words(match: RecentMatch) -> list:
    words = (["!"] if match.mode.negated else []) + [f"--{match.mode.value}"]
    if match.seconds:
        words += ["--seconds", str(match.seconds)]
    if match.reap:
        words.append("--reap")
    if match.hitcount:
        words += ["--hitcount", str(match.hitcount)]
    if match.rttl:
        words.append("--rttl")
    return words + ["--name", match.list_name, "--mask", str(match.mask),
                    "--rsource" if match.side == "source" else "--rdest"]


def recent_matches(match: RecentMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the recent match (nft's dynamic sets time out entries, they do not count hits "
                         "within --seconds)")


SAVE = {RecentMatch: recent_words}
NFT = {RecentMatch: recent_matches}
MATCH = Match
