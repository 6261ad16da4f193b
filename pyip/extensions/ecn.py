"""ecn (libxt_ecn.c): the ECN bits of the IP header, the ECE and CWR flags of TCP."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem

ECT_NAMES = ("not-ect", "ect1", "ect0", "ce")


class EcnMatch(metaclass=records.frozen):
    name: ClassVar[str] = "ecn"
    ece: object = None  # Test of True
    cwr: object = None
    ect: object = None  # Test of 0..3

    @property
    def limits(self):
        """xt_ecn wants `-p tcp` for the TCP flags."""
        return (None, None, 6) if self.ece is not None or self.cwr is not None else None


class Match(Extension):
    name = "ecn"
    options = (Opt("ecn-tcp-cwr", "cwr", arity=0, invert=True), Opt("ecn-tcp-ece", "ece", arity=0, invert=True),
               Opt("ecn-ip-ect", "ect", invert=True))

    def read_ect(self, given):
        return parse_number(self.name, "ecn-ip-ect", given.value, 0, 3)

    def finish(self):
        if not self.given:
            raise problem("ECN match: some option required")
        return EcnMatch(self.values.get("ece"), self.values.get("cwr"), self.values.get("ect"))


def match_words(match: EcnMatch) -> list:
    words: list = []
    for test, option in ((match.ece, "--ecn-tcp-ece"), (match.cwr, "--ecn-tcp-cwr")):
        if test is not None:
            words += (["!"] if test.negated else []) + [option]
    if match.ect is not None:
        words += (["!"] if match.ect.negated else []) + ["--ecn-ip-ect", str(match.ect.value)]
    return words


def match_nft(match: EcnMatch, rule, quotes_allowed: bool) -> list:
    """One flag bit each: `tcp flags & ecn == ecn`, not iptables-translate's `tcp flags ecn`, which (with `!=`)
    compares the whole flags byte."""
    statements = []
    for test, flag in ((match.ece, "ecn"), (match.cwr, "cwr")):
        if test is not None:
            flags = nft.Binary("&", nft.Payload("tcp", "flags"), nft.Raw(flag, flag))
            statements.append(nft.Match(flags, nft.Raw(flag, flag), test.negated))
    if match.ect is not None:
        statements.append(nft.Match(nft.Payload("ip", "ecn"), ECT_NAMES[match.ect.value], match.ect.negated))
    return statements


class Ecn(metaclass=records.frozen):
    """ECN (libipt_ECN.c): set the TCP ECE/CWR flags and the IP ECN bits."""

    name: ClassVar[str] = "ECN"
    ece: int | None = None
    cwr: int | None = None
    ect: int | None = None

    @property
    def limits(self):
        return ("mangle", None, 6 if self.ece is not None or self.cwr is not None else None)


class Target(Extension):
    name = "ECN"
    options = (Opt("ecn-tcp-remove", "remove", arity=0), Opt("ecn-tcp-cwr", "cwr"), Opt("ecn-tcp-ece", "ece"),
               Opt("ecn-ip-ect", "ect"))

    def read_cwr(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 1)

    read_ece = read_cwr

    def read_ect(self, given):
        return parse_number(self.name, "ecn-ip-ect", given.value, 0, 3)

    def finish(self):
        self.exclusive("remove", "cwr")
        self.exclusive("remove", "ece")
        if not self.given:
            raise problem("ECN target: An operation is required")
        if "remove" in self.given:
            return Ecn(0, 0, self.plain("ect"))
        return Ecn(self.plain("ece"), self.plain("cwr"), self.plain("ect"))


def target_words(target: Ecn) -> list:
    if target.ece == 0 and target.cwr == 0:
        return ["--ecn-tcp-remove"]
    words = []
    for value, option in ((target.ece, "--ecn-tcp-ece"), (target.cwr, "--ecn-tcp-cwr"), (target.ect, "--ecn-ip-ect")):
        if value is not None:
            words += [option, str(value)]
    return words


def target_nft(target: Ecn, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    if target.ece is not None or target.cwr is not None:
        raise Untranslatable("ECN on TCP flags (nft 1.0.6 cannot set tcp flags)")
    return [nft.Mangle(nft.Payload("ip", "ecn"), ECT_NAMES[target.ect])]


SAVE = {EcnMatch: match_words, Ecn: target_words}
NFT = {EcnMatch: match_nft, Ecn: target_nft}
MATCH, TARGET = Match, Target
