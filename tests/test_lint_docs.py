"""The linter's documentation stays true: the man page is generated from the
rules, every rule documents examples, and the pre-commit hook runs pyip lint."""

from __future__ import annotations

import subprocess
import sys

from pyip.lint.manpage import page

from .conftest import REPO


def test_man_page_is_generated_from_the_rules():
    committed = (REPO / "man" / "pyip-lint.1").read_text()
    assert committed == page(), "run: python -m pyip.lint.manpage > man/pyip-lint.1"


def test_every_rule_has_a_section_with_examples():
    from pyip.lint import RULES

    text = page()
    for code, rule in RULES.items():
        assert f".SS {code} " in text
        assert "Bad:" in rule.__doc__ and "Good:" in rule.__doc__


def test_man_page_renders():
    result = subprocess.run(["man", "-l", str(REPO / "man" / "pyip-lint.1")], capture_output=True, text=True,
                            timeout=60, env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "PI020 mark-arithmetic" in result.stdout


def test_pre_commit_hook_runs_pyip_lint(tmp_path):
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "- id: pyip-lint" in hooks and "entry: pyip lint" in hooks and "language: python" in hooks
    script = tmp_path / "fw.sh"
    script.write_text("iptables -t filter INPUT -j ACCEPT\n")
    # pre-commit appends the staged file names to the entry
    result = subprocess.run([sys.executable, "-m", "pyip", "lint", str(script)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "PI001" in result.stdout
