"""iptables' own extension tests and translation vectors (v1.8.9): how many pyip passes, and which not.

The numbers behind tests/test_peer_iptables.py, with every case that is not
yet right listed (or, with --summary, only the counts).  Run as root:

    .venv/bin/python benchmarks/peer_iptables.py [--summary] [t|txlate]
"""

from __future__ import annotations

import collections
import json
import sys
import time

from common import REPO

sys.path.insert(0, str(REPO))

from tests.peer_iptables import t_results, t_score, txlate_results, txlate_score  # noqa: E402


def report(name: str, results: list, score: dict, good: tuple, summary: bool) -> None:
    if not summary:
        by_verdict = collections.defaultdict(list)
        for result in results:
            if result.verdict not in good:
                by_verdict[result.verdict].append(result)
        for verdict, listed in sorted(by_verdict.items()):
            print(f"== {name}: {verdict} ({len(listed)})")
            for result in listed:
                print(result)
    print(f"{name}: {json.dumps(score)}")


def main() -> None:
    summary = "--summary" in sys.argv
    which = [arg for arg in sys.argv[1:] if not arg.startswith("--")] or ["t", "txlate"]
    if "t" in which:
        start = time.perf_counter()
        results = t_results()
        report(".t", results, t_score(results), ("same", "rejected"), summary)
        print(f".t: {time.perf_counter() - start:.1f} s")
    if "txlate" in which:
        start = time.perf_counter()
        results = txlate_results()
        report(".txlate", results, txlate_score(results), ("same", "corrected", "justified"), summary)
        print(f".txlate: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
