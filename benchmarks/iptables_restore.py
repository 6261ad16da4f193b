"""Compile, then load once: a 2,000-call iptables script through pyip and one iptables-restore.

Against the same script run call by call with the real iptables, in the
same run, each in a fresh namespace: every call as the tests make it
(`ip netns exec NS iptables ...`), and, for the floor of that way, the whole
script run by one shell inside the namespace (no `ip netns exec` per call).
All three leave the same ruleset (checked with iptables-save).
"""

from __future__ import annotations

import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

from common import namespace, pyip_command

CALLS = 2000
RUNS = 5


def firewall_script(calls: int, seed: int = 2001) -> str:
    """A stateful firewall in the documents' style, grown to `calls` iptables calls, as a
    generator would write it: literal values, one call a line."""
    rng = random.Random(seed)
    lines = ["iptables -P INPUT DROP", "iptables -P FORWARD DROP", "iptables -N LOGDROP",
             'iptables -A LOGDROP -j LOG --log-prefix "fw drop: "', "iptables -A LOGDROP -j DROP",
             "iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT",
             "iptables -t nat -A POSTROUTING -o eth1 -s 10.0.0.0/8 -j MASQUERADE"]
    services = ["ssh", "smtp", "domain", "www", "https", "imap", "ldap", "auth"]
    while len(lines) < calls:
        i = len(lines)
        host = f"10.{i >> 8 & 255}.{i & 255}.{rng.randint(1, 254)}"
        kind = rng.random()
        if kind < 0.4:
            lines.append(f"iptables -A INPUT -i eth1 -p tcp -s {host} --dport {rng.choice(services)} "
                         "-m state --state NEW -j ACCEPT")
        elif kind < 0.6:
            lines.append(f"iptables -A FORWARD -i eth0 -o eth1 -s {host} -p udp --dport {rng.randint(1024, 65535)} -j ACCEPT")
        elif kind < 0.75:
            lines.append(f"iptables -t nat -A PREROUTING -i eth1 -p tcp --dport {8000 + i % 1000} "
                         f"-j DNAT --to-destination {host}:80")
        elif kind < 0.85:
            lines.append(f"iptables -t mangle -A PREROUTING -s {host} -j MARK --set-mark {i % 16}")
        elif kind < 0.95:
            lines.append(f"iptables -I INPUT 2 -s {host} -m limit --limit 5/min -j LOGDROP")
        else:
            lines.append(f"iptables -A INPUT -p icmp --icmp-type echo-request -s {host} -j ACCEPT")
    return "\n".join(lines) + "\n"


def saved(ns: str) -> str:
    output = subprocess.run(["ip", "netns", "exec", ns, "iptables-save"], capture_output=True, text=True,
                            check=True).stdout
    return "".join(line + "\n" for line in output.splitlines() if not line.startswith("#"))


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compile_and_load(pyip: list[str], path: str, ns: str) -> None:
    compiled = subprocess.run(pyip + ["translate", "--to", "iptables-restore", path],
                              capture_output=True, text=True)
    loaded = subprocess.run(["ip", "netns", "exec", ns, "iptables-restore"], input=compiled.stdout,
                            capture_output=True, text=True)
    if compiled.returncode != 0 or loaded.returncode != 0:
        sys.exit(f"compile or load failed: {compiled.stderr[:500]} {loaded.stderr[:500]}")


def call_by_call(script: str, ns: str) -> None:
    """Each call as the tests make it: `ip netns exec NS iptables ...`."""
    for line in script.splitlines():
        subprocess.run(["ip", "netns", "exec", ns, *shlex.split(line)], check=True)


def main() -> None:
    pyip = pyip_command()  # builds the clean venv: before any timing (inside, it timed pip install)
    script = firewall_script(CALLS)
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as file, namespace("pyipbench-restore") as restore_ns, \
            namespace("pyipbench-calls") as calls_ns, namespace("pyipbench-shell") as shell_ns:
        file.write(script)
        file.flush()
        # One pyip run is a fraction of a second, where a cold disk cache or a busy neighbour weighs: the
        # median of RUNS, each into a fresh namespace (each reference runs 2,000 calls, averaging by itself).
        pyip_times = [timed(lambda: compile_and_load(pyip, file.name, restore_ns))]
        for run in range(RUNS - 1):
            with namespace(f"pyipbench-again{run}") as again:
                pyip_times.append(timed(lambda: compile_and_load(pyip, file.name, again)))
        pyip_seconds = statistics.median(pyip_times)
        call_seconds = timed(lambda: call_by_call(script, calls_ns))
        shell_seconds = timed(lambda: subprocess.run(["ip", "netns", "exec", shell_ns, "sh", file.name], check=True))
        same = saved(calls_ns) == saved(restore_ns) == saved(shell_ns)
    print(f"script                                   {CALLS:,} iptables calls")
    print(f"pyip translate + one iptables-restore    {pyip_seconds:8.2f} s   (median of {RUNS})")
    print(f"call by call (ip netns exec NS iptables) {call_seconds:8.2f} s   speed-up {call_seconds / pyip_seconds:5.1f}x")
    print(f"the script in one shell in the namespace {shell_seconds:8.2f} s   speed-up {shell_seconds / pyip_seconds:5.1f}x")
    print(f"same iptables-save, all three            {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
