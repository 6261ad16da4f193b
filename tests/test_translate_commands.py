"""`pyip translate --to iptables`: a shell script of iptables commands that rebuilds the ruleset.

The oracle is the real iptables in two namespaces: the restore file pyip prints for the same input
loaded with iptables-restore in one, the command script run by sh in the other (over rules already
there, which the script must flush); iptables-save must print the same in both.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO
from .firewall import restore, run_calls, save
from .netns import namespace, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

TRICKY = """iptables -N LOGDROP
iptables -A LOGDROP -j LOG --log-prefix "it's \\"dropped\\" here: "
iptables -A LOGDROP -j DROP
iptables -A INPUT -p tcp ! --syn -m comment --comment 'a comment; with $ and `ticks`' -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j LOGDROP
iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
iptables -P INPUT DROP
iptables -t mangle -A PREROUTING -p tcp --dport 80 -j MARK --set-mark 0x10
"""


def translated(target: str, path: str) -> str:
    result = subprocess.run([sys.executable, "-m", "pyip", "translate", "--to", target, "--allow-partial", path],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["examples/firewall-iptables.sh", "examples/firewall-ipchains.sh", "tricky"])
def test_the_command_script_rebuilds_what_the_restore_file_loads(name, tmp_path):
    path = REPO / name if name != "tricky" else tmp_path / "tricky.sh"
    if name == "tricky":
        path.write_text(TRICKY)
    script = translated("iptables", str(path))
    assert script.startswith("#!/bin/sh\n")
    assert all(line.startswith(("iptables -t ", "#")) for line in script.splitlines() if line)
    with namespace("pyipcmds") as loaded, namespace("pyipcmds") as rebuilt:
        loading = restore(loaded, translated("iptables-restore", str(path)))
        assert loading.returncode == 0, loading.stderr
        # something to flush first: a user chain with a rule, a policy, a nat rule
        run_calls(rebuilt, ["iptables -N OLD", "iptables -A OLD -j ACCEPT", "iptables -A INPUT -j OLD",
                            "iptables -P FORWARD DROP", "iptables -t nat -A PREROUTING -j ACCEPT"])
        ran = run("ip", "netns", "exec", rebuilt, "sh", "-e", stdin=script)
        assert ran.returncode == 0, ran.stderr
        assert save(rebuilt) == save(loaded)
