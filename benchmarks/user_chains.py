"""Translating scripts full of user chains: pyip translate, one process per size, 1k to 100k lines.

Four shapes of real firewall scripts: a chain per service with a chain per host under it (built top
down), services inserted with -I, chains of chains built bottom up, and the delete-then-add
pattern of scripts that can run twice.  Prints wall-clock and CPU seconds per size and the CPU
growth from 10k to 100k lines (10 is linear).  The bar: 100k lines under 10 s for each shape, on an idle machine.

    python3 benchmarks/user_chains.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import pyip_command  # noqa: E402


def services(lines: int) -> str:
    out, c = [], 0
    while len(out) < lines:
        out += [f"iptables -N svc{c}", f"iptables -A INPUT -p tcp --dport {c % 65535 + 1} -j svc{c}"]
        for h in range(3):
            out += [f"iptables -N svc{c}h{h}", f"iptables -A svc{c} -s 10.{c // 256 % 256}.{c % 256}.{h} -j svc{c}h{h}",
                    f"iptables -A svc{c}h{h} -m state --state NEW -j ACCEPT",
                    f"iptables -A svc{c}h{h} -j LOG --log-prefix svc{c}"]
        c += 1
    return "\n".join(out[:lines]) + "\n"


def inserted(lines: int) -> str:
    out, c = [], 0
    while len(out) < lines:
        out += [f"iptables -N svc{c}", f"iptables -I INPUT -p tcp --dport {c % 65535 + 1} -j svc{c}"]
        out += [f"iptables -A svc{c} -s 10.{c // 256 % 256}.{c % 256}.{h} -j ACCEPT" for h in range(4)]
        c += 1
    return "\n".join(out[:lines]) + "\n"


def chains_of_chains(lines: int) -> str:
    """Groups of 8 chains, each jumping to the next, built bottom up, then hung under INPUT."""
    out, g = [], 0
    while len(out) < lines:
        names = [f"g{g}c{k}" for k in range(8)]
        out += [f"iptables -N {name}" for name in names]
        for k, name in enumerate(names):
            out.append(f"iptables -A {name} -p tcp --dport {(g * 8 + k) % 65535 + 1} -j ACCEPT")
            if k + 1 < len(names):
                out.append(f"iptables -A {name} -s 10.{g // 256 % 256}.{g % 256}.{k} -j {names[k + 1]}")
        out.append(f"iptables -A INPUT -i eth{g % 4} -j {names[0]}")
        g += 1
    return "\n".join(out[:lines]) + "\n"


def delete_then_add(lines: int) -> str:
    out = []
    for i in range(lines // 2):
        rule = f"INPUT -s 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256} -p tcp --dport {i % 65535 + 1} -j ACCEPT"
        out += [f"iptables -D {rule} 2>/dev/null", f"iptables -A {rule}"]
    return "\n".join(out) + "\n"


SHAPES = {"services": services, "inserted": inserted, "chains-of-chains": chains_of_chains,
          "delete-then-add": delete_then_add}


def seconds(path: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system: what a loaded shared machine does not inflate)."""
    command = [*pyip_command(), "translate", "--to", "iptables-restore", path]  # the venv is built before timing
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    # delete-then-add: each -D of a rule not there yet is reported (exit 1), as iptables refuses it
    assert result.stdout.endswith("COMMIT\n"), result.stderr[-2000:]
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        for name, make in SHAPES.items():
            times = {}
            for size in sizes:
                path = os.path.join(directory, f"{name}-{size}.sh")
                with open(path, "w") as file:
                    file.write(make(size))
                times[size] = seconds(path)
            row = "  ".join(f"{size // 1000}k {wall:6.2f} s ({cpu:5.2f} s CPU)" for size, (wall, cpu) in times.items())
            growth = ""
            if 10_000 in times and 100_000 in times:
                growth = f"  growth 10k->100k {times[100_000][1] / times[10_000][1]:.1f}x CPU"
            print(f"{name:18} {row}{growth}; load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
