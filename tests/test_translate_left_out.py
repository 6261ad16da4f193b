"""Commands whose effect no translated ruleset can hold are reported, never dropped in silence.

Oracle: the kernel of a test namespace takes the sysctl settings the report names.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .netns import namespace, run

SCRIPT = "ipchains -A input -j ACCEPT\nipchains -M -S 7200 0 60\nipchains -M -S 0 0 0\n"


def translate(target: str, text: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", "translate", "--to", target, "-"], input=text,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("target", ["iptables", "iptables-restore", "nft", "nft-json"])
def test_masquerading_timeouts_are_an_error_with_the_sysctls_to_set(target):
    result = translate(target, SCRIPT)
    assert result.returncode == 1
    [error, note] = result.stderr.splitlines()
    assert error == ("-:2:1: error: no ruleset equivalent: `ipchains -M -S 7200 0 60' sets the masquerading "
                     "timeouts, which are connection tracking settings today: set "
                     "net.netfilter.nf_conntrack_tcp_timeout_established=7200 "
                     "net.netfilter.nf_conntrack_udp_timeout=60 (sysctl)")
    assert note == ("-:3:1: warning: `ipchains -M -S 0 0 0' changed nothing (0 leaves a masquerading timeout "
                    "as it was): left out")
    if target != "nft-json":
        assert "# pyip: left out: -:2:1: error: no ruleset equivalent" in result.stdout
    assert translate(target, SCRIPT.replace("7200 0 60", "0 0 0")).returncode == 0  # a warning alone


def test_the_named_sysctls_are_what_the_kernel_takes():
    result = translate("nft", "ipchains -M -S 7200 15 60\n")
    settings = re.search(r"today: set (.*) \(sysctl\)", result.stderr).group(1).split()
    assert len(settings) == 3
    with namespace("pyipsysctl") as ns:
        # the conntrack sysctls appear once the module is loaded; a rule using conntrack loads it
        assert run("ip", "netns", "exec", ns, "nft", "add table ip t; add chain ip t c; add rule ip t c ct state "
                   "established accept").returncode == 0
        applied = run("ip", "netns", "exec", ns, "sysctl", "-w", *settings)
        assert applied.returncode == 0, applied.stderr
        names = [setting.split("=")[0] for setting in settings]
        read = run("ip", "netns", "exec", ns, "sysctl", "-n", *names)
        assert read.stdout.split() == ["7200", "15", "60"]


@pytest.mark.parametrize("target", ["iptables-restore", "nft"])
def test_rule_counters_set_with_c_are_reported_as_not_carried_over(target):
    script = "iptables -A INPUT -c 5 10 -j ACCEPT\n"
    result = translate(target, script)
    assert result.returncode == 0  # a warning: the rule itself is translated
    assert result.stderr == ("-:1:1: warning: -c: the rule's packet and byte counters are not carried over; "
                             "it starts at 0\n")
    mixed = translate(target, "ipchains -A input -j ACCEPT\n" + script.replace("-A INPUT", "-A FORWARD"))
    assert "-:2:1: warning: -c: the rule's packet and byte counters are not carried over" in mixed.stderr


def test_the_kernel_keeps_the_counters_that_the_translation_drops():
    script = "iptables -A INPUT -c 5 10 -j ACCEPT\n"
    restore = translate("iptables-restore", script).stdout
    with namespace("pyipcount") as ns:
        assert run("ip", "netns", "exec", ns, *script.split()).returncode == 0
        real = run("ip", "netns", "exec", ns, "iptables", "-L", "INPUT", "-v", "-x", "-n").stdout
        assert real.splitlines()[2].split()[:2] == ["5", "10"]
        run("ip", "netns", "exec", ns, "iptables", "-F", "INPUT", check=True)
        assert run("ip", "netns", "exec", ns, "iptables-restore", stdin=restore).returncode == 0
        loaded = run("ip", "netns", "exec", ns, "iptables", "-L", "INPUT", "-v", "-x", "-n").stdout
        assert loaded.splitlines()[2].split()[:2] == ["0", "0"]
