"""The shell layer against the real shell: conditions decided as bash decides them, and paths never merged.

Oracle: `bash SCRIPT ARG...` runs the real iptables in one network namespace;
pyip's `translate --to iptables-restore SCRIPT [ARG...]` is loaded with the
real iptables-restore in a twin; both are compared with iptables-save (counters
and comments stripped, empty built-in tables dropped).  Without the arguments,
pyip must either give the same ruleset as the real run or report, at the
deciding condition, that the path is known only when the script runs (exit 1).
"""

from __future__ import annotations

import contextlib
import re
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyip.translators.pipeline import translate
from pyip.translators.detect import is_error

from .netns import namespace, run

UNDECIDED = "known only when the script runs"


# --------------------------------------------------------------------- oracle


def saved(ns: str) -> list[str]:
    """iptables-save of NS without comments, counters and tables that hold nothing."""
    out = run("ip", "netns", "exec", ns, "iptables-save", check=True).stdout
    tables, current = [], None
    for line in out.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("*"):
            current = [line]
            tables.append(current)
            continue
        current.append(re.sub(r" \[\d+:\d+\]$", "", line))
    return [line for table in tables if not _empty(table) for line in table]


def _empty(table: list[str]) -> bool:
    return all(line.startswith("*") or line == "COMMIT" or (line.startswith(":") and line.endswith(" ACCEPT"))
               for line in table)


def reset(ns: str) -> None:
    script = "".join(f"*{t}\nCOMMIT\n" for t in ("filter", "nat", "mangle", "raw"))
    run("ip", "netns", "exec", ns, "iptables-restore", stdin=script, check=True)


@contextlib.contextmanager
def twins():
    with namespace("pyipsh-real") as real, namespace("pyipsh-mine") as mine:
        yield real, mine


def real_run(ns: str, path, args) -> subprocess.CompletedProcess:
    reset(ns)
    return run("ip", "netns", "exec", ns, "bash", str(path), *args)


def pyip_loaded(ns: str, text: str, file: str, args) -> tuple[bool, list, str]:
    """(whether pyip reported an error, its problems, the ruleset it leaves in NS)."""
    output, problems = translate(text, file, "iptables-restore", "modern", args=None if args is None else list(args))
    reset(ns)
    loaded = run("ip", "netns", "exec", ns, "iptables-restore", stdin=output)
    assert loaded.returncode == 0, (output, loaded.stderr)
    return any(map(is_error, problems)), problems, output


def check(real: str, mine: str, tmp_path, text: str, args, give_args: bool) -> str:
    """Compare one script; returns 'agree' or 'reported'."""
    path = tmp_path / "fw.sh"
    path.write_text(text)
    bash = real_run(real, path, args)
    failed, problems, output = pyip_loaded(mine, text, str(path), args if give_args else None)
    if failed:
        messages = [str(p) for p in problems if is_error(p)]
        assert any(UNDECIDED in m for m in messages), (text, messages)
        assert not give_args, ("with its arguments the path is known", text, messages)
        return "reported"
    if bash.returncode != 0 and not give_args:
        return "agree"  # a failing run (exit 1) is not what a translation describes
    assert saved(real) == saved(mine), (text, args, bash.stderr, output)
    return "agree"


# ------------------------------------------------------------ regression cases

FIREWALL_22_STYLE = """\
#!/bin/sh
iptables -P INPUT DROP
case "$1" in
  start)
    iptables -A INPUT -i lo -j ACCEPT
    ;;
  stop)
    iptables -P INPUT ACCEPT
    iptables -F INPUT
    ;;
esac
"""

FEATURE_FLAG = """\
IPT=iptables
DHCP="no"
$IPT -P INPUT DROP
if [ $DHCP == "yes" ]; then
  $IPT -A INPUT -p udp --dport 68 -j ACCEPT
fi
[[ $DHCP != y* ]] && $IPT -A INPUT -p tcp --dport 22 -j ACCEPT
$IPT -A INPUT -i lo -j ACCEPT
"""


def pyip_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], capture_output=True, text=True, timeout=120)


def test_case_on_the_first_argument_is_reported_not_merged(tmp_path):
    path = tmp_path / "fw.sh"
    path.write_text(FIREWALL_22_STYLE)
    result = pyip_cli("translate", "--to", "iptables-restore", str(path))
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:4:3: error: which commands run depends on $1, {UNDECIDED}")
    assert "arguments after" in first and 'case "$1" in start) matches' in first
    assert "-A INPUT -i lo -j ACCEPT" in result.stdout  # the stated path: start
    partial = pyip_cli("translate", "--to", "iptables-restore", "--allow-partial", str(path))
    assert partial.returncode == 0 and partial.stdout == result.stdout
    assert "follows the path where" in partial.stderr
    parsed = pyip_cli("parse", str(path))
    assert parsed.returncode == 1 and UNDECIDED in parsed.stderr


@pytest.mark.parametrize("args", [["start"], ["stop"], ["restart"], []])
def test_case_on_the_first_argument_follows_the_given_argument(tmp_path, args):
    with twins() as (real, mine):
        assert check(real, mine, tmp_path, FIREWALL_22_STYLE, args, give_args=True) == "agree"
    path = tmp_path / "fw.sh"
    result = pyip_cli("translate", "--to", "iptables-restore", str(path), *args)
    assert result.returncode == (0 if args else 1), result.stderr  # no ARG: $1 unknown, not empty


def test_feature_flag_is_decided(tmp_path):
    with twins() as (real, mine):
        assert check(real, mine, tmp_path, FEATURE_FLAG, [], give_args=True) == "agree"
        flag_on = FEATURE_FLAG.replace('DHCP="no"', 'DHCP="yes"')
        assert check(real, mine, tmp_path, flag_on, [], give_args=True) == "agree"


def test_parse_with_arguments(tmp_path):
    path = tmp_path / "fw.sh"
    path.write_text(FIREWALL_22_STYLE)
    result = pyip_cli("parse", str(path), "stop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["iptables -P INPUT DROP", "iptables -P INPUT ACCEPT", "iptables -F INPUT"]


def test_lint_checks_paths_apart():
    """The rules of `start` and `stop` never meet: an iptables rule in two arms is no duplicate
    (PI018), and a delete in `stop` of what only `start` adds fails on a fresh system (PI011)."""
    from pyip.lint import lint

    def codes(text, **kwargs):
        return {(f.code, f.line) for f in lint(text, "t.sh", **kwargs)}

    text = ('case "$1" in\n start) iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n'
            '   ip rule add from 10.1.0.0/16 priority 5000 prohibit ;;\n'
            ' restart) iptables -A INPUT -p tcp --dport 22 -j ACCEPT ;;\n'
            ' stop) ip rule del priority 5000 ;;\nesac\n')
    found = codes(text)
    assert ("PI011", 5) in found  # on the `stop` path the rule was never added
    assert not any(code == "PI018" for code, _line in found)
    twice = "iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n" + text
    assert {("PI018", 3), ("PI018", 5)} <= codes(twice)
    assert ("PI011", 5) not in codes(text, args=["start"])
    assert ("PI011", 5) in codes(text, args=["stop"])


# ------------------------------------------------------- generated scripts

VALUES = ["", "x", "xy", "start", "stop", "1", "3", "10", "a b"]
NAMES = ["A", "B", "N"]


def _rule(port: int, extra: str = "") -> str:
    return f"iptables -A INPUT -p tcp --dport {port}{extra} -j ACCEPT"


@st.composite
def conditions(draw) -> str:
    name = draw(st.sampled_from(NAMES + ["1", "2"]))
    value = draw(st.sampled_from(VALUES))
    quote = draw(st.booleans())
    ref = f'"${name}"' if quote else f"${{{name}}}"
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f'[ "${name}" = "{value}" ]'
    if kind == 1:
        return f'[ -n "${name}" ]'
    if kind == 2:
        return f'[ -z {ref} ] || [ "${name}" != "{value}" ]'
    if kind == 3:
        pattern = draw(st.sampled_from(["st*", "x?", "[0-9]*", "*", "a\\ b"]))
        return f'[[ ${name} == {pattern} ]]'
    if kind == 4:
        return f'[ "${{{name}:-0}}" -lt {draw(st.integers(0, 12))} ] 2>/dev/null'
    if kind == 5:
        return f'test "${name}" = "{value}" -a -n "${name}"'
    if kind == 6:
        return draw(st.sampled_from(["true", "false", ":", "! true"]))
    if kind == 7:
        return f'(( ${{#{name}}} > {draw(st.integers(0, 3))} ))'
    if kind == 8:
        return f'[[ -n ${name} && ${name} != "{value}" ]]'
    return f'! [ "${name}" = "{value}" ]'


@st.composite
def statements(draw, depth: int = 0) -> str:
    port = draw(st.integers(1, 60000))
    kinds = ["rule", "assign", "rule", "exit", "args"] + (
        ["if", "case", "for", "func", "list", "while", "loop-jump"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "rule":
        return _rule(port)
    if kind == "assign":
        name = draw(st.sampled_from(NAMES))
        value = draw(st.sampled_from(VALUES + ["$1", "${2:-x}", "$((N+1))", "${A:+on}", "${A%y}", "${B/x/st}art",
                                               "${1#st}", "${A:0:1}"]))
        return f'{name}="{value}"' if "$((" not in value else f"{name}={value}"
    if kind == "exit":
        return f"{draw(conditions())} && exit {draw(st.sampled_from([0, 1]))}"
    if kind == "args":
        return draw(st.sampled_from(['set -- "$A" x', "shift", 'set -- $B', "shift 2"]))
    body = draw(st.lists(statements(depth + 1), min_size=1, max_size=3))
    block = "\n".join(body)
    if kind == "if":
        other = draw(st.lists(statements(depth + 1), min_size=0, max_size=2))
        elif_part = f"elif {draw(conditions())}; then\n{_rule(port, ' -s 10.0.0.1')}\n" if draw(st.booleans()) else ""
        else_part = "else\n" + "\n".join(other) + "\n" if other else ""
        return f"if {draw(conditions())}; then\n{block}\n{elif_part}{else_part}fi"
    if kind == "case":
        subject = draw(st.sampled_from(['"$1"', "$A", '"$2"', "$B"]))
        patterns = draw(st.lists(st.sampled_from(["start", "stop", "st*", "x|xy", "[0-9]*", "''", "*"]),
                                 min_size=1, max_size=3, unique=True))
        ends = [draw(st.sampled_from([";;", ";;", ";&"])) for _ in patterns]
        ends[-1] = ";;"
        arms = "".join(f"  {p}) {_rule(port + k + 1)}\n{block if k == 0 else ''}\n{e}\n"
                       for k, (p, e) in enumerate(zip(patterns, ends)))
        return f"case {subject} in\n{arms}esac"
    if kind == "for":
        items = draw(st.sampled_from(["1 2", '"$A" x', "$B", "22 80 443"]))
        rule = _rule(port, ' -m comment --comment "$v"')
        return f"for v in {items}; do\n{rule}\ndone"
    if kind == "func":
        return (f'f{depth}() {{\nlocal A="$2"\n{block}\n[ -n "$1" ] && return 0\n{_rule(port)}\n}}\n'
                f'f{depth} "$A" "$1"\nf{depth}')
    if kind == "loop-jump":
        jump = draw(st.sampled_from(["break", "continue"]))
        return f"for w in 1 2 3; do\n{block}\n{draw(conditions())} && {jump}\n{_rule(port)}\ndone"
    if kind == "list":
        op = draw(st.sampled_from(["&&", "||"]))
        return f"{draw(conditions())} {op} {_rule(port)}"
    rule = _rule(port, ' -m comment --comment "$i"')
    return f"i=0\nwhile [ $i -lt {draw(st.integers(0, 3))} ]; do\n{rule}\ni=$((i+1))\ndone"


@st.composite
def scripts(draw) -> tuple[str, list]:
    body = draw(st.lists(statements(), min_size=1, max_size=5))
    # Every name is set: one the script never sets would come from the environment.
    prelude = "".join(f'{n}="{draw(st.sampled_from(VALUES))}"\n' for n in NAMES)
    # Arithmetic reads a value that is a name as that variable ($((N+1)) with N=x reads $x): set
    # those too, or they come from the environment, which only the run knows.
    prelude += "".join(f"{v}={k}\n" for k, v in enumerate(VALUES) if v.isidentifier())
    args = draw(st.lists(st.sampled_from(VALUES[1:]), max_size=2))
    return "#!/bin/bash\n" + prelude + "\n".join(body) + "\n", args


@pytest.fixture(scope="module")
def pair():
    with twins() as names:
        yield names


# CI runs a fixed sample; PYIP_SHELL_EXAMPLES=N draws N new scripts each run (a long hunt).
SHELL_EXAMPLES = int(os.environ.get("PYIP_SHELL_EXAMPLES", "60"))


@settings(max_examples=SHELL_EXAMPLES, deadline=None, derandomize="PYIP_SHELL_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(scripts(), st.booleans())
def test_generated_scripts_agree_with_bash_or_are_reported(pair, tmp_path, case, give_args):
    text, args = case
    real, mine = pair
    check(real, mine, tmp_path, text, args, give_args)


# ------------------------------------------------------------ expansions, by bash

EXPANSION_VALUES = ["", "eth0", "eth0.100", "a b", "10.0.0.1/24", "x*y", "/sbin/iptables", "aXbXc"]
EXPANSIONS = ["${V#e}", "${V##*.}", "${V%.*}", "${V%%.*}", "${V#*/}", "${V%/*}", "${V##*/}", "${V/0/1}",
              "${V//X/-}", "${V/#e/E}", "${V/%0/9}", "${V/X}", "${V:1}", "${V:1:2}", "${V: -2}", "${V:0:-1}",
              "${V^^}", "${V,,}", "${V^}", "${#V}", "${V:+broadcast $V}", "${V:-none}", "${V-unset}",
              '"${V:+broadcast $V}"', "${V#\"e\"}", "${V//[0-9]/N}", "${V%%[[:digit:]]*}", "$((${#V} * 2 + 1))",
              "${V/\\*/star}", "${W:=$V}$W", "${V//?/.}"]


def bash_words(assignment: str, expansion: str) -> tuple[list[str], str]:
    script = f"{assignment}\nset -- {expansion}\n[ $# -gt 0 ] && printf '<%s>\\n' \"$@\"\n"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    return [line[1:-1] for line in result.stdout.splitlines()], result.stderr


@pytest.mark.parametrize("expansion", EXPANSIONS)
@pytest.mark.parametrize("value", EXPANSION_VALUES)
def test_parameter_expansions_agree_with_bash(value, expansion):
    """A known value expands to the words bash gives: `${addr:+broadcast $addr}` is two words."""
    from pyip.shell import read_script

    assignment = f"V='{value}'; unset W"
    script = read_script(f"{assignment}\nip {expansion}\n", "t.sh")
    [command] = script.commands
    words, error = bash_words(assignment, expansion)
    got = [w.text for w in command.words[1:]]
    if None in got:  # left unknown: only where bash itself stops with an error
        assert error, (expansion, got, words)
    else:
        assert got == words, expansion


# ------------------------------------------------------------ conditions, by bash

CONDITION_VALUES = [("", "0"), ("start", "10"), ("a b", "-3"), ("eth0", "7")]
CONDITIONS = [
    '[ "$S" = start ]', '[ "$S" != start ]', '[ "$S" == eth0 ]', '[ -n "$S" ]', '[ -z "$S" ]', '[ "$S" ]',
    '[ ! -n "$S" ]', '[ "$N" -lt 5 ]', '[ "$N" -ge 7 ]', '[ "$N" -eq 0 -o "$S" = eth0 ]',
    '[ -n "$S" -a "$N" -gt 0 ]', '[ \\( "$S" = start \\) -o ! "$N" -ne 0 ]', 'test "$S" \\< f',
    'test "$S" \\> f', '[ "$S" = start -a -n "$S" -o "$N" = 7 ]', '[ ! "$S" ]', '[ -v S ]', '[ -v UNSET_NAME ]',
    '[[ $S == st* ]]', '[[ $S == "st*" ]]', '[[ $S != e*[0-9] ]]', '[[ $S =~ ^e[a-z]+[0-9]$ ]]',
    '[[ $S =~ "a b" ]]', '[[ -n $S && $N -gt 1 ]]', '[[ -z $S || ( $N -lt 0 && $S == a* ) ]]',
    '[[ ! $S < m ]]', '[[ $N -eq 10 ]]', '[[ $N+3 -eq 13 ]]', '(( N > 5 ))', '(( N * 2 == -6 ))', 'let "N - 7"',
    '[ "$S" = start ] && [ "$N" -gt 1 ]', '[ -z "$S" ] || [ "$N" = 7 ]', '! [ "$S" = eth0 ]', 'true', 'false',
]


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("values", CONDITION_VALUES, ids=lambda v: "-".join(v))
def test_conditions_are_decided_as_bash_decides_them(values, condition):
    from pyip.shell import read_script

    text = f"S='{values[0]}'; N='{values[1]}'; unset UNSET_NAME\nif {condition}; then ip yes; else ip no; fi\n"
    bash = subprocess.run(["bash", "-c", text.replace("ip ", "echo ")], capture_output=True, text=True,
                          timeout=30).stdout.split()
    script = read_script(text, "t.sh")
    assert len(script.paths) == 1 and script.undecided == (), condition  # every value is known
    assert [str(w) for w in script.commands[0].words[1:]] == bash, condition


def test_a_shift_past_the_arguments_fails_and_shifts_nothing_as_in_bash():
    from pyip.shell import read_script

    text = 'shift 2 || ip failed\nip x "$1" $#\nshift\nip y $#\n'
    script = read_script(text, "fw.sh", args=["a"])
    bash = subprocess.run(["bash", "-c", text.replace("ip ", "printf '<%s>' "), "fw.sh", "a"],
                          capture_output=True, text=True).stdout
    assert "".join(f"<{w}>" for c in script.commands for w in [str(x) for x in c.words][1:]) == bash
