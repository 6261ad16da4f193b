"""What bash does on the edges of the shell layer, each checked against the real bash.

Oracle: `bash fw.sh ARG...` (run in its own directory, so that `. ./inc.sh` finds its file) with the
real iptables in one network namespace; pyip's `translate --to iptables-restore` loaded with the
real iptables-restore in a twin; both compared with iptables-save (pyip.tests.test_shell_paths).
"""

from __future__ import annotations

import subprocess

from pyip.translators.pipeline import translate
from pyip.translators.detect import is_error

from .netns import run
from .test_shell_paths import reset, saved, twins


def bash_run(ns: str, tmp_path, text: str, args=(), files=None) -> subprocess.CompletedProcess:
    """Write fw.sh (and FILES beside it) and run it with bash in NS, from its directory."""
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body)
    path = tmp_path / "fw.sh"
    path.write_text(text)
    reset(ns)
    return subprocess.run(["ip", "netns", "exec", ns, "bash", str(path), *args], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)


def pyip_translated(ns: str, tmp_path, text: str, args=None) -> tuple[list, list[str]]:
    """pyip's translation of fw.sh loaded into NS: (its problems, the ruleset it leaves)."""
    output, problems = translate(text, str(tmp_path / "fw.sh"), "iptables-restore", "modern",
                                 args=None if args is None else list(args))
    reset(ns)
    loaded = run("ip", "netns", "exec", ns, "iptables-restore", stdin=output)
    assert loaded.returncode == 0, (output, loaded.stderr)
    return problems, saved(ns)


def both(tmp_path, text: str, args=(), files=None) -> tuple[list[str], list, list[str], str]:
    """(bash's ruleset, pyip's problems, pyip's ruleset, bash's stderr)."""
    with twins() as (real, mine):
        bash = bash_run(real, tmp_path, text, args, files)
        problems, mine_saved = pyip_translated(mine, tmp_path, text, args)
        return saved(real), problems, mine_saved, bash.stderr


def rule(port, extra: str = "") -> str:
    return f"iptables -A INPUT -p tcp --dport {port}{extra} -j ACCEPT"


# ------------------------------------------------------- 1. arithmetic bash refuses

ARITHMETIC_ERRORS = f"""\
{rule(1)}
x=$(( 1 + )); {rule(2)}
{rule(3)}
v="a b"
f() {{ echo $(( v )); {rule(4)}; }}
f; {rule(5)}
{rule("$(( 20 + $? ))")}
for i in 1 2; do {rule("3$i")}; : $(( i / 0 )); done
eval 'y=$(( 2 ** -1 )); {rule(6)}'; {rule(7)}
(( 1 + )) || {rule(8)}
if true; then
  {rule(9)}; z=$(( 7 7 )); {rule(10)}
fi; {rule(11)}
{rule(12)}
. ./inc.sh
{rule(13)}
"""
SOURCED_WITH_ERROR = f"""\
w=$(( 08 )); {rule(14)}
{rule(15)}
"""


def test_arithmetic_bash_refuses_abandons_the_command_line_as_bash_does(tmp_path):
    """bash 5.2 run as `bash FILE`: an arithmetic expansion it refuses abandons the rest of the
    command line (the whole top-level command: the function called, the loop), with status 1, and
    the script goes on with the next line; eval'd strings and sourced files are lines of their own;
    `(( ))` just fails.  pyip leaves out what bash leaves out and reports each, positioned."""
    real, problems, mine, stderr = both(tmp_path, ARITHMETIC_ERRORS, files={"inc.sh": SOURCED_WITH_ERROR})
    assert stderr.count("error") >= 7, stderr  # bash said it too
    assert real == mine, (real, mine)
    assert "--dport 21 " in "\n".join(mine)  # $? after an abandoned line is 1
    kept = "\n".join(mine)
    assert all(f"--dport {port} " in kept for port in (1, 3, 7, 8, 9, 12, 13, 15, 31))
    assert not any(f"--dport {port} " in kept for port in (2, 4, 5, 6, 10, 11, 14, 32))
    lines = ARITHMETIC_ERRORS.splitlines()
    expansions = {(n, lines[n - 1].index("$((") + 1) for n in (2, 5, 8, 12)}
    errors = {(p.location.line, p.location.col) for p in problems if is_error(p) and "shell:" in str(p)}
    # an eval'd string stands at its eval, a sourced file's line at its `.`
    assert expansions | {(9, 1), (10, 1), (15, 1)} == errors, problems


def test_arithmetic_bash_refuses_on_a_path_that_may_not_run_is_reported():
    from pyip.shell import read_script

    script = read_script(f'if [ "$1" = x ]; then : $(( 1 + )); fi\n{rule(1)}\n')
    assert [f[:2] for f in script.failures] == [(1, 25)]
    assert "operand expected" in script.failures[0][2]


SUBSTITUTION_ERRORS = f"""\
x=$(echo $((1/0))); {rule(1)}
iptables -A INPUT -p tcp --dport 2 -m comment --comment "$(echo $((1+)))" -j ACCEPT
iptables -A INPUT -p tcp --dport 3 -m comment --comment "v$x" -j ACCEPT
y=$(echo $(( 2 / 0 ))) || {rule(4)}
{rule("$(( 50 + $? ))")}
z=$(exit 3); {rule("$(( 60 + $? ))")}
iptables -A INPUT -p tcp --dport 7 -m comment --comment "a$(exit 2)b" -j ACCEPT
iptables -A INPUT -p tcp --dport 8 -m comment --comment "`v=1; echo $((1 +)); echo no`" -j ACCEPT
x=keep
f() {{ echo $(( 1 / 0 )); echo no; }}
iptables -A INPUT -p tcp --dport 9 -m comment --comment "[$(f)$x]" -j ACCEPT
g() {{ w=$(return 4); {rule("$(( 100 + $? ))")}; }}
g
{rule(11)} $(( 1 / 0 ))
{rule(12)}
"""


def test_an_expansion_error_inside_a_command_substitution_ends_only_the_subshell(tmp_path):
    """bash 5.2: an arithmetic error (or `exit`, `return`) inside `$( )` ends that subshell with its
    status; the command it stands in runs on with what it printed so far (nothing here), and an
    assignment takes the subshell's status.  Outside `$( )` the command line is abandoned as before.
    pyip's ruleset is bash's, and it reports each error on the line bash names, with bash's words."""
    import re

    real, problems, mine, stderr = both(tmp_path, SUBSTITUTION_ERRORS)
    assert real == mine, (real, mine)
    kept = "\n".join(mine)
    assert all(f"--dport {port} " in kept for port in (1, 2, 3, 4, 50, 63, 7, 8, 9, 104, 12)), kept
    assert '--comment "[keep]"' in kept and '--comment ab' in kept and "--dport 11 " not in kept
    said = {(int(line), why) for line, why in re.findall(r"line (\d+): [^:]*: (.*?) \(error token", stderr)}
    assert len(said) == 6, stderr
    failures = {(p.location.line, str(p)) for p in problems if is_error(p) and "shell:" in str(p)}
    assert {line for line, _ in said} == {line for line, _ in failures}, (said, failures)
    for line, why in said:
        message = next(message for at, message in failures if at == line)
        assert f": {why}: " in message, (why, message)
        ends = "ends the command substitution" if line != 14 else "stops the command line"
        assert ends in message, message


def test_what_an_ended_substitution_printed_before_its_error_stays_unknown():
    """`$(echo a; echo $((1+)))` printed `a` first: pyip does not run echo, so the word is not made
    empty; it stays known only at run time (and the command stays, as bash runs it)."""
    from pyip.shell import read_script

    script = read_script('iptables -A INPUT -m comment --comment "$(echo a; echo $((1+)))" -j ACCEPT\n'
                         'iptables -A INPUT -m comment --comment "$(v=1; echo $((1+)))" -j ACCEPT\n')
    assert [str(c.words[6]) for c in script.commands] == ["$(echo a; echo $((1+)))", ""]
    assert [f[:2] for f in script.failures] == [(1, 56), (2, 53)]


# ------------------------------------------- 2. iptables' queries answered by the ruleset so far

QUERIES = f"""\
iptables -nL MYCHAIN >/dev/null 2>&1 || iptables -N MYCHAIN
iptables -L MYCHAIN -n >/dev/null 2>&1 || iptables -N MYCHAIN
if ! iptables -C MYCHAIN -s 10.0.0.1 -j DROP 2>/dev/null; then iptables -A MYCHAIN -s 10.0.0.1 -j DROP; fi
if ! iptables -C MYCHAIN -s 10.0.0.1 -j DROP 2>/dev/null; then iptables -A MYCHAIN -s 10.0.0.1 -j DROP; fi
iptables -C MYCHAIN -s 10.0.0.1 -j DROP && iptables -D MYCHAIN -s 10.0.0.1 -j DROP
iptables -C MYCHAIN -s 10.0.0.2 -j DROP 2>/dev/null && iptables -D MYCHAIN -s 10.0.0.2 -j DROP
for i in 1 2; do
  iptables -t nat -C POSTROUTING -o eth0 -j MASQUERADE 2>/dev/null || iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
done
iptables -S MYCHAIN >/dev/null && iptables -A MYCHAIN -j RETURN
iptables -S NOCHAIN >/dev/null 2>&1 && {rule(1)}
iptables -C INPUT -j MYCHAIN 2>/dev/null || iptables -I INPUT -j MYCHAIN
iptables -C INPUT -j MYCHAIN 2>/dev/null || iptables -I INPUT -j MYCHAIN
"""


def test_iptables_queries_are_answered_by_the_rules_the_script_made_so_far(tmp_path):
    """`iptables -C RULE || iptables -A RULE` and `-L CHAIN || -N CHAIN` on the fresh system a
    translation starts from: the rules the script made before them decide, as in the real run;
    nothing is undecided, and a check's "no" is no error of the translation."""
    real, problems, mine, stderr = both(tmp_path, QUERIES)
    assert real == mine, (real, mine)
    assert not any(map(is_error, problems)), problems
    assert "-A POSTROUTING -o eth0 -j MASQUERADE" in mine and mine.count("-A INPUT -j MYCHAIN") == 1


def test_a_query_after_a_rule_known_only_at_run_time_stays_undecided():
    from pyip.script import commands_judged
    from pyip.shell import read_script

    for before in ("iptables -A INPUT -s $NET -j ACCEPT",  # which rule it is, the run tells
                   "for n in $NETS; do iptables -A INPUT -s 10.0.0.1 -j ACCEPT; done"):  # may not run
        text = f"{before}\niptables -C INPUT -s 10.0.0.1 -j ACCEPT || {rule(1)}\n"
        with commands_judged():
            script = read_script(text, "t.sh")
        assert script.undecided and "iptables -C INPUT" in script.undecided[0][2], (before, script)
    with commands_judged():
        known = read_script(f"NET=10.0.0.1\niptables -A INPUT -s $NET -j ACCEPT\n"
                            f"iptables -C INPUT -s 10.0.0.1 -j ACCEPT || {rule(1)}\n", "t.sh")
    assert not known.undecided and len(known.commands) == 2


# ------------------------------------------------ 3. `$SUDO iptables`, SUDO unknown or empty

SUDO_SCRIPT = f"""\
SUDO=""
[ $(id -u) != 0 ] && SUDO=sudo
$SUDO {rule(1)}
if [ "$EUID" != 0 ]; then SUDO_CMD=$(command -v sudo); fi
$SUDO_CMD {rule(2)}
${{MY_SUDO}} {rule(3)}
IPT="$DOAS iptables"
$IPT -A INPUT -p tcp --dport 4 -j ACCEPT
$(which sudo) {rule(5)}
"""


def test_a_sudo_variable_known_only_at_run_time_runs_the_command_after_it(tmp_path):
    """`$SUDO iptables ...`: whether SUDO is sudo or empty, iptables runs; the command is found,
    and the translation is the real run's (as root SUDO is empty, and the others unset)."""
    real, problems, mine, _stderr = both(tmp_path, SUDO_SCRIPT)
    assert real == mine, (real, mine)
    assert not any(map(is_error, problems)), problems
    assert all(f"--dport {port} " in "\n".join(mine) for port in range(1, 6))


def test_a_quoted_or_other_unknown_program_word_is_not_taken_for_sudo():
    from pyip.shell import read_script

    for text in (f'"$SUDO" {rule(1)}\n', f"$ECHO {rule(1)}\n", f"$PREFIX {rule(1)}\n"):
        script = read_script(text)
        assert not script.commands and script.warnings, text  # `"" iptables` fails; $ECHO may print


# ---------------------------------------- 4. what runs a command: prefixes and their options

PREFIXES = f"""\
env -S '{rule(1)}'
env -S"{rule(2)}"
env --split-string='iptables -A INPUT -p tcp' --dport 3 -j ACCEPT
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin {rule(4)}
env -u HOME -- {rule(5)}
command -pv iptables >/dev/null
command -V iptables >/dev/null
nice -n 5 {rule(7)}
nice -5 {rule(8)}
nice --adjustment=5 {rule(9)}
timeout 5 {rule(10)}
timeout -s KILL -k 1 5s {rule(11)}
timeout --preserve-status --foreground 5 {rule(12)}
nohup {rule(13)} 2>/dev/null
env -C / {rule(15)}
stdbuf -oL -eL {rule(17)}
ionice -c 3 {rule(18)}
time -p {rule(19)} 2>/dev/null
builtin command {rule(20)}
( exec -a fw {rule(21)} ) 2>/dev/null
( exec {rule(22)}; {rule(23)} )
exec {rule(24)}
{rule(25)}
"""


def test_prefixes_run_the_command_after_their_options_as_bash_and_coreutils_do(tmp_path):
    """`env -S STRING` splits its string; `command -pv` only looks up; `exec` ends the shell
    (a subshell's) with its command, and `exec -a NAME` gives iptables, a multi-call binary,
    an argv[0] it does not know, so that it fails."""
    real, problems, mine, _stderr = both(tmp_path, PREFIXES)
    assert real == mine, (real, mine)
    assert not any(map(is_error, problems)), problems
    kept = "\n".join(mine)
    assert all(f"--dport {p} " in kept for p in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 15, 17, 18, 19, 20, 22, 24))
    assert not any(f"--dport {p} " in kept for p in (21, 23, 25))


# A word with `=` leads the command: bash takes it for an assignment only when a name stands before the
# `=`; `--dport=22 $IPT ...` runs a program named `--dport=22` (not found).  The `$(( ))` keeps each line
# off the plain path, so the tree (which takes every `x=y` for an assignment) reads it.
LEADING_EQUALS = f"""\
IPT=iptables
--dport=22 $IPT -A INPUT -s 10.0.0.$((0+1)) -j ACCEPT
x=1 --to=2 $IPT -A INPUT -s 10.0.0.$((0+2)) -j ACCEPT
x=1 $IPT -A INPUT -s 10.0.0.$((0+3)) -j ACCEPT
{rule(4)}
"""


def test_a_leading_word_with_equals_but_no_name_is_the_command_as_in_bash(tmp_path):
    real, problems, mine, stderr = both(tmp_path, LEADING_EQUALS)
    assert "--dport=22: command not found" in stderr and "--to=2: command not found" in stderr
    assert real == mine, (real, mine)
    kept = "\n".join(mine)
    assert "10.0.0.3/32" in kept and "--dport 4 " in kept
    assert "10.0.0.1/32" not in kept and "10.0.0.2/32" not in kept


# `a#b` leading a line is one word to bash, the command (not found); the grammar took it for a name and a
# comment and lost the line before it too (hypothesis found `ip #c \` then ` a#b`); `$IPT` keeps the
# script off the plain reader, which never had the fault.
HASH_IN_LEADING_WORD = f"""\
#!/bin/sh
IPT=iptables
$IPT {rule(1)[9:]}
no#such -x
path/to#x; {rule(2)}
{rule(3)} #c \\
 a#b
"""


def test_a_hash_inside_the_leading_word_is_no_comment_as_in_bash(tmp_path):
    real, problems, mine, stderr = both(tmp_path, HASH_IN_LEADING_WORD)
    assert "a#b: command not found" in stderr and "no#such: command not found" in stderr
    assert real == mine, (real, mine)
    assert all(f"--dport {port} " in "\n".join(mine) for port in (1, 2, 3))
    assert not any("cannot read" in str(problem) for problem in problems), problems


def test_command_p_runs_its_command():
    from pyip.shell import read_script

    # bash's default PATH for `command -p` is the machine's (confstr), not compared here
    assert [str(w) for w in read_script(f"command -p {rule(6)}\n").commands[0].words][:3] == [
        "iptables", "-A", "INPUT"]


# ------------------------------------------------------- 5. realm names the script writes

REALMS = f"""\
echo "7 lab" >> /etc/iproute2/rt_realms
iptables -A FORWARD -m realm --realm lab -j ACCEPT
iptables -A FORWARD -m realm --realm lab/0xff -j DROP || {rule(1)}
printf '%s %s\\n' 9 other > /etc/iproute2/rt_realms
iptables -A FORWARD -m realm --realm other -j ACCEPT
iptables -A FORWARD -m realm --realm lab -j ACCEPT 2>/dev/null || {rule(2)}
"""


def test_translate_reads_the_realm_names_the_script_writes(tmp_path):
    """`echo 7 lab >> /etc/iproute2/rt_realms`, then `-m realm --realm lab`: iptables reads the
    name from the file the script wrote; after a `>`, only what was written after it.  The real
    run writes into the namespace's own copy (`ip netns exec` mounts /etc/netns/NS/iproute2)."""
    import os
    import shutil

    path = tmp_path / "fw.sh"
    path.write_text(REALMS)
    with twins() as (real, mine):
        etc = f"/etc/netns/{real}"
        try:
            shutil.copytree("/etc/iproute2", f"{etc}/iproute2")
            open(f"{etc}/iproute2/rt_realms", "a").write("# pyip test copy\n")
            check = run("ip", "netns", "exec", real, "tail", "-1", "/etc/iproute2/rt_realms")
            assert check.stdout == "# pyip test copy\n", check  # never run the script on the host's file
            reset(real)
            bash = run("ip", "netns", "exec", real, "bash", str(path))
        finally:
            shutil.rmtree(etc, ignore_errors=True)
            if os.path.isdir("/etc/netns") and not os.listdir("/etc/netns"):
                os.rmdir("/etc/netns")
        problems, mine_saved = pyip_translated(mine, tmp_path, REALMS)
        real_saved = saved(real)  # both listed with the host's realm names: numbers
    assert "realm" in bash.stderr  # iptables refused `lab/0xff`
    assert real_saved == mine_saved, (real_saved, mine_saved)
    kept = "\n".join(mine_saved)
    assert "--realm 0x7 " in kept and "--realm 0x9 " in kept  # lab, then other, read by name
    assert "--dport 1 " in kept and "--dport 2 " in kept  # no name/mask; lab gone after the `>`
    assert [p.location.line for p in problems if is_error(p)] == [3, 6], problems


# ---------------------------------------------- held-out hunt: iptables-restore in the script

RESTORE_HEREDOC = """\
EXTIF=eth0
iptables -N OLD
iptables -A INPUT -j OLD
iptables -t nat -A PREROUTING -p tcp --dport 1 -j ACCEPT
iptables-restore <<-EOF
	*nat
	-A POSTROUTING -o "$EXTIF" -j MASQUERADE
	COMMIT
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD DROP [0:0]
	:MINE - [0:0]
	[3:120] -A FORWARD -i "$EXTIF" -m comment --comment "two words" -j MINE
	COMMIT
EOF
iptables-restore --noflush <<'EOF'
*filter
-A MINE -p udp --dport 53 -j ACCEPT
COMMIT
EOF
iptables-restore --test <<EOF
*filter
-A INPUT -p tcp --dport 2 -j ACCEPT
COMMIT
EOF
"""


def test_iptables_restore_of_a_here_document_is_read_as_the_ruleset_it_loads(tmp_path):
    """The tables a restore names are flushed and their user chains deleted (not with --noflush);
    `:CHAIN POLICY` sets policies and makes chains; quotes are restore's own; --test loads nothing."""
    real, problems, mine, _stderr = both(tmp_path, RESTORE_HEREDOC)
    assert real == mine, (real, mine)
    assert not any(map(is_error, problems)), problems
    assert ":FORWARD DROP" in mine and "-A MINE -p udp -m udp --dport 53 -j ACCEPT" in mine


def test_iptables_restore_from_a_file_or_a_pipe_is_an_error_not_silence():
    from pyip.shell import read_script

    for text in ("iptables-restore < /etc/iptables.rules\n", "sed s/x/y/ rules | iptables-restore\n",
                 "iptables-restore <<EOF\n*filter\n-A INPUT -s $NET -j ACCEPT\nCOMMIT\nEOF\n"):
        script = read_script(text)
        assert any("iptables-restore loads rules pyip does not read" in e[2] for e in script.errors), text


def test_a_redirection_without_its_target_is_the_syntax_error_bash_finds(tmp_path):
    """`%>` closing an ERB template, `cmd >` at a line's end: the grammar takes the next line's
    first word for the target; bash stops with a syntax error there.  Reported at bash's line."""
    from pyip.shell import read_script

    text = f"<%\n  @path = '/etc/init.d/nat'\n%>\n{rule(1)}\n{rule(2)} >\n{rule(3)}\n"
    path = tmp_path / "t.sh"
    path.write_text(text)
    bash = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert bash.returncode == 2 and "line 3: syntax error" in bash.stderr
    script = read_script(text)
    assert [e[0] for e in script.errors][:1] == [3] and "syntax error" in script.errors[0][2]
    assert [c.line for c in script.commands] == [4, 6]  # `%>` no longer swallows line 4's command


def test_parse_says_so_when_a_script_runs_no_command_it_reads(tmp_path):
    """Never silent: a script with every command commented out, or none of pyip's."""
    import sys

    path = tmp_path / "t.sh"
    path.write_text("#!/bin/sh\n# iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE\necho done\n")
    result = subprocess.run([sys.executable, "-m", "pyip", "parse", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr == f"{path}:1:1: warning: no ip, ipchains or iptables command found\n"
