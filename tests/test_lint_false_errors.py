"""`pyip lint` on the false and missed findings of issue 12, each judged by the real tool it is
about: bash -u for variables, iptables for what it refuses, ip and the kernel for deletes and
names, bash running a CR LF script."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import pyip.lint as lint
from pyip.lint.rules.pi016_shadowed_rule import CoverIndex, can_shadow, covers

from .netns import namespace, run

STUBS = "ip() { :; }\niptables() { :; }\n"


def findings(text: str, dialect: str = "modern", **options) -> list[tuple]:
    return [(f.line, f.code, f.severity) for f in lint.lint(text, "t.sh", dialect, **options)]


def bash_unbound(script: str, tmp_path, env: dict | None = None) -> bool:
    """Does bash -u stop at an unset variable (ip and iptables stubbed out)?"""
    path = tmp_path / "u.sh"
    path.write_text(STUBS + script)
    result = subprocess.run(["bash", "-u", str(path)], capture_output=True, text=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", **(env or {})})
    return "unbound variable" in result.stderr


# -- PI015: variables that are set


def test_a_for_loop_variable_is_set(tmp_path):
    addresses = tmp_path / "addrs"
    addresses.write_text("10.0.0.1\n10.0.0.2\n")
    script = (f"F={addresses}\nfor ADDRS in `cat $F`; do\n  iptables -A INPUT -s $ADDRS -j ACCEPT\ndone\n"
              "for (( i = 0; i < 2; i++ )); do ip route add 10.$i.0.0/16 dev lo; done\n")
    assert not bash_unbound(script, tmp_path)
    assert [f for f in findings(script) if f[1] == "PI015"] == []
    broken = script.replace("-s $ADDRS", "-s $ADDR")
    assert bash_unbound(broken, tmp_path)
    assert (3, "PI015", "error") in findings(broken)  # $ADDR near the set $ADDRS: a typo


DHCLIENT_HOOK = """\
case "$reason" in
  BOUND|RENEW|REBIND)
    ip addr add $new_ip_address/$new_subnet_mask dev $interface
    ip route add default via $new_routers dev $interface table 5
    ip rule add from $new_ip_address table 5
    ;;
  EXPIRE|RELEASE)
    ip rule del from $old_ip_address table 5 2>/dev/null
    ;;
esac
iptables -A INPUT -i $interface -s $EXTRA_NET -j ACCEPT
"""


def test_a_dhcp_hook_is_given_its_variables(tmp_path):
    given = {"reason": "BOUND", "interface": "eth0", "new_ip_address": "10.1.1.5", "new_subnet_mask": "24",
             "new_routers": "10.1.1.1", "old_ip_address": "10.1.1.4", "EXTRA_NET": "10.9.0.0/16"}
    assert not bash_unbound(DHCLIENT_HOOK, tmp_path, given)  # as dhclient-script runs it
    unset = [(f.line, f.message) for f in lint.lint(DHCLIENT_HOOK, "hook.sh") if f.code == "PI015"]
    # only the one name no DHCP client gives is reported, as a warning
    assert unset == [(11, "$EXTRA_NET is never set in the script (it may come from the environment)")]
    assert all(f.severity == "warning" for f in lint.lint(DHCLIENT_HOOK, "hook.sh") if f.code == "PI015")


def test_a_caller_given_name_is_never_a_typo():
    script = "interfaces=eth0\niptables -A INPUT -i $interface -j DROP\n"
    assert findings(script) == [(2, "PI015", "warning")]


def test_a_sourced_file_may_set_a_near_name(tmp_path):
    script = ". /nonexistent/fw.conf\nEXT_IFACE=eth1\niptables -A INPUT -i $EXT_IFAC -j DROP\n"
    assert [f for f in findings(script) if f[1] == "PI015"] == [(3, "PI015", "warning")]
    (tmp_path / "fw.conf").write_text("EXT_IFAC=eth0\n")
    path = tmp_path / "fw.sh"
    path.write_text(script.replace("/nonexistent/fw.conf", "./fw.conf"))
    result = subprocess.run([sys.executable, "-m", "pyip", "lint", str(path)], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout) == (0, "")  # what the sourced file sets is set


# -- PI016 and PI018: matches with state


@pytest.mark.parametrize("match", ["-m limit --limit 5/s", "-m recent --rcheck --seconds 60"])
def test_a_rule_after_one_with_state_is_reachable(match):
    script = (f"iptables -A INPUT -p tcp {match} -j ACCEPT\n"
              f"iptables -A INPUT -p tcp {match} -j ACCEPT\n"   # a second bucket: reachable, no copy
              f"iptables -A INPUT -p tcp -j DROP\n"
              f"iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n")  # behind the plain DROP: shadowed
    assert [f for f in findings(script) if f[1] in ("PI016", "PI018")] == [(4, "PI016", "warning")]


def test_the_cover_index_finds_what_comparing_every_pair_finds():
    """The index against the quadratic definition, over rules of many shapes."""
    import random

    from pyip.lint.firewall_words import build_iptables_rules
    from pyip.lint.script import read
    from pyip.names import system

    generator = random.Random(12)
    lines = []
    for _ in range(400):
        parts = ["iptables -A INPUT"]
        if generator.random() < 0.5:
            parts.append(f"-s 10.{generator.randrange(3)}.{generator.randrange(3)}.0/{generator.choice([8, 16, 24])}")
        if generator.random() < 0.2:
            parts.append(f"-d 10.{generator.randrange(2)}.0.0/{generator.choice([8, 16])}")
        if generator.random() < 0.1:
            parts.append(f"! -s 10.{generator.randrange(2)}.0.0/16")
        if generator.random() < 0.5:
            parts.append(generator.choice(["-p tcp", "-p udp", "-p tcp --dport 22", "-p udp --dport 53"]))
        if generator.random() < 0.3:
            parts.append(generator.choice(["-i eth0", "-i eth1", "-o eth0"]))
        if generator.random() < 0.2:
            parts.append(generator.choice(["-m state --state NEW", "-m limit --limit 1/s"]))
        parts.append(generator.choice(["-j ACCEPT", "-j DROP", "-j REJECT", "-j LOG"]))
        lines.append(" ".join(parts))
    script = read("\n".join(lines) + "\n", "t.sh", "modern", system())
    [(_, _, rules)] = [entry for entry in build_iptables_rules(script) if entry[1] == "INPUT"]
    index, found = CoverIndex(), 0
    for position, rule in enumerate(rules):
        expected = next((e for e in rules[:position] if can_shadow(e) and covers(e, rule) and e != rule), None)
        assert index.first_covering(rule) is expected, str(rule)
        found += expected is not None
        index.add(rule)
    assert found > 20  # the generated rules do shadow each other


# -- PI001: bundled short options


def test_bundled_short_options_hold_the_command():
    script = ("iptables -t nat -nvL POSTROUTING\niptables -vnxL FORWARD\niptables -nt nat -L\n"
              "iptables -t filter INPUT -j DROP\n")
    assert findings(script) == [(4, "PI001", "error")]
    with namespace("pyiplint") as ns:
        verdicts = [run("ip", "netns", "exec", ns, *line.split()).returncode for line in script.splitlines()]
    assert verdicts[:3] == [0, 0, 0] and verdicts[3] != 0


# -- PI014: TCPMSS where iptables takes it


TCPMSS = "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS"


@pytest.mark.parametrize("table,chain,option", [
    ("nat", "POSTROUTING", "--clamp-mss-to-pmtu"), ("nat", "OUTPUT", "--clamp-mss-to-pmtu"),
    ("nat", "PREROUTING", "--set-mss 1400"), ("filter", "INPUT", "--set-mss 1400"),
    ("mangle", "FORWARD", "--clamp-mss-to-pmtu"), ("nat", "PREROUTING", "--clamp-mss-to-pmtu"),
    ("filter", "INPUT", "--clamp-mss-to-pmtu"), ("mangle", "PREROUTING", "--clamp-mss-to-pmtu")])
def test_tcpmss_is_an_error_exactly_where_iptables_refuses_it(table, chain, option):
    command = f"iptables -t {table} -A {chain} {TCPMSS} {option}"
    with namespace("pyiplint") as ns:
        refused = run("ip", "netns", "exec", ns, *command.split()).returncode != 0
    assert ("PI014" in {code for _, code, _ in findings(command + "\n")}) == refused


# -- PI010: the rule that looks a table up


def test_a_rule_ip_refuses_for_another_reason_still_looks_up_its_table():
    script = ("ip route add default via 10.1.1.1 table 1\n"
              "ip rule add from 10.1.1.0/24 table 1 realms nosuch\n"
              "ip route add 10.0.0.0/8 dev eth0 table 2\n"
              "ip rule add to 10.1.1.0/24 table 2 $EXTRA\n")
    assert [f for f in findings(script) if f[1] == "PI010"] == []


# -- PI011: deletes the script guards


GUARDED = """\
ip rule del from 10.2.2.0/24 table 2 2>/dev/null
ip rule del from 10.3.2.0/24 table 2 || true
if ip rule del from 10.4.2.0/24 table 2; then echo gone; fi
ip rule del from 10.5.2.0/24 table 2 >/dev/null 2>&1
ip route flush table 7
ip rule del from 10.8.0.0/16 table 7
ip route add 10.7.0.0/16 dev lo table 7
ip rule add from 10.8.0.0/16 table 7
ip rule add from 10.2.2.0/24 table 2
ip rule del from 10.6.2.0/24 table 2
ip route del 10.9.0.0/16 table 2 && echo gone
"""


def test_deletes_are_reported_where_the_script_leaves_the_failure_unhandled():
    """The oracle: each delete alone on a fresh system under `bash -e`.  The script handles the
    failure when bash goes on (`|| true`, `&&`, `if`) or the error is thrown away (`2>/dev/null`)."""
    reported = [line for line, code, _ in findings(GUARDED) if code == "PI011"]
    unhandled = []
    with namespace("pyiplint") as ns:
        for number, line in enumerate(GUARDED.splitlines(), 1):
            if " del " not in line or number == 6:  # line 6: the flush-then-delete restart idiom, accepted
                continue
            result = run("ip", "netns", "exec", ns, "bash", "-e", "-c", f"{line}\necho reached")
            if "reached" not in result.stdout and result.stderr:
                unhandled.append(number)
    assert reported == unhandled == [10]


# -- PI007, PI006: what the dialect decides


def test_reject_is_a_warning_in_the_legacy_dialect():
    script = "ip rule add from 10.0.0.0/8 prio 32777 reject\n"
    assert findings(script, "legacy") == [(1, "PI007", "warning")]
    assert findings(script, "modern") == [(1, "PI007", "error")]
    assert subprocess.run([sys.executable, "-m", "pyip", "parse", "--dialect", "legacy", "-"], input=script,
                          capture_output=True, text=True, timeout=60).returncode == 0


def test_a_decimal_fwmark_is_noise_in_a_script_for_todays_tools():
    modern = "ip rule add fwmark 10 table main\n"
    assert findings(modern) == []
    assert findings(modern, "legacy") == [(1, "PI006", "warning")]
    assert findings("ipchains -A input -p tcp -j ACCEPT\n" + modern) == [(2, "PI006", "warning")]
    assert findings("ip rule add fwmark ff table main\n") == [(1, "PI006", "error")]  # ip refuses it


# -- what parse refuses, lint reports


@pytest.mark.parametrize("command", ["ip rule add fwmark 10 table lab", "ip rule add fwmark 0x10 table lab",
                                     "ip route add 10.9.0.0/16 dev lo realms nosuch"])
def test_every_error_parse_reports_is_a_lint_error(command):
    parsed = subprocess.run([sys.executable, "-m", "pyip", "parse", "-"], input=command + "\n",
                            capture_output=True, text=True, timeout=60)
    assert parsed.returncode == 1
    assert "error" in {severity for _, _, severity in findings(command + "\n")}
    with namespace("pyiplint") as ns:
        assert run("ip", "-n", ns, *command.split()[1:]).returncode == 255


def test_crlf_line_endings_break_the_script_and_are_reported(tmp_path):
    script = "ip route add 10.7.0.0/16 dev lo table 5\r\nip rule add from 10.8.0.0/16 table 5\r\n"
    path = tmp_path / "dos.sh"
    path.write_bytes(script.encode())
    assert [(f.line, f.col, f.code, f.severity) for f in lint.lint(script, "dos.sh")] == [(1, 40, "PI021", "error")]
    with namespace("pyiplint") as ns:  # bash runs it as the finding says: table "5\r" is refused
        assert "table" in run("ip", "netns", "exec", ns, "bash", str(path)).stderr
    for argv, stdin in (([str(path)], None), (["-"], script.encode())):
        result = subprocess.run([sys.executable, "-m", "pyip", "lint", *argv], input=stdin, capture_output=True,
                                timeout=60)
        assert result.returncode == 1 and b":1:40: PI021 error:" in result.stdout, result.stdout
    # --fix keeps line endings (pyip.fileio); converted as the message says, the script runs
    assert subprocess.run([sys.executable, "-m", "pyip", "lint", "--fix", str(path)], capture_output=True,
                          timeout=60).returncode == 1
    assert path.read_bytes() == script.encode()
    subprocess.run(["sed", "-i", "s/\\r$//", str(path)], check=True)
    assert lint.lint(path.read_text(), "dos.sh") == []
    with namespace("pyiplint") as ns:
        assert run("ip", "netns", "exec", ns, "bash", str(path)).returncode == 0


# -- found on real scripts (tests/data/realscripts/README.md)


def test_a_table_the_script_names_in_rt_tables_is_known(tmp_path):
    script = ("echo 200 isp1 >> /etc/iproute2/rt_tables\n"
              "ip route add default via 10.9.0.1 dev v0 table isp1\n"
              "ip rule add fwmark 1 table isp1\n")
    assert [f for f in findings(script) if f[2] == "error"] == []
    assert [code for _, code, _ in findings(script.split("\n", 1)[1])] == ["PI008", "PI008"]
    path = tmp_path / "isp.sh"
    path.write_text("set -e\n" + script)
    with namespace("pyiplint", veths=("v0",)) as ns:
        own = f"/etc/netns/{ns}/iproute2"  # ip netns exec mounts it over /etc/iproute2: the host's stays as it is
        shutil.copytree("/etc/iproute2", own)
        try:
            assert run("ip", "-n", ns, "addr", "add", "10.9.0.2/24", "dev", "v0").returncode == 0
            result = run("ip", "netns", "exec", ns, "bash", str(path))
            assert result.returncode == 0, result.stderr
            unnamed = run("ip", "netns", "exec", ns, "ip", "rule", "add", "fwmark", "2", "table", "isp2")
            assert unnamed.returncode == 255  # a name no file gives is refused, as PI008 says
        finally:
            shutil.rmtree(f"/etc/netns/{ns}")


def test_a_delete_of_a_value_known_only_at_run_time_is_not_judged():
    script = 'ip route del 10.9.0.0/16 via "$new_routers"\nip route del 10.9.0.0/16 via 10.0.0.1\n'
    assert [f for f in findings(script) if f[1] == "PI011"] == [(2, "PI011", "warning")]


def test_a_gateway_that_is_a_local_address_is_taken_by_the_kernel():
    """PI009 is a warning: the kernel takes the route, and it delivers on the link as `dev` would."""
    script = "ip addr add 10.9.0.2/24 dev v0\nip route add 10.10.0.0/16 via 10.9.0.2\n"
    assert findings(script) == [(2, "PI009", "warning")]
    with namespace("pyiplint", veths=("v0",)) as ns:
        for line in script.splitlines():
            assert run("ip", "-n", ns, *line.split()[1:]).returncode == 0, line
        route = run("ip", "-n", ns, "route", "get", "10.10.1.1").stdout
        assert "dev v0" in route and " via " not in route  # straight onto the link, no router


@pytest.mark.parametrize("command", [
    "ipchains -M -S 7200 10 60", "ipchains -M -S 0 0 0",
    "iptables -A INPUT -p tcp -m string --string x --algo bm -j DROP",
    "iptables -A INPUT -m u32 --u32 0>>22&0x3C@4=0x29 -j DROP",
    "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE", "iptables -A INPUT -p tcp --dport 22 -j ACCEPT"])
def test_what_translate_cannot_carry_over_is_a_lint_finding(command):
    script = command + "\n"
    translated = subprocess.run([sys.executable, "-m", "pyip", "translate", "--to", "nft", "-"], input=script,
                                capture_output=True, text=True, timeout=60)
    lost = "no exact nftables equivalent" in translated.stderr or "no ruleset equivalent" in translated.stderr
    found = [f for f in lint.lint(script, "t.sh") if f.code == "PI022"]
    assert bool(found) == lost, (translated.stderr, found)
    if found:  # translate's own words
        assert found[0].message.split(": ", 1)[-1] in translated.stderr or found[0].message in translated.stderr


# -- PI011: the default route the system made before the script ran

SYSTEMS_DEFAULT = """\
ip route del default
ip route add default via 10.0.0.254
ip route del default via 10.0.0.254 table main
ip route del default table 5
"""


def test_the_default_route_the_system_made_is_no_missing_delete():
    """Judged on a namespace set up as a DHCP client leaves it (an address, a default route): the
    script's delete of `default` works; one in table 5 (which nothing made) fails, as lint says."""
    reported = [line for line, code, _ in findings(SYSTEMS_DEFAULT) if code == "PI011"]
    assert reported == [4]
    with namespace("pyiplint", veths=("dh0",)) as ns:
        run("ip", "-n", ns, "address", "add", "10.0.0.5/24", "dev", "dh0", check=True)
        run("ip", "-n", ns, "route", "add", "default", "via", "10.0.0.1", "proto", "dhcp", check=True)
        result = run("ip", "netns", "exec", ns, "bash", "-e", "-c", SYSTEMS_DEFAULT.replace("\n", " && echo ok\n"))
    assert result.stdout.split() == ["ok", "ok", "ok"] and result.returncode != 0 and "Error" in result.stderr
    # a script that flushed table main first deletes what is no longer there
    flushed = "ip route flush table main\nip route del default\n"
    assert [line for line, code, _ in findings(flushed) if code == "PI011"] == [2]


# -- PI000: one real syntax error, and the lines tree-sitter's recovery flags before it

NOTES_WITH_A_PROMPT = """\
ip route add 10.1.0.0/16 dev lo table 5
root@router:~# cat /etc/iproute2/rt_tables
echo done
root@router:~# ip rule show
It works now (both uplinks carry traffic).
ip rule add from 10.1.0.0/16 table 5
"""


def test_only_the_lines_bash_refuses_are_syntax_errors(tmp_path):
    """A file of notes pasted as a script (a prompt `root@host:~# cat FILE` is a command to bash): bash -n
    refuses line 5 only; the grammar's recovery from it flagged the prompt lines too."""
    script = tmp_path / "notes.sh"
    script.write_text(NOTES_WITH_A_PROMPT)
    refused = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert refused.returncode != 0 and "line 5:" in refused.stderr and "line 2:" not in refused.stderr
    errors = [(line, code) for line, code, severity in findings(NOTES_WITH_A_PROMPT) if severity == "error"]
    assert errors == [(5, "PI000")]
    # the rest is read: the rule after the error still sees the routes of table 5
    assert not any(code == "PI010" for _, code, _ in findings(NOTES_WITH_A_PROMPT))


# -- PI000: values and loop lengths known only when the script runs


def test_a_mark_known_only_at_run_time_is_no_error():
    """`-j MARK --set-mark $MARK`: pyip cannot compute the mark, and nothing is wrong with the command: the
    real iptables takes it once the value is known."""
    script = ("iptables -t mangle -A PREROUTING -i eth0 -j MARK --set-mark $MARK\n"
              "iptables -t mangle -A POSTROUTING -o eth1 -j CONNMARK --set-mark $MARK\n")
    assert [f for f in findings(script) if f[2] == "error"] == []
    with namespace("pyiplint") as ns:
        result = run("ip", "netns", "exec", ns, "env", "MARK=0x10", "bash", "-e", "-c", script)
        assert result.returncode == 0, result.stderr


def test_a_loop_on_a_delete_ends_when_the_system_has_nothing_left():
    """`while ip route del default; do :; done` deletes every default route and stops: bash ends it in a
    namespace with two; `while true` with no way out is still an endless loop."""
    script = "while ip route del default 2>/dev/null; do :; done\nip route add default via 10.0.0.1\n"
    assert [f for f in findings(script) if f[2] == "error"] == []
    with namespace("pyiplint", veths=("dl0",)) as ns:
        run("ip", "-n", ns, "address", "add", "10.0.0.5/24", "dev", "dl0", check=True)
        run("ip", "-n", ns, "route", "add", "default", "via", "10.0.0.1", "metric", "10", check=True)
        run("ip", "-n", ns, "route", "add", "default", "via", "10.0.0.2", "metric", "20", check=True)
        result = run("ip", "netns", "exec", ns, "bash", "-e", "-c", script)
        assert result.returncode == 0, result.stderr
        routes = run("ip", "-n", ns, "route", "show", "default").stdout.split("\n")
    assert [route.split()[:3] for route in routes if route] == [["default", "via", "10.0.0.1"]]
    assert [(line, code, severity) for line, code, severity in findings("while true; do :; done\n")] \
        == [(1, "PI000", "error")]
