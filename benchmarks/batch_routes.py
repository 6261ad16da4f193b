"""Bulk apply: 100,000 routes through `pyip -batch` against `ip -batch`.

Bar (issue 13): CPU time (user + system, of the tool's process) ratio pyip/ip at most 1.3;
wall time is printed too, but on a shared machine it measures the load more than the tool.  Each tool
gets a fresh namespace holding one veth with 10.255.0.254/16, so every
`via 10.255.0.N` is reachable, and applies the same file, once as a plain
batch (stop at the first failure: each change sent alone and acknowledged,
as ip does) and once with -force (changes sent in windows).  Both namespaces
must end up with the same routes.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from common import namespace, pyip_command

ROUTES = 100_000
RUNS = 3
BAR = 1.3  # issue 13: pyip's CPU seconds at most 1.3x ip's


def route_lines(count: int) -> str:
    """Distinct host routes over 200 tables, in the documents' style."""
    return "".join(f"route add 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32 via 10.255.0.{1 + i % 250} "
                   f"table {1 + i % 200} proto static\n" for i in range(count))


def prepare(ns: str) -> None:
    for argv in (["link", "add", "b0", "type", "veth", "peer", "name", "b1"], ["link", "set", "b0", "up"],
                 ["link", "set", "b1", "up"], ["addr", "add", "10.255.0.254/16", "dev", "b0"]):
        subprocess.run(["ip", "-n", ns, *argv], check=True)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def applied(tool: list[str], options: list[str], batch: str, name: str) -> tuple[float, float, int]:
    """Wall and CPU seconds to apply the batch in a fresh namespace, and how many routes it then holds."""
    with namespace(name) as ns:
        prepare(ns)
        cpu, start = cpu_of_children(), time.perf_counter()
        result = subprocess.run([*tool, "-n", ns, *options, "-batch", batch], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        seconds, cpu = time.perf_counter() - start, cpu_of_children() - cpu
        if result.returncode != 0:
            sys.exit(f"{' '.join(tool)} -batch failed: {result.stderr[:500]}")
        listing = subprocess.run(["ip", "-n", ns, "route", "show", "table", "all", "proto", "static"],
                                 capture_output=True, text=True, check=True)
        return seconds, cpu, listing.stdout.count("\n")


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".batch") as batch:
        batch.write(route_lines(ROUTES))
        batch.flush()
        failed = False
        for label, options in (("-batch", []), ("-force -batch", ["-force"])):
            ratios = []
            for _ in range(RUNS):  # both sides in each round, so a round's ratio shares its load
                ip_seconds, ip_cpu, ip_routes = applied(["ip"], options, batch.name, "pyipbench-ip")
                pyip_seconds, pyip_cpu, pyip_routes = applied(pyip_command(), options, batch.name, "pyipbench-pyip")
                if ip_routes != pyip_routes or ip_routes != ROUTES:
                    sys.exit(f"routes applied differ: ip {ip_routes}, pyip {pyip_routes}, want {ROUTES}")
                ratios.append(pyip_cpu / ip_cpu)
                print(f"{label:14} ip   {ip_cpu:5.2f} s CPU, {ip_seconds:5.2f} s wall;  "
                      f"pyip {pyip_cpu:5.2f} s CPU, {pyip_seconds:5.2f} s wall;  CPU ratio {ratios[-1]:4.2f}x", flush=True)
            median = statistics.median(ratios)
            met = median <= BAR
            failed = failed or not met
            print(f"{label:14} median CPU ratio pyip/ip {median:4.2f}x over {RUNS} rounds "
                  f"(bar: {BAR}x): {'met' if met else 'NOT met'}; load {os.getloadavg()[0]:.2f}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
