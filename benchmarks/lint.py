"""Lint speed: a 10,000-line legacy script, pyip lint against shellcheck, same run; a
10,000-rule firewall; and firewalls of 25,000 to 200,000 lines, to show the growth is linear.

Bars (issues 6, 12, 14): under 2 seconds for 10,000 lines and for 10,000 rules; time per line
flat from 25,000 to 200,000 lines.  shellcheck checks general shell, pyip checks the
ip/iptables/ipchains commands in it: the ratio puts the number in scale, it is not a
like-for-like contest.  Times are the child's CPU seconds (user + system) next to the wall
clock: on a loaded machine the wall clock measures the neighbours.
"""

from __future__ import annotations

import shutil
import subprocess
import os
import random
import sys
import tempfile
import time

from common import REPO, pyip_command

LINES = 10_000


def script_of(lines: int) -> str:
    """The documents' scripts, repeated with fresh addresses, to the length asked."""
    corpus = REPO.parent / "shared" / "corpus"
    parts = sorted(corpus.glob("*/*.sh"))
    body = []
    for index in range(lines):
        part = parts[index % len(parts)].read_text()
        body.append(part.replace("192.168.", f"10.{index % 250}."))
        if sum(p.count("\n") for p in body) >= lines:
            break
    return "\n".join(body)


def timed(command: list[str]) -> float:
    return timed_both(command)[0]


def timed_both(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child)."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def firewall_of(rules: int, seed: int = 12) -> str:
    """An rc.firewall-style script: $IPT, per-host and per-network rules of a few shapes in a
    few chains (a shape: which fields a rule tests), LOG before DROP, some rate limits."""
    rng = random.Random(seed)
    lines = ["#!/bin/sh", "IPT=/sbin/iptables", "EXT=eth0", "$IPT -N blocked", "$IPT -N services"]
    for index in range(rules):
        a, b = index >> 8 & 255, index & 255
        kind = rng.random()
        if kind < 0.35:
            lines.append(f"$IPT -A services -s 10.{a}.{b}.0/24 -p tcp --dport {rng.choice([22, 25, 80, 443])} -j ACCEPT")
        elif kind < 0.6:
            lines.append(f"$IPT -A blocked -s 172.{16 + a % 16}.{b}.{rng.randrange(256)} -j DROP")
        elif kind < 0.75:
            lines.append(f"$IPT -A INPUT -i $EXT -d 192.168.{a}.{b} -p udp --dport {rng.randrange(1024, 65535)} -j ACCEPT")
        elif kind < 0.85:
            lines.append(f"$IPT -A FORWARD -s 10.{a}.0.0/16 -m limit --limit 5/s -j LOG --log-prefix fw:")
        elif kind < 0.95:
            lines.append(f"$IPT -A FORWARD -s 10.{a}.{b}.0/24 -d 10.{b}.0.0/16 -j REJECT")
        else:
            lines.append(f"$IPT -A INPUT -p icmp -s 10.{a}.0.0/16 -j ACCEPT")
    return "\n".join(lines) + "\n"


def measure(text: str) -> tuple[int, float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write(text)
        script.flush()
        wall, cpu = timed_both(pyip_command() + ["lint", script.name])
    return text.count("\n"), wall, cpu


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write(script_of(LINES))
        script.flush()
        count = sum(1 for _ in open(script.name))
        pyip, cpu = timed_both(pyip_command() + ["lint", "--dialect", "legacy", script.name])
        print(f"pyip lint    {pyip:6.2f} s ({cpu:.2f} s CPU) for {count} lines   (bar: 2 s)")
        if shutil.which("shellcheck"):
            shellcheck = timed(["shellcheck", "-s", "sh", script.name])
            print(f"shellcheck   {shellcheck:6.2f} s")
            print(f"ratio        {pyip / shellcheck:6.2f}x")
        else:
            print("shellcheck   not installed (apt-get install shellcheck)", file=sys.stderr)
    lines, wall, cpu = measure(firewall_of(10_000))
    print(f"10,000 rules {cpu:6.2f} s CPU ({wall:.2f} s wall) for {lines} lines   (bar: 2 s)")
    for rules in (25_000, 50_000, 100_000, 200_000):
        lines, wall, cpu = measure(firewall_of(rules))
        print(f"{rules:>7,} rules {cpu:6.2f} s CPU ({wall:.2f} s wall)   {cpu / lines * 1e6:6.1f} us/line")


if __name__ == "__main__":
    main()
