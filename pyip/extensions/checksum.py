"""CHECKSUM (libxt_CHECKSUM.c): fill in the checksum of a packet that has none yet."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt


class Checksum(metaclass=records.frozen):
    name: ClassVar[str] = "CHECKSUM"
    limits: ClassVar[tuple] = ("mangle", None, None)


class Target(Extension):
    name = "CHECKSUM"
    options = (Opt("checksum-fill", "checksum-fill", arity=0),)

    def finish(self):
        self.require("checksum-fill")
        return Checksum()


def target_nft(target: Checksum, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("CHECKSUM (nft has no statement that fills in a missing checksum)")


SAVE = {Checksum: lambda target: ["--checksum-fill"]}
NFT = {Checksum: target_nft}
TARGET = Target
