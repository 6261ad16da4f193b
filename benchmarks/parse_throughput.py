"""Parse throughput: a 100,000-line file of route and rule commands.

Bar (issue 2): report lines per second, aim for at least 20,000.  For
scale, the same lines go through the real `ip -batch` into a fresh
namespace in the same run; ip parses AND applies them, so its rate is an
upper bound for parsing alone, not a like-for-like figure.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from common import namespace, pyip_command, route_rule_lines

LINES = 100_000


def main() -> None:
    lines = route_rule_lines(LINES)
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script, \
            tempfile.NamedTemporaryFile("w", suffix=".batch") as batch:
        script.write("".join(f"ip {line}\n" for line in lines))
        script.flush()
        batch.write("".join(f"{line}\n" for line in lines))
        batch.flush()
        start = time.perf_counter()
        result = subprocess.run(pyip_command() + ["parse", script.name], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        pyip_seconds = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"pyip parse failed: {result.stderr[:500]}")
        with namespace("pyipbench") as ns:
            start = time.perf_counter()
            subprocess.run(["ip", "-n", ns, "-force", "-batch", batch.name], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            ip_seconds = time.perf_counter() - start
    print(f"pyip parse        {LINES / pyip_seconds:10,.0f} lines/s ({pyip_seconds:.2f} s)   (aim: 20,000)")
    print(f"ip -batch (apply) {LINES / ip_seconds:10,.0f} lines/s ({ip_seconds:.2f} s)")
    print(f"ratio ip/pyip     {pyip_seconds / ip_seconds:10.2f}x")


if __name__ == "__main__":
    main()
