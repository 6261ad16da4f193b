"""A 50,000-rule iptables-save file to nft: pyip against `iptables-restore-translate -f FILE`, same run.

Prints both times and the ratio; the bar is a ratio of at most 2.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from pyip.translators.cli import to_nft

RULES = 50_000


def save_file(rules: int) -> str:
    lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    for n in range(rules):
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}/32"
        lines.append(f"-A INPUT -s {address} -i eth0 -p tcp -m state --state NEW -m tcp --dport {n % 65535 + 1} "
                     "-j ACCEPT" if n % 2 else f"-A FORWARD -d {address} -p udp -m udp --sport 53 -j DROP")
    return "\n".join(lines + ["COMMIT"]) + "\n"


def main() -> None:
    text = save_file(RULES)
    with tempfile.NamedTemporaryFile("w", suffix=".rules") as file:
        file.write(text)
        file.flush()
        start = time.perf_counter()
        reference = subprocess.run(["iptables-restore-translate", "-f", file.name], capture_output=True, text=True)
        reference_time = time.perf_counter() - start
    assert reference.returncode == 0, reference.stderr
    start = time.perf_counter()
    output, problems = to_nft(text, "bench.rules")
    pyip_time = time.perf_counter() - start
    assert not problems and output.count("counter") == RULES
    ratio = pyip_time / reference_time
    print(f"iptables-restore-translate: {reference_time:.2f} s\npyip translate --to nft: {pyip_time:.2f} s\n"
          f"ratio: {ratio:.2f} (bar: at most 2)")
    sys.exit(0 if ratio <= 2 else 1)


if __name__ == "__main__":
    main()
