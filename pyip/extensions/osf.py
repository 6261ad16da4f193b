"""osf (libxt_osf.c): the operating system a TCP SYN's fingerprint names (passive OS fingerprinting)."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, parse_number

GENRE_BYTES = 31  # char genre[MAXGENRELEN = 32], NUL-terminated: iptables keeps what fits


class OsfMatch(metaclass=records.frozen):
    name: ClassVar[str] = "osf"
    limits: ClassVar[tuple] = (None, {"PREROUTING", "INPUT", "FORWARD"}, 6)  # xt_osf: .hooks, .proto = TCP
    genre: object  # Test of the genre's name
    ttl: int | None = None  # 0 the IP TTL as the fingerprint's, 1 at most it, 2 not compared
    log: int | None = None  # 0 every fingerprint found, 1 the first, 2 the known ones that match


class Match(Extension):
    name = "osf"
    options = (Opt("genre", "genre", invert=True), Opt("ttl", "ttl"), Opt("log", "log"))

    def read_genre(self, given):
        return given.value.encode("utf-8", "surrogateescape")[:GENRE_BYTES].decode("utf-8", "surrogateescape")

    def read_ttl(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 2)

    read_log = read_ttl

    def finish(self):
        self.require("genre")
        return OsfMatch(self.values["genre"], self.plain("ttl"), self.plain("log"))


def match_words(match: OsfMatch) -> list:
    """osf_save(): the genre as it is, unquoted."""
    words = (["!"] if match.genre.negated else []) + ["--genre", match.genre.value]
    if match.ttl is not None:
        words += ["--ttl", str(match.ttl)]
    return words + (["--log", str(match.log)] if match.log is not None else [])


def match_nft(match: OsfMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the osf match (nft's osf expression has no --log, and pyip does not translate its "
                         "genre test yet)")


SAVE = {OsfMatch: match_words}
NFT = {OsfMatch: match_nft}
MATCH = Match
