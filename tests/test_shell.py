"""pyip.shell: reading shell scripts statically, on the corpus and on small scripts."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pyip.shell import (
    Command,
    Literal,
    Script,
    ShellSyntaxError,
    Symbol,
    Word,
    _read_script,
    read_script,
    split_line,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_SCRIPTS = sorted(CORPUS.glob("*/*.sh")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS} (shared/ must stand beside the repo)"
)


def read_corpus(name: str) -> Script:
    path = CORPUS / name
    return read_script(path.read_text(encoding="utf-8"), str(path))


def texts(command: Command) -> list:
    return [str(w) for w in command.words]


def commands(text: str) -> list:
    script = read_script(text, "t.sh")
    assert script.errors == ()
    return list(script.commands)


def only(text: str) -> Command:
    [command] = commands(text)
    return command


# ------------------------------------------------------------------ the corpus


@needs_corpus
def test_corpus_is_there():
    assert len(CORPUS_SCRIPTS) >= 12


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_script_reads_without_error(path):
    script = read_script(path.read_text(encoding="utf-8"), str(path))
    assert script.errors == ()
    assert script.commands
    for command in script.commands:
        assert command.file == str(path)
        assert command.program in ("ip", "ipchains", "iptables")
        assert command.source.split()[0] == str(command.words[0])  # no program behind a variable here
        assert command.end_line - command.line == command.source.count("\n")
        assert command.words[0].line == command.line and command.words[-1].line == command.end_line


@needs_corpus
@pytest.mark.parametrize("path", sorted(CORPUS.glob("policy-routing/*.sh")) if CORPUS.is_dir() else [])
def test_policy_routing_one_command_per_line(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = [n for n, line in enumerate(lines, 1) if line.startswith(("ip ", "ipchains "))]
    script = read_script("\n".join(lines) + "\n", str(path))
    assert [c.line for c in script.commands] == expected
    for command in script.commands:
        assert "#" not in texts(command)  # trailing comments are not words
        assert all(w.text is not None for w in command.words)


@needs_corpus
def test_trailing_comment_is_dropped():
    command = read_corpus("policy-routing/example1-deny-subnet.sh").commands[-1]
    assert texts(command) == "ip rule add from 192.168.2.0/24 prio 32777 reject".split()
    assert command.line == 9


@needs_corpus
def test_ipchains_loop_is_unrolled_with_variables_substituted():
    script = read_corpus("redundant-isp/firewall-ipchains.sh")
    inputs = [c for c in script.commands if texts(c)[:3] == ["ipchains", "-A", "INPUT"] and c.line == 11]
    services = ["ftp", "ssh", "smtp", "domain", "http", "auth", "ldap", "https"]
    assert len(inputs) == 8
    for command, service in zip(inputs, services):
        assert texts(command) == (
            f"ipchains -A INPUT -i eth1 -p tcp -d 63.89.102.157 {service} -j ACCEPT".split()
        )
        assert command.context == (f"for service={service}",)
        assert not command.conditional
        assert (command.line, command.col, command.end_line) == (11, 5, 11)
        assert command.source == "ipchains -A INPUT -i $EXT_IFACE -p tcp -d $IP $service -j ACCEPT"
        # each word stands where its text (or the expansion giving it) stands
        positions = {str(w): (w.line, w.col) for w in command.words}
        assert positions["eth1"] == (11, 26)
        assert positions["63.89.102.157"] == (11, 47)
        assert positions[service] == (11, 51)
    assert len(script.commands) == 8 + 2 + 7
    messages = [texts(c)[7] for c in script.commands if c.line == 23]
    assert messages[0] == "echo-reply" and messages[-1] == "parameter-problem"


@needs_corpus
def test_iptables_continuation_lines_make_one_command():
    first = read_corpus("redundant-isp/firewall-iptables.sh").commands[0]
    assert texts(first) == (
        "iptables -t filter -A INPUT -m state --state ESTABLISHED -i eth1 "
        "-p tcp -d 63.89.102.157 --dport 1024: -j ACCEPT"
    ).split()
    assert (first.line, first.col, first.end_line) == (9, 1, 10)
    assert "\\\n" in first.source
    where = [(str(w), w.line, w.col) for w in first.words]
    assert where[10] == ("eth1", 9, 61)
    assert where[11] == ("-p", 10, 5)
    assert where[-1] == ("ACCEPT", 10, 36)


@needs_corpus
def test_iptables_loop_body_with_continuation():
    script = read_corpus("redundant-isp/firewall-iptables.sh")
    body = [c for c in script.commands if c.line == 18]
    assert [c.context for c in body][0] == ("for service=ftp",)
    assert len(body) == 8
    for command in body:
        assert command.end_line == 19
        words = command.words
        dport = [w for w in words if w.text == "--dport"][0]
        assert (dport.line, dport.col) == (19, 23)
        service = words[words.index(dport) + 1]
        assert (service.line, service.col) == (19, 31)
        assert command.context == (f"for service={service}",)


@needs_corpus
def test_em_dash_survives_and_columns_count_characters():
    script = read_corpus("redundant-isp/firewall-iptables.sh")
    [command] = [c for c in script.commands if c.line == 28]
    dash = command.words[7]
    assert dash.text == "\u2014state"
    assert (dash.line, dash.col) == (28, 40)
    after = command.words[8]
    assert (after.text, after.col) == ("NEW,ESTABLISHED", 47)  # 40 + 6 characters + 1 blank
    assert command.words[-1].col == 92
    assert "\u2014state" in command.source


@needs_corpus
def test_iptables_negation_and_interface_variables():
    script = read_corpus("redundant-isp/firewall-iptables.sh")
    [command] = [c for c in script.commands if c.line == 32]
    assert texts(command)[-5:] == ["-s", "!", "10.0.0.0/24", "-j", "ACCEPT"]
    nat = [texts(c)[-3] for c in script.commands if "nat" in texts(c)]
    assert nat == ["eth0", "eth1"]


@needs_corpus
def test_ifup_routes_keeps_unknown_args_as_symbol():
    [command] = read_corpus("redundant-isp/ifup-routes.sh").commands
    assert texts(command) == ["/sbin/ip", "route", "add", "$args"]
    args = command.words[3]
    assert args.parts == (Symbol("$args"),)
    assert args.text is None and not args.quoted
    assert command.conditional
    assert command.program == "ip"
    assert command.context == ("while read ignore dev args (body)", 'if [ "$dev" = "$1" ] (then)')
    assert (command.line, command.col) == (6, 9)


@needs_corpus
def test_multipath_route_over_three_lines():
    script = read_corpus("redundant-isp/static-rules.sh")
    [command] = [c for c in script.commands if c.line == 15]
    assert command.end_line == 17
    assert texts(command) == (
        "ip route add default equalize nexthop via 63.89.102.1 dev eth1 nexthop via 65.3.17.1 dev eth2"
    ).split()
    assert [(w.line, w.col) for w in command.words if w.text == "nexthop"] == [(16, 5), (17, 5)]


# ---------------------------------------------------------- variables and words


def test_program_behind_a_variable():
    command = only("IPT=/sbin/iptables\n$IPT -A INPUT -j DROP\n")
    assert texts(command) == ["/sbin/iptables", "-A", "INPUT", "-j", "DROP"]
    assert (command.words[0].line, command.words[0].col) == (2, 1)
    assert command.program == "iptables"


def test_program_behind_an_unknown_variable_with_a_default():
    command = only('IPTABLES=${IPTABLES:-/sbin/iptables}\n$IPTABLES -F\n')
    # The command readers take a program by name: the word is the program the default names.
    assert command.words[0].text == "iptables"
    assert command.program == "iptables"
    assert commands("$IPT -F\n") == []  # unknown program: nothing to report


def test_other_programs_are_ignored():
    assert commands("echo ip route\ngrep ip x\n[ -x /sbin/ip ]\nipx a\n/bin/ip6 x\n") == []
    assert [c.program for c in commands("ip a\n/usr/sbin/ipchains -L\niptables -L\npyip check x\n")] == [
        "ip", "ipchains", "iptables", "pyip",
    ]


def test_quoting():
    command = only(
        "A='x y'\n"
        "ip $A \"$A\" '$A' \\$A a\\ b \"$A\"z ${A}z \"\" $'t\\tu' \"a \\\"b\\\" \\\\ \\q\"\n"
    )
    assert texts(command) == ["ip", "x", "y", "x y", "$A", "$A", "a b", "x yz", "x", "yz", "", "t\tu",
                              'a "b" \\ \\q']
    words = command.words
    assert [(w.col, w.quoted) for w in words[1:4]] == [(4, False), (4, False), (7, True)]
    assert words[8].col == 32 and words[9].col == 32  # both from the expansion ${A}z
    assert words[11].parts == (Literal("t\tu"),)


def test_unquoted_empty_value_is_no_word_but_quoted_is():
    assert texts(only('E=""\nip a $E "$E" b\n')) == ["ip", "a", "", "b"]


def test_word_splitting_in_for_list():
    got = commands('EXT_IFACES="eth1 eth2"\nfor i in $EXT_IFACES lo; do ip link set $i up; done\n')
    assert [texts(c)[3] for c in got] == ["eth1", "eth2", "lo"]
    assert [c.context for c in got] == [("for i=eth1",), ("for i=eth2",), ("for i=lo",)]


def test_unknown_variables_stay_symbols():
    command = only('ip $NET/24 "$GW" ${DEV:-eth0} $(hostname -i) `date` $((1+2)) $1 $@ "$*"\n')
    parts = [w.parts for w in command.words[1:]]
    assert parts == [
        (Symbol("$NET"), Literal("/24")),
        (Symbol("$GW"),),
        (Symbol("${DEV:-eth0}"),),
        (Symbol("$(hostname -i)"),),
        (Symbol("`date`"),),
        (Literal("3"),),  # arithmetic on known values is computed
        (Symbol("$1"),),
        (Symbol("$@"),),
        (Symbol("$*"),),
    ]
    assert [w.quoted for w in command.words[1:]] == [False, True, False, False, False, False, False, False, True]
    assert str(command.words[1]) == "$NET/24"


def test_parameter_operators_on_known_values():
    command = only("A=x\nE=\nunset U\nip ${A:-d} ${E:-d} ${E-d} ${U-d} ${A:+alt} ${E:+alt} ${#A} ${A%x} \"${A%x}\"\n")
    assert texts(command) == ["ip", "x", "d", "d", "alt", "1", ""]  # ${A%x} is empty: no word unquoted


def test_default_assignment():
    assert texts(only("IPT=\n: ${IPT:=/sbin/iptables}\n$IPT -L\n")) == ["/sbin/iptables", "-L"]
    # from the environment: unknown, but recognised by its default
    command = only(": ${IPT:=/sbin/iptables}\n$IPT -L\n")
    assert command.words[0].text == "iptables"
    assert command.program == "iptables"


def test_partly_known_values_are_kept():
    command = only('NET="$BASE.0"\nip route add $NET/24 via "$NET.1"\n')
    assert command.words[3].parts == (Symbol("$BASE"), Literal(".0/24"))
    assert command.words[5].parts == (Symbol("$BASE"), Literal(".0.1"))


def test_per_command_assignment_does_not_last():
    assert texts(only("A=1\nA=2 ip $A\n")) == ["ip", "1"]
    assert texts(only("A=1\nA=2 true\nip $A\n")) == ["ip", "1"]


def test_export_local_readonly_and_append():
    got = commands("export A=1 B\nreadonly C=3\nD=x\nD+=y\nip $A $B $C $D\n")
    assert [str(w) for w in got[0].words] == ["ip", "1", "$B", "3", "xy"]


def test_read_makes_variables_unknown():
    command = only("A=1\nread -r A B\nip $A\n")
    assert command.words[1].parts == (Symbol("$A"),)


def test_command_substitution_runs_but_its_output_is_unknown():
    found = commands("X=$(ip route show)\nY=`ip addr`\necho \"$(iptables -L)\"\n")
    assert [texts(c) for c in found] == [["ip", "route", "show"], ["ip", "addr"], ["iptables", "-L"]]
    command = commands("GW=$(ip route | awk '{print $3}')\nip route add default via $GW\n")[-1]
    assert command.words[-1].parts == (Symbol("$(ip route | awk '{print $3}')"),)


def test_prefixes_are_skipped():
    assert texts(only("sudo -u root env -i A=1 /sbin/ip route\n")) == ["/sbin/ip", "route"]
    command = only("(exec iptables-save x)\nexec iptables -L\nip a\n")  # exec ends the shell that runs it
    assert texts(command) == ["iptables", "-L"]
    assert (command.line, command.col, command.words[0].col) == (2, 1, 6)
    assert texts(only("command ip a\n")) == ["ip", "a"]
    assert commands("command -v ip\n") == []


def test_more_prefixes():
    got = commands("time ip a\nnice -n 5 ip b\nnohup /sbin/iptables -L\n")
    assert [texts(c) for c in got] == [["ip", "a"], ["ip", "b"], ["/sbin/iptables", "-L"]]


def test_arithmetic_on_known_values_is_computed():
    command = only("i=0\n(( i++ ))\nj=1\nlet j+=1\nk=1\n: $((k=k*2))\nip $i $j $k $((0x10 + 010 + 2#11)) $((7/-2))\n")
    assert texts(command)[1:] == ["1", "2", "2", "27", "-3"]


def test_arithmetic_on_unknown_values_makes_its_targets_unknown():
    command = only("i=0\n(( i += U ))\nj=1\nlet j+=$1\nk=1\n: $((k=k*N))\nip $i $j $k\n")
    assert [w.parts for w in command.words[1:]] == [(Symbol("$i"),), (Symbol("$j"),), (Symbol("$k"),)]


def test_ifs():
    assert texts(only("IFS=:\nP=a:b\nip $P\n")) == ["ip", "a", "b"]
    assert texts(only("IFS=\nP='a b'\nip $P\n")) == ["ip", "a b"]


def test_redirections_are_not_words():
    assert texts(only("ip route add x 2>/dev/null >>log\n")) == ["ip", "route", "add", "x"]


# ------------------------------------------------------------- control flow


def paths(text: str, args=None, defines=None) -> list:
    """[(decisions taken, [command words...]), ...] of every path."""
    script = read_script(text, "t.sh", defines, args=args, all_paths=True)
    return [([d.taken for d in p.decisions], [texts(c) for c in p.commands]) for p in script.paths]


def test_if_on_a_value_known_at_run_time_explores_both_ways():
    text = ('if [ "$1" = start ]; then\n  ip link set eth0 up\nelif [ "$1" = stop ]; then\n'
            "  ip link set eth1 down\nelse\n  ip link set lo up\nfi\n")
    assert paths(text) == [
        (['if [ "$1" = start ] is true'], [["ip", "link", "set", "eth0", "up"]]),
        (['if [ "$1" = start ] is false', 'elif [ "$1" = stop ] is true'], [["ip", "link", "set", "eth1", "down"]]),
        (['if [ "$1" = start ] is false', 'elif [ "$1" = stop ] is false'], [["ip", "link", "set", "lo", "up"]]),
    ]
    script = read_script(text, "t.sh")
    assert [texts(c) for c in script.commands] == [["ip", "link", "set", "eth0", "up"]]
    [(line, col, message)] = script.undecided
    assert (line, col) == (1, 4)
    assert message.startswith("which commands run depends on $1, known only when the script runs")
    assert "FILE ARG" in message and 'follows the path where if [ "$1" = start ] is true' in message
    for args, expected in ((["start"], "eth0"), (["stop"], "eth1"), (["x"], "lo"), ([], "lo")):
        script = read_script(text, "t.sh", args=args)
        assert script.undecided == () and len(script.paths) == 1
        assert texts(script.commands[0])[3] == expected
        assert script.commands[0].context[0].endswith("(then)" if expected != "lo" else "(else)")
        assert not script.commands[0].conditional


def test_if_condition_runs_unconditionally():
    command = only("if ip link show eth0; then :; fi\n")
    assert not command.conditional
    assert command.context == ("if ip link show eth0 (condition)",)


def test_assignment_in_a_branch_makes_two_paths():
    text = 'DEV=eth0\nif [ -n "$X" ]; then DEV=eth1; fi\nip link set $DEV up\n'
    assert paths(text) == [(['if [ -n "$X" ] is true'], [["ip", "link", "set", "eth1", "up"]]),
                           (['if [ -n "$X" ] is false'], [["ip", "link", "set", "eth0", "up"]])]
    assert texts(read_script(text, defines={"X": ""}).commands[0])[3] == "eth0"
    message = read_script(text).undecided[0][2]
    assert "give -D X=VALUE" in message


def test_an_unknown_condition_without_effects_is_not_explored():
    script = read_script('if [ -f /proc/net/ip_tables_names ]; then echo yes; else echo no; fi\nip a\n', "t.sh")
    assert len(script.paths) == 1 and script.undecided == ()
    assert [texts(c) for c in script.commands] == [["ip", "a"]]


def test_paths_with_the_same_commands_are_not_reported():
    text = "if [ -x /sbin/iptables ]; then IPT=/sbin/iptables; else IPT=/usr/sbin/iptables; fi\n$IPT -F\n"
    script = read_script(text, "t.sh", all_paths=True)
    assert len(script.paths) == 2 and script.undecided == ()
    assert [str(w) for w in script.commands[0].words] == ["/sbin/iptables", "-F"]


def test_case_arms():
    text = 'case "$1" in\n  start|restart) ip a ;;\n  st*) ip s ;&\n  x) ip x ;;\n  *) ip b\nesac\n'
    assert paths(text) == [
        (['case "$1" in start|restart) matches'], [["ip", "a"]]),
        (['case "$1" in start|restart) does not match', 'case "$1" in st*) matches'], [["ip", "s"], ["ip", "x"]]),
        (['case "$1" in start|restart) does not match', 'case "$1" in st*) does not match',
          'case "$1" in x) matches'], [["ip", "x"]]),
        (['case "$1" in start|restart) does not match', 'case "$1" in st*) does not match',
          'case "$1" in x) does not match'], [["ip", "b"]]),  # `*)` matches whatever $1 is
    ]
    for arg, expected in (("restart", [["ip", "a"]]), ("stop", [["ip", "s"], ["ip", "x"]]),
                          ("x", [["ip", "x"]]), ("[x]", [["ip", "b"]]), ("", [["ip", "b"]])):
        assert paths(text, [arg]) == [([], expected)]


def test_case_patterns_follow_bash():
    def arm(subject, pattern):
        [(_, got)] = paths(f"X={subject}\ncase $X in {pattern}) ip yes;; *) ip no;; esac\n")
        return got == [["ip", "yes"]]
    assert arm("eth0", "eth[0-9]") and not arm("eth10", "eth[0-9]")
    assert arm("ppp0", "eth*|ppp*") and arm("a", "[!b]") and not arm("b", "[!b]")
    assert arm("x", "[[:alpha:]]") and not arm("1", "[[:alpha:]]")
    assert arm("'*'", "'*'") and not arm("ab", "'*'") and arm("ab", "*") and arm("a.b", "a?b")
    assert arm("a-", "a[x-]") and arm("b", "[a-c]") and not arm("d", "[a-c]") and not arm("ab", r"a\*") and arm("a*", r"a\*")


def test_a_decision_binds_the_value_for_later_tests():
    text = 'case "$1" in start) ;; *) exit 1;; esac\nif [ "$1" = start ]; then ip a; else ip b; fi\n'
    assert paths(text) == [(['case "$1" in start) matches'], [["ip", "a"]]),
                           (['case "$1" in start) does not match'], [])]
    script = read_script(text, "t.sh")
    assert script.undecided == ()  # the path that fails (exit 1) is not a run of the script's work


def test_and_or_lists():
    got = commands("ip link set a up && ip route add b || ip route add c\n")
    assert [(texts(c)[3], c.conditional) for c in got] == [("a", False), ("b", False)]
    assert got[1].context == ("after ip link set a up &&",)
    assert paths("false && ip a || ip b\ntrue || ip c\n: && ip d\n") == [([], [["ip", "b"], ["ip", "d"]])]
    assert paths("grep -q x /etc/y && ip a\n") == [
        (["grep -q x /etc/y succeeds"], [["ip", "a"]]), (["grep -q x /etc/y fails"], [])]


def test_pipeline_and_subshell():
    got = commands("X=1\n{ X=2; ip $X; } | ip y\nip $X\n")
    assert [texts(c) for c in got] == [["ip", "2"], ["ip", "y"], ["ip", "$X"]]
    assert texts(only("X=1\n( X=2 )\nip $X\n")) == ["ip", "1"]  # a subshell changes nothing


def test_while_loop_with_a_known_condition_runs_as_bash_would():
    got = commands("i=0\nwhile [ $i -lt 3 ]; do\n  ip link set eth$i up\n  i=$((i+1))\ndone\n"
                   "until [ $i -eq 0 ]; do i=$((i-1)); [ $i = 1 ] && continue; ip x$i; done\n")
    assert [texts(c)[-2:] for c in got] == [["eth0", "up"], ["eth1", "up"], ["eth2", "up"], ["ip", "x2"],
                                            ["ip", "x0"]]
    assert [c.context for c in got[:2]] == [("while [ $i -lt 3 ] (pass 1)",), ("while [ $i -lt 3 ] (pass 2)",)]
    assert not any(c.conditional for c in got)


def test_while_loop_with_an_unknown_condition_runs_once_with_unknowns():
    command = only("i=0\nwhile read dev; do\n  ip link set eth$i up\n  i=$((i+1))\ndone\n")
    assert command.words[3].parts == (Literal("eth"), Symbol("$i"))
    assert command.conditional
    assert command.context == ("while read dev (body)",)


def test_endless_loop_is_bounded():
    script = read_script("while true; do ip a; done\n", "t.sh")
    assert len(script.commands) == 1000
    assert script.errors == ((1, 1, "loop stopped after 1000 passes"),)


def test_break_continue_exit_and_return():
    assert paths("for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; ip $i; done\n") == [
        ([], [["ip", "1"], ["ip", "3"]])]
    assert paths("f() { ip a; return 3; ip b; }\nf\nip $?\nexit 0\nip c\n") == [([], [["ip", "a"], ["ip", "3"]])]
    assert paths("(exit 2) || ip a\nf() { exit 1; }\nf\nip b\n") == [([], [["ip", "a"]])]
    script = read_script("ip a\nexit 1\n", "t.sh")
    assert script.paths[0].exited and script.paths[0].exit_status == 1


def test_for_with_unknown_list_runs_once_with_a_symbol():
    command = only("for dev in $(ls /sys/class/net); do ip link set $dev up; done\n")
    assert command.words[3].parts == (Symbol("$dev"),)
    assert command.conditional
    assert command.context == ("for dev in $(ls /sys/class/net)",)


def test_heredoc_body_is_not_commands():
    got = commands("cat <<EOF\nip route add x\nEOF\ncat <<EOF | ip -batch -\nroute add y\nEOF\nip z\n")
    assert [texts(c) for c in got] == [["ip", "-batch", "-"], ["ip", "z"]]
    assert got[1].line == 7


# ---------------------------------------------------------------- functions


def test_function_called_with_arguments():
    got = commands(
        "setup() {\n"
        "    local dev=$1; shift\n"
        '    ip addr add "$@" dev $dev\n'
        "    ip link set $dev up $#\n"
        "}\n"
        "setup eth0 10.0.0.1/24 brd +\n"
        "function teardown { ip addr flush dev ${1}; }\n"
        "teardown eth1\n"
        "ip $dev\n"
    )
    assert [texts(c) for c in got] == [
        ["ip", "addr", "add", "10.0.0.1/24", "brd", "+", "dev", "eth0"],
        ["ip", "link", "set", "eth0", "up", "3"],
        ["ip", "addr", "flush", "dev", "eth1"],
        ["ip", "$dev"],  # `local` ended with the call
    ]
    assert got[0].context == ("function setup called at 6:1",)
    assert (got[0].line, got[0].col) == (3, 5)  # where the command text stands
    assert [(w.line, w.col) for w in got[0].words[3:6]] == [(3, 17)] * 3  # all from "$@"
    assert got[2].context == ("function teardown called at 8:1",)


def test_function_bodies_run_only_when_called():
    assert commands("f() { ip a; }\n") == []
    got = commands("f() { ip $1; }\nf a\nf b\n")
    assert [texts(c) for c in got] == [["ip", "a"], ["ip", "b"]]


def test_function_with_unknown_argument():
    got = commands('f() { ip "$@" $1 $2 $#; }\nf $U x\nf "$U" x\n')
    assert [str(w) for w in got[0].words] == ["ip", "$U", "x", "$1", "$2", "$#"]
    assert got[0].words[1].quoted is False  # $U might have been several words
    assert [str(w) for w in got[1].words] == ["ip", "$U", "x", "$U", "x", "2"]
    assert got[1].words[1].quoted is True


def test_positional_parameters_outside_functions_are_unknown():
    command = only("ip $1 ${2} $0\n")
    assert [w.parts for w in command.words[1:]] == [(Symbol("$1"),), (Symbol("${2}"),), (Symbol("$0"),)]


def test_all_arguments():
    got = commands('f() { ip x "$@" "$*" "[$*]" $@; }\nf\nf "a b" c\n')
    assert [texts(c) for c in got] == [
        ["ip", "x", "", "[]"],
        ["ip", "x", "a b", "c", "a b c", "[a b c]", "a", "b", "c"],
    ]


def test_locals_temporary_assignments_and_unset_function():
    got = commands(
        "D=eth9\nf() { local D=$1; ip $D $M; }\nM=x f eth0\nip $D $M\nunset -f f\nf eth1\n"
    )
    assert [texts(c) for c in got] == [["ip", "eth0", "x"], ["ip", "eth9", "$M"]]


def test_set_and_shift_at_top_level():
    assert texts(only('set -- a "b c"\nshift\nip "$1" $#\n')) == ["ip", "b c", "1"]


def test_recursion_is_guarded():
    script = read_script("f() { ip a; g; }\ng() { f; }\nf\n", "t.sh")
    assert [texts(c) for c in script.commands] == [["ip", "a"]]
    # valid shell: said, but not an error
    assert script.errors == () and script.warnings == ((2, 7, "recursive call to f not followed"),)


def test_nested_function_context():
    got = commands("inner() { ip $1; }\nouter() { inner $1; }\nif true; then outer x; fi\n")
    assert got[0].context == ("if true (then)", "function outer called at 3:15", "function inner called at 2:11")
    assert not got[0].conditional  # `true` is known


# ------------------------------------------------- tree-sitter-bash workarounds


def test_two_assignments_on_a_line_then_a_command():
    # the grammar alone reads this as one command `A=1 B=2 ip $A $B`
    command = only("A=1 B=2\nip $A $B\n")
    assert texts(command) == ["ip", "1", "2"]
    assert (command.line, command.col) == (2, 1)
    command = only("A=1 B=2 # two\nX=3 Y=4\nif true; then ip $A $X; fi\n")
    assert texts(command) == ["ip", "1", "3"]


def test_newline_after_a_pipeline_ends_the_command():
    got = commands("a | grep x | head -30\nip b && cd s\n")
    assert [texts(c) for c in got] == [["ip", "b"]]


def test_split_expansions_are_one_word():
    # the grammar splits `$FOO/$BAR/` into `$FOO/$` and `BAR/`
    got = commands("FOO=a\nBAR=b\nip $FOO/$BAR/ y\nC=$FOO/$BAR/\nip $C\n")
    assert [texts(c) for c in got] == [["ip", "a/b/", "y"], ["ip", "a/b/"]]


def test_continuation_inside_a_word():
    assert texts(only("W=x\\\ny\nip $W\n")) == ["ip", "xy"]


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    [
        "if true; then\n  ip a\n",
        'ip a "unterminated\nip b\n',
        "for x in; do\n",
        "case x in\n",
        "f() {\n ip a\n",
        "ip a )\nip b\n",
        "$(\n",
    ],
)
def test_malformed_scripts_give_errors_not_tracebacks(text):
    # (`cat <<EOF` without its end is no error: bash -n accepts it, reading to the end of the file)
    script = read_script(text, "bad.sh")
    assert script.errors
    for line, col, message in script.errors:
        assert isinstance(line, int) and isinstance(col, int) and line >= 1 and col >= 1
        assert message
    assert all(isinstance(c, Command) for c in script.commands)


def test_region_before_an_error_is_still_read():
    script = read_script("ip a\nip b )\n", "bad.sh")
    assert script.errors
    assert texts(script.commands[0]) == ["ip", "a"]


def test_runaway_unrolling_stops():
    loops = "".join(f"for a{k} in 1 2 3 4 5 6 7 8 9 10; do\n" for k in range(7))
    script = read_script(loops + "ip x\n" + "done\n" * 7, "big.sh")
    assert any("evaluation stopped" in message for _, _, message in script.errors)


PLAIN_WORDS = st.sampled_from(
    ["ip", "-4", "$A", "${B}", "$1", "$@", "$*", "$?", "!", "x=y", "A=1", "\\\n", "\u2014x", "é", "*", "[a]",
     "~", "{a,b}", "10.0.0.1/24", "1024:", "$A/$B/", "eth$1",
     # double-quoted strings the shortcut splits itself, and near misses it must leave to the tree
     '"x y"', '"$1"', '"$A b"', '"${B}"', 'a"b c"d', '"#q;|&"', "\"it's\"", '"A=1"', 'A="p q"', '"$@"',
     '$"t u"', '"a$"', '"${A:-x y}"', '"a\\"b"', '"$(x y)"', '"`x`"', '"x\ny"', '"x"#y', '"q" "r"', '""',
     '"$A"', '"$2"', '"${10}"', '"$U"', '"$?"', '"$#"', '"${A}"', '"$0"']
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PLAIN_WORDS, min_size=1, max_size=8).map(" ".join))
def test_plain_command_shortcut_agrees_with_the_tree(line):
    text = (f'A="p q"\nB=r\nE=\nf() {{ ip "$@"; }}\ng() {{ ip {line}; }}\n{line}\nf {line}\nip {line}\n'
            f'g x "y z" "" $E {line}\n')
    fast, slow = read_script(text, "t.sh"), _read_script(text, "t.sh", plain_path=False)
    assert fast == slow


@needs_corpus
def test_plain_command_shortcut_agrees_on_the_corpus():
    for path in CORPUS_SCRIPTS:
        text = path.read_text(encoding="utf-8")
        assert read_script(text, "c") == _read_script(text, "c", plain_path=False)


# ---------------------------------------------------------------- split_line


def test_split_line():
    words = split_line("ip route add $NET/24 via \"$GW\" dev 'eth 0' a\\ b # comment", "x", 3)
    assert [str(w) for w in words] == ["ip", "route", "add", "$NET/24", "via", "$GW", "dev", "eth 0", "a b"]
    assert words[3].parts == (Symbol("$NET"), Literal("/24"))
    assert [(w.line, w.col) for w in words[:4]] == [(3, 1), (3, 4), (3, 10), (3, 14)]
    assert words[5].quoted and not words[3].quoted
    assert split_line("a#b #c") == [Word((Literal("a#b"),), 1, 1)]
    assert [str(w) for w in split_line("x \\\n  y")] == ["x", "y"]
    assert split_line("") == []


def test_split_line_unterminated_quote():
    with pytest.raises(ShellSyntaxError) as raised:
        split_line("ip a 'oops", "cmd", 7)
    assert (raised.value.file, raised.value.line, raised.value.col) == ("cmd", 7, 6)
    assert isinstance(raised.value, ValueError)


# ----------------------------------------------------------------- robustness

SHELLISH = st.text(alphabet=list("ip $\"'`\\\n;|&(){}[]=-#A1x \t<>!*?~:@%+,./") + ["\u2014", "é"], max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), SHELLISH, st.lists(SHELLISH, max_size=6).map("\n".join)))
def test_read_script_never_raises(text):
    script = read_script(text, "fuzz.sh")
    assert isinstance(script, Script)
    for command in script.commands:
        assert command.words and command.program is not None
        assert command.line >= 1 and command.col >= 1 and command.end_line >= command.line
        assert all(w.line >= 1 and w.col >= 1 for w in command.words)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), SHELLISH))
def test_split_line_raises_only_syntax_errors(text):
    try:
        words = split_line(text)
    except ShellSyntaxError:
        return
    assert all(isinstance(w, Word) for w in words)


@settings(deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z0-9_./:,=+-]{1,12}", fullmatch=True), min_size=1, max_size=8))
def test_plain_words_round_trip(words):
    line = "ip " + " ".join(words)
    assert [w.text for w in split_line(line)] == ["ip", *words]
    [command] = read_script(line + "\n").commands
    assert [w.text for w in command.words] == ["ip", *words]
    assert [w.col for w in command.words] == [w.col for w in split_line(line)]


# --------------------------------------------------------------- performance


def test_ten_thousand_lines_with_one_open_condition_are_read_and_reported_once():
    # Its speed is benchmarks/shell_paths.py's business: a timed test fails on a busy machine.
    block = (
        "IPT=/sbin/iptables\n"
        'NET="10.0.0.0/24"\n'
        "setup() {\n"
        '    local dev="$1"; shift\n'
        '    $IPT -A INPUT -i "$dev" -s $NET "$@" -j ACCEPT\n'
        "}\n"
        "for p in 22 80 443; do\n"
        "    $IPT -A INPUT -p tcp --dport $p -j ACCEPT   # comment\n"
        "done\n"
        'if [ -n "$X" ]; then\n'
        "    setup eth0 -p udp\n"
        "else\n"
        "    ip route add default via 10.0.0.1 \\\n"
        "        dev eth0 table 1\n"
        "fi\n"
        "iptables -t nat -A POSTROUTING -o eth1 -s 10.0.0.0/24 -j MASQUERADE\n"
    )
    text = block * (10_000 // block.count("\n"))
    assert text.count("\n") >= 9_900
    script = read_script(text)
    # $X is known only at run time: the path of the `then` arms is followed, and reported
    assert len(script.commands) == 5 * (10_000 // block.count("\n"))
    assert [(line, col) for line, col, _ in script.undecided] == [(10, 4)]


def test_import_is_cheap():
    code = "import sys, pyip.shell; print('tree_sitter' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"


def test_inputs_that_crash_tree_sitter_bash_are_read_safely():
    """tree-sitter-bash issue 337: `{` then a 4-byte UTF-8 character crashed the
    process (SIGSEGV, not always).  Run in a child so a crash fails this test."""
    import subprocess
    import sys

    crashers = ["{\U00031860", "\U000ac0abM\U000ca075&\x19{\U000bdc4a^zy?©\x1f\U00066a96pU\x9d",
                "ip route add 10.0.0.0/8 dev eth0 # {\U0001F680}"]
    program = (
        "import sys\n"
        "from pyip.shell import read_script\n"
        "texts = sys.stdin.read().split('\\0')\n"
        "for _ in range(500):\n"
        "    for text in texts:\n"
        "        read_script(text, 't')\n"
        "script = read_script(texts[2], 't')\n"
        "print(' '.join(str(w) for w in script.commands[0].words))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], input="\0".join(crashers), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "ip route add 10.0.0.0/8 dev eth0\n"


# -- the plain-script fast path of pyip.script ---------------------------------------

simple_word = st.one_of(
    st.sampled_from(["ip", "/sbin/ip", "route", "add", "10.0.0.0/8", "via", "dev", "eth0", "'a b'", '"c d"',
                     "x\\ y", "#c", "a#b", "\\\n", "--", "-4", "—state", "é"]),
    st.text(alphabet="abc019./-_:", min_size=1, max_size=6))
simple_script = st.lists(
    st.lists(simple_word, min_size=1, max_size=6).map(" ".join), max_size=8).map(
    lambda lines: "#!/bin/sh\n# (a comment: $x)\n" + "\n".join(("ip " + line) for line in lines) + "\n")


@settings(max_examples=300, deadline=None)
@given(simple_script)
@example("#!/bin/sh\n# (a comment: $x)\nip #c \\\n a#b\n")  # `a#b` a command of its own, as bash reads it
def test_plain_scripts_read_the_same_without_the_shell(text):
    from pyip.script import has_shell_syntax, shell_commands, simple_commands

    assert not has_shell_syntax(text)
    fast = simple_commands(text, "f")
    if fast is None:
        return  # an unterminated quote: the shell path reports it
    slow = [c.words for c in shell_commands(text, "f") if not isinstance(c, Exception)]
    # The shell layer reports only the programs pyip reads (ip, iptables, ...).
    programs = {"ip", "pyip", "iptables", "ipchains"}
    assert [c for c in fast if c[0].text.rsplit("/", 1)[-1] in programs] == slow


def test_plain_corpus_lines_take_the_fast_path(corpus):
    from pyip.script import has_shell_syntax

    plain = (corpus / "policy-routing" / "example7-combined.sh").read_text()
    assert not has_shell_syntax(plain)
    loop = (corpus / "redundant-isp" / "firewall-iptables.sh").read_text()
    assert has_shell_syntax(loop)
    assert has_shell_syntax("ip route add 10.0.0.0/8 'dev # x' $DEV\n")


def test_defines_give_values_the_script_computes_when_it_runs():
    text = ('EXTIP="`/sbin/ifconfig ppp0 | grep inet | cut -d: -f2`"\n'
            "for p in 22 80; do iptables -A INPUT -d $EXTIP --dport $p -j ACCEPT; done\n"
            "EXTIP=10.0.0.1\nip route add $EXTIP/32 via $GW\n")
    unknown = read_script(text, "t.sh")
    assert str(unknown.commands[0].words[4]).startswith("`/sbin/ifconfig")
    script = read_script(text, "t.sh", {"EXTIP": "63.89.102.157", "p": "8"})
    assert [[str(w) for w in c.words][3:5] for c in script.commands] == [
        ["-d", "63.89.102.157"], ["-d", "63.89.102.157"], ["63.89.102.157/32", "via"]]
    assert [str(c.words[6]) for c in script.commands[:2]] == ["8", "8"]  # even a loop cannot change a define
    assert str(script.commands[2].words[5]) == "$GW"  # what is not defined stays a symbol


def test_a_decision_excludes_what_it_found_a_value_is_not():
    text = 'if [ "$1" = start ]; then ip a; fi\ncase $1 in start) ip b;; *) ip c;; esac\n[ "$1" != stop ] && ip d\n'
    assert paths(text) == [
        (['if [ "$1" = start ] is true'], [["ip", "a"], ["ip", "b"], ["ip", "d"]]),
        (['if [ "$1" = start ] is false', '[ "$1" != stop ] succeeds'], [["ip", "c"], ["ip", "d"]]),
        (['if [ "$1" = start ] is false', '[ "$1" != stop ] fails'], [["ip", "c"]]),
    ]


def test_decisions_inside_a_loop_of_unknown_length_are_not_explored():
    text = 'while read dev args; do\n  if [ "$dev" = "$1" ]; then ip route add $args; fi\ndone\n'
    script = read_script(text, "t.sh")
    assert len(script.paths) == 1 and script.undecided == ()
    assert [str(w) for w in script.commands[0].words] == ["ip", "route", "add", "$args"]
    assert script.commands[0].conditional


def test_a_path_that_exits_before_any_command_is_not_what_a_translation_describes():
    for guard in ("test -x /sbin/iptables || exit 0", "[ -x /sbin/iptables ] || exit 1", "which iptables || exit"):
        script = read_script(f"{guard}\niptables -F\n", "t.sh")
        assert script.undecided == () and [str(w) for w in script.commands[0].words] == ["iptables", "-F"]
    script = read_script("iptables -F\n[ -f /etc/fw.conf ] || exit 0\niptables -P INPUT DROP\n", "t.sh")
    assert script.undecided  # the path that exits has run a command already: a different result


def test_the_scripts_arguments_are_what_sh_gives_it():
    text = 'ip x $# "$@" $* "$0" ${2:-none} ${3:-none}\nshift\nip y $1 $#\n'
    script = read_script(text, "fw.sh", args=["a b", "c"])
    bash = subprocess.run(["bash", "-c", text.replace("ip ", "printf '<%s>' "), "fw.sh", "a b", "c"],
                          capture_output=True, text=True).stdout
    assert "".join(f"<{w}>" for c in script.commands for w in texts(c)[1:]) == bash
    assert [w.parts for w in read_script(text, "fw.sh").commands[0].words[2:3]] == [(Symbol("$#"),)]


def test_a_query_of_the_running_system_fails_first_and_is_reported():
    text = "iptables -C INPUT -i lo -j ACCEPT || iptables -A INPUT -i lo -j ACCEPT\n"
    assert paths(text) == [
        (["iptables -C INPUT -i lo -j ACCEPT fails"], [["iptables", "-C", "INPUT", "-i", "lo", "-j", "ACCEPT"],
                                                       ["iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"]]),
        (["iptables -C INPUT -i lo -j ACCEPT succeeds"], [["iptables", "-C", "INPUT", "-i", "lo", "-j", "ACCEPT"]])]
    [(line, col, message)] = read_script(text, "t.sh").undecided
    assert "what `iptables -C INPUT -i lo -j ACCEPT` finds on the running system" in message
    assert paths("iptables -A INPUT -j DROP && ip a\n") == [([], [["iptables", "-A", "INPUT", "-j", "DROP"],
                                                                 ["ip", "a"]])]


def test_the_deciding_condition_is_the_one_whose_ways_share_no_result():
    text = ("[ -r /etc/default/fw ] && . /etc/default/fw\n"
            "iptables -C INPUT -j DROP || iptables -A INPUT -j DROP\n")
    for all_paths in (False, True):
        script = read_script(text, "t.sh", all_paths=all_paths)
        assert [(line, col) for line, col, _ in script.undecided] == [(2, 1)]
