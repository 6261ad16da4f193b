"""LOG (libipt_LOG.c): the packet's headers to the kernel log."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt, problem, strtoui
from ..parser.targets import read_prefix
from ..render.iptables_save import text_value


class Log(metaclass=records.frozen):
    name: ClassVar[str] = "LOG"
    level: int = 4
    prefix: str | Symbol | None = None
    tcp_sequence: bool = False
    tcp_options: bool = False
    ip_options: bool = False
    uid: bool = False
    macdecode: bool = False


LEVEL_NUMBERS = {"emerg": 0, "panic": 0, "alert": 1, "crit": 2, "error": 3, "warning": 4, "notice": 5, "info": 6,
              "debug": 7}


FLAG_OPTIONS = ("log-tcp-sequence", "log-tcp-options", "log-ip-options", "log-uid", "log-macdecode")


class Target(Extension):
    name = "LOG"
    options = (Opt("log-level", "log-level"), Opt("log-prefix", "log-prefix"),
               *(Opt(flag, flag, arity=0) for flag in FLAG_OPTIONS))

    def read_log_level(self, given):
        level = strtoui(given.value, 0, 7)
        if level is None:
            level = LEVEL_NUMBERS.get(given.value)
        if level is None:
            raise problem(f'log level "{given.value}" unknown')
        return level

    def read_log_prefix(self, given):
        return read_prefix(given.value, 29, "--log-prefix")

    def finish(self):
        return Log(self.plain("log-level", default=4), self.plain("log-prefix"),
                      *(flag in self.given for flag in FLAG_OPTIONS))


SAVED_FLAGS = (("tcp_sequence", "--log-tcp-sequence"), ("tcp_options", "--log-tcp-options"),
             ("ip_options", "--log-ip-options"), ("uid", "--log-uid"), ("macdecode", "--log-macdecode"))


def log_words(target: Log) -> list:
    words: list = []
    if target.prefix is not None:
        words += ["--log-prefix", text_value(target.prefix)]
    if target.level != 4:
        words += ["--log-level", str(target.level)]
    return words + [option for field, option in SAVED_FLAGS if getattr(target, field)]


NFT_LEVELS = ("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug")


NFT_FLAGS = (("tcp_sequence", "tcp sequence"), ("tcp_options", "tcp options"), ("ip_options", "ip options"),
             ("uid", "skuid"), ("macdecode", "ether"))


def log_statements(target: Log, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import checked_string

    prefix = None if target.prefix is None else checked_string(target.prefix, "a log prefix", quotes_allowed)
    level = None if target.level == 4 else NFT_LEVELS[target.level]
    flags = tuple(flag for field, flag in NFT_FLAGS if getattr(target, field))
    return [nft.Log(prefix, level, flags)]


SAVE = {Log: log_words}
NFT = {Log: log_statements}
TARGET = Target


# ipchains: -l logs at level info (KERN_INFO) and has no other options; it is an action, not a target.
IPCHAINS_LOG = Log(level=6)


def ipchains_log(target: Log):
    """The rule only counts and logs (-l)."""
    return (None, (target,)) if target == IPCHAINS_LOG else None


TO_IPCHAINS = {Log: ipchains_log}  # see pyip/extensions/tcp.py
