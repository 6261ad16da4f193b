"""Scripts saved with CR LF or lone CR line endings: bash runs them differently from how they read.

Oracle: the real bash runs the file with the real iptables in a network namespace and fails
(`-j ACCEPT\\r` names no target); pyip's `parse` and `translate` must not print the script's
ruleset as if it ran: an error at the first such line, exit 1, as `pyip lint` says (PI021).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from pyip.line_endings import shell_lines

from .test_shell_paths import reset, saved, twins
from .translate_oracle import ns_run, scratch_namespace

RULES = "iptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\n"
ENDINGS = {"crlf": (RULES.replace("\n", "\r\n"), "2 lines end in CR LF"),
           "cr": (RULES.replace("\n", "\r"), "lines end in a lone CR")}


def pyip(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True)


@pytest.mark.parametrize("kind", ENDINGS)
def test_the_real_run_fails_and_translate_says_so(tmp_path, kind):
    text, said = ENDINGS[kind]
    path = tmp_path / "fw.sh"
    path.write_bytes(text.encode())
    with twins() as (real, _):
        reset(real)
        bash = subprocess.run(["ip", "netns", "exec", real, "bash", str(path)], capture_output=True, text=True)
        assert bash.returncode != 0  # the oracle: the run fails...
        assert not any(line.startswith("-A INPUT") for line in saved(real))  # ...and adds no rule
    for command in (["translate", "--to", "iptables-restore", str(path)], ["parse", str(path)]):
        done = pyip(*command)
        assert done.returncode == 1, (command, done.stderr)
        first = done.stderr.decode().splitlines()[0]
        assert first.startswith(f"{path}:1:") and said in first, first
    from_stdin = pyip("translate", "--to", "nft", "-", stdin=text.encode())
    assert from_stdin.returncode == 1 and f"-:1:" in from_stdin.stderr.decode()


@pytest.mark.parametrize("kind", ENDINGS)
def test_apply_loads_nothing(tmp_path, kind):
    """`pyip apply` would have loaded the rules as meant, a ruleset the script's real run never makes."""
    text, said = ENDINGS[kind]
    path = tmp_path / "fw.sh"
    path.write_bytes(text.encode())
    with scratch_namespace("crlf") as ns:
        for target in ("nft", "iptables"):
            done = pyip("apply", "--to", target, "-n", ns, "--timeout", "0", str(path))
            first = done.stderr.decode().splitlines()[0]
            assert done.returncode == 1 and first.startswith(f"{path}:1:") and said in first, done.stderr
        assert ns_run(ns, "nft", "list", "ruleset").stdout.strip() == ""


def test_lf_only_scripts_are_not_reported_and_allow_partial_still_prints():
    assert shell_lines(RULES, "f") == (RULES, None)
    done = pyip("translate", "--to", "iptables-restore", "--allow-partial", "-", stdin=ENDINGS["crlf"][0].encode())
    assert done.returncode == 0 and b"-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT" in done.stdout


def test_positions_are_the_first_carriage_return():
    _, error = shell_lines("a\nbb\r\nc\r\n", "f")
    assert (error.location.line, error.location.col) == (2, 3)
    text, error = shell_lines("a\nbb\rc", "f")
    assert text == "a\nbb\nc" and (error.location.line, error.location.col) == (2, 3)


@pytest.mark.parametrize("kind", ENDINGS)
def test_lint_says_it_with_the_same_words_at_the_same_place(tmp_path, kind):
    path = tmp_path / "fw.sh"
    path.write_bytes(ENDINGS[kind][0].encode())
    lint = pyip("lint", str(path)).stdout.decode()
    translate = pyip("translate", "--to", "iptables-restore", str(path)).stderr.decode()
    place, message = translate.splitlines()[0].split(": error: ")
    assert f"{place}: PI021" in lint and message in lint, lint
