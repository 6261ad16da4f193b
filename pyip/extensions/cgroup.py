"""cgroup (libxt_cgroup.c, revision 1): the net_cls class id, or the cgroup v2 path, of the packet's socket."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem
from ..render.iptables_save import Text


class CgroupMatch(metaclass=records.frozen):
    name: ClassVar[str] = "cgroup"
    limits: ClassVar[tuple] = (None, {"INPUT", "OUTPUT", "POSTROUTING"}, None)  # a local socket's hooks
    path: object = None  # Test of str
    classid: object = None  # Test of int


class Match(Extension):
    name = "cgroup"
    options = (Opt("path", "path", invert=True), Opt("cgroup", "cgroup", invert=True))

    def read_path(self, given):
        return given.value[:4095]  # XTOPT_PUT cuts to XT_CGROUP_PATH_MAX, with its NUL

    def read_cgroup(self, given):
        return parse_number(self.name, "cgroup", given.value)

    def finish(self):
        self.exclusive("path", "cgroup")
        if not self.given:
            raise problem("cgroup: Either --path or --cgroup should be specified")
        return CgroupMatch(self.values.get("path"), self.values.get("cgroup"))


def match_words(match: CgroupMatch) -> list:
    words: list = []
    if match.path is not None:
        words += (["!"] if match.path.negated else []) + ["--path", Text(match.path.value)]
    if match.classid is not None:
        words += (["!"] if match.classid.negated else []) + ["--cgroup", str(match.classid.value)]
    return words


def match_nft(match: CgroupMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    if match.path is not None:
        raise Untranslatable("cgroup --path (nft's `socket cgroupv2 level N' needs the path's depth and "
                             "resolves it when loading)")
    return [nft.Match(nft.Meta("cgroup"), match.classid.value, match.classid.negated)]


SAVE = {CgroupMatch: match_words}
NFT = {CgroupMatch: match_nft}
MATCH = Match
