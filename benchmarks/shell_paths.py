"""The shell layer's cost for conditions: a 10,000-line script of functions, loops and `if`s.

Three readings of the same text, CPU seconds of pyip.shell.read_script:
every condition known (-D X=1: one path), one value unknown at run time
(every `if` open: paths explored until two differ, as parse and translate
do), and every path lint reads (bounded by MAX_PATHS and the step budget).
For scale, bash itself runs the script with `iptables` a shell function
that does nothing.  Bar (issue 10): the straight-line case stays at the
speed before paths were explored; exploring costs a bounded number of runs.
"""

from __future__ import annotations

import subprocess
import tempfile
import time

from pyip.shell import read_script

BLOCK = (
    "IPT=/sbin/iptables\n"
    'NET="10.0.0.0/24"\n'
    "setup() {\n"
    '    local dev="$1"; shift\n'
    '    $IPT -A INPUT -i "$dev" -s $NET "$@" -j ACCEPT\n'
    "}\n"
    "for p in 22 80 443; do\n"
    "    $IPT -A INPUT -p tcp --dport $p -j ACCEPT   # comment\n"
    "done\n"
    'if [ -n "$X" ]; then\n'
    "    setup eth0 -p udp\n"
    "else\n"
    "    ip route add default via 10.0.0.1 dev eth0 table 1\n"
    "fi\n"
    'case "$MODE" in start) iptables -P INPUT DROP ;; *) : ;; esac\n'
)


def cpu(function) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def main() -> None:
    text = BLOCK * (10_000 // BLOCK.count("\n"))
    lines = text.count("\n")
    read_script("ip a")  # the parser is built on first use
    known = cpu(lambda: read_script(text, defines={"X": "1", "MODE": "start"}))
    unknown = cpu(lambda: read_script(text))
    every = cpu(lambda: read_script(text, all_paths=True))
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write("iptables() { :; }\nip() { :; }\n" + text.replace("$IPT ", "iptables "))
        script.flush()
        start = time.perf_counter()
        subprocess.run(["bash", script.name], check=True)
        bash = time.perf_counter() - start
    print(f"{lines} lines, every condition known   {known:6.2f} s CPU  ({lines / known:,.0f} lines/s)")
    print(f"one value unknown (parse, translate) {unknown:6.2f} s CPU  ({unknown / known:.1f}x)")
    print(f"every path (lint)                    {every:6.2f} s CPU  ({every / known:.1f}x)")
    print(f"bash running it                      {bash:6.2f} s wall")


if __name__ == "__main__":
    main()
