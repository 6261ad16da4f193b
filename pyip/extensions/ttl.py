"""ttl and TTL (libipt_ttl.c, libipt_TTL.c): the IPv4 time to live, tested and changed."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem
from ..render.iptables_save import negatable


class TtlMatch(metaclass=records.frozen):
    name: ClassVar[str] = "ttl"
    comparison: str  # eq, lt or gt; a negated eq is "not equal"
    ttl: fw.Test  # int


class Ttl(metaclass=records.frozen):
    name: ClassVar[str] = "TTL"
    limits: ClassVar[tuple] = ("mangle", None, None)  # xt_HL (TTL): .table = "mangle"
    operation: str  # set, dec or inc
    value: int


class Match(Extension):
    name = "ttl"
    # `--ttl` is the old name of --ttl-eq, still read (with `!` too, whatever its table says); saved as --ttl-eq
    options = (Opt("ttl-lt", "lt"), Opt("ttl-gt", "gt"), Opt("ttl-eq", "eq", invert=True), Opt("ttl", "eq", invert=True))

    def read_lt(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 255)

    read_gt = read_eq = read_lt

    def finish(self):
        self.exclusive("lt", "gt", "eq")
        if not self.given:
            raise problem("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt")
        [key] = self.values
        return TtlMatch(key, self.values[key])


class Target(Extension):
    name = "TTL"
    options = (Opt("ttl-set", "set"), Opt("ttl-dec", "dec"), Opt("ttl-inc", "inc"))

    def read_set(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 255)

    def read_dec(self, given):
        return parse_number(self.name, given.option.name, given.value, 1, 255)

    read_inc = read_dec

    def finish(self):
        self.exclusive("set", "dec", "inc")
        if not self.given:
            raise problem("TTL: You must specify an action")
        [(key, test)] = self.values.items()
        return Ttl(key, test.value)


def ttl_words(match: TtlMatch) -> list:
    words: list = []
    negatable(words, match.ttl, f"--ttl-{match.comparison}")
    return words


def ttl_target_words(target: Ttl) -> list:
    return [f"--ttl-{target.operation}", str(target.value)]


def ttl_matches(match: TtlMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    operator = {"eq": "==", "lt": "<", "gt": ">"}[match.comparison]
    return [nft.Match(nft.Payload("ip", "ttl"), match.ttl.value, match.ttl.negated, operator)]


def ttl_statements(target: Ttl, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    if target.operation != "set":
        raise Untranslatable(f"TTL --ttl-{target.operation} (nft can only set the TTL to a constant)")
    return [nft.Mangle(nft.Payload("ip", "ttl"), target.value)]


SAVE = {TtlMatch: ttl_words, Ttl: ttl_target_words}
NFT = {TtlMatch: ttl_matches, Ttl: ttl_statements}
MATCH = Match
TARGET = Target
