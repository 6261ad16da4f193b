"""Inputs that used to end in a traceback: each now gets what the real tool says, or a clean refusal.

Oracles: the real iptables in a test namespace (huge numbers, non-ASCII digits), the real ip
(`ip r a`), bash (positional parameters); Python's own TypeError/ValueError at the API.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import pyip
import pyip.lint
import pyip.translators.pipeline as pipeline
from pyip.errors import PyipError

from .firewall import Call, is_parse_rejection
from .netns import namespace, run

HUGE = "9" * 5000  # past Python's 4,300-digit int() limit
HUGE_HEX = "0x" + "f" * 5000
ARABIC_THREE = "\u0663"  # a digit to str.isdigit() and \d, not to C

# iptables arguments with one number in them; {} is replaced by a huge or a non-ASCII number.
NUMBERED = [
    "-A INPUT -p tcp --dport {} -j DROP", "-A INPUT -p tcp --sport 1:{} -j DROP",
    "-A INPUT -m mark --mark {} -j DROP", "-A INPUT -m limit --limit {}/s -j DROP",
    "-A INPUT -m limit --limit-burst {} -j DROP", "-A INPUT -p icmp --icmp-type {} -j DROP",
    "-A INPUT -m length --length {} -j DROP", "-A INPUT -m ttl --ttl-eq {} -j DROP",
    "-A INPUT -m tos --tos {} -j DROP", "-I INPUT {} -j DROP", "-A INPUT -s {} -j DROP",
    "-A INPUT -s 10.0.0.0/{} -j DROP", "-A INPUT -s 1.2.3.{} -j DROP", "-A INPUT -d {}.1.1.1 -j DROP",
    "-t mangle -A INPUT -j MARK --set-mark {}", "-t mangle -A INPUT -j MARK --set-mark 1/{}",
    "-t mangle -A FORWARD -p tcp --tcp-flags SYN SYN -j TCPMSS --set-mss {}",
    "-t nat -A PREROUTING -p tcp -j DNAT --to 1.2.3.4:{}", "-A INPUT -m u32 --u32 {}=1 -j DROP",
    "-A INPUT -m string --algo bm --string x --from {} -j DROP",
    "-A INPUT -m iprange --src-range 1.1.1.1-1.1.1.{} -j DROP",
]
VALUES = [HUGE, HUGE_HEX, ARABIC_THREE, "1" + ARABIC_THREE, "18446744073709551616", "18446744073709551615"]


def pyip_cli(*args: str, stdin: str = "", **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, **options)


def numbered_commands() -> list[str]:
    return sorted({"iptables " + args.format(value) for args in NUMBERED for value in VALUES})


@pytest.fixture(scope="module")
def oracle():
    """Each command's verdict from the real iptables.  Not run_calls(): iptables cuts its messages
    mid-character (`Port `\xd9' not valid`), which a strict UTF-8 reading of its stderr refuses."""
    verdicts = {}
    with namespace("pyiprob") as ns:
        for command in numbered_commands():
            real = subprocess.run(["ip", "netns", "exec", ns, *command.split()], capture_output=True, timeout=60)
            verdicts[command] = Call(real.returncode, real.stderr.decode("utf-8", "replace"))
    return verdicts


def test_huge_and_non_ascii_numbers_get_the_iptables_verdict(oracle):
    for command, real in oracle.items():
        [mine] = list(pyip.parse_script(command))
        shown = command[:80]
        if is_parse_rejection(real):
            assert isinstance(mine, PyipError), f"{shown}: iptables refuses ({real.message[:80]}); pyip takes it"
            assert mine.location.line == 1 and mine.location.col > 1
        else:
            assert not isinstance(mine, PyipError), f"{shown}: iptables takes it; pyip: {str(mine)[:200]}"


def test_the_verdict_sample_has_refusals_and_acceptances(oracle):
    refused = sum(is_parse_rejection(call) for call in oracle.values())
    assert refused > len(oracle) // 2 and refused < len(oracle)


@pytest.mark.parametrize("command", ["parse", "lint", "translate --to nft", "translate --to iptables-restore"])
def test_no_traceback_for_huge_numbers_anywhere(tmp_path, command):
    lines = [f"iptables {args.format(HUGE)}" for args in NUMBERED]
    lines += [f"ipchains -A input -s {HUGE} -j DENY", f"ipchains -A input -p tcp -s 0/0 {HUGE} -j DENY",
              f"ipchains -A input -m {HUGE} -j DENY", f"ipchains -M -S {HUGE} 1 1",
              f"ipchains -A input -t {HUGE_HEX} 0x01 -j DENY", f"ipchains -A input -s 1.2.3.{ARABIC_THREE} -j DENY",
              f"ipchains -A input -s 10.0.0.0/{HUGE} -j DENY", f"x=${{{HUGE}}}", f"shift {HUGE}"]
    script = tmp_path / "huge.sh"
    script.write_text("\n".join(lines) + "\n")
    result = pyip_cli(*command.split(), str(script))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    report = result.stdout if command == "lint" else result.stderr
    assert f"{script}:1:" in report  # positioned


def test_a_huge_positional_parameter_is_empty_as_in_bash():
    script = f'set -- 10.0.0.1\niptables -A INPUT -s 1.1.1.1${{{HUGE}}} -j DROP\niptables -A INPUT -s ${{0001}} -j DROP\n'
    bash = run("bash", "-c", script.replace("iptables", "echo iptables"))
    [first, second] = pyip.parse(script)
    assert bash.stdout.splitlines() == ["iptables -A INPUT -s 1.1.1.1 -j DROP", "iptables -A INPUT -s 10.0.0.1 -j DROP"]
    assert [str(first), str(second)] == [str(command) for command in pyip.parse(bash.stdout)]


@pytest.mark.parametrize("script", ["ip\n", "ip r a\n", "ip ru a\n", "ip route add\n", "ip r d\n"])
def test_refused_ip_commands_are_a_lint_error_not_a_crash(script):
    with namespace("pyiprob") as ns:
        real = run("ip", "-n", ns, *script.split()[1:])
    result = pyip_cli("lint", "-", stdin=script)
    assert real.returncode != 0
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("-:1:") and " PI000 error: " in result.stdout
    assert "Traceback" not in result.stderr


def test_json_of_a_u32_rule_keeps_the_test_location():
    result = pyip_cli("parse", "--json", "-", stdin='iptables -A INPUT -m u32 --u32 "0>>22&0x3C@12=0x8000" -j DROP\n')
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ast"]["location"] == {"file": "-", "line": 1, "col": 1}
    [test] = data["ast"]["rule"]["matches"][0]["tests"]["value"]
    assert test["location"] == [["", 0], [">>", 22], ["&", 60], ["@", 12]]


API_ENTRIES = [pyip.parse, pyip.parse_script, pyip.lint.lint, pipeline.to_iptables_restore, pipeline.to_nft,
               lambda text, **kw: pipeline.translate(text, "-", "nft", kw.get("dialect", "modern"))]


@pytest.mark.parametrize("entry", API_ENTRIES)
def test_the_api_refuses_what_is_not_a_script_at_once(entry):
    with pytest.raises(TypeError, match="must be str, not bytes: decode it"):
        entry(b"ip route add 10.0.0.0/8 dev lo")
    with pytest.raises(TypeError, match="must be str, not NoneType"):
        entry(None)
    with pytest.raises(ValueError, match="unknown dialect 'bogus'"):
        entry("ip route add 10.0.0.0/8 dev lo", dialect="bogus")


def test_translate_refuses_an_unknown_target():
    with pytest.raises(ValueError, match="unknown target 'nfx'"):
        pipeline.translate("iptables -A INPUT -j DROP", "-", "nfx", "modern")


# Long enough to be interrupted on a fast machine, and under the unrolling budget (which grows with
# the script's length), so the interrupt comes in the middle of the work, not after it.
SLOW = "IF=eth0\n" + "".join(f"iptables -A INPUT -i $IF -s 10.{a}.{b}.{c} -j DROP\n"
                              for a in range(3) for b in range(250) for c in range(250))


@pytest.mark.parametrize("command", ["parse", "lint", "translate --to nft"])
def test_ctrl_c_exits_130_quietly(tmp_path, command):
    script = tmp_path / "slow.sh"
    script.write_text(SLOW)
    process = subprocess.Popen([sys.executable, "-m", "pyip", *command.split(), str(script)], text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)  # in the middle of the work: the script takes far longer
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    # Quietly: no traceback, no "KeyboardInterrupt"; what pyip reported before the interrupt (the
    # unrolling cap, on a fast machine) may stand, each line a positioned message.
    assert all(line.startswith(f"{script}:") for line in stderr.splitlines()), stderr


def test_a_bug_is_one_line_and_exit_1_not_a_traceback(tmp_path):
    # A real bug, made on purpose: a lint rule that raises.
    program = ("import sys, pyip.cli\n"
               "from pyip.lint.rules import pi010_unused_table as m\n"
               "m.UnusedTable.check = lambda self, script: 1 / 0\n"
               "sys.argv = ['pyip', 'lint', '-']\n"
               "pyip.cli.main()\n")
    result = subprocess.run([sys.executable, "-c", program], input="ip route add 10.0.0.0/8 dev lo\n",
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYIP_DEBUG": ""})
    assert result.returncode == 1
    assert result.stderr.startswith("pyip: internal error: ZeroDivisionError: division by zero (a bug in pyip")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def nested_loops(body: str) -> str:
    """Three nested 100-item loops around one command: a 1 KB file that unrolls to a million commands."""
    items = " ".join(map(str, range(1, 101)))
    return f"for a in {items}; do\nfor b in {items}; do\nfor c in {items}; do\n{body}\ndone\ndone\ndone\n"


def test_unrolling_stops_within_its_budget_and_keeps_what_bash_runs_first():
    from pyip import shell

    text = nested_loops("iptables -A INPUT -s 10.$a.$b.$c -j DROP")
    script = shell.read_script(text, "loops.sh")
    budget = shell.BASE_COMMANDS + text.count("\n") + 1  # one more command per line of the script
    assert [message for _, _, message in script.errors] == [
        f"evaluation stopped after {budget} commands: the loops unroll to more than pyip follows"]
    kept = [" ".join(word.text for word in command.words) for command in script.commands]
    assert len(kept) == budget
    # bash's first lines: `head` closes the pipe, and bash's echo then fails and ends the loops
    bash = subprocess.run(["bash", "-c", f'{{ iptables() {{ echo iptables "$@" || exit; }}\n{text}\n}} | head -n {budget}'],
                          capture_output=True, text=True, timeout=120)
    assert bash.stdout.splitlines() == kept


def test_unrolling_costs_bounded_memory_and_says_so_once(tmp_path):
    script = tmp_path / "loops.sh"
    script.write_text(nested_loops("iptables -A INPUT -s 10.$a.$b.$c -j DROP"))
    # The peak memory of pyip's own process image (VmHWM starts again at exec; rusage's maxrss does not,
    # and would count the test process that forked it).
    program = ("import atexit, sys\n"
               "from pyip.cli import main\n"
               "def peak():\n"
               "    status = open('/proc/self/status').read()\n"
               "    sys.stderr.write('peak ' + status.split('VmHWM:')[1].split()[0] + '\\n')\n"
               "atexit.register(peak)\n"
               "sys.argv = ['pyip'] + sys.argv[1:]\n"
               "main()\n")
    for command in (["parse"], ["translate", "--to", "nft"]):
        result = subprocess.run([sys.executable, "-c", program, *command, str(script)], capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 1
        assert result.stderr.count("evaluation stopped") == 1
        peak = int(result.stderr.rsplit("peak ", 1)[1])
        assert peak < 150_000, f"{command}: {peak} KB"  # 368 MB before the budget


def test_a_long_script_is_read_to_its_end():
    from pyip import shell

    lines = shell.BASE_COMMANDS + 5_000  # more commands than the base budget: one per line is always allowed
    text = "if true; then\n" + "".join(f"iptables -A INPUT -s 10.0.{n // 256 % 256}.{n % 256} -j DROP\n"
                                        for n in range(lines)) + "fi\n"
    script = shell.read_script(text, "long.sh")
    assert script.errors == () and len(script.commands) == lines
