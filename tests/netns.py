"""Test network namespaces: created by the tests, always deleted, never the host's own."""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess

_counter = itertools.count()


def run(*args: str, stdin: str | None = None, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), input=stdin, capture_output=True, text=True, check=check,
                          timeout=60)


@contextlib.contextmanager
def namespace(prefix: str = "pyiptest", veths: tuple[str, ...] = ()):
    """A fresh namespace with lo up and the named veth pairs (NAME and NAME-peer) up."""
    name = f"{prefix}-{os.getpid()}-{next(_counter)}"
    run("ip", "netns", "add", name, check=True)
    try:
        run("ip", "-n", name, "link", "set", "lo", "up", check=True)
        for veth in veths:
            run("ip", "-n", name, "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p", check=True)
            run("ip", "-n", name, "link", "set", veth, "up", check=True)
            run("ip", "-n", name, "link", "set", f"{veth}p", "up", check=True)
        yield name
    finally:
        run("ip", "netns", "del", name)
