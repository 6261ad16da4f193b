"""Oracles for the translators: load nft rulesets, and send real packets through a router namespace.

Topology per router: client (10.0.0.2, eth0 side) -- router (eth0 10.0.0.1, eth1
63.89.102.157) -- server (63.89.102.1).  Every namespace is made here and
deleted when the context ends; the host's firewall is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time

from .netns import run

LISTENER = r"""
import selectors, socket, sys, time
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(); s.setblocking(False); sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
end = time.time() + 60
while time.time() < end:
    for key, _ in sel.select(0.2):
        conn, peer = key.fileobj.accept()
        print(key.fileobj.getsockname()[1], peer[0], flush=True)
        conn.close()
"""


def ns_run(ns: str, *args: str, stdin: str | None = None):
    return run("ip", "netns", "exec", ns, *args, stdin=stdin)


def nft_load(ns: str, path: str, as_json: bool = False):
    return ns_run(ns, "nft", *(["-j"] if as_json else []), "-f", path)


@contextlib.contextmanager
def scratch_namespace(tag: str):
    name = f"pyipt-{tag}-{os.getpid()}"
    run("ip", "netns", "add", name, check=True)
    try:
        yield name
    finally:
        run("ip", "netns", "del", name)


@contextlib.contextmanager
def routed_network(tag: str):
    """Three namespaces, client -- router -- server; yields their names."""
    names = {role: f"pyipt-{tag}-{role}-{os.getpid()}" for role in ("client", "router", "server")}
    try:
        for name in names.values():
            run("ip", "netns", "add", name, check=True)
            run("ip", "-n", name, "link", "set", "lo", "up", check=True)
        link(names["client"], "c0", names["router"], "eth0")
        link(names["server"], "s0", names["router"], "eth1")
        address(names["client"], "c0", "10.0.0.2/24")
        address(names["router"], "eth0", "10.0.0.1/24")
        address(names["router"], "eth1", "63.89.102.157/24")
        address(names["server"], "s0", "63.89.102.1/24")
        run("ip", "-n", names["client"], "route", "add", "default", "via", "10.0.0.1", check=True)
        run("ip", "-n", names["server"], "route", "add", "10.0.0.0/24", "via", "63.89.102.157", check=True)
        ns_run(names["router"], "sysctl", "-qw", "net.ipv4.ip_forward=1")
        yield names
    finally:
        for name in names.values():
            run("ip", "netns", "del", name)


def link(ns_a: str, name_a: str, ns_b: str, name_b: str) -> None:
    run("ip", "link", "add", "pyipveth0", "netns", ns_a, "type", "veth", "peer", "name", "pyipveth1",
        "netns", ns_b, check=True)
    run("ip", "-n", ns_a, "link", "set", "pyipveth0", "name", name_a, "up", check=True)
    run("ip", "-n", ns_b, "link", "set", "pyipveth1", "name", name_b, "up", check=True)


def address(ns: str, device: str, cidr: str) -> None:
    run("ip", "-n", ns, "address", "add", cidr, "dev", device, check=True)


def connects(ns: str, host: str, port: int) -> bool:
    code = f"import socket; socket.create_connection(({host!r}, {port}), timeout=1).close()"
    return ns_run(ns, sys.executable, "-c", code).returncode == 0


def pings(ns: str, host: str) -> bool:
    # A missing ping would read as "blocked": say so instead (tests/run installs iputils-ping).
    assert shutil.which("ping"), "ping is not installed"
    return ns_run(ns, "ping", "-c1", "-W1", host).returncode == 0


def probe(network: dict, probes: list) -> list:
    """Each probe (FROM, TO, PORT or "ping") -> (reached?, the source addresses TO's listener saw on PORT)."""
    listeners = {role: listen(network[role], sorted({p for _, to, p in probes if to == role and p != "ping"}))
                 for role in ("client", "router", "server")}
    addresses = {"client": "10.0.0.2", "server": "63.89.102.1", "router": "63.89.102.157", "router-in": "10.0.0.1"}
    try:
        results = []
        for source, to, port in probes:
            host = addresses[to]
            reached = pings(network[source], host) if port == "ping" else connects(network[source], host, port)
            results.append(reached)
    finally:
        seen = {role: stop(process) for role, process in listeners.items() if process is not None}
    return [(reached, seen.get(to, {}).get(port)) for reached, (_, to, port) in zip(results, probes)]


def listen(ns: str, ports: list):
    if not ports:
        return None
    process = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", LISTENER, *map(str, ports)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def stop(process) -> dict:
    time.sleep(0.2)
    process.terminate()
    output, _ = process.communicate(timeout=10)
    seen: dict = {}
    for port, peer in (line.split() for line in output.splitlines()):
        seen.setdefault(int(port), []).append(peer)
    return {port: tuple(sorted(peers)) for port, peers in seen.items()}
