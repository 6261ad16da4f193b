"""Start-up: `pyip parse -` of one command against a bare `python3 -c pass`.

Bar (issue 2): at most 3x, median of repeated runs.  The drop-in is called
once per line of a legacy script, so this is the cost that multiplies.
"""

from __future__ import annotations

import subprocess
import sys

from common import REPO, median_seconds, pyip_command

RUNS = 41


def main() -> None:
    # Measure pyip as installed: with bytecode, which pip writes at install time
    # (an editable checkout under PYTHONDONTWRITEBYTECODE would recompile every run).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "pyip"), str(REPO / "compat")],
                   stdout=subprocess.DEVNULL, check=False)
    command = b"ip route add 10.0.0.0/8 via 192.168.1.254 table 1 proto static\n"
    median_seconds(pyip_command() + ["parse", "-"], 3, command)  # warm the grammar cache
    bare = median_seconds([sys.executable, "-c", "pass"], RUNS)
    pyip = median_seconds(pyip_command() + ["parse", "-"], RUNS, command)
    print(f"python3 -c pass   {bare * 1000:7.1f} ms (median of {RUNS})")
    print(f"pyip parse -      {pyip * 1000:7.1f} ms (median of {RUNS})")
    print(f"ratio             {pyip / bare:7.2f}x   (bar: 3x)")


if __name__ == "__main__":
    main()
