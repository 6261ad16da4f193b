"""iptables' own extension tests and translation vectors (v1.8.9), judged by the installed iptables and nft.

See tests/peer_iptables.py for how each case is judged.  The numbers are a
ratchet: each run prints them, and fails if one falls below the level
reached so far (raise the level here when it goes up; never lower it).
benchmarks/peer_iptables.py lists every case not yet right.
"""

from __future__ import annotations

import os

import pytest

from .peer_iptables import t_results, t_score, txlate_results, txlate_score

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

# The levels reached (counts of cases, not percentages, so that no case can slip unseen).
T_SAME = 1359  # accepted rules pyip prints as iptables-save does (1353 before the set files ran with their set)
# Rules iptables refuses that pyip refuses too.  587 until nfacct was read: its three `--nfacct-name wrong' FAIL
# rules (one per chain) counted as refused only because pyip read no nfacct at all; the kernel refuses them for a
# missing accounting object (kernel state, tests/peer_iptables.KERNEL_STATE), so they are set apart now.
# And 6 fewer since libxt_set.t and libxt_SET.t run with their set made (peer_iptables.PREPARED): iptables takes the
# 6 rules it refused for a missing set (now among T_SAME).
T_REJECTED = 578
TXLATE_GOOD = 244  # vectors translated as the reference (kernel listing), or refused with reason


@pytest.fixture(scope="module")
def t_outcome():
    results = t_results()
    return results, t_score(results)


@pytest.fixture(scope="module")
def txlate_outcome():
    results = txlate_results()
    return results, txlate_score(results)


def listed(results, verdicts) -> str:
    return "\n".join(str(result) for result in results if result.verdict in verdicts)


def test_t_accepted_rules_print_as_iptables_save_does(t_outcome):
    results, score = t_outcome
    print(f"\n.t accepted rules printed as iptables-save: {score['same']}/{score['accepted']} "
          f"({score['same_percent']}%)")
    assert score["accepted"] > 1000, "the oracle accepted almost nothing: is iptables installed?"
    assert score["same"] >= T_SAME, listed(results, ("different", "refused"))


def test_t_refused_rules_are_refused(t_outcome):
    results, score = t_outcome
    print(f"\n.t refused rules refused: {score['refused_by_both']}/{score['refused_by_iptables']} "
          f"({score['refused_percent']}%); left aside (this kernel lacks a module): {score['environment']}")
    assert score["refused_by_both"] >= T_REJECTED, listed(results, ("accepted",))


def test_t_never_a_traceback(t_outcome):
    results, _ = t_outcome
    assert not listed(results, ("crash",))


def test_txlate_vectors_translate_as_the_reference(txlate_outcome):
    results, score = txlate_outcome
    print(f"\n.txlate same or justifiably refused: {score['good']}/{score['cases']} ({score['good_percent']}%): "
          f"{ {verdict: score[verdict] for verdict in ('same', 'corrected', 'justified', 'refused', 'different')} }")
    assert score["cases"] > 250
    assert score["good"] >= TXLATE_GOOD, listed(results, ("different", "refused"))


def test_txlate_output_always_loads(txlate_outcome):
    results, _ = txlate_outcome
    assert not listed(results, ("unloadable", "crash"))
