"""Issue 10's held-out set: the table holds at least 40 scripts, each defect it found names the
regression test that keeps it fixed, and no differential it records is one without an error.  The
scripts themselves are measured on demand (`python tests/data/realscripts/fetch.py --heldout DIR`,
then `python -m tests.realscripts_heldout DIR`, which exits 1 when the bar is not met)."""

from __future__ import annotations

import re
from pathlib import Path

from .realscripts_heldout import command_lines, heldout


def test_the_held_out_table_names_its_scripts_and_the_tests_of_what_it_found():
    rows = heldout()
    assert len(rows) >= 40 and len({(r["repository"], r["path"]) for r in rows}) == len(rows)
    assert all(re.fullmatch(r"[0-9a-f]{40}", r["commit"]) for r in rows)
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    for name in (m.group(1) for r in rows for m in re.finditer(r"(?:fixed|error): (test_\w+)", r["found"])):
        assert f"def {name}(" in tests, name
    assert not any("WITHOUT" in r["differential"] for r in rows)


def test_command_lines_sees_what_runs_and_not_what_names_a_program():
    text = "IPT=/sbin/iptables\n$IPT -F\nsudo ip route add default via 10.0.0.1\n# iptables -F\nif true; then iptables -L; fi\n"
    assert command_lines(text) == {2, 3, 5}
