"""TCPOPTSTRIP (libxt_TCPOPTSTRIP.c): remove TCP options from the header."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoui

OPTIONS = {"wscale": 3, "mss": 2, "sack-permitted": 4, "sack": 5, "timestamp": 8, "md5": 19}
NFT_NAMES = {2: "maxseg", 3: "window", 4: "sack-perm", 5: "sack", 8: "timestamp", 19: "md5sig"}


class Tcpoptstrip(metaclass=records.frozen):
    name: ClassVar[str] = "TCPOPTSTRIP"
    limits: ClassVar[tuple] = ("mangle", None, 6)
    options: tuple = ()  # option numbers, ascending


class Target(Extension):
    name = "TCPOPTSTRIP"
    options = (Opt("strip-options", "strip-options"),)

    def read_strip_options(self, given):
        found: list = []
        for item in given.value.split(","):
            number = OPTIONS.get(item) or strtoui(item, 0, 255)
            if number is None:
                raise problem(f'Bad TCP option value "{item}"')
            if number < 2:
                raise problem("Option value may not be 0 or 1")
            if number in found:
                raise problem(f'Option "{item}" already specified')
            found.append(number)
        return tuple(sorted(found))

    def finish(self):
        return Tcpoptstrip(self.plain("strip-options", ()))


def target_nft(target: Tcpoptstrip, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    unnamed = [number for number in target.options if number not in NFT_NAMES]
    if unnamed or not target.options:
        raise Untranslatable("TCPOPTSTRIP of options nft has no name for (or of none)")
    return [nft.Raw(f"reset tcp option {NFT_NAMES[number]}", {"reset": {"tcp option": {"name": NFT_NAMES[number]}}})
            for number in target.options]


SAVE = {Tcpoptstrip: lambda target: ["--strip-options", ",".join(map(str, target.options))] if target.options
        else []}
NFT = {Tcpoptstrip: target_nft}
TARGET = Target
