"""Every global option of `ip -h` (iproute2 6.1) behaves as ip's in the drop-in.

Each command runs with the real `ip -n A` and with pyip in a twin namespace B
(tests/differential.py): same stdout (colours included), same stderr, same
exit status, then the same kernel state.  pyip runs the options it implements
itself and hands the rest (-h, -iec, -r, -t, -ts, -rc, -l, -a, -c, -echo, -M,
-B, -V, -help, --) with the command to the real ip; either way the outcome
must be ip's.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .differential import pyip_process, real_ip, twins
from .test_dropin import assert_same

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

SETUP = [["address", "add", "10.1.0.1/24", "dev", "v0"], ["address", "add", "2001:db8::1/64", "dev", "lo"],
         ["route", "add", "10.2.0.0/16", "via", "10.1.0.254"], ["rule", "add", "from", "10.3.0.0/16", "table", "7"],
         ["route", "add", "10.4.0.0/16", "dev", "v0", "table", "7"]]

# (no address on a veth but IPv4: IPv6 would send MLD reports at random times, and the twins'
# -s counters would differ)
# ip -h's OPTIONS, each alone and in the combinations that change what is printed
SHOWS = [
    ["-V"], ["-Version"], ["-help"], ["-h"], ["-he"], ["--help"],
    ["-s", "address", "show"], ["-s", "-s", "address", "show"], ["-stats", "-stats", "-stats", "route", "show"],
    ["-h", "-s", "address", "show"], ["-human-readable", "-s", "-s", "link", "show"],
    ["-iec", "-s", "address", "show"], ["-h", "-iec", "-s", "address", "show", "dev", "v0"],
    ["-d", "address", "show"], ["-d", "-d", "route", "show", "table", "all"], ["-r", "rule", "show"],
    ["-o", "address", "show"], ["-t", "route", "show"], ["-ts", "address", "show"], ["-timestamp", "rule"],
    ["-rc", "1000000", "route", "show"], ["-rcvbuf", "0x100000", "address"], ["-rc", "nope", "route"],
    ["-rc"], ["-l", "3", "route", "show"], ["-loops"], ["-a", "route", "show"], ["-all", "rule"],
    ["-c", "address", "show"], ["-color", "route", "show", "table", "all"], ["-c=always", "rule", "show"],
    ["-c=never", "address"], ["-c=auto", "address"], ["-c=bogus", "address"], ["-colour", "route"],
    ["-c", "-j", "address", "show"], ["-c", "-br", "address", "show"],
    ["-N", "rule", "show"], ["-Numeric", "route", "show", "table", "all"],
    ["-4", "address"], ["-6", "route"], ["-0", "address"], ["-M", "route", "show"], ["-B", "link", "show"],
    ["-f", "inet6", "address"], ["-family", "link", "address"], ["-f", "mpls", "route"], ["-f", "bridge", "link"],
    ["-f", "help"], ["-f", "nope", "route"], ["-f"],
    ["-j", "-p", "address", "show"], ["-json", "rule", "show"], ["-br", "address"], ["-brief", "-c", "link"],
    ["--", "route", "show"], ["-s", "--", "address", "show"], ["--stats", "address"], ["---s", "route"],
    ["-x", "route"], ["-e", "route"], ["-", "route"], ["-V", "-x"], ["-x", "-V"],
]

CHANGES = [
    ["-echo", "route", "add", "10.5.0.0/16", "via", "10.1.0.254"], ["-echo", "address", "add", "10.6.0.1/24", "dev", "v2"],
    ["-echo", "rule", "add", "from", "10.7.0.0/16", "table", "8"], ["-echo", "-j", "route", "add", "10.8.0.0/16", "dev", "v0"],
    ["-c", "route", "add", "10.9.0.0/16", "dev", "v0"], ["-t", "-ts", "rule", "add", "to", "10.9.0.0/16", "table", "9"],
    ["-l", "2", "address", "flush", "dev", "v2"], ["-iec", "-h", "route", "del", "10.5.0.0/16"],
    ["-force", "-echo", "route", "add", "10.5.0.0/16", "via", "10.1.0.254"],
    ["-a", "-r", "route", "add", "10.5.0.0/16", "via", "10.1.0.254"],  # exists: RTNETLINK answers: File exists
]


def test_every_global_option_of_ip_h_behaves_as_ips():
    with twins("pyipopts") as (real, mine):
        assert_same(real, mine, SETUP)
        assert_same(real, mine, SHOWS)
        assert_same(real, mine, CHANGES)


def test_options_in_a_batch_file_and_before_it(tmp_path):
    batch = tmp_path / "batch"
    batch.write_text("route add 10.10.0.0/16 via 10.1.0.254\naddress show dev v0\nroute add 10.10.0.0/16 dev v0\n")
    with twins("pyipoptb") as (real, mine):
        assert_same(real, mine, SETUP)
        assert_same(real, mine, [["-c", "-s", "-batch", str(batch)], ["-force", "-iec", "-b", str(batch)],
                                 ["-ts", "-force", "-batch", str(batch)]])


def test_dialect_stands_anywhere_among_the_options():
    """--dialect after -n NETNS, between -4 and -force, as --dialect=NAME: pyip's 2.2 reading, and
    ip's options still do as ip's do (-c colours what the real ip prints of the modern command)."""
    with twins("pyipdial") as (real, mine):
        assert_same(real, mine, SETUP)
        for legacy, modern in (
                (["-4", "--dialect", "legacy", "-o", "rule", "add", "fwmark", "10", "table", "5"],
                 ["-4", "-o", "rule", "add", "fwmark", "0x10", "table", "5"]),
                (["--dialect=legacy", "-echo", "rule", "add", "fwmark", "1f", "table", "6", "reject"],
                 ["-echo", "rule", "add", "fwmark", "0x1f", "table", "6", "prohibit"]),
                (["-c", "--dialect", "legacy", "-s", "rule", "show"], ["-c", "-s", "rule", "show"])):
            ours = pyip_process(mine, legacy)
            theirs = real_ip(real, modern)
            assert (ours.returncode, ours.stdout) == theirs[:2], (legacy, ours.stderr)
            if "show" not in legacy:
                assert ours.stderr.startswith("Warning: legacy "), ours.stderr
        assert_same(real, mine, [["rule", "show"]])


def test_h_and_help_reach_the_drop_in_from_the_command_line():
    """`pyip -h ...` is ip's -human-readable, not pyip's --help; `-help`, `-V` are ip's."""
    with twins("pyipcmdh") as (real, mine):
        for argv in (["-h", "-s", "address", "show"], ["-h"], ["-help"], ["-V"], ["-h", "-s", "link"]):
            ours = pyip_process(mine, argv)
            assert (ours.returncode, ours.stdout, ours.stderr) == real_ip(real, argv), argv


def test_without_a_real_ip_pyip_answers_version_and_help_itself(tmp_path):
    """With no iproute2 ip to hand over to (pyip.real_ip finds none), -V and -help are still ip's answers."""
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    (tmp_path / "sitecustomize.py").write_text("import pyip.real_ip\npyip.real_ip.PLACES = ()\n"
                                               "pyip.real_ip.real_ip = lambda: None\n")
    run = lambda *argv: subprocess.run([sys.executable, "-m", "pyip", *argv], capture_output=True, text=True,
                                       env=env, timeout=60)
    version = run("-V")
    assert (version.returncode, version.stdout) == (0, "ip utility, iproute2-6.1.0\n")
    usage = run("-4", "-help")
    real = subprocess.run(["ip", "-4", "-help"], capture_output=True, text=True)
    assert (usage.returncode, usage.stdout, usage.stderr) == (real.returncode, real.stdout, real.stderr)
    mpls = run("-M", "route", "show")
    assert (mpls.returncode, mpls.stdout) == (255, "") and "need iproute2's ip" in mpls.stderr, mpls.stderr


def test_parse_keeps_every_option_and_ip_takes_the_canonical_line():
    """`pyip parse` reads the same options; its canonical line says each one, and the real ip
    runs that line as it runs the original (same status, same output)."""
    lines = ["ip -iec -s -s route show", "ip -ts -rc 0x10 -l 3 address show", "ip -c=never -echo -a rule show",
             "ip -M route show", "ip -B -t rule show", "ip -f bridge -h -r route show", "ip -tshort -c route show"]
    parsed = subprocess.run([sys.executable, "-m", "pyip", "parse", "-"], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, timeout=60)
    assert parsed.returncode == 0, parsed.stderr
    canonical = parsed.stdout.splitlines()
    assert canonical[:3] == ["ip -iec -stats -stats route show", "ip -tshort -loops 3 -rcvbuf 16 address show",
                             "ip -all -echo -color=never rule show"]
    with twins("pyipoptp") as (real, mine):
        assert_same(real, mine, SETUP)
        for line, said in zip(lines, canonical):
            assert real_ip(real, line.split()[1:]) == real_ip(real, said.split()[1:]), (line, said)
