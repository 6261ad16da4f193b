"""`pyip parse`: canonical lines, JSON lines, positioned errors, exit status."""

from __future__ import annotations

import json
import subprocess
import sys


def pyip(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_prints_canonical_commands():
    result = pyip("parse", "-", stdin="ip r a 0/0 via 10.0.0.1 t 1\n/sbin/ip ru add fwmark 16 lookup 5\n")
    assert result.returncode == 0
    assert result.stdout == ("ip route add default via 10.0.0.1 table 1\n"
                             "ip rule add fwmark 0x10 lookup 5\n")
    assert result.stderr == ""


def test_errors_are_positioned_and_parsing_goes_on(tmp_path):
    script = tmp_path / "s.sh"
    script.write_text("ip route add 10.0.0.0/8 metric x\nip rule add from 1.2.3.4 lookup 5\n"
                      "echo not ip\nip route add 10.1.0.0/16 via 1.2.3.4 via 1.2.3.5\n")
    result = pyip("parse", str(script))
    assert result.returncode == 1
    assert result.stdout == "ip rule add from 1.2.3.4 lookup 5\n"
    assert result.stderr.splitlines() == [
        f'{script}:1:32: error: argument "x" is wrong: "metric" value is invalid',
        f'{script}:4:38: error: argument "via" is wrong: use nexthop syntax to specify multiple via',
    ]


def test_legacy_dialect_and_rt_tables(corpus):
    tables = corpus / "policy-routing" / "rt_tables"
    script = corpus / "policy-routing" / "example5-fwmark.sh"
    result = pyip("parse", "--dialect", "legacy", "--rt-tables", str(tables), str(script))
    assert result.returncode == 0, result.stderr
    assert "ip rule add fwmark 0x10 prohibit" in result.stdout.splitlines()
    assert "ip rule add fwmark 0x2 lookup goodnet1" in result.stdout.splitlines()


def test_json_lines():
    result = pyip("parse", "--json", "-", stdin="# comment\n\nip rule add fwmark 10 prohibit\n")
    assert result.returncode == 0
    [line] = result.stdout.splitlines()
    data = json.loads(line)
    assert data["line"] == 3
    assert data["source"] == "ip rule add fwmark 10 prohibit"
    assert data["canonical"] == "ip rule add fwmark 0xa prohibit"
    assert data["ast"]["node"] == "IpCommand"
    assert data["ast"]["body"] == {"node": "Rule", "fwmark": 10, "action": "prohibit"}


def test_unterminated_quote_is_an_error_not_a_traceback():
    result = pyip("parse", "-", stdin="ip route add '10.0.0.0/8 dev eth0\n")
    assert result.returncode == 1
    assert result.stderr == "-:1:13: error: shell: syntax error near \"'10.0.0.0/8 dev eth0\"\n"


def test_missing_file_is_a_usage_error():
    result = pyip("parse", "/nonexistent/file")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


RUNTIME_VALUES = 'EXTIP="`/sbin/ifconfig ppp0 | cut -d: -f2`"\nip rule add from $EXTIP table $T\n' \
                 'iptables -A INPUT -d $EXTIP -p tcp --dport 22 -j ACCEPT\n' \
                 'ipchains -A input -d $EXTIP 22 -p tcp -j ACCEPT\n'


def test_defines_give_values_known_only_when_the_script_runs(tmp_path):
    path = tmp_path / "fw.sh"
    path.write_text(RUNTIME_VALUES)
    unknown = pyip("parse", str(path))
    assert unknown.returncode == 0 and "from '`/sbin/ifconfig" in unknown.stdout
    known = pyip("parse", "-D", "EXTIP=63.89.102.157", "--define", "T=5", str(path))
    assert known.stdout == ("ip rule add from 63.89.102.157 lookup 5\n"
                            "iptables -A INPUT -d 63.89.102.157/32 -p tcp -m tcp --dport 22 -j ACCEPT\n"
                            "ipchains -A input -p tcp -d 63.89.102.157 22 -j ACCEPT\n")
    # translate and lint take them the same way
    translated = pyip("translate", "--to", "iptables-restore", "-D", "EXTIP=63.89.102.157", str(path))
    assert translated.returncode == 0 and "runs both ipchains and iptables" in translated.stderr  # a warning
    assert "-d 63.89.102.157/32" in translated.stdout and "known only when" not in translated.stderr
    linted = pyip("lint", "--format", "text", "-D", "T=5", str(path))
    assert "$T" not in linted.stdout
    bad = pyip("parse", "-D", "not a name=1", str(path))
    assert bad.returncode == 2 and "is not NAME=VALUE" in bad.stderr
