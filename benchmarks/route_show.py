"""`show` of big tables: `pyip -n NS route|rule|address show` (and `-j`) against ip's.

One throwaway namespace holds 64,000 routes (via a gateway or a device, some
with proto, metric, src), 10,000 rules and 10,000 addresses, loaded with
`ip -batch`.  Both sides run as processes, pyip from a clean venv; for each
listing, median of RUNS runs:

- wall seconds to the end, and CPU seconds (user + system, the child's own
  rusage): the machine may be loaded, and CPU time says more then;
- first output: seconds from the process start to the first write on the
  pipe (whole lines; ip's first 4 KB buffer); for pyip also after its
  start-up, taken as the median run of the same command in a namespace with
  no routes, rules or addresses but the two links' (start-up, link dump,
  empty dump), which is where the dump of the full table starts;
- the outputs are compared: the same bytes as ip's, or the run fails.

Issue 13's bars: the whole listing at most 2x ip (wall, in one run); the
first line within 50 ms of the dump's start.  Say the load (printed) with
every figure.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from cleanvenv import clean_venv
from common import namespace

ROUTES = 64_000
RULES = 10_000
ADDRESSES = 10_000
RUNS = 5
RATIO_BAR = 2.0
FIRST_LINE_BAR = 0.050
LISTINGS = (["route", "show"], ["-j", "route", "show"], ["rule", "show"], ["-j", "rule", "show"],
            ["address", "show"], ["-j", "address", "show"])


def batch(routes: int, rules: int = 0, addresses: int = 0) -> str:
    # veth: the dummy module is not loaded everywhere
    lines = ["link add d0 type veth peer name d1", "link set d0 up", "link set d1 up",
             "address add 10.255.0.1/16 dev d0", "address add 172.31.0.1/24 dev d1"]
    for n in range(routes):
        prefix = f"{10 + n // 65536}.{n // 256 % 256}.{n % 256}.0/24"
        shape = n % 4
        if shape == 0:
            lines.append(f"route add {prefix} via 10.255.0.{2 + n % 200} proto static")
        elif shape == 1:
            lines.append(f"route add {prefix} dev d1 metric {n % 1000}")
        elif shape == 2:
            lines.append(f"route add {prefix} via 172.31.0.{2 + n % 200} src 172.31.0.1")
        else:
            lines.append(f"route add {prefix} dev d0 proto boot scope link")
    for n in range(rules):
        shape = n % 4
        if shape == 0:
            lines.append(f"rule add from 10.{n // 256 % 256}.{n % 256}.0/24 lookup {1 + n % 200} pref {1000 + n}")
        elif shape == 1:
            lines.append(f"rule add fwmark 0x{n:x} table {1 + n % 200} pref {1000 + n}")
        elif shape == 2:
            lines.append(f"rule add to 172.16.{n // 256 % 256}.{n % 256} iif d0 lookup main pref {1000 + n}")
        else:
            lines.append(f"rule add from 10.{n // 256 % 256}.{n % 256}.0/24 to 192.168.0.0/16 prohibit pref {1000 + n}")
    for n in range(addresses):
        label = " label d1:x" if n % 5 == 0 else ""
        lines.append(f"address add 100.{64 + n // 65536}.{n // 256 % 256}.{n % 256}/{16 + n % 16} dev d1{label}")
    return "\n".join(lines) + "\n"


def timings(command: list[str]) -> tuple[float, float, float, bytes]:
    """Seconds to the first output (the first write on the pipe: whole lines, or ip's first
    4 KB buffer; JSON is one line), seconds to the end, CPU seconds (user + system), the output."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = os.read(process.stdout.fileno(), 1 << 20)
    first_line = time.perf_counter() - start
    rest = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped here; keep Popen from waiting again
    return first_line, time.perf_counter() - start, usage.ru_utime + usage.ru_stime, first + rest


def medians(command: list[str]) -> tuple[float, float, float, bytes]:
    runs = [timings(command) for _ in range(RUNS)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            statistics.median(r[2] for r in runs), runs[0][3])


def load() -> str:
    return open("/proc/loadavg").read().split()[0]


def main() -> None:
    met = True
    with clean_venv() as venv, namespace("pyip-bench-show") as ns, namespace("pyip-bench-empty") as empty, \
            tempfile.NamedTemporaryFile("w") as file:
        print(venv.describe())
        file.write(batch(ROUTES, RULES, ADDRESSES))
        file.flush()
        subprocess.run(["ip", "-n", ns, "-batch", file.name], check=True)
        subprocess.run(["ip", "-n", empty, "-batch", "-"], input=batch(0), text=True, check=True)
        print(f"{ROUTES:,} routes, {RULES:,} rules, {ADDRESSES:,} addresses; medians of {RUNS} runs, processes")
        print(f"{'listing':24} {'side':5} {'wall s':>7} {'cpu s':>6} {'first out ms':>14} {'after start-up ms':>18}  load")
        for argv in LISTINGS:
            ip = medians(["ip", "-n", ns, *argv])
            pyip = medians([str(venv.pyip), "-n", ns, *argv])
            bare = medians([str(venv.pyip), "-n", empty, *argv])
            start_up = bare[1]
            after = pyip[0] - start_up
            name = " ".join(argv)
            print(f"{name:24} {'ip':5} {ip[1]:7.3f} {ip[2]:6.3f} {ip[0] * 1000:14.1f} {'':>18}  {load()}")
            print(f"{name:24} {'pyip':5} {pyip[1]:7.3f} {pyip[2]:6.3f} {pyip[0] * 1000:14.1f} {after * 1000:18.1f}  {load()}")
            ratio, cpu_ratio = pyip[1] / ip[1], pyip[2] / max(ip[2], 0.001)
            same, lines = pyip[3] == ip[3], ip[3].count(b"\n")
            entries = lines if "-j" not in argv else entries  # JSON is one line: the text listing's count
            print(f"{'':24} pyip / ip: {ratio:.1f}x wall (bar {RATIO_BAR}x), {cpu_ratio:.1f}x cpu; "
                  f"{lines:,} lines, {'output identical to ip' if same else 'OUTPUT DIFFERS from ip'}")
            print(f"{'':24} pyip start-up (empty namespace) {bare[1]:.3f} s wall, {bare[2]:.3f} s cpu; "
                  f"the listing itself {pyip[2] - bare[2]:.3f} s cpu, {(pyip[2] - bare[2]) / entries * 1e6:.1f} us a line")
            met = met and same and ratio <= RATIO_BAR and after <= FIRST_LINE_BAR
    print("bars met" if met else "bars NOT met")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
