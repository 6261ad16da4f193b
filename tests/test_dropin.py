"""pyip as a drop-in for `ip address | route | rule`, against the real ip 6.1.

Every command runs with `ip -n A` and with pyip in a twin namespace B
(tests/differential.py): same stdout, same stderr, same exit status, one
command after the other, then the same kernel state.  The sequences are the
documents' scripts (tests/../shared/corpus) and a long list covering each
keyword, listing option and refusal.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys

import pytest

from pyip.errors import PyipError
from pyip.names import read_db_lines
from pyip.parser.ip import is_ip_command
from pyip.script import script_commands

from .differential import both, kernel_state, pyip, pyip_process, real_ip, twins

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

DEVICES = {"eth0": "v0", "eth1": "v1", "eth2": "v2"}


def differences(real: str, mine: str, commands: list[list[str]]) -> list[str]:
    """Run the commands with both tools; describe every outcome that differs."""
    found = []
    for argv in commands:
        ours, theirs = both(real, mine, argv)
        if ours != theirs:
            found.append(describe(argv, ours, theirs))
    return found


def describe(argv: list[str], ours: tuple, theirs: tuple) -> str:
    text = ["ip " + " ".join(argv)]
    for name, mine, real in zip(("status", "stdout", "stderr"), theirs, ours):
        if mine != real:
            diff = difflib.unified_diff(str(real).splitlines(True), str(mine).splitlines(True), "ip", "pyip", n=0)
            text.append("  %s: %s" % (name, "".join(list(diff)[2:12]) if name != "status" else (real, mine)))
    return "\n".join(text)


def assert_same(real: str, mine: str, commands: list[list[str]]) -> None:
    found = differences(real, mine, commands)
    assert not found, "\n".join(found)
    assert kernel_state(mine) == kernel_state(real)


# -- the documents' scripts -----------------------------------------------------------------

def corpus_commands(path, tables: dict[str, int]) -> list[list[str]]:
    """The ip commands of a script, devices renamed to the twins' veths and
    table names turned into numbers (ip reads the host's rt_tables, not the documents')."""
    commands = []
    for words in script_commands(path.read_text(), str(path)):
        if isinstance(words, PyipError) or not is_ip_command(words) or any(w.symbol for w in words):
            continue
        commands.append([rename(w.text, tables) for w in words[1:]])
    return commands


def rename(word: str, tables: dict[str, int]) -> str:
    if word in tables:
        return str(tables[word])
    return DEVICES.get(word, word)


def table_numbers(path) -> dict[str, int]:
    return {name: number for number, name in read_db_lines(path)[0].items() if number not in (0, 253, 254, 255)}


def test_policy_routing_examples(corpus):
    directory = corpus / "policy-routing"
    commands = []
    for script in sorted(directory.glob("*.sh")):
        tables = table_numbers(directory / ("rt_tables.int" if "int-tables" in script.name else "rt_tables"))
        commands += corpus_commands(script, tables)
    assert len(commands) >= 50
    with twins("pyipcorpus") as (real, mine):
        assert_same(real, mine, commands)


def test_redundant_isp_scripts(corpus):
    directory = corpus / "redundant-isp"
    setup = [["addr", "add", "10.0.0.2/24", "dev", "v0"], ["addr", "add", "63.89.102.157/24", "dev", "v1"],
             ["addr", "add", "65.3.17.133/24", "dev", "v2"]]
    static_routes = [["route", "add", *line.split()[2:]]
                     for line in (directory / "static-routes").read_text().splitlines()]
    commands = setup + corpus_commands(directory / "static-rules.sh", {}) + static_routes
    with twins("pyipisp") as (real, mine):
        assert_same(real, mine, [[rename(w, {}) for w in argv] for argv in commands])


# -- every keyword, listing and refusal ----------------------------------------------------

ADDRESSES = """\
addr add 192.168.1.1/24 dev v0
addr add 192.168.1.2/24 dev v0
addr add 192.168.1.3/24 brd + dev v0 label v0:a
addr add 10.1.1.1 peer 10.1.1.2/32 dev v1
addr add 172.16.0.1/16 dev v1 metric 5 noprefixroute
addr add 172.17.0.1/16 broadcast 172.17.255.254 dev v1 scope link
addr add 172.18.0.1/16 brd - dev v1
addr add 2001:db8::1/64 dev v0 nodad
addr add 2001:db8:1::1/64 dev v1 nodad noprefixroute
addr add 10.2.2.2/24 dev v2 nodad home
addr add 10.3.3.3/24 dev nosuch
addr add 10.3.3.4/24 dev v2 label x:1
addr add 127.5.0.1/8 dev v2
addr add 192.168.1.1/24 dev v0
addr add 2001:db8:2::1/64 brd + dev v0
addr add 10.4.4.4/24 dev v2 valid_lft 0
addr add 10.4.4.5/24 dev v2 valid_lft 100 preferred_lft 200
addr add 10.4.4.6/24 dev v2 preferred_lft 0
addr change 192.168.1.2/24 dev v0 metric 7
addr replace 192.168.1.9/24 dev v0
addr del 192.168.1.9 dev v0
addr del 192.168.1.2/32 dev v0
addr del 192.168.1.2/24 dev v0
addr add 10.30.0.1/24
address show
addr show dev v0
-4 addr show
-6 addr show
-0 addr show
-o addr show
-j addr show
-j -p addr show dev v1
-br addr show
-d addr show dev v1
-s addr show dev lo
addr show dev nosuch
addr show to 192.168.1.0/24
addr show label v0:a
addr show scope link
addr show up
addr show primary
addr show secondary
addr show permanent
addr lst v1
addr foo
address help
"""

ROUTES = """\
route add 10.10.0.0/16 via 192.168.1.254
route add 10.10.0.0/16 via 192.168.1.254
route add 10.11.0.1/16 dev v0
route add 10.12.0.0/16 via 10.99.0.1
route add 10.13.0.0/16 via 192.168.1.1
route add 10.14.0.0/16 dev nosuch
route add 10.15.0.0/16 via 192.168.1.254 metric 100 proto static mtu lock 1400 rtt 30ms initcwnd 10 \
realms 3/4 advmss 1300 window 1000 hoplimit 5 rttvar 2s rto_min 300ms quickack 1 features ecn \
congctl cubic ssthresh 7 cwnd 9 initrwnd 11 reordering 3
route add 10.20.0.0/16 via 192.168.1.254 rtt 3 rttvar 5 congctl lock reno
route add 10.16.0.0/16 nexthop via 192.168.1.253 weight 2 nexthop via 10.1.1.2 dev v1
route add 10.17.0.0/16 via inet6 2001:db8::2 dev v0
route add 10.18.0.0/24 tos 0x10 dev v0 scope link src 192.168.1.1
route add 10.19.0.0/16 dev v0 proto 77 realm 5 table 1000
route add blackhole 10.30.0.0/16
route add unreachable 10.31.0.0/16 table 5
route add prohibit 10.32.0.0/16 metric 3
route add throw 10.33.0.0/16 table 5
route add local 10.40.0.1 dev v0
route add broadcast 10.41.255.255 dev v0 table local
route add nat 10.29.0.1 via 192.168.1.254
route add 10.50.0.0/16 via 192.168.1.254 onlink dev v0
route add 2001:db8:100::/64 via 2001:db8::2 pref high
route add 2001:db8:101::/64 via 2001:db8::2 pref low mtu 1300
route add 2001:db8:102::/64 from 2001:db8:6::/64 via 2001:db8::2
route add unreachable 2001:db8:104::/64
route add 2001:db8:105::/64 nexthop via 2001:db8::2 dev v0 weight 3 nexthop via 2001:db8::3 dev v0
route add 2001:db8:106::/64 via 2001:db8::2 table 100 proto static
route add default via 192.168.1.254
route add default via 2001:db8::2
-6 route add default dev v1 metric 9
route add 0/0 via 192.168.1.253 table 7
route replace 10.10.0.0/16 via 192.168.1.253 metric 5
route change 10.10.0.0/16 via 192.168.1.252 metric 5
route change 10.77.0.0/16 via 192.168.1.252
route append 10.60.0.0/16 via 192.168.1.254
route append 10.60.0.0/16 via 192.168.1.253
route prepend 10.61.0.0/16 via 192.168.1.254
route test 10.62.0.0/16 dev v0
route del 10.30.0.0/16
route del blackhole 10.30.0.0/16
route del 10.99.0.0/16
route delete 10.31.0.0/16 table 5
route del 10.40.0.1 dev v0 table local
route show
route
route list table all
route show table 5
route show table 77
-6 route show
-6 route show table all
-d route show
-N route show table all
-o route show
-j route show table all
-j -p route show
-4 route show proto static
route show proto kernel
route show scope link
route show type blackhole
route show dev v0
route show dev nosuch
route show via 192.168.1.254
route show src 192.168.1.1
route show root 10.0.0.0/8
route show match 10.10.1.1
route show exact 10.15.0.0/16
route show tos 0x10
route show metric 100
route show table all type local
route list cache
route show cached
-6 route show cached
route get 10.10.1.1
route get 10.18.0.5 tos 0x10
route get 2001:db8:100::1
route get 10.10.1.1 from 192.168.1.1
route get 10.10.1.1 oif v0
route get 10.10.1.1 mark 5
route get 1.2.3.4/24
route get 10.32.1.1
route get 10.10.1.1 iif v0
-j route get 10.10.1.1
-o route get 10.15.0.1
route get fibmatch 10.15.0.1
route get 10.10.1.1 ipproto tcp dport 80
route get 10.10.1.1 uid 5
route get 10.10.1.1 connected
route get 10.10.1.1 from 192.168.1.1 connected
-j route get 10.10.1.1 connected
-o route get 10.15.0.1 connected
route add
route help
route foo
route h
route add 10/8 metric x
route add any via 1.2.3.4
route add 10.70.0.0/16 via 1.2.3.4 via 1.2.3.5
route add 10.71.0.0/16 equalize via 192.168.1.254
route add 10.72.0.0/16 dev v0 table bogus
route get
route flush
-s route flush table 100
route flush table 5
-s route flush cache
route flush cache
-6 route flush cache
-s -6 route flush cache
route flush dev v1
-s route flush proto static
route show table all
-6 route flush table all
route show table all
"""

RULES = """\
rule add from 10.0.0.0/8 to 10.1.0.0/16 tos 0x10 fwmark 0x10/0xff iif v0 oif v1 table 100 pref 100 \
realms 2/3 proto static
rule add to 10.90.0.0/16 lookup 100 pref 150
rule add not from 1.2.3.4 uidrange 100-200 ipproto tcp sport 80 dport 1000-2000 lookup 55 pref 200
rule add from 10.66.0.0/16 prohibit pref 210
rule add from 10.67.0.1 blackhole pref 211
rule add to 10.68.0.0/16 unreachable pref 212
rule add from 10.70.0.0/16 goto 32766 pref 300
rule add nop pref 301
rule add lookup main suppress_prefixlength 0 pref 400
rule add iif nosuch pref 600 table 7
rule add fwmark 0x20 pref 800 table 9
rule add pref 804 table 1000 realms 5
rule add tun_id 5 pref 900 table 9
rule add pref 901 goto 950
rule add pref 902 lookup main suppress_ifgroup 3
rule add from 192.168.2.0/24 table 5
rule add from 192.168.2.0/24 table 5
rule add fwmark 10 table 5
rule add prohibit
rule add from 1.2.3.4 pref 10 nat 5.6.7.8
rule add l3mdev pref 500
rule add l3mdev table 5 pref 501
rule add tos 0x11 table 5 pref 5
rule add from 10.1.2.3/8 table 5 pref 6
rule add ipproto nosuchproto table 5 pref 7
rule add pref 8 table 5 type unicast
rule del pref 5000
rule del pref 300
rule del from 192.168.2.0/24 table 5
rule del table 9 pref 800
rule del prohibit
rule show
rule
rule list
-N rule show
-d rule show
-j rule show
-j -p rule show
-o rule show
rule show pref 100
rule show from 10.0.0.0/8
rule show table 100
rule show lookup 9
rule show fwmark 0x10/0xff
rule show not
rule show iif v0
rule show oif v1
rule show uidrange 100-200
rule show sport 80
rule show 10.90.0.0/16
-6 rule add from 2001:db8::/32 pref 700 table 8
-6 rule add to 2001:db8:5::/48 fwmark 7 pref 701 unreachable
-6 rule show
-6 -j rule show
rule add reject
rule add fwmark 10/ff
rule del
rule help
rule foo
rule flush table 100
-6 rule flush
rule show
rule flush
rule show
"""

ODDS = """\
foo
-x route
-4
addr flush
route add 10.80.0.0/16
rule add from
addr add 10.81.0.1/24 dev v0 label v1:0
"""


def lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.replace("\\\n", "").splitlines()]


def test_every_keyword_listing_and_refusal():
    with twins("pyipkeys") as (real, mine):
        assert_same(real, mine, lines(ADDRESSES + ROUTES + RULES + ODDS))


def test_address_flushes():
    commands = lines("""\
addr add 192.168.5.1/24 dev v1
addr add 192.168.5.2/24 dev v1
addr add 192.168.5.3/24 dev v1 label v1:x
addr add 192.168.6.1/24 dev v1
addr add 2001:db8:9::1/64 dev v1 nodad
addr add 10.9.9.9/8 dev v2
-s addr flush dev v1 label v1:x
addr show dev v1
-s addr flush dev v1 secondary
-4 addr flush dev v1
addr show dev v1
-s -6 addr flush dev v1
-s addr flush dev v1
addr flush to 10.0.0.0/8
addr flush dev nosuch
addr show
""")
    with twins("pyipflush") as (real, mine):
        assert_same(real, mine, commands)


# -- the legacy dialect --------------------------------------------------------------------

LEGACY = [
    ("rule add fwmark 10 table 5", "rule add fwmark 0x10 table 5"),
    ("rule add from 192.168.2.0/24 prio 32777 reject", "rule add from 192.168.2.0/24 prio 32777 prohibit"),
    ("route add default equalize nexthop via 192.168.7.1 dev v1 nexthop via 192.168.8.1 dev v2",
     "route add default nexthop via 192.168.7.1 dev v1 nexthop via 192.168.8.1 dev v2"),
    ("route flush cache", "route flush cache"),
]


def test_legacy_commands_run_with_their_modern_meaning_and_a_warning():
    with twins("pyiplegacy") as (real, mine):
        for ns in (real, mine):
            for argv in (["addr", "add", "192.168.7.2/24", "dev", "v1"], ["addr", "add", "192.168.8.2/24", "dev", "v2"]):
                assert real_ip(ns, argv)[0] == 0
        warnings = []
        for old, new in LEGACY:
            status, out, err = pyip(mine, ["--dialect", "legacy", *old.split()])
            assert (status, out) == (0, ""), err
            warnings += err.splitlines()
            assert real_ip(real, new.split()) == (0, "", "")
        assert kernel_state(mine) == kernel_state(real)
    assert warnings == ['Warning: legacy "fwmark 10" is hexadecimal: fwmark 0x10 (16)',
                        'Warning: legacy rule type "reject" is "prohibit" today',
                        'Warning: legacy "equalize" ignored: the kernel never implemented it']


def test_modern_dialect_refuses_the_legacy_words_as_ip_does():
    with twins("pyipmodern") as (real, mine):
        assert_same(real, mine, [old.split() for old, _ in LEGACY[1:3]])


# -- the entry point ----------------------------------------------------------------------------

def test_the_console_entry_runs_ip_commands_in_a_namespace():
    with twins("pyipentry") as (real, mine):
        for argv in (["route", "add", "10.5.0.0/16", "dev", "v0"], ["-j", "route", "show"], ["route", "show", "x"],
                     ["-x", "route"]):
            theirs = pyip_process(mine, argv)
            assert (theirs.returncode, theirs.stdout, theirs.stderr) == real_ip(real, argv)


def test_missing_namespace_and_missing_object():
    for argv in (["-n", "pyip-no-such-ns", "route"], ["-4"], ["-n"]):
        ours = subprocess.run(["ip", *argv], capture_output=True, text=True)
        theirs = subprocess.run([sys.executable, "-m", "pyip", *argv], capture_output=True, text=True)
        assert (theirs.returncode, theirs.stdout, theirs.stderr) == (ours.returncode, ours.stdout, ours.stderr)


def test_pyip_subcommands_still_run():
    result = subprocess.run([sys.executable, "-m", "pyip", "parse", "-"], input="ip r a 0/0 dev lo\n",
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "ip route add default dev lo\n")


OTHER_OBJECTS = [["link", "set", "lo", "up"], ["l", "sh", "lo"], ["link", "set", "nosuch", "up"], ["neigh", "show"],
                 ["-o", "link", "show", "lo"], ["addrlabel", "list"]]


def test_objects_pyip_does_not_read_are_run_by_the_real_ip():
    with twins("pyipother") as (real, mine):
        assert_same(real, mine, OTHER_OBJECTS)
        assert "<LOOPBACK,UP,LOWER_UP>" in real_ip(mine, ["link", "show", "lo"])[1]
        for argv in OTHER_OBJECTS[1:3]:  # the console entry hands the process over to ip
            theirs = pyip_process(mine, argv)
            assert (theirs.returncode, theirs.stdout, theirs.stderr) == real_ip(real, argv)


def test_route_get_connected_without_a_source_fails_as_ip_does():
    with twins("pyipconn") as (real, mine):
        for ns in (real, mine):
            subprocess.run(["ip", "-n", ns, "address", "flush", "dev", "v0"], check=True)
            subprocess.run(["ip", "-n", ns, "route", "add", "10.6.0.0/16", "dev", "v0"], check=True)
        argv = ["route", "get", "10.6.1.1", "connected"]
        ours, theirs = both(real, mine, argv)
        assert theirs == ours and ours[0] == 1 and ours[2] == "Failed to connect the route\n"


def test_what_pyip_does_not_run_goes_to_the_real_ip(tmp_path):
    with twins("pyiphand") as (real, mine):
        assert_same(real, mine, [["route", "show", "vrf", "foo"],
                                 ["route", "add", "10.9.0.0/16", "encap", "mpls", "100", "dev", "v0"]])
        # save in one twin, restore in the other: the same routes (binary streams, through the console entry)
        for ns in (real, mine):
            subprocess.run(["ip", "-n", ns, "address", "add", "192.168.1.1/24", "dev", "v0"], check=True)
        subprocess.run(["ip", "-n", real, "route", "add", "10.44.0.0/16", "via", "192.168.1.254"], check=True)
        saved = subprocess.run([sys.executable, "-m", "pyip", "-n", real, "route", "save"], capture_output=True,
                               check=True).stdout
        theirs = subprocess.run(["ip", "-n", real, "route", "save"], capture_output=True).stdout
        assert len(saved) == len(theirs) > 4 and saved[:4] == theirs[:4]  # the same dump but for seq and port ids
        subprocess.run(["ip", "-n", mine, "route", "flush", "table", "main"], check=True)
        dump = tmp_path / "routes.dump"
        dump.write_bytes(saved)
        with dump.open("rb") as stdin:  # ip restores from a file: it reads the stream three times (ftell/fseek)
            restored = subprocess.run([sys.executable, "-m", "pyip", "-n", mine, "route", "restore"], stdin=stdin,
                                      capture_output=True)
        assert restored.returncode == 0, restored.stderr
        assert kernel_state(mine) == kernel_state(real)
        shown = subprocess.run([sys.executable, "-m", "pyip", "route", "showdump"], input=saved, capture_output=True)
        assert shown.stdout == subprocess.run(["ip", "route", "showdump"], input=saved, capture_output=True).stdout
        # in a batch too; ip's invarg() ends the batch with 255, as in ip
        path = tmp_path / "b.batch"
        path.write_text("route add 10.45.0.0/16 dev v0\nroute show vrf foo\nroute add 10.46.0.0/16 dev v0\n")
        assert pyip(mine, ["-batch", str(path)]) == real_ip(real, ["-batch", str(path)])
        assert kernel_state(mine) == kernel_state(real)
