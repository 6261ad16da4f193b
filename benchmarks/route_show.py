"""`route show` of a big table: `pyip -n NS route show` against `ip -n NS route show`.

64,000 routes (via a gateway or a device, some with proto, metric, src) loaded
with `ip -batch` into a throwaway namespace; both commands run as processes,
pyip from a clean venv.  Prints the whole-dump time and the first-line latency
(process start to the first line on the pipe) of each, and checks the two
print the same text.  Issue 13's bars: at most 2x ip; first line within 50 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

from cleanvenv import clean_venv
from common import namespace

ROUTES = 64_000
RUNS = 5


def batch(routes: int) -> str:
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
    return "\n".join(lines) + "\n"


def timings(command: list[str]) -> tuple[float, float, bytes]:
    """Seconds to the first line, seconds to the end, and the output."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = process.stdout.readline()
    first_line = time.perf_counter() - start
    rest = process.stdout.read()
    process.wait()
    return first_line, time.perf_counter() - start, first + rest


def main() -> None:
    with clean_venv() as venv, namespace("pyip-bench-routes") as ns, tempfile.NamedTemporaryFile("w") as file:
        print(venv.describe())
        file.write(batch(ROUTES))
        file.flush()
        subprocess.run(["ip", "-n", ns, "-batch", file.name], check=True)
        results = {}
        for name, command in (("ip", ["ip", "-n", ns, "route", "show"]),
                              ("pyip", [str(venv.pyip), "-n", ns, "route", "show"])):
            runs = [timings(command) for _ in range(RUNS)]
            results[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2])
        lines = results["ip"][2].count(b"\n")
        same = results["ip"][2] == results["pyip"][2]
        print(f"{lines:,} lines of `route show`; medians of {RUNS} runs, processes")
        for name, (first, whole, _) in results.items():
            print(f"{name:5} first line {first * 1000:8.1f} ms, whole table {whole:6.2f} s")
        ratio = results["pyip"][1] / results["ip"][1]
        print(f"ratio pyip / ip: {ratio:.1f}x (bar 2x); pyip first line {results['pyip'][0] * 1000:.0f} ms (bar 50 ms)")
        print("output identical to ip's" if same else "OUTPUT DIFFERS from ip's")
    met = same and ratio <= 2 and results["pyip"][0] <= 0.05
    print("bars met" if met else "bars NOT met")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
