"""iproute2's own `ip`, for the objects pyip does not read (link, neigh, tunnel, ...).

A script that says `pyip` where it said `ip` also runs `ip link set eth0
up`; the drop-in hands such commands to the real tool rather than fail them.
It runs as root, so it is looked for where Debian and others install it
first, and in PATH only after, only in absolute directories: an empty
element, `.` or a relative directory in PATH (the current directory, which
an attacker may write) never supplies it.
"""

from __future__ import annotations

import os
import subprocess

PLACES = ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")


def real_ip() -> str | None:
    """The path of iproute2's ip; never pyip itself (an `ip` that links to it), None if there is none."""
    for path in PLACES + tuple(path_candidates()):
        if os.path.isfile(path) and os.access(path, os.X_OK) and not is_pyip(path):
            return path
    return None


def path_candidates() -> list[str]:
    """`ip` in each absolute PATH directory, in order."""
    directories = os.environ.get("PATH", "").split(os.pathsep)
    return [os.path.join(directory, "ip") for directory in directories if os.path.isabs(directory)]


def run(real: str, argv: list[str]) -> subprocess.CompletedProcess:
    """The real ip on ARGV as a child (in this process's namespace), its output as text."""
    return subprocess.run([real, *argv], capture_output=True, text=True, errors="surrogateescape")


def is_pyip(path: str) -> bool:
    """Is the program pyip's console script (a Python script), not iproute2's binary?"""
    with open(path, "rb") as program:
        return program.read(2) == b"#!" and b"pyip" in program.read(4096)
