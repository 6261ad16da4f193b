"""owner (libxt_owner.c): the user and group of the local socket that sent the packet."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from .. import netdb
from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoui
from ..render.iptables_save import negatable, range_text


class OwnerMatch(metaclass=records.frozen):
    name: ClassVar[str] = "owner"
    limits: ClassVar[tuple] = (None, {"OUTPUT", "POSTROUTING"}, None)  # xt_owner: .hooks, a local socket's
    uid: fw.Test | None = None  # Range of ids
    gid: fw.Test | None = None
    socket_exists: fw.Test | None = None  # True
    suppl_groups: bool = False  # --gid-owner also matches a supplementary group

    @property
    def kernel_error(self) -> str | None:
        """xt_owner's check refuses a range whose first id is above its last."""
        if any(t is not None and t.value.first > t.value.last for t in (self.uid, self.gid)):
            return "Invalid argument"
        return None


class Match(Extension):
    name = "owner"
    options = (Opt("uid-owner", "uid-owner", invert=True), Opt("gid-owner", "gid-owner", invert=True),
               Opt("socket-exists", "socket-exists", arity=0, invert=True),
               Opt("suppl-groups", "suppl-groups", arity=0))

    def read_suppl_groups(self, given):
        if "gid-owner" not in self.given:  # the group must come first
            raise problem('owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"')
        return True

    def read_uid_owner(self, given):
        return self.id_range(given, netdb.user_id)

    def read_gid_owner(self, given):
        return self.id_range(given, netdb.group_id)

    def id_range(self, given, lookup) -> fw.Range:
        """A user (group) name, or ID or ID-ID."""
        known = lookup(given.value)
        if known is not None:
            return fw.Range(known, known)
        first, dash, last = given.value.partition("-")
        low = strtoui(first, 0, 0xFFFFFFFE)
        high = strtoui(last, 0, 0xFFFFFFFE) if dash else low
        if low is None or high is None:
            raise problem(f'owner: Bad value for "--{given.option.name}" option: "{given.value}"')
        return fw.Range(low, high)

    def finish(self):
        if not self.given:
            raise problem("owner: At least one of --uid-owner, --gid-owner or --socket-exists is required")
        return OwnerMatch(self.values.get("uid-owner"), self.values.get("gid-owner"),
                             self.values.get("socket-exists"), "suppl-groups" in self.given)


def owner_words(match: OwnerMatch) -> list:
    words: list = []
    if match.socket_exists is not None:
        words += (["!"] if match.socket_exists.negated else []) + ["--socket-exists"]
    negatable(words, match.uid, "--uid-owner", lambda r: range_text(r, "-"))
    negatable(words, match.gid, "--gid-owner", lambda r: range_text(r, "-"))
    return words + ["--suppl-groups"] * match.suppl_groups


def owner_matches(match: OwnerMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import Untranslatable, id_value, test_match

    tests = (match.uid, match.gid, match.socket_exists)
    if match.suppl_groups:
        raise Untranslatable("owner --suppl-groups (nft's meta skgid is the primary group only)")
    if match.socket_exists is not None or any(t is not None and t.negated for t in tests):
        # xt_owner's `!` matches packets without a socket; nft's `meta skuid !=` does not
        raise Untranslatable("owner --socket-exists or a negated owner test")
    return test_match(nft.Meta("skuid"), match.uid, id_value) + test_match(nft.Meta("skgid"), match.gid, id_value)


SAVE = {OwnerMatch: owner_words}
NFT = {OwnerMatch: owner_matches}
MATCH = Match

# Lint (PI007): options of this match the kernel no longer has.
REMOVED_OPTIONS = {"--cmd-owner": "the owner match's --cmd-owner was removed in Linux 2.6.14"}
