"""The ruleset model grows linearly with the script, and checks jump depth as the kernel does.

Oracles: the real iptables (nf_tables) in a test namespace for the depth limit and for loops;
for growth, the model's CPU time on 1k and 10k commands of the benchmark's script shapes
(a ratio, not a timing bar: linear is 10, the quadratic model it replaces was 40 and more).
"""

from __future__ import annotations

import time

import pytest

from benchmarks.user_chains import SHAPES
from pyip.errors import PyipError
from pyip.parser.iptables import parse_iptables
from pyip.ruleset import Ruleset, add_callers
from pyip.script import script_commands

from .firewall import run_calls
from .netns import namespace
from .test_ruleset import assert_same_verdicts, pyip_verdicts, random_script


def deep_chains(length: int) -> list[str]:
    """c0 -> c1 -> ... -> c{length-1}, unattached; then INPUT jumps to chains ever deeper in it."""
    lines = [f"iptables -N c{k}" for k in range(length)]
    lines += [f"iptables -A c{k} -j c{k + 1}" for k in range(length - 1)]
    lines += [f"iptables -A INPUT -j c{k}" for k in (0, 5, 20, 23, 24, 25, 26, 30)]
    lines += [f"iptables -A c{length - 1} -j c{length - 3}",  # a loop below INPUT
              f"iptables -I c{length - 1} 1 -j ACCEPT", f"iptables -A c3 -j c2"]  # a loop nothing reaches
    return lines


def test_jump_depth_and_loops_are_refused_as_the_kernel_refuses_them():
    commands = deep_chains(41)
    with namespace("pyipdeep") as ns:
        real = run_calls(ns, commands)
    mine, _ = pyip_verdicts(commands)
    assert_same_verdicts(commands, real, mine)
    assert [call.status for call in real[-11:]] == [4, 4, 4, 4, 4, 4, 0, 0, 4, 0, 0]  # c26 is 15 chains deep


def commands_of(text: str) -> list:
    return [parse_iptables(words) for words in script_commands(text)]


def model_seconds(commands: list) -> float:
    """The least CPU time of three runs of the model over the commands (parsing done before)."""
    best = float("inf")
    for _ in range(3):
        ruleset = Ruleset()
        start = time.process_time()
        for command in commands:
            try:
                ruleset.apply(command)
            except PyipError:
                pass
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_model_grows_linearly(shape):
    small, large = (commands_of(SHAPES[shape](size)) for size in (1_000, 10_000))
    ratio = model_seconds(large) / max(model_seconds(small), 1e-3)
    assert ratio < 25, f"{shape}: 10x the commands took {ratio:.1f}x the time"


@pytest.mark.parametrize("seed", range(20))
def test_counted_jumps_stay_true_through_failures_and_undo(seed):
    _, ruleset = pyip_verdicts(random_script(seed, 120))
    for name, table in ruleset.tables.items():
        kept = ruleset.callers(table)
        fresh: dict = {}
        for chain in table.chains.values():
            add_callers(fresh, chain, chain.rules)
        assert {target: counts for target, counts in kept.items() if counts} == \
               {target: counts for target, counts in fresh.items() if counts}, name
        for chain in table.chains.values():
            if chain.counts is not None:
                assert sum(chain.counts.values()) == len(chain.rules)
                assert all(chain.counts[rule] == chain.rules.count(rule) for rule in chain.rules)
