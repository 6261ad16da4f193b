"""The live ipchains: 50 `ipchains -A` through the shim against 50 `iptables -A` (nf_tables), each a
process of its own as a boot script runs them, in fresh namespaces, in the same run.

Bar (issue 16): at most 3x.  With the plain shim each ipchains call is one Python start (with pyip's
imports), one `list table` and one transaction through libnftables in-process (no nft process); with
`pyip shims --resident` a bash shim hands the call to a resident pyip of the namespace (started by the
first call, which the benchmark makes before timing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, namespace

CALLS = 50


def timed_calls(ns: str, commands: list[list[str]]) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(["ip", "netns", "exec", ns, *command], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def wait_for_server(ns: str, seconds: float = 30) -> None:
    """Until the resident pyip of the namespace listens (its netns link is the namespace's own)."""
    from pyip.ipchains_live.server import BASE

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for server in Path(BASE).glob("*/*/netns"):
            try:
                if os.path.samefile(server, f"/run/netns/{ns}"):
                    return
            except OSError:
                continue
        time.sleep(0.05)
    raise SystemExit("the resident pyip did not start")


def main() -> None:
    # As installed: with bytecode, which pip writes at install time.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "pyip"), str(REPO / "compat")],
                   stdout=subprocess.DEVNULL, check=False)
    with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as resident:
        subprocess.run([sys.executable, "-m", "pyip", "shims", plain], check=True)
        subprocess.run([sys.executable, "-m", "pyip", "shims", "--resident", resident], check=True)
        iptables = [["iptables", "-A", "INPUT", "-p", "tcp", "-s", f"10.0.{i}.0/24", "--dport", "80",
                     "-j", "ACCEPT"] for i in range(CALLS)]
        with namespace("pyipbench-ipt") as ns:
            reference = timed_calls(ns, iptables)
        print(f"{CALLS} x iptables -A   {reference * 1000:8.1f} ms ({reference / CALLS * 1000:.1f} ms a call)")
        for name, shims in (("plain", plain), ("resident", resident)):
            ipchains = [[f"{shims}/ipchains", "-A", "input", "-p", "tcp", "-s", f"10.0.{i}.0/24", "-d", "0/0",
                         "80", "-j", "ACCEPT"] for i in range(CALLS)]
            with namespace("pyipbench-ipc") as ns:
                if name == "resident":  # the first call starts the server; a script's later calls use it
                    subprocess.run(["ip", "netns", "exec", ns, f"{shims}/ipchains", "-N", "warm"], check=True)
                    wait_for_server(ns)
                live = timed_calls(ns, ipchains)
            print(f"{CALLS} x ipchains -A   {live * 1000:8.1f} ms ({live / CALLS * 1000:.1f} ms a call, {name} shim)"
                  f"   ratio {live / reference:.2f}x (bar: 3x)")


if __name__ == "__main__":
    main()
