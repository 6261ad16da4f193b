"""Every shell script of this Debian system that `bash -n` accepts is read without a shell syntax error.

The scripts are the system's own (/usr/bin, /usr/sbin, /etc/init.d, git's and other
helpers, `*.sh` under /usr/share and /usr/lib): real shell that pyip must read whatever
it holds, because `pyip lint` sits in pre-commit hooks of repositories full of it.
"""

import os
import random
import re
import subprocess
import sys

import pytest

from pyip.shell import read_script

DIRECTORIES = ("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/etc/init.d", "/usr/lib/git-core", "/usr/libexec")
SHEBANG = re.compile(rb"#!\s*(?:/usr)?/bin/(?:env\s+)?(?:ba|da)?sh\b")
# The shell layer's syntax errors: tree-sitter's ERROR ("syntax error near ...") and MISSING nodes,
# also those of a sourced file ("FILE:LINE:COL: syntax error ...").  Other notes (the bound on
# exploring paths, say) are not about reading the text, and not this test's to judge.
SYNTAX_ERROR = re.compile(r"(?:^|: )(?:syntax error|missing ')")


def shell_scripts() -> list[str]:
    paths = set()
    for directory in DIRECTORIES:
        if os.path.isdir(directory) and not os.path.islink(directory):
            paths.update(os.path.join(directory, name) for name in os.listdir(directory))
    found = subprocess.run(["find", "/usr/share", "/usr/lib", "-name", "*.sh", "-type", "f"],
                           capture_output=True, text=True).stdout.split("\n")
    paths.update(path for path in found if path)
    scripts = []
    for path in sorted(paths):
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as handle:
                head = handle.read(80)
        except OSError:
            continue
        if SHEBANG.match(head) or path.endswith(".sh"):
            scripts.append(path)
    return scripts


def bash_accepts(path: str) -> bool:
    return subprocess.run(["bash", "-n", path], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def accepted() -> list[str]:
    scripts = [path for path in shell_scripts() if bash_accepts(path)]
    assert len(scripts) >= 50, f"only {len(scripts)} shell scripts found: is this a Debian system?"
    return scripts


def test_every_script_bash_accepts_reads_without_a_shell_syntax_error(accepted):
    failures = {}
    for path in accepted:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            text = handle.read()
        script = read_script(text, path)
        syntax_errors = [error for error in script.errors if SYNTAX_ERROR.search(error[2])]
        if syntax_errors:
            failures[path] = syntax_errors[:3]
    assert failures == {}


def test_lint_on_a_sample_gives_no_shell_error_and_no_traceback(accepted):
    sample = random.Random(20261203).sample(accepted, min(40, len(accepted)))
    result = subprocess.run([sys.executable, "-m", "pyip", "lint", *sample], capture_output=True, text=True,
                            timeout=300)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    shell_errors = [line for line in result.stdout.splitlines()
                    if "PI000 error: shell:" in line and SYNTAX_ERROR.search(line.split("shell: ", 1)[1])]
    assert shell_errors == []
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: real findings in the sample are fine
