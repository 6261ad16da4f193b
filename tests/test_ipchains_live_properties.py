"""Properties of the live ipchains, in a namespace of its own (hypothesis runs inside it): after every
command the model read back from the kernel is the model pyip's ruleset keeps in memory for the same
commands (every rule's comment reads back as the same rule); a command refused, however bad its words,
leaves the kernel's ruleset byte for byte as it was, with exit status 1 or 2 and never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

from .translate_oracle import ns_run, scratch_namespace

REPO = Path(__file__).resolve().parents[1]

DRIVER = r'''
import copy, io, sys
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.test_ipchains_properties import other_command, rule_command
from pyip.errors import PyipError
from pyip.ipchains_live.command import main
from pyip.ipchains_live.nftlib import Nft, NftError
from pyip.ipchains_live.state import read_model, read_state
from pyip.ipchains_live.transaction import wanted_chains
from pyip.parser.ipchains import parse_ipchains
from pyip.parser.words import Word

nft = Nft()
SETTINGS = settings(max_examples=int(sys.argv[1]), deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def ruleset():
    try:
        return nft.run("list ruleset")
    except NftError:
        return ""


def run(words):
    out, err = io.StringIO(), io.StringIO()
    status = main(words, out=out, err=err)
    assert status in (0, 1, 2), (words, status)
    return status, err.getvalue()


for chain in ("acct", "INPUT", "a-b_c", "x"):
    assert run(["-N", chain])[0] == 0
shadow = read_model(read_state(nft)).ruleset


def chains(ruleset):
    return [(c.name, c.policy, list(c.rules)) for c in ruleset.chains.values()]


@SETTINGS
@given(st.one_of(rule_command(), other_command))
def commands_agree_with_the_model(text):
    global shadow
    words = text.split()[1:]
    before = ruleset()
    status, err = run(words)
    if status != 0:
        assert ruleset() == before, (text, err)
        return
    expected = copy.deepcopy(shadow)
    expected.apply(parse_ipchains([Word(w) for w in text.split()]))
    shadow = expected
    state = read_state(nft)
    assert chains(read_model(state).ruleset) == chains(shadow), text
    # and the kernel's nft rules are those the model translates to, rule by rule (comments carry checksums)
    wanted = wanted_chains(shadow)
    assert sorted(wanted) == sorted(name for name in state.chains), text
    for name, chain in wanted.items():
        assert [comment for comment, _ in chain.rules] == [r.comment for r in state.chains[name].rules], text
    assert kernel_expressions("ipchains") == loaded_expressions(wanted), text


def kernel_expressions(table):
    """Each chain's rules as nft's JSON expressions, without counters and comments."""
    rules = {}
    for item in nft.json(f"list table ip {table}"):
        if "chain" in item:
            rules.setdefault(item["chain"]["name"], [])
        if "rule" in item:
            expr = [e for e in item["rule"]["expr"] if "counter" not in e]
            rules[item["rule"]["chain"]].append(expr)
    return rules


def loaded_expressions(wanted):
    """The wanted rules loaded by nft itself into a scratch table (no hooks), read back the same way."""
    lines = ["table ip pyipcheck {"] + [f"chain {name} {{ }}" for name in wanted] + ["}"]
    lines += [f"add rule ip pyipcheck {name} {text}" for name, chain in wanted.items() for _, text in chain.rules]
    nft.run("\n".join(lines) + "\n")
    try:
        return kernel_expressions("pyipcheck")
    finally:
        nft.run("delete table ip pyipcheck\n")


WORDS = ["-A", "-I", "-D", "-R", "-F", "-Z", "-N", "-X", "-P", "-L", "-C", "-M", "-S", "-j", "-s", "-d", "-p",
         "-i", "!", "-y", "-f", "-b", "-l", "-m", "-t", "-o", "input", "forward", "output", "acct", "nosuch",
         "ACCEPT", "DENY", "REJECT", "MASQ", "REDIRECT", "RETURN", "tcp", "icmp", "0/0", "10/8", "1.2.3.4",
         "80", "1024:", "echo-request", "eth0", "eth+", "0xff", "+1", "3", "", "--", "--j", "-v", "-n", "x" * 9]


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), max_size=9))
def refused_words_change_nothing(words):
    before = ruleset()
    status, err = run(words)
    if status != 0:
        assert ruleset() == before, (words, err)
        assert "Traceback" not in err


commands_agree_with_the_model()
refused_words_change_nothing()
print("ok")
'''


def test_live_commands_agree_with_the_model_and_refusals_change_nothing():
    with scratch_namespace("liveprop") as ns:
        done = ns_run(ns, "env", f"PYTHONPATH={REPO}", sys.executable, "-c", DRIVER, "150")
    assert done.stdout.strip().endswith("ok"), done.stdout[-3000:] + done.stderr[-5000:]
