"""NFQUEUE (libxt_NFQUEUE.c, revision 3): hand the packet to a userspace queue."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, parse_number_range, problem


class Nfqueue(metaclass=records.frozen):
    name: ClassVar[str] = "NFQUEUE"
    first: int = 0
    total: int = 1  # queues, balanced over from `first`
    bypass: bool = False
    cpu_fanout: bool = False


class Target(Extension):
    name = "NFQUEUE"
    options = (Opt("queue-num", "queue-num"), Opt("queue-balance", "queue-balance"),
               Opt("queue-bypass", "queue-bypass", arity=0), Opt("queue-cpu-fanout", "queue-cpu-fanout", arity=0))

    def read_queue_num(self, given):
        return parse_number(self.name, "queue-num", given.value, 0, 0xFFFF)

    def read_queue_balance(self, given):
        if ":" not in given.value:
            raise problem(f'Bad range "{given.value}"')
        queues = parse_number_range(self.name, "queue-balance", given.value, 0xFFFE)
        if queues.first >= queues.last:
            raise problem(f"{queues.first} should be less than {queues.last}")
        return queues

    def finish(self):
        self.exclusive("queue-num", "queue-balance")
        if "queue-cpu-fanout" in self.given and "queue-balance" not in self.given:
            raise problem('NFQUEUE: option "--queue-cpu-fanout" also requires "--queue-balance".')
        balance = self.plain("queue-balance")
        first = balance.first if balance else self.plain("queue-num", 0)
        total = balance.last - balance.first + 1 if balance else 1
        return Nfqueue(first, total, "queue-bypass" in self.given, "queue-cpu-fanout" in self.given)


def target_words(target: Nfqueue) -> list:
    if target.total > 1:
        words = ["--queue-balance", f"{target.first}:{target.first + target.total - 1}"]
    else:
        words = ["--queue-num", str(target.first)]
    return words + ["--queue-bypass"] * target.bypass + ["--queue-cpu-fanout"] * target.cpu_fanout


def target_nft(target: Nfqueue, rule, quotes_allowed: bool) -> list:
    number = str(target.first) if target.total == 1 else f"{target.first}-{target.first + target.total - 1}"
    flags = [flag for flag, on in (("bypass", target.bypass), ("fanout", target.cpu_fanout)) if on]
    text = f"queue num {number}" + (" " + ",".join(flags) if flags else "")
    num = target.first if target.total == 1 else {"range": [target.first, target.first + target.total - 1]}
    return [nft.Raw(text, {"queue": {"num": num, **({"flags": flags} if flags else {})}})]


SAVE = {Nfqueue: target_words}
NFT = {Nfqueue: target_nft}
TARGET = Target
