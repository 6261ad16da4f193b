"""Lint speed: a 10,000-line legacy script, pyip lint against shellcheck, same run.

Bar (issue 6): under 2 seconds for pyip lint.  shellcheck checks general
shell, pyip checks the ip/iptables/ipchains commands in it: the ratio puts
the number in scale, it is not a like-for-like contest.
"""

from __future__ import annotations

import shutil
import subprocess
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
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write(script_of(LINES))
        script.flush()
        count = sum(1 for _ in open(script.name))
        pyip = timed(pyip_command() + ["lint", "--dialect", "legacy", script.name])
        print(f"pyip lint    {pyip:6.2f} s for {count} lines   (bar: 2 s)")
        if shutil.which("shellcheck"):
            shellcheck = timed(["shellcheck", "-s", "sh", script.name])
            print(f"shellcheck   {shellcheck:6.2f} s")
            print(f"ratio        {pyip / shellcheck:6.2f}x")
        else:
            print("shellcheck   not installed (apt-get install shellcheck)", file=sys.stderr)


if __name__ == "__main__":
    main()
