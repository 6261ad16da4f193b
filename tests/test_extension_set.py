"""The set match and the SET target (pyip/extensions/set.py) against the real iptables and ipset.

ipsets live in a network namespace: each test makes its sets with the real
`ipset create` in a namespace of its own, where the real iptables judges
every rule (iptables asks the kernel for the set while it reads the rule).
pyip reads scripts on another machine and takes any set name; what that
costs is tested here too, as are the nft refusal and lint's `--set`.
"""

from __future__ import annotations

import os
import shutil

import pytest

import pyip.lint as lint
from pyip.lint import apply_fixes
from pyip.lint import rules as _rules  # noqa: F401  (registers the rules)
from pyip.translators.pipeline import translate

from .netns import namespace, run
from .peer_iptables import Prepared, TCase, judge_t, oracle_for_steps, pyip_restore

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces"),
              pytest.mark.skipif(shutil.which("ipset") is None, reason="needs ipset (tests/run installs it)")]

# The sets the rules name: two dimensions (foo), one (bar), one with skbinfo for --map-set (marks).
SETS = ("ipset create foo hash:ip,port", "ipset create bar hash:ip", "ipset create marks hash:ip skbinfo",
        "ipset create " + "b" * 31 + " hash:ip")

RULES = [
    # the match: every option, alias and invert form, and what iptables refuses
    ("filter", "INPUT", "-m set --match-set foo src,dst -j DROP"),
    ("filter", "INPUT", "-m set ! --match-set foo src,dst,src,dst,src,dst"),
    ("filter", "INPUT", "-m set --match-set foo src,dst,src,dst,src,dst,src"),  # seven: more than IPSET_DIM_MAX
    ("filter", "INPUT", "-m set --match-set foo srcx,dstfoo"),  # the first three letters count
    ("filter", "INPUT", "-m set --match-set foo source"),
    ("filter", "INPUT", "-m set --match-set foo sr"),
    ("filter", "INPUT", "-m set --match-set foo src,"),
    ("filter", "INPUT", "-m set --match-set foo ''"),
    ("filter", "INPUT", "-m set --match-set foo 'src dst'"),
    ("filter", "INPUT", "-m set --match-set foo"),
    ("filter", "INPUT", "-m set --match-set foo ! src"),
    ("filter", "INPUT", "-m set --match-set foo -j DROP"),
    ("filter", "INPUT", "-m set --match-set"),
    ("filter", "INPUT", "-m set"),
    ("filter", "INPUT", "-m set --set foo src"),  # the old name, still taken
    ("filter", "INPUT", "-m set ! --set foo dst"),
    ("filter", "INPUT", "-m set --match-s foo src"),  # getopt's abbreviation
    ("filter", "INPUT", "-m recent --set -m set --set foo src"),  # the newest extension's --set wins
    ("filter", "INPUT", "-m set --set foo src -m recent --set"),
    ("filter", "INPUT", "-m set --match-set foo src --match-set foo dst"),
    ("filter", "INPUT", "-m set --match-set foo src -m set --match-set bar dst"),
    ("filter", "INPUT", "-m set --match-set " + "a" * 32 + " src"),
    ("filter", "INPUT", "-m set --match-set foo src --return-nomatch ! --update-counters ! --update-subcounters "
                        "--packets-eq 3 --bytes-gt 100"),
    ("filter", "INPUT", "-m set --match-set foo src ! --packets-eq 3 ! --bytes-eq 0x10"),
    ("filter", "INPUT", "-m set --match-set foo src --packets-lt 010 --bytes-lt 7"),
    ("filter", "INPUT", "-m set --match-set foo src ! --packets-lt 3"),
    ("filter", "INPUT", "-m set --match-set foo src ! --bytes-gt 3"),
    ("filter", "INPUT", "-m set --match-set foo src ! --return-nomatch"),
    ("filter", "INPUT", "-m set ! --match-set foo src --return-nomatch --return-nomatch"),
    ("filter", "INPUT", "-m set --match-set foo src --update-counters --update-subcounters"),
    ("filter", "INPUT", "-m set --match-set foo src ! --update-counters ! --update-counters"),
    ("filter", "INPUT", "-m set ! --update-counters"),
    ("filter", "INPUT", "-m set --match-set foo src --packets-eq 3 --packets-lt 4"),
    ("filter", "INPUT", "-m set --match-set foo src --bytes-gt 5 --bytes-gt 6"),
    ("filter", "INPUT", "-m set --match-set foo src --packets-eq -1"),
    ("filter", "INPUT", "-m set --match-set foo src --packets-eq 18446744073709551615"),
    ("filter", "INPUT", "-m set --match-set foo src --packets-eq 18446744073709551616"),
    ("filter", "INPUT", "-m set --match-set foo src --bytes-eq 0x1ffffffffffffffff"),
    ("filter", "INPUT", "-m set --match-set foo src --bytes-eq 12x"),
    ("filter", "INPUT", "-m set --match-set foo src --return --packets-g 5"),
    ("nat", "PREROUTING", "-p tcp -m set --match-set foo dst,dst -j DNAT --to-destination 10.0.0.1"),
    ("raw", "PREROUTING", "-m set --match-set bar src -j CT --notrack"),
    # the target
    ("filter", "INPUT", "-j SET --add-set foo src,dst"),
    ("filter", "INPUT", "-j SET ! --add-set foo src"),  # a `!' SET does not read is ignored
    ("filter", "INPUT", "-j SET"),
    ("filter", "INPUT", "-j SET --add-set foo src --del-set bar dst"),
    ("filter", "INPUT", "-j SET --del-set foo src --add-set bar dst --exist --timeout 5"),
    ("filter", "INPUT", "-j SET --del-set foo src --exist"),
    ("filter", "INPUT", "-j SET --del-set foo src --timeout 4"),
    ("filter", "INPUT", "-j SET --add-set foo src --timeout 4294967295"),
    ("filter", "INPUT", "-j SET --add-set foo src --timeout 4294967294"),
    ("filter", "INPUT", "-j SET --add-set foo src --timeout -0"),
    ("filter", "INPUT", "-j SET --add-set foo src --timeout 0x10 --timeout 3"),  # the last one counts
    ("filter", "INPUT", "-j SET --add-set foo src --timeout 0"),
    ("filter", "INPUT", "-j SET --add-set foo src --add-set foo dst"),
    ("filter", "INPUT", "-j SET --add-set foo src ! --exist --exist"),
    ("filter", "INPUT", "-j SET --add-set foo -x"),
    ("filter", "INPUT", "-j SET --add-set foo src,dst,src,dst,src,dst,src"),
    ("filter", "INPUT", "-j SET --add-set foo src,dst,src,dst,src,dst"),
    ("filter", "INPUT", "-j SET --timeout 5"),
    ("filter", "INPUT", "-j SET --timeout x --add-set foo src"),
    ("filter", "INPUT", "-j SET --add-set " + "b" * 31 + " src"),  # the longest name iptables takes
    ("filter", "INPUT", "-j SET --map-set marks src --map-mark"),  # the kernel: only in mangle
    ("filter", "INPUT", "-j SET --map-set marks src"),
    ("filter", "INPUT", "-j SET --map-mark --add-set foo src"),
    ("filter", "INPUT", "-j SET --add-set foo src --map-queue"),
    ("mangle", "INPUT", "-j SET --map-set marks src --map-mark"),
    ("mangle", "INPUT", "-j SET --map-set foo src --map-mark"),
    ("mangle", "INPUT", "-j SET --map-set marks src --map-prio"),  # prio and queue: only where a packet leaves
    ("mangle", "PREROUTING", "-j SET --map-set marks src --map-queue"),
    ("mangle", "FORWARD", "-j SET --map-set marks src --map-queue"),
    ("mangle", "OUTPUT", "-j SET --map-set marks src --map-prio --map-queue --map-mark"),
    ("mangle", "POSTROUTING", "-j SET --map-set marks src,dst --map-prio --add-set foo dst --del-set bar src "
                              "--timeout 7 --exist"),
    ("filter", "FORWARD", "-m set --match-set bar src -j SET --del-set bar src"),
]


@pytest.fixture(scope="module")
def oracles():
    cases = [TCase("set", number, table, chain, rule, "?") for number, (table, chain, rule) in enumerate(RULES, 1)]
    return oracle_for_steps([*map(Prepared, SETS), *cases])


@pytest.fixture(scope="module")
def judged(oracles):
    return [judge_t(case, oracle) for case, oracle in oracles]


@pytest.mark.parametrize("number", range(1, len(RULES) + 1))
def test_rule_as_iptables_reads_and_saves_it(judged, number):
    result = judged[number - 1]
    assert result.verdict in ("same", "rejected"), str(result)


def test_the_rules_judged_are_both_taken_and_refused(judged):
    """The list is worth its name: iptables takes many of these rules and refuses many."""
    verdicts = [result.verdict for result in judged]
    assert verdicts.count("same") >= 30 and verdicts.count("rejected") >= 30, verdicts


def test_a_refused_rule_gets_iptables_own_message(oracles):
    """Every refusal in its words: the value readers' and final checks' messages of libxt_set.c and libxt_SET.c,
    getopt's, and the kernel's check as iptables-nft reports it."""
    said = [(case.rule, oracle.message, pyip_restore(case.command)[1].split(" error: ", 1)[-1])
            for case, oracle in oracles if oracle.status != 0]
    assert len(said) >= 30
    assert [(rule, theirs) for rule, theirs, _ in said] == [(rule, mine) for rule, _, mine in said]


SCRIPT = """\
ipset create blocked hash:net
ipset create seen hash:ip,port timeout 60
iptables -N sets
iptables -A INPUT -j sets
iptables -A sets -m set --match-set blocked src -j DROP
iptables -A sets -p tcp -m set ! --match-set seen src,dst --packets-lt 5 -j SET --add-set seen src,dst --exist --timeout 30
iptables -A sets -m set --set blocked dst ! --update-counters -j LOG --log-prefix blocked
iptables -t mangle -A POSTROUTING -j SET --map-set blocked dst --map-prio --map-mark
"""


def test_the_restore_file_loads_into_iptables_restore_as_written():
    """translate --to iptables-restore: iptables-restore loads it where the script's sets exist, and iptables-save
    prints the rules back as pyip wrote them."""
    output, problems = translate(SCRIPT, "t.sh", "iptables-restore", "modern")
    assert not [problem for problem in problems if "error" in str(problem)], problems
    with namespace("pyipset") as ns:
        for line in SCRIPT.splitlines()[:2]:
            run("ip", "netns", "exec", ns, *line.split(), check=True)
        loaded = run("ip", "netns", "exec", ns, "iptables-restore", stdin=output)
        assert loaded.returncode == 0, loaded.stderr
        saved = run("ip", "netns", "exec", ns, "iptables-save", check=True).stdout
    rules = [line for line in output.splitlines() if line.startswith("-A ")]
    assert len(rules) == 5
    assert rules == [line for line in saved.splitlines() if line.startswith("-A ")]


def test_a_set_the_kernel_lacks_is_taken_offline_as_documented():
    """iptables asks the kernel for the set; pyip reads a script on another machine and takes the name."""
    rule = "iptables -A INPUT -m set --match-set nosuch src -j DROP\n"
    output, problems = translate(rule, "t.sh", "iptables-restore", "modern")
    assert "-A INPUT -m set --match-set nosuch src -j DROP" in output and not problems
    with namespace("pyipset") as ns:
        refused = run("ip", "netns", "exec", ns, "iptables-restore", stdin=output)
    assert refused.returncode != 0 and "Set nosuch doesn't exist." in refused.stderr


@pytest.mark.parametrize("rule, what", [
    ("-A INPUT -m set --match-set blocked src -j DROP", "the set match (`blocked' is an ipset"),
    ("-A INPUT -j SET --add-set seen src", "the SET target (it changes ipsets"),
])
def test_nft_refuses_with_the_reason_and_keeps_the_rule_in_sight(rule, what):
    """An ipset is not an nft set: no translation (iptables-translate 1.8.9 has none either), never a silent loss."""
    output, problems = translate(f"iptables {rule}\niptables -A INPUT -j ACCEPT\n", "t.sh", "nft", "modern")
    assert [str(problem) for problem in problems] == [f"t.sh:1:10: error: no exact nftables equivalent: {what}"
                                                      + str(problems[0]).split(what, 1)[1]]
    assert f"# pyip: left out: {what}" in output and rule in output
    with namespace("pyipset") as ns:  # what pyip wrote, the other rule, loads
        loaded = run("ip", "netns", "exec", ns, "nft", "-f", "-", stdin=output)
        assert loaded.returncode == 0, loaded.stderr
        assert "accept" in run("ip", "netns", "exec", ns, "nft", "list", "ruleset").stdout


def test_iptables_translate_has_no_translation_either():
    with namespace("pyipset") as ns:
        run("ip", "netns", "exec", ns, "ipset", "create", "blocked", "hash:ip", check=True)
        for rule in ("-A INPUT -m set --match-set blocked src -j DROP", "-A INPUT -j SET --add-set blocked src"):
            said = run("ip", "netns", "exec", ns, "iptables-translate", *rule.split(), check=True).stdout
            assert said.strip() == f"nft # {rule}"


DEPRECATED = ("iptables -A INPUT -m set --set blocked src -j DROP\n"
              "iptables -A INPUT -m recent --set -m set --set blocked src\n"
              "iptables -A INPUT -m set --match-set blocked src -m recent --set\n"
              "iptables -A INPUT -m set --set blocked src -m recent --set\n")


def test_lint_says_the_old_set_option_and_fixes_it():
    found = [(f.line, f.col, f.code, f.severity) for f in lint.lint(DEPRECATED, "t.sh", "modern") if f.code == "PI007"]
    # recent's own --set (lines 2-4, loaded after the set match on 3 and 4) is no finding
    assert found == [(1, 26, "PI007", "warning"), (2, 42, "PI007", "warning"), (4, 26, "PI007", "warning")]
    fixed, count = apply_fixes(DEPRECATED, lint.lint(DEPRECATED, "t.sh", "modern"))
    assert count == 3
    assert fixed.splitlines() == [
        "iptables -A INPUT -m set --match-set blocked src -j DROP",
        "iptables -A INPUT -m recent --set -m set --match-set blocked src",
        "iptables -A INPUT -m set --match-set blocked src -m recent --set",
        "iptables -A INPUT -m set --match-set blocked src -m recent --set"]


def test_lint_fix_is_what_iptables_reads_the_same_without_its_warning():
    """The fixed rule is the rule iptables read before, and iptables says nothing about it."""
    fixed, _ = apply_fixes(DEPRECATED, lint.lint(DEPRECATED, "t.sh", "modern"))
    with namespace("pyipset") as ns:
        run("ip", "netns", "exec", ns, "ipset", "create", "blocked", "hash:ip", check=True)
        saved = []
        for script in (DEPRECATED, fixed):
            said = run("ip", "netns", "exec", ns, "sh", "-e", stdin=script)
            assert said.returncode == 0, said.stderr
            assert ("deprecated" in said.stderr) == (script is DEPRECATED)
            saved.append(run("ip", "netns", "exec", ns, "iptables", "-S", "INPUT", check=True).stdout)
            run("ip", "netns", "exec", ns, "iptables", "-F", "INPUT", check=True)
    assert saved[0] == saved[1]


def test_a_value_refused_in_a_rule_of_a_known_shape_is_placed_at_its_word():
    """Rules of one shape are read from a template after the first (pyip.parser.templates), without the words'
    places; a value refused there takes the full path and is said at its own word, never a traceback."""
    lines = ["iptables -A INPUT -m set --match-set foo src,dst --packets-eq 1 -j SET --add-set bar src --timeout 1",
             "iptables -A INPUT -m set --match-set foo sr,dst --packets-eq 1 -j SET --add-set bar src --timeout 1",
             "iptables -A INPUT -m set --match-set " + "a" * 32 + " src,dst --packets-eq 1 -j SET --add-set bar src "
             "--timeout 1",
             "iptables -A INPUT -m set --match-set foo src,dst --packets-eq 1x -j SET --add-set bar src --timeout 1",
             "iptables -A INPUT -m set --match-set foo src,dst --packets-eq 1 -j SET --add-set bar src,s,d --timeout 1",
             "iptables -A INPUT -m set --match-set foo src,dst --packets-eq 1 -j SET --add-set bar src --timeout x"]
    output, problems = translate("\n".join(lines * 2) + "\n", "t.sh", "iptables-restore", "modern")
    said = [str(problem) for problem in problems]
    expected = ["t.sh:{}:42: error: You must spefify (the comma separated list of) 'src' or 'dst'.",
                "t.sh:{}:38: error: setname `" + "a" * 32 + "' too long, max 31 characters.",
                "t.sh:{}:63: error: Cannot parse 1x as a counter value",
                "t.sh:{}:86: error: You must spefify (the comma separated list of) 'src' or 'dst'.",
                "t.sh:{}:100: error: Invalid value for option --timeout or out of range 0-4294967294"]
    assert said == [message.format(line) for first in (2, 8) for line, message in enumerate(expected, first)]
    assert output.count("-A INPUT -m set --match-set foo src,dst --packets-eq 1 -j SET --add-set bar src "
                        "--timeout 1\n") == 2
