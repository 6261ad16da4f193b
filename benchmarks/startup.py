"""Start-up as a user meets it: pyip from a clean venv, run as a process.

- `pyip parse -` of one command, and the drop-in `pyip -n NS route show` on
  an empty table, each against `python -c pass` of the same clean venv
  (issue 13's bar: at most 2x);
- `pyip -n NS route show` against `ip -n NS route show`, for scale: a legacy
  script calls `ip` hundreds of times, and each call pays this;
- the import profile (`-X importtime`) of both pyip commands.

The reference side is the same venv's interpreter, not this benchmark's:
a development venv with system site-packages and an editable install's import
hook starts slower and would make the ratio look better than it is.
"""

from __future__ import annotations

import sys

from cleanvenv import clean_venv, import_profile
from common import median_seconds, namespace

RUNS = 21
BAR = 2.0
COMMAND = b"ip route add 10.0.0.0/8 via 192.168.1.254 table 1 proto static\n"


def main() -> None:
    with clean_venv() as venv, namespace("pyip-bench-startup") as ns:
        print(venv.describe())
        parse = [str(venv.pyip), "parse", "-"]
        show = [str(venv.pyip), "-n", ns, "route", "show"]
        median_seconds(parse, 3, COMMAND)  # fill the grammar cache (~/.cache/pyip), as any second run finds it
        median_seconds(show, 3)
        bare = median_seconds([str(venv.python), "-c", "pass"], RUNS)
        parse_time = median_seconds(parse, RUNS, COMMAND)
        show_time = median_seconds(show, RUNS)
        ip_time = median_seconds(["ip", "-n", ns, "route", "show"], RUNS)
        print(f"medians of {RUNS} runs each, all as processes")
        print(f"python -c pass (clean venv)     {bare * 1000:7.1f} ms")
        print(f"pyip parse - (one command)      {parse_time * 1000:7.1f} ms   {parse_time / bare:5.2f}x python  (bar {BAR}x)")
        print(f"pyip -n NS route show (empty)   {show_time * 1000:7.1f} ms   {show_time / bare:5.2f}x python  (bar {BAR}x)")
        print(f"ip -n NS route show (empty)     {ip_time * 1000:7.1f} ms   pyip is {show_time / ip_time:5.1f}x ip")
        print("import profile, pyip parse -:")
        print(import_profile(venv, ["parse", "-"], COMMAND))
        print("import profile, pyip -n NS route show:")
        print(import_profile(venv, ["-n", ns, "route", "show"]))
    met = parse_time / bare <= BAR and show_time / bare <= BAR
    print("bar met" if met else "bar NOT met")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
