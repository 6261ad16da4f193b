"""ULOG (libipt_ULOG.c): the packet to a netlink multicast group of the old ulogd.

Gone from Linux: ipt_ULOG was removed in 3.17; NFLOG (nfnetlink_log) is
its successor, and lint says so (PI007).  The kernel here has no ULOG, so
the installed iptables' refusals of bad options (exit 2) are the oracle
for reading, and the save words follow ULOG_save(): `--ulog-prefix` when
not empty (xtables_save_string), `--ulog-nlgroup` when not group 1,
`--ulog-cprange` when not 0, `--ulog-qthreshold` when not 1.  One
deliberate difference: ULOG_save() casts the 64-bit copy range and queue
threshold to unsigned int, so a copy range from 2^32 on comes out cut to
32 bits (4294967296 as 0, a different rule); pyip writes the number given.
nft's `log group` is NFLOG's nfnetlink_log, not ULOG's netlink groups: no
translation.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast.base import Symbol
from ..parser.targets import read_prefix
from ..parser.xtables import UINTMAX, Extension, Opt, parse_number, problem, strtoul
from ..render.iptables_save import text_value

PREFIX_BYTES = 31  # char prefix[ULOG_PREFIX_LEN = 32], NUL-terminated
MAX_QUEUE = 50  # ULOG_MAX_QLEN


class Ulog(metaclass=records.frozen):
    name: ClassVar[str] = "ULOG"
    prefix: str | Symbol = ""
    group: int = 1  # --ulog-nlgroup: 1..32, ULOG_DEFAULT_NLGROUP 1
    copy_range: int = 0  # bytes of each packet; 0: all
    threshold: int = 1  # packets queued in the kernel before a message, ULOG_DEFAULT_QTHRESHOLD 1


def parse_u64(extension: str, option: str, text: str) -> int:
    """XTTYPE_UINT64: xtables_strtoul() refuses a minus sign and what strtoumax() finds too big (ERANGE)."""
    value, rest = strtoul(text, 0)
    body = text.lstrip(" \t\n\r\f\v")
    if value is None or rest or body.startswith("-") or (value == UINTMAX and exact(body) != UINTMAX):
        raise problem(f'{extension}: bad value for option "--{option}", or out of range (0-{UINTMAX}).')
    return value


def exact(body: str) -> int:
    """The number a whole word of C digits stands for, unbounded (strtoul() saturates at 2^64 - 1)."""
    digits = body[1:] if body[:1] == "+" else body
    if digits[:2].lower() == "0x":
        return int(digits[2:], 16)
    return int(digits, 8) if digits[:1] == "0" else int(digits)


class Target(Extension):
    name = "ULOG"
    options = (Opt("ulog-nlgroup", "ulog-nlgroup"), Opt("ulog-prefix", "ulog-prefix"),
               Opt("ulog-cprange", "ulog-cprange"), Opt("ulog-qthreshold", "ulog-qthreshold"))

    def read_ulog_nlgroup(self, given):
        return parse_number(self.name, given.option.name, given.value, 1, 32)

    def read_ulog_prefix(self, given):
        prefix = read_prefix(given.value, len(given.value), "--ulog-prefix")
        return prefix.encode("utf-8", "surrogateescape")[:PREFIX_BYTES].decode("utf-8", "surrogateescape")

    def read_ulog_cprange(self, given):
        return parse_u64(self.name, given.option.name, given.value)

    def read_ulog_qthreshold(self, given):
        return parse_number(self.name, given.option.name, given.value, 1, MAX_QUEUE)

    def finish(self):
        return Ulog(self.plain("ulog-prefix", default=""), self.plain("ulog-nlgroup", default=1),
                    self.plain("ulog-cprange", default=0), self.plain("ulog-qthreshold", default=1))


def target_words(target: Ulog) -> list:
    words: list = ["--ulog-prefix", text_value(target.prefix)] if target.prefix != "" else []
    for option, value, default in (("--ulog-nlgroup", target.group, 1), ("--ulog-cprange", target.copy_range, 0),
                                   ("--ulog-qthreshold", target.threshold, 1)):
        if value != default:
            words += [option, str(value)]
    return words


def target_nft(target: Ulog, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("ULOG (removed from Linux 3.17; nft's log group is NFLOG's: use the NFLOG target)")


SAVE = {Ulog: target_words}
NFT = {Ulog: target_nft}
TARGET = Target

# Lint (PI007): this target itself is gone.
FORMER_TARGETS = {"ULOG": "the ULOG target was removed in Linux 3.17: use NFLOG"}
