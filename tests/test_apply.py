"""`pyip apply` against the kernel in a namespace: the new ruleset is loaded, and the previous one comes
back, whole, when nobody confirms within the timeout (iptables-apply's safety net); confirmed, it stays;
refused or --check, nothing changes."""

from __future__ import annotations

import subprocess
import sys
import time

from .translate_oracle import ns_run, scratch_namespace

SCRIPT = """\
#!/bin/sh
# $1: the address to shut out
ipchains -P input DENY
ipchains -A input -i lo -j ACCEPT
ipchains -A input -s $1 -l -j REJECT
ipchains -A forward -s 10.0.0.0/24 -i eth1 -j MASQ
"""


def apply(ns: str, *args: str, answer: str | None = None, timeout: float = 60) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pyip", "apply", "-n", ns, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ruleset(ns: str) -> str:
    return ns_run(ns, "nft", "list", "ruleset").stdout


def iptables_rules(ns: str) -> list:
    return [line for line in ns_run(ns, "iptables-save").stdout.splitlines() if not line.startswith("#")]


def before_state(ns: str) -> None:
    """A ruleset already there: a table of someone else's, and an older ipchains table."""
    loaded = ns_run(ns, "nft", "-f", "-", stdin="table ip keepme {\n chain c {\n ip daddr 1.1.1.1 drop\n }\n}\n"
                    "table ip ipchains {\n chain input {\n type filter hook prerouting priority mangle;\n"
                    " ip saddr 9.9.9.9 drop\n }\n}\n")
    assert loaded.returncode == 0, loaded.stderr


def test_rollback_when_the_timeout_expires(tmp_path):
    script = tmp_path / "rc.firewall"
    script.write_text(SCRIPT)
    with scratch_namespace("applyrb") as ns:
        before_state(ns)
        before = ruleset(ns)
        process = apply(ns, "--timeout", "3", str(script), "192.0.2.7")  # stdin open, never answered
        deadline = time.monotonic() + 30
        while "192.0.2.7" not in ruleset(ns) and time.monotonic() < deadline:
            time.sleep(0.1)
        during = ruleset(ns)
        process.wait(timeout=60)  # stdin stays open: no answer, no end of file
        out, err = process.communicate()
        after = ruleset(ns)
    assert "ip saddr 192.0.2.7" in during and "9.9.9.9" not in during and "keepme" in during
    assert process.returncode == 1, err
    assert out.endswith("Timeout. Something happened (or did not). Better play it safe...\n"
                        "Reverting to old ruleset... done.\n")
    assert after == before  # the old ipchains table back, the nat table gone again, keepme untouched


def test_confirmed_ruleset_stays(tmp_path):
    script = tmp_path / "rc.firewall"
    script.write_text(SCRIPT)
    with scratch_namespace("applyok") as ns:
        before_state(ns)
        process = apply(ns, "--timeout", "20", str(script), "192.0.2.7")
        out, err = process.communicate("y\n", timeout=60)
        after = ruleset(ns)
    assert process.returncode == 0, err
    assert out.endswith("... then my job is done. See you next time.\n")
    assert "ip saddr 192.0.2.7" in after and "9.9.9.9" not in after and "keepme" in after
    assert "masquerade" in after


def test_iptables_rollback_and_check_and_refusal(tmp_path):
    script = tmp_path / "rc.firewall"
    script.write_text(SCRIPT.replace("-l -j REJECT", "-l -j DENY"))  # iptables rejects in filter only
    bad = tmp_path / "bad.sh"
    bad.write_text("ipchains -A input -p tcp -d 0/0 23 -m +1\n")
    with scratch_namespace("applyipt") as ns:
        assert ns_run(ns, "iptables", "-A", "INPUT", "-s", "9.9.9.9", "-j", "DROP").returncode == 0
        before = iptables_rules(ns)
        checked = apply(ns, "--to", "iptables", "--check", str(script), "192.0.2.7")
        checked.communicate(timeout=60)
        unchanged = iptables_rules(ns)
        refused = apply(ns, "--to", "iptables", str(bad))
        _, refusal = refused.communicate(timeout=60)
        process = apply(ns, "--to", "iptables", "--timeout", "1", str(script), "192.0.2.7")
        out, err = process.communicate("n\n", timeout=60)
        after = iptables_rules(ns)
    assert checked.returncode == 0 and unchanged == before
    assert refused.returncode == 1 and refusal.endswith("pyip apply: nothing applied: 1 error(s) above\n")
    assert process.returncode == 1, err
    assert "No confirmation. Better play it safe...\nReverting to old ruleset... done.\n" in out
    assert after == before  # mangle emptied again, filter as it was
