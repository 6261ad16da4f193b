"""Shared helpers for the benchmarks: timing, generated inputs, throwaway namespaces."""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYIP = [sys.executable, "-m", "pyip"]


_SHARED_VENV: list = []


def pyip_command() -> list[str]:
    """pyip's console script in a clean venv (what users run), built once per benchmark run.

    Not this interpreter's: a development venv (system site-packages, an
    editable install's import hook) starts slower than a user's install.
    """
    if not _SHARED_VENV:
        from cleanvenv import clean_venv  # here, not at the top: cleanvenv is only needed by benchmarks that run pyip

        context = clean_venv()
        venv = context.__enter__()
        atexit.register(context.__exit__, None, None, None)
        print(f"pyip from a {venv.describe()}", flush=True)
        _SHARED_VENV.append(venv)
    return [str(_SHARED_VENV[0].pyip)]


def median_run(command: list[str], runs: int) -> tuple[float, float, subprocess.CompletedProcess]:
    """Median wall-clock and median CPU seconds (user + system of the process and its children: what a
    loaded shared machine inflates least) of `runs` runs, and the last result; exits if a run fails.

    Give it a command made beforehand (`pyip_command()` builds a venv on its first call: called
    inside a timed region it would time `pip install`, as parse_throughput.py once did)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return statistics.median(walls), statistics.median(cpus), result


def route_rule_lines(count: int, seed: int = 1) -> list[str]:
    """Realistic route and rule commands, all different, in the documents' style."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        a, b, c = i >> 16 & 255, i >> 8 & 255, i & 255
        kind = rng.random()
        if kind < 0.6:
            lines.append(f"route add 10.{a}.{b}.{c}/32 via 10.255.0.{1 + i % 250} table {1 + i % 200} proto static")
        elif kind < 0.8:
            lines.append(f"rule add from 10.{a}.{b}.{c}/32 lookup {1 + i % 200} pref {1000 + i}")
        else:
            lines.append(f"rule add fwmark 0x{i:x} table {1 + i % 200} pref {1000 + i}")
    return lines


@contextlib.contextmanager
def namespace(name: str):
    """A network namespace for the reference tool; always deleted."""
    full = f"{name}-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", full], check=True)
    try:
        subprocess.run(["ip", "-n", full, "link", "set", "lo", "up"], check=True)
        yield full
    finally:
        subprocess.run(["ip", "netns", "del", full], check=False)
