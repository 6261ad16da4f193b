"""The false-positive hunt over real public scripts (tests/data/realscripts/README.md): every
error-severity finding is judged a true defect, every false one names the test that fixed it."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

import pyip.lint as lint

from .data.realscripts.fetch import local_name, scripts

HERE = Path(__file__).parent / "data" / "realscripts"


def judgements() -> list[dict]:
    with open(HERE / "judgements.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_error_is_judged_a_true_defect():
    rows = judgements()
    assert len({row["script"] for row in rows}) >= 40
    errors = [row for row in rows if row["today"] == "error"]
    assert errors and all(row["judgement"] == "true" for row in errors), \
        [row for row in errors if row["judgement"] != "true"]


def test_every_false_finding_fixed_names_a_test_that_exists_and_is_no_error_today():
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_lint*.py"))
    for row in judgements():
        if row["judgement"].startswith("false-fixed"):
            name = row["judgement"].split()[1]
            assert f"def {name}(" in tests, name
            assert row["today"] != "error" and row["found"] != row["today"], row


@pytest.mark.skipif(not os.environ.get("PYIP_REALSCRIPTS"), reason="on demand: fetch.py DIR, then PYIP_REALSCRIPTS=DIR")
def test_the_scripts_give_the_judged_findings_today():
    directory = Path(os.environ["PYIP_REALSCRIPTS"])
    judged = {(row["script"], row["position"], row["code"]) for row in judgements() if row["today"] == "error"}
    for repository, path, commit in scripts():
        text = (directory / local_name(repository, path)).read_text(errors="surrogateescape")
        name = f"{repository}:{path}@{commit}"
        for finding in lint.lint(text, path):
            if finding.severity == "error":
                assert any(script == name and code == finding.code and (position == f"{finding.line}:{finding.col}"
                                                                      or not position[0].isdigit())
                           for script, position, code in judged), (name, str(finding))
