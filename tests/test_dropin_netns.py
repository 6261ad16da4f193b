"""`-n NAME` as ip does it, and the real ip found where no one else can put it (issue 14).

ip -n NAME opens /var/run/netns/NAME ("%s/%s", so `/proc/self/ns/net`
is /var/run/netns//proc/self/ns/net, not the caller's own namespace) and
bind-mounts /etc/netns/NAME/* over /etc, so /etc/netns/NAME/iproute2 holds
the namespace's table names for reading and for printing.  Judged against
the real ip run the same way; the PATH test against a planted fake `ip`.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .differential import pyip_process, real_ip, twins

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")


def outcome(result: subprocess.CompletedProcess) -> tuple:
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("name", ["/proc/self/ns/net", "/var/run/netns", "no/such", "nosuch-pyip", ""])
def test_a_namespace_name_is_opened_under_var_run_netns_as_ip_does(name):
    argv = ["-n", name, "route", "flush", "table", "main"]
    ours = subprocess.run(["ip", *argv], capture_output=True, text=True)
    theirs = subprocess.run([sys.executable, "-m", "pyip", *argv], capture_output=True, text=True)
    assert outcome(theirs) == outcome(ours)
    assert ours.returncode == 255 and ours.stderr.startswith(("Cannot open network namespace", "setting the"))


@pytest.fixture
def netns_names():
    """Give namespaces their own /etc/netns/NAME/iproute2/rt_tables; removed afterwards."""
    made = []

    def give(ns: str, tables: str) -> None:
        directory = Path("/etc/netns") / ns / "iproute2"
        directory.mkdir(parents=True)
        made.append(directory.parent)
        (directory / "rt_tables").write_text(tables)

    yield give
    for directory in made:
        shutil.rmtree(directory)
    if Path("/etc/netns").is_dir() and not any(Path("/etc/netns").iterdir()):
        Path("/etc/netns").rmdir()


def test_dash_n_reads_and_prints_the_namespaces_own_table_names(netns_names):
    with twins("pyipetc") as (real, mine):
        for ns in (real, mine):
            netns_names(ns, "255 local\n254 main\n100 isp1\n200 isp2\n")
        commands = [["route", "add", "10.70.0.0/16", "dev", "v0", "table", "isp1"],
                    ["rule", "add", "from", "10.71.0.0/16", "lookup", "isp2", "pref", "300"],
                    ["route", "show", "table", "isp1"], ["route", "show", "table", "all"],
                    ["rule", "show"], ["route", "show", "table", "nosuchname"]]
        for argv in commands:
            assert outcome(pyip_process(mine, argv)) == real_ip(real, argv), argv
        assert "table isp1" in real_ip(real, ["route", "show", "table", "all"])[1]


def test_the_real_ip_is_never_taken_from_a_relative_or_planted_path(tmp_path):
    """A fake `ip` in the current directory and first in PATH (as `.`, an empty element and
    an absolute directory): the hand-over runs /usr/sbin/ip (or /sbin/ip ...), never the fake."""
    marker = tmp_path / "ran"
    fake = tmp_path / "ip"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\necho fake\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with twins("pyippath") as (real, mine):
        for path in (f".:{os.environ['PATH']}", f":{os.environ['PATH']}", f"{tmp_path}:{os.environ['PATH']}"):
            environment = dict(os.environ, PATH=path)
            theirs = pyip_process(mine, ["link", "show", "lo"], cwd=tmp_path, env=environment)
            assert not marker.exists(), path
            assert outcome(theirs)[0] == 0 and "LOOPBACK" in theirs.stdout and "fake" not in theirs.stdout
