"""Differential testing of the drop-in: the real `ip` in one namespace, pyip in a twin.

Twins are made alike down to the bytes `ip addr show` prints: the same veth
pairs with the same MAC addresses, created in the same order (so the same
ifindexes), no IPv6 link-local addresses (they derive from the MAC... and
DAD would leave addresses "tentative" for a while).  A command then runs
with `ip -n A` and with pyip.cli.dropin inside B; both must print the same
stdout and stderr, exit with the same status, and leave the same kernel
state behind.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

from pyip.cli.dropin import drop_in
from pyip.netlink.common import inside

from .netns import namespace, run

VETHS = ("v0", "v1", "v2")


def prepare(ns: str) -> None:
    run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.addr_gen_mode=1",
        "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", check=True)
    for number, veth in enumerate(VETHS):
        run("ip", "-n", ns, "link", "add", veth, "address", "02:00:00:00:0%d:01" % number, "type", "veth",
            "peer", "name", veth + "p", "address", "02:00:00:00:0%d:02" % number, check=True)
        run("ip", "-n", ns, "link", "set", veth, "up", check=True)
        run("ip", "-n", ns, "link", "set", veth + "p", "up", check=True)


@contextlib.contextmanager
def twins(prefix: str):
    """(namespace for ip, namespace for pyip), alike; both always deleted."""
    with namespace(prefix + "-ip") as real, namespace(prefix + "-py") as mine:
        prepare(real)
        prepare(mine)
        yield real, mine


def real_ip(ns: str, argv: list[str]) -> tuple[int, str, str]:
    # bytes decoded here: text=True would turn a \r ip echoes back into \n, and fail on a name that is not UTF-8
    result = subprocess.run(["ip", "-n", ns, *argv], capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    return result.returncode, decoded(result.stdout), decoded(result.stderr)


def decoded(output: bytes) -> str:
    return output.decode("utf-8", "surrogateescape")


def pyip(ns: str, argv: list[str]) -> tuple[int, str, str]:
    """pyip.cli.dropin in this process, inside NS (what `pyip -n NS ARGV` does)."""
    out, err = io.StringIO(), io.StringIO()
    with inside(ns):
        status = drop_in(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def pyip_process(ns: str, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """The installed entry point, as a script calls it."""
    return subprocess.run([sys.executable, "-m", "pyip", "-n", ns, *argv], capture_output=True, text=True,
                          timeout=120, **kwargs)


def both(real: str, mine: str, argv: list[str]) -> tuple:
    """Run ARGV with ip in REAL and pyip in MINE: (ip's outcome, pyip's outcome)."""
    return real_ip(real, argv), pyip(mine, argv)


def kernel_state(ns: str) -> dict:
    """Routes (every table, both families), rules (both families) and addresses,
    as ip lists them in JSON, without what counts down (lifetimes, expiry)."""
    state = {}
    for key, argv in (("routes", ["route", "show", "table", "all"]), ("rules4", ["rule", "show"]),
                      ("rules6", ["-6", "rule", "show"]), ("addresses", ["address", "show"])):
        status, out, err = real_ip(ns, ["-j", *argv])
        assert status == 0, err
        state[key] = json.loads(out, object_hook=without_timers)
    return state


def without_timers(data: dict) -> dict:
    for key in ("valid_life_time", "preferred_life_time", "expires"):
        data.pop(key, None)
    return data
