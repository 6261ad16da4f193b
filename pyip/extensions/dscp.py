"""dscp and DSCP (libxt_dscp.c, libxt_DSCP.c, dscp_helper.c): the DiffServ field, the TOS byte's upper 6 bits."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem

# dscp_helper.c's ds_classes[], in its order: a name matches the first class it begins with (any case)
CLASSES = (("CS0", 0x00), ("CS1", 0x08), ("CS2", 0x10), ("CS3", 0x18), ("CS4", 0x20), ("CS5", 0x28),
           ("CS6", 0x30), ("CS7", 0x38), ("BE", 0x00), ("AF11", 0x0a), ("AF12", 0x0c), ("AF13", 0x0e),
           ("AF21", 0x12), ("AF22", 0x14), ("AF23", 0x16), ("AF31", 0x1a), ("AF32", 0x1c), ("AF33", 0x1e),
           ("AF41", 0x22), ("AF42", 0x24), ("AF43", 0x26), ("EF", 0x2e))


def class_to_dscp(name: str) -> int:
    for known, value in CLASSES:
        if name.upper().startswith(known):
            return value
    raise problem(f"Invalid DSCP value `{name}'")


class DscpMatch(metaclass=records.frozen):
    name: ClassVar[str] = "dscp"
    dscp: object  # Test of 0..63


class Match(Extension):
    name = "dscp"
    options = (Opt("dscp", "dscp", invert=True), Opt("dscp-class", "dscp-class", invert=True))

    def read_dscp(self, given):
        return parse_number(self.name, "dscp", given.value, 0, 0x3F)

    def read_dscp_class(self, given):
        return class_to_dscp(given.value)

    def finish(self):
        self.exclusive("dscp", "dscp-class")
        if not self.given:
            raise problem("DSCP match: Parameter --dscp is required")
        return DscpMatch(self.values.get("dscp") or self.values["dscp-class"])


class Dscp(metaclass=records.frozen):
    name: ClassVar[str] = "DSCP"
    limits: ClassVar[tuple] = ("mangle", None, None)
    dscp: int


class Target(Extension):
    name = "DSCP"
    options = (Opt("set-dscp", "set-dscp"), Opt("set-dscp-class", "set-dscp-class"))

    def read_set_dscp(self, given):
        return parse_number(self.name, "set-dscp", given.value, 0, 0x3F)

    def read_set_dscp_class(self, given):
        return class_to_dscp(given.value)

    def finish(self):
        self.exclusive("set-dscp", "set-dscp-class")
        if not self.given:
            raise problem("DSCP target: Parameter --set-dscp is required")
        return Dscp(self.plain("set-dscp", self.plain("set-dscp-class")))


def match_words(match: DscpMatch) -> list:
    return (["!"] if match.dscp.negated else []) + ["--dscp", f"0x{match.dscp.value:02x}"]


def target_words(target: Dscp) -> list:
    return ["--set-dscp", f"0x{target.dscp:02x}"]


def match_nft(match: DscpMatch, rule, quotes_allowed: bool) -> list:
    return [nft.Match(nft.Payload("ip", "dscp"), match.dscp.value, match.dscp.negated)]


def target_nft(target: Dscp, rule, quotes_allowed: bool) -> list:
    return [nft.Mangle(nft.Payload("ip", "dscp"), target.dscp)]


SAVE = {DscpMatch: match_words, Dscp: target_words}
NFT = {DscpMatch: match_nft, Dscp: target_nft}
MATCH, TARGET = Match, Target
