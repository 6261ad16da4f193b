"""NFLOG (libxt_NFLOG.c): the packet to a netlink log group."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt, parse_number
from ..parser.targets import read_prefix
from ..render.iptables_save import text_value


class Nflog(metaclass=records.frozen):
    name: ClassVar[str] = "NFLOG"
    group: int = 0
    prefix: str | Symbol | None = None
    size: int | None = None
    threshold: int = 0


class Target(Extension):
    name = "NFLOG"
    options = (Opt("nflog-group", "nflog-group"), Opt("nflog-prefix", "nflog-prefix"),
               Opt("nflog-range", "nflog-range"), Opt("nflog-size", "nflog-size"),
               Opt("nflog-threshold", "nflog-threshold"))

    def read_nflog_group(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF)

    read_nflog_threshold = read_nflog_group

    def read_nflog_size(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFFFFFF)

    def read_nflog_range(self, given):
        self.rule.notes.append("--nflog-range has never worked and is no longer supported, please use --nflog-size")
        return self.read_nflog_size(given)

    def read_nflog_prefix(self, given):
        return read_prefix(given.value, 127, "--nflog-prefix")  # NF_LOG_PREFIXLEN, with its NUL

    def finish(self):
        self.exclusive("nflog-size", "nflog-range")
        return Nflog(self.plain("nflog-group", default=0), self.plain("nflog-prefix"),
                        self.plain("nflog-size"), self.plain("nflog-threshold", default=0))


def nflog_words(target: Nflog) -> list:
    words: list = []
    if target.prefix is not None:
        words += ["--nflog-prefix", text_value(target.prefix)]
    if target.group:
        words += ["--nflog-group", str(target.group)]
    if target.size is not None:
        words += ["--nflog-size", str(target.size)]
    if target.threshold != 0:
        words += ["--nflog-threshold", str(target.threshold)]
    return words


def nflog_statements(target: Nflog, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import checked_string

    prefix = None if target.prefix is None else checked_string(target.prefix, "a log prefix", quotes_allowed)
    return [nft.Log(prefix, group=target.group, snaplen=target.size, threshold=target.threshold or None)]


SAVE = {Nflog: nflog_words}
NFT = {Nflog: nflog_statements}
TARGET = Target
