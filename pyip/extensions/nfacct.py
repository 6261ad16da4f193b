"""nfacct (libxt_nfacct.c): count the packet in an extended accounting object (nfnetlink_acct).

The object is kernel state: `nfacct add NAME` (the nfacct tool) makes it,
and the kernel refuses a rule naming one that does not exist ("No such file
or directory"), which no reading of the rule can see.  nft has no
equivalent: nfacct objects are not nft's named counters.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt, problem
from ..render.iptables_save import Text

NAME_BYTES = 31  # char name[NFACCT_NAME_MAX = 32], NUL-terminated: XTOPT_PUT keeps what fits


class NfacctMatch(metaclass=records.frozen):
    name: ClassVar[str] = "nfacct"
    object_name: str | Symbol


class Match(Extension):
    name = "nfacct"
    options = (Opt("nfacct-name", "nfacct-name"),)

    def read_nfacct_name(self, given):
        text = given.value
        if not text:
            raise problem("Argument must have a minimum length of 1 characters")  # .min = 1
        if "\n" in text:
            raise problem("Newlines not allowed in --nfacct-name")
        return text.encode("utf-8", "surrogateescape")[:NAME_BYTES].decode("utf-8", "surrogateescape")

    def finish(self):
        self.require("nfacct-name")
        return NfacctMatch(self.plain("nfacct-name"))


def match_words(match: NfacctMatch) -> list:
    """nfacct_save(): `printf(" --nfacct-name ")` then xtables_save_string(), which starts with its own space:
    iptables-save prints two spaces before the name."""
    name = match.object_name
    return ["--nfacct-name", name if isinstance(name, Symbol) else Text(name, "spaced_save_string")]


def match_nft(match: NfacctMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the nfacct match (nfnetlink_acct objects are not nft's named counters; nft has no "
                         "expression that counts in one)")


SAVE = {NfacctMatch: match_words}
NFT = {NfacctMatch: match_nft}
MATCH = Match
