"""iptables-restore files: pyip renders them as iptables-save does, reads them back, and `pyip translate` makes them."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pyip
from pyip.errors import PyipError
from pyip.parser.restore import restore_commands, split_line
from pyip.render.iptables_save import restore_file, save_string
from pyip.ruleset import Ruleset
from pyip.translators.pipeline import to_iptables_restore

from .firewall import save
from .netns import namespace, run
from .test_ruleset import SCRIPTS


def run_pyip(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def apply_all(commands) -> Ruleset:
    ruleset = Ruleset()
    for command in commands:
        assert not isinstance(command, PyipError), str(command)
        ruleset.apply(command)
    return ruleset


@pytest.mark.parametrize("value, saved", [
    ("simple", "simple"), ("with-dash_9", "with-dash_9"), ("DROP: ", '"DROP: "'), ("", '""'),
    ('say "hi"', '"say \\"hi\\""'), ("it's", '"it\\\'s"'), ("a\\b", '"a\\\\b"'), ("x.y", '"x.y"'),
])
def test_free_text_is_quoted_as_iptables_save_quotes_it(value, saved):
    assert save_string(value) == saved


def test_restore_file_layout():
    text = """
iptables -t nat -N zeta
iptables -t nat -N Alpha
iptables -A FORWARD -j ACCEPT
iptables -P OUTPUT DROP
iptables -t mangle -A POSTROUTING -j MARK --set-mark 1
iptables -N b
iptables -N a
iptables -A b -j a
iptables -A INPUT -j b
"""
    compiled, errors = to_iptables_restore(text)
    assert errors == []
    assert compiled == """*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -j MARK --set-xmark 0x1/0xffffffff
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT DROP [0:0]
:a - [0:0]
:b - [0:0]
-A INPUT -j b
-A FORWARD -j ACCEPT
-A b -j a
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:Alpha - [0:0]
:zeta - [0:0]
COMMIT
"""


@pytest.mark.parametrize("line, words", [
    ('-A INPUT -m comment --comment "a b" -j ACCEPT', ["-A", "INPUT", "-m", "comment", "--comment", "a b", "-j", "ACCEPT"]),
    ('-A X --log-prefix "it\\\'s \\"q\\""', ["-A", "X", "--log-prefix", 'it\'s "q"']),
    ('-A  X\t""', ["-A", "X", ""]),
])
def test_rule_lines_split_as_iptables_restore_splits_them(line, words):
    assert [word for word, _ in split_line(line)] == words


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_reading_a_rendered_file_gives_the_same_ruleset(name):
    compiled, _ = to_iptables_restore(SCRIPTS[name])
    ruleset = apply_all(restore_commands(compiled, "restore"))
    assert restore_file(ruleset) == "".join(l + "\n" for l in compiled.splitlines() if not l.startswith("#"))


def test_reading_what_the_real_iptables_save_prints():
    """iptables-save's own file (comments and all) reads back into the same ruleset."""
    script = SCRIPTS["stateful-host"] + SCRIPTS["nat-gateway"] + SCRIPTS["log-prefixes"]
    with namespace("pyipsave") as ns:
        run("ip", "netns", "exec", ns, "sh", "-c", script, check=True)
        real = run("ip", "netns", "exec", ns, "iptables-save", check=True).stdout
    ruleset = apply_all(restore_commands(real, "saved"))
    assert restore_file(ruleset) == "".join(l + "\n" for l in real.splitlines() if not l.startswith("#"))


def test_restore_errors_are_positioned():
    results = list(restore_commands("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --dport 22 -j ACCEPT\nCOMMIT\n"
                                    "*bogus\nCOMMIT\n-A INPUT\n*nat\n", "f"))
    errors = [str(r) for r in results if isinstance(r, PyipError)]
    assert errors == ['f:3:10: error: unknown option "--dport"', "f:5:1: error: iptables-restore: line 5 table name 'bogus' invalid",
                      "f:7:1: error: iptables-restore: unexpected line 7: no table given (*TABLE)",
                      "f:9:1: error: iptables-restore: COMMIT expected at line 9"]


# -- the command line ---------------------------------------------------------------------------


def test_translate_prints_a_restore_file_and_exit_0(tmp_path):
    script = tmp_path / "fw.sh"
    script.write_text("EXT=eth1\nip route add default via 10.0.0.1\n"
                      "iptables -t nat -A POSTROUTING -o $EXT -j MASQUERADE\n")
    result = run_pyip("translate", "--to", "iptables-restore", str(script))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines()[-2] == "-A POSTROUTING -o eth1 -j MASQUERADE"
    with namespace("pyipcli") as ns:
        loaded = run("ip", "netns", "exec", ns, "iptables-restore", stdin=result.stdout)
        assert loaded.returncode == 0, loaded.stderr
        assert save(ns) == result.stdout


def test_translate_reports_what_it_leaves_out(corpus):
    path = corpus / "redundant-isp" / "firewall-iptables.sh"
    result = run_pyip("translate", "--to", "iptables-restore", str(path))
    assert result.returncode == 1
    # the loop's eight commands fail at one place: reported once
    assert result.stderr.splitlines() == [f"{path}:18:24: error: Bad argument `INPUT'"] + [
        f"{path}:28:40: error: Bad argument `—state'", f"{path}:32:40: error: Bad argument `—state'"]
    first, *rest = result.stdout.splitlines()
    assert first == (f"# pyip: left out 10 commands iptables would refuse (errors on stderr), "
                     f"at line 18, 28, 32 of {path}")
    assert "-A POSTROUTING -o eth1 -j MASQUERADE" in rest and rest[-1] == "COMMIT"


def test_translate_reports_ruleset_errors():
    result = run_pyip("translate", "--to", "iptables-restore", "-",
                  stdin="iptables -A INPUT -j nosuch\niptables -A INPUT -j MASQUERADE\niptables -N x\niptables -N x\n")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "-:1:1: error: Chain 'nosuch' does not exist",
        "-:2:1: error: RULE_APPEND failed (Invalid argument): rule in chain INPUT",
        "-:4:1: error: iptables: Chain already exists.",
    ]
    assert result.stdout.splitlines()[1:] == ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]",
                                              ":OUTPUT ACCEPT [0:0]", ":x - [0:0]", "COMMIT"]


def test_translate_targets():
    assert run_pyip("translate", "--to", "pf", "-").returncode == 2
    assert run_pyip("translate", "-").returncode == 2


def test_parse_prints_iptables_commands_too():
    result = run_pyip("parse", "-", stdin="ip r a 0/0 via 10.0.0.1\nfor p in 22 80; do\n"
                                       "  /sbin/iptables -A INPUT -p tcp --dport $p -j ACCEPT\ndone\n"
                                       "iptables -A INPUT -s ! 10/8 -j DROP\n")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["ip route add default via 10.0.0.1",
                                          "iptables -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
                                          "iptables -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT"]
    assert result.stderr == "-:5:24: error: Bad argument `10/8'\n"
    legacy = run_pyip("parse", "--dialect", "legacy", "-", stdin="iptables -A INPUT -s ! 10/8 -j DROP\n")
    assert legacy.stdout == "iptables -A INPUT ! -s 10.0.0.0/8 -j DROP\n"


def test_parse_json_of_an_iptables_command():
    import json

    result = run_pyip("parse", "--json", "-", stdin="iptables -A INPUT -m string --string x --algo bm -j DROP\n")
    data = json.loads(result.stdout)
    assert data["canonical"] == "iptables -A INPUT -m string --string x --algo bm -j DROP"
    assert data["ast"]["node"] == "Append"
    assert data["ast"]["rule"]["matches"][0]["node"] == "StringMatch"


def test_parse_api_returns_firewall_commands():
    [command] = pyip.parse("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE")
    assert str(command.rule) == "-A POSTROUTING -o eth1 -j MASQUERADE"


def test_translate_reads_save_files_too(tmp_path):
    from pyip.translators.pipeline import translate

    script = ("iptables -P INPUT DROP\niptables -N LOGDROP\niptables -A LOGDROP -j LOG --log-prefix 'x: '\n"
              "iptables -A INPUT -p tcp --dport 22 -m state --state NEW -j ACCEPT\n"
              "iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n")
    with namespace("pyipsave2") as ns:
        run("ip", "netns", "exec", ns, "sh", "-c", script, check=True)
        real = run("ip", "netns", "exec", ns, "iptables-save", check=True).stdout
    saved = "".join(line + "\n" for line in real.splitlines() if not line.startswith("#"))
    assert translate(real, "saved", "iptables-restore", "modern") == (saved, [])
    # a table iptables-restore refuses: reported at its line, its lines left out, the rest kept
    output, errors = translate("*foo\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n" + real, "f",
                               "iptables-restore", "modern")
    assert [str(e) for e in errors] == ["f:1:1: error: iptables-restore: line 1 table name 'foo' invalid"]
    assert output.endswith(saved)
