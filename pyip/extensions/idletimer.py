"""IDLETIMER (libxt_IDLETIMER.c, revision 1): a sysfs timer that fires when the rule sees no packet for a while."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, parse_number


class Idletimer(metaclass=records.frozen):
    name: ClassVar[str] = "IDLETIMER"
    timeout: int
    label: str
    alarm: bool = False


class Target(Extension):
    name = "IDLETIMER"
    options = (Opt("timeout", "timeout"), Opt("label", "label"), Opt("alarm", "alarm", arity=0))

    def read_timeout(self, given):
        return parse_number(self.name, "timeout", given.value)

    def read_label(self, given):
        return given.value[:27]  # XTOPT_PUT cuts to MAX_IDLETIMER_LABEL_SIZE, with its NUL

    def finish(self):
        self.require("timeout")
        self.require("label")
        return Idletimer(self.plain("timeout"), self.plain("label"), "alarm" in self.given)


def target_nft(target: Idletimer, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("IDLETIMER (nft has no idle timer)")


SAVE = {Idletimer: lambda target: ["--timeout", str(target.timeout), "--label", target.label]
        + ["--alarm"] * target.alarm}
NFT = {Idletimer: target_nft}
TARGET = Target
