"""Mutation fuzz of parse, translate and lint: whatever the script, a positioned error or a result,
never a traceback.

Seeds are the corpus scripts, the examples and sample commands of each tool; hypothesis mutates
them (characters and words deleted, doubled, swapped or inserted; numbers replaced by edge
values: negative, 2^32, 2^64, 5,000 digits, non-ASCII digits; lines joined and cut).  In process
every entry point may yield or raise only pyip's positioned errors; a sample also goes through
the command line, which must end 0 or 1 with no traceback.

PYIP_FUZZ_EXAMPLES sets how many scripts each target gets (default 150, derandomized, for CI;
a long run: PYIP_FUZZ_EXAMPLES=20000, random each time).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pyip
import pyip.lint
from pyip.errors import PyipError
from pyip.translators.pipeline import translate

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
EXAMPLES = int(os.environ.get("PYIP_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 150,
                suppress_health_check=list(HealthCheck))

SAMPLE_COMMANDS = [
    "ip route add 10.0.0.0/8 via 192.168.1.1 dev eth0 table 5 metric 10 proto static",
    "ip rule add from 192.168.1.0/24 fwmark 0x10/0xff lookup 5 prio 100",
    "ip addr add 10.8.0.1/24 brd + dev d0 label d0:1",
    "iptables -t nat -A POSTROUTING -s 10.0.0.0/8 -o ppp0 -j MASQUERADE",
    "iptables -A INPUT -p tcp -m multiport --dports 22,80,443 -m state --state NEW -j ACCEPT",
    "iptables -A FORWARD -m limit --limit 5/min -j LOG --log-prefix 'fw: '",
    "iptables -N svc; iptables -A INPUT -i eth0 -j svc; iptables -I svc 1 -s 10.1.2.3 -j DROP",
    "iptables -t mangle -A PREROUTING -p udp --dport 53 -j MARK --set-mark 0x2/0xff",
    "iptables -A INPUT -m u32 --u32 '0>>22&0x3C@12>>26&0x3C@0=0x8000' -j DROP",
    "ipchains -A input -p tcp -s 0/0 -d 10.0.0.1 22 -j ACCEPT",
    "ipchains -A forward -s 192.168.1.0/24 -j MASQ",
    "ipchains -M -S 7200 10 60",
    "ipchains -N acct; ipchains -I input 1 -j acct -b",
    "for i in 1 2 3; do iptables -A INPUT -s 10.0.$i.0/24 -j ACCEPT; done",
    'IPT=/sbin/iptables\n$IPT -P INPUT DROP\nif [ -n "$EXT" ]; then $IPT -A INPUT -i $EXT -j DROP; fi',
]
EDGE_NUMBERS = ["-1", "-0", "0", "4294967295", "4294967296", "18446744073709551616", "9" * 5000, "0x" + "f" * 300,
                "\u0663", "1\u0663", "\uff11", "00000000000000000000010", "+5", " 7"]
ALPHABET = "0123456789abcxyzABC-_./:,!=$'\"`\\{}()[];|&<>#*?~ \t\n\u2014\u00e9\u0663\x00\udcff"


def seeds() -> list[str]:
    texts = list(SAMPLE_COMMANDS)
    for directory in (CORPUS, REPO / "examples"):
        if directory.is_dir():
            texts += [path.read_text(errors="surrogateescape") for path in sorted(directory.rglob("*.sh"))]
    return texts


SEEDS = seeds()


@st.composite
def mutated_scripts(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    lines = text.split("\n")
    if len(lines) > 12:  # a window of a long script keeps each example quick
        start = draw(st.integers(0, len(lines) - 12))
        lines = lines[start:start + 12]
    for _ in range(draw(st.integers(1, 4))):
        lines = draw(st.sampled_from(MUTATIONS))(draw, lines)
    return "\n".join(lines)


def _pick_line(draw, lines):
    return draw(st.integers(0, max(0, len(lines) - 1)))


def replace_number(draw, lines):
    import re

    index = _pick_line(draw, lines)
    numbers = list(re.finditer(r"\d+", lines[index])) if lines else []
    if not numbers:
        return lines
    match = draw(st.sampled_from(numbers))
    edge = draw(st.sampled_from(EDGE_NUMBERS))
    lines[index] = lines[index][:match.start()] + edge + lines[index][match.end():]
    return lines


def edit_words(draw, lines):
    index = _pick_line(draw, lines)
    words = lines[index].split(" ") if lines else []
    if not words:
        return lines
    at = draw(st.integers(0, len(words) - 1))
    action = draw(st.sampled_from(["delete", "double", "swap", "insert"]))
    if action == "delete":
        del words[at]
    elif action == "double":
        words.insert(at, words[at])
    elif action == "swap" and at + 1 < len(words):
        words[at], words[at + 1] = words[at + 1], words[at]
    else:
        words.insert(at, draw(st.sampled_from(["!", "-j", "-p", "--", "-m", "table", "via", "dev", "$X", "'", "\\",
                                               "10.0.0.0/33", "::1", "-A", "INPUT", "-s", "0/0"])))
    lines[index] = " ".join(words)
    return lines


def edit_characters(draw, lines):
    index = _pick_line(draw, lines)
    line = lines[index] if lines else ""
    at = draw(st.integers(0, len(line)))
    action = draw(st.sampled_from(["delete", "insert", "truncate"]))
    if action == "delete":
        line = line[:at] + line[at + 1:]
    elif action == "insert":
        line = line[:at] + draw(st.text(ALPHABET, min_size=1, max_size=3)) + line[at:]
    else:
        line = line[:at]
    if lines:
        lines[index] = line
    return lines


def edit_lines(draw, lines):
    if len(lines) < 2:
        return lines
    index = draw(st.integers(0, len(lines) - 2))
    if draw(st.booleans()):
        lines[index:index + 2] = [lines[index] + " " + lines[index + 1]]  # joined
    else:
        lines.insert(index, lines[index + 1])  # a line repeated out of order
    return lines


MUTATIONS = [replace_number, replace_number, edit_words, edit_characters, edit_lines]  # numbers most


# What fuzzing found before (issue 14): each runs on every test run, whatever hypothesis draws.
FOUND = ["ip\n", "ip r a\n", "iptables -A INPUT -s 1.2.3.\u0663 -j DROP", "iptables -A INPUT -s 1.2.3.4/" + "9" * 5000,
         "iptables -A INPUT -p tcp --dport " + "9" * 5000 + " -j DROP", "ipchains -A input -s 10.0.0.0/" + "9" * 5000,
         "set -- a\niptables -A INPUT -s ${" + "9" * 5000 + "} -j DROP", "ipchains -M -S 7200 10 60",
         "iptables -A INPUT -m u32 --u32 '0>>22&0x3C@12=0x8000' -j DROP\nip rule add"]


def found_examples(*other_arguments):
    """Run every FOUND script first (with these values for the test's other arguments)."""
    def decorate(test):
        for text in FOUND:
            test = example(text, *other_arguments)(test)
        return test
    return decorate


def assert_positioned(error: PyipError, text: str) -> None:
    assert isinstance(error, PyipError), repr(error)
    assert error.location.line >= 1 and error.location.col >= 1, str(error)
    assert str(error)  # printable


@FUZZ
@given(mutated_scripts())
@found_examples()
def test_parse_never_crashes(text):
    for result in pyip.parse_script(text, file="fuzz.sh"):
        if isinstance(result, PyipError):
            assert_positioned(result, text)


@FUZZ
@given(mutated_scripts(), st.sampled_from(["iptables-restore", "nft", "nft-json"]),
       st.sampled_from(["modern", "legacy"]))
@found_examples("nft", "legacy")
def test_translate_never_crashes(text, target, dialect):
    output, problems = translate(text, "fuzz.sh", target, dialect)
    assert isinstance(output, str)
    for problem in problems:
        assert_positioned(problem, text)


@FUZZ
@given(mutated_scripts(), st.sampled_from(["modern", "legacy"]))
@found_examples("modern")
def test_lint_never_crashes(text, dialect):
    for finding in pyip.lint.lint(text, "fuzz.sh", dialect):
        assert finding.line >= 1 and finding.col >= 1 and finding.code.startswith("PI")


CLI_SAMPLE = max(3, EXAMPLES // 50)


@pytest.mark.parametrize("command", [["parse"], ["lint"], ["translate", "--to", "nft"]])
def test_the_command_line_ends_0_or_1_without_a_traceback(tmp_path, command):
    scripts = []

    @settings(max_examples=CLI_SAMPLE, deadline=None, derandomize=EXAMPLES <= 150,
              suppress_health_check=list(HealthCheck), database=None)
    @given(mutated_scripts())
    def collect(text):
        scripts.append(text)

    collect()
    for index, text in enumerate(scripts):
        path = tmp_path / f"fuzz{index}.sh"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        result = subprocess.run([sys.executable, "-m", "pyip", *command, str(path)], capture_output=True,
                                text=True, errors="replace", timeout=120, env={**os.environ, "PYIP_DEBUG": ""})
        assert result.returncode in (0, 1), (text, result.stderr[-2000:])
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (text, result.stderr)
        if result.returncode == 1 and command[0] != "lint":
            assert f"{path}:" in result.stderr  # positioned
