"""The live ipchains: 50 `ipchains -A` through the shim against 50 `iptables -A` (nf_tables), each a
process of its own as a boot script runs them, in fresh namespaces, in the same run.

Bar (issue 16): at most 3x.  Each ipchains call is one Python start (with pyip's imports), one
`list table` and one transaction through libnftables in-process (no nft process).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from common import REPO, namespace

CALLS = 50


def timed_calls(ns: str, commands: list[list[str]]) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(["ip", "netns", "exec", ns, *command], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    # As installed: with bytecode, which pip writes at install time.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "pyip"), str(REPO / "compat")],
                   stdout=subprocess.DEVNULL, check=False)
    with tempfile.TemporaryDirectory() as shims:
        subprocess.run([sys.executable, "-m", "pyip", "shims", shims], check=True)
        ipchains = [[f"{shims}/ipchains", "-A", "input", "-p", "tcp", "-s", f"10.0.{i}.0/24", "-d", "0/0", "80",
                     "-j", "ACCEPT"] for i in range(CALLS)]
        iptables = [["iptables", "-A", "INPUT", "-p", "tcp", "-s", f"10.0.{i}.0/24", "--dport", "80",
                     "-j", "ACCEPT"] for i in range(CALLS)]
        with namespace("pyipbench-ipt") as ns:
            reference = timed_calls(ns, iptables)
        with namespace("pyipbench-ipc") as ns:
            live = timed_calls(ns, ipchains)
    print(f"{CALLS} x iptables -A   {reference * 1000:8.1f} ms ({reference / CALLS * 1000:.1f} ms a call)")
    print(f"{CALLS} x ipchains -A   {live * 1000:8.1f} ms ({live / CALLS * 1000:.1f} ms a call, through the shim)")
    print(f"ratio               {live / reference:8.2f}x   (bar: 3x)")


if __name__ == "__main__":
    main()
