"""Every number the drop-in reads, at C's edges, against the real ip (issue 14, item 1).

iproute2 6.1 reads numbers with strtoul()/strtol()/strtod()/sscanf() and then
range-checks: white space first is fine, `-0` is 0, `-1` is ULONG_MAX (which a
u32 reader refuses, get_u64 takes, sscanf's %hu makes 65535), a 4,400-digit
number is ERANGE, `\u0663` is no digit.  A pyip that wraps where ip refuses
flushes every table (`route flush table -4294967296`).  For every numeric
keyword and every edge value: ip in one namespace, the drop-in in its twin,
the same exit status, stdout and stderr, and the same kernel state; and
`pyip parse` refuses (positioned, exit 1) exactly the words ip refuses.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pytest

from pyip.errors import Location, PyipError
from pyip.parser.ip import parse_ip
from pyip.parser.words import Word

from .differential import both, kernel_state, twins

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

HUGE = "1" * 4400  # over Python's 4,300-digit int() limit
EDGES = [
    "0", "-0", "+0", "1", "-1", "+1", " 1", "\t 1", "1 ", "\v2", "\n3", "- 1", "+-1", "--1", "",
    "7", "255", "256", "-255", "65535", "65536", "70000",
    "2147483647", "2147483648", "-2147483648", "-2147483649",
    "4294967295", "4294967296", "-4294967295", "-4294967296",
    "18446744073709551615", "18446744073709551616", "-18446744073709551615", "-18446744073709551616",
    "-18446744069414584321", "-18446744073709551609",
    HUGE, "-" + HUGE, "0" * 30 + "5",
    "0x10", "0X1f", "-0x1", "0x", "0xg", "010", "08", "0b1", "1e3", "1.5", "5.", "\u0663", "1\u0663", "\uff11",
    "12abc", "1-2", "3-2", "5-", "-5", "1- 4", " 6-9",
]

# {v}: the edge value; {n}: a number unique to the command (destinations, preferences)
ROUTE_ADD = [
    "route add 10.{a}.{b}.0/24 dev v0 table {v}",
    "route add 10.{a}.{b}.0/24 dev v0 metric {v}",
    "route add 10.{a}.{b}.0/24 dev v0 proto {v}",
    "route add 10.{a}.{b}.0/24 dev v0 scope {v}",
    "route add 10.{a}.{b}.0/24 dev v0 tos {v}",
    "route add 10.{a}.{b}.0/24 dev v0 realms {v}",
    "route add 10.{a}.{b}.0/24 dev v0 realms 3/{v}",
    "route add 10.{a}.{b}.0/24 dev v0 mtu {v}",
    "route add 10.{a}.{b}.0/24 dev v0 mtu lock {v}",
    "route add 10.{a}.{b}.0/24 dev v0 advmss {v}",
    "route add 10.{a}.{b}.0/24 dev v0 window {v}",
    "route add 10.{a}.{b}.0/24 dev v0 rtt {v}",
    "route add 10.{a}.{b}.0/24 dev v0 rttvar {v}ms",
    "route add 10.{a}.{b}.0/24 dev v0 rto_min {v}s",
    "route add 10.{a}.{b}.0/24 dev v0 ssthresh {v}",
    "route add 10.{a}.{b}.0/24 dev v0 cwnd {v}",
    "route add 10.{a}.{b}.0/24 dev v0 initcwnd {v}",
    "route add 10.{a}.{b}.0/24 dev v0 initrwnd {v}",
    "route add 10.{a}.{b}.0/24 dev v0 reordering {v}",
    "route add 10.{a}.{b}.0/24 dev v0 hoplimit {v}",
    "route add 10.{a}.{b}.0/24 dev v0 quickack {v}",
    "route add 10.{a}.{b}.0/24 dev v0 nhid {v}",
    "route add 10.{a}.{b}.0/{v} dev v0",
    "route add 10.{v}.{b}.0/24 dev v0",
    "route add 10.{a}.{b}.0/24 nexthop dev v0 weight {v} nexthop dev v1",
    "route add 10.{a}.{b}.0/24 nexthop dev v0 realms {v}",
    "-6 route add 2001:db8:{a}:{b}::/64 dev v0 pref {v}",
    "-6 route add 2001:db8:{a}:{b}::/64 dev v0 expires {v}",
    "-6 route add 2001:db8:{a}:{b}::/64 dev v0 hoplimit {v}",
]
ROUTE_READ = [
    "route show table {v}",
    "route show proto {v}",
    "route show scope {v}",
    "route show metric {v}",
    "route show tos {v}",
    "route show realms {v}",
    "route show mark {v}",
    "route show 10.{v}.0.0/16",
    "route show root 10.0.0.0/{v}",
    "route get 10.9.0.5 mark {v}",
    "route get 10.9.0.5 uid {v}",
    "route get 10.9.0.5 tos {v}",
    "route get 10.9.0.5 ipproto tcp sport {v}",
    "route get 10.9.0.5 ipproto udp dport {v}",
    "route get 10.9.0.5 ipproto {v}",
]
RULE = [
    "rule add pref {v} table 5",
    "rule add pref {n} table {v}",
    "rule add pref {n} lookup {v}",
    "rule add pref {n} fwmark {v} table 5",
    "rule add pref {n} fwmark 7/{v} table 5",
    "rule add pref {n} tos {v} table 5",
    "rule add pref {n} realms {v} table 5",
    "rule add pref {n} protocol {v} table 5",
    "rule add pref {n} tun_id {v} table 5",
    "rule add pref {n} table 5 suppress_prefixlength {v}",
    "rule add pref {n} table 5 suppress_ifgroup {v}",
    "rule add pref {n} uidrange {v} table 5",
    "rule add pref {n} uidrange 10-{v} table 5",
    "rule add pref {n} ipproto {v} table 5",
    "rule add pref {n} ipproto tcp sport {v} table 5",
    "rule add pref {n} ipproto udp dport {v} table 5",
    "rule add pref {n} goto {v}",
    "rule add pref {n} from 10.{v}.0.0/16 table 5",
    "rule show pref {v}",
    "rule show fwmark {v}",
    "rule show table {v}",
    "rule show tun_id {v}",
    "rule show uidrange {v}",
    "rule show sport {v}",
    "rule show protocol {v}",
]
ADDRESS = [
    "address add 10.{a}.{b}.1/{v} dev v1",
    "address add 10.{a}.{b}.1/24 dev v1 metric {v}",
    "address add 10.{a}.{b}.1/24 dev v1 scope {v}",
    "address add 10.{a}.{b}.1/24 dev v1 valid_lft {v} preferred_lft 0",
    "address add 10.{a}.{b}.1/24 dev v1 preferred_lft {v}",
    "address add 10.{a}.{b}.1/24 peer 10.{a}.{b}.{v} dev v1",
    "address show scope {v} dev v0",  # not v1: its lifetimes count down between the two listings
]
FLUSH = ["route flush table {v}", "rule flush table {v}"]


def commands(templates: list[str], start: int) -> list[list[str]]:
    """Each template with each edge value; a fresh destination or preference for each."""
    made = []
    for number, (template, value) in enumerate(itertools.product(templates, EDGES), start):
        words = template.split()
        made.append([word.format(v=value, n=number, a=20 + number // 250, b=number % 250) for word in words])
    return made


def differing(real: str, mine: str, argvs: list[list[str]]) -> list[str]:
    found = []
    for argv in argvs:
        theirs, ours = both(real, mine, argv)
        if theirs != ours:
            found.append("ip %r\n  ip:   %.300r\n  pyip: %.300r" % (argv, theirs, ours))
    return found


def check_group(real: str, mine: str, argvs: list[list[str]]) -> None:
    found = differing(real, mine, argvs)
    assert not found, "%d of %d differ:\n%s" % (len(found), len(argvs), "\n".join(found[:int(os.environ.get("PYIP_SHOW", 15))]))
    theirs, ours = kernel_state(real), kernel_state(mine)
    for key in theirs:
        only_ip = [item for item in theirs[key] if item not in ours[key]]
        only_pyip = [item for item in ours[key] if item not in theirs[key]]
        assert not only_ip and not only_pyip, (key, only_ip[:10], only_pyip[:10])
    assert ours == theirs


def setup_routes(ns: str) -> None:
    subprocess.run(["ip", "-n", ns, "address", "add", "10.9.0.1/24", "dev", "v0"], check=True)


@pytest.mark.parametrize("group, templates", [("route", ROUTE_ADD), ("read", ROUTE_READ), ("rule", RULE),
                                              ("address", ADDRESS), ("flush", FLUSH)])
def test_every_numeric_keyword_at_the_edges_as_ip(group, templates):
    with twins("pyipnum" + group[:3]) as (real, mine):
        setup_routes(real)
        setup_routes(mine)
        check_group(real, mine, commands(templates, 0))


READING_ERRORS = ("is wrong", "is expected rather than")  # invarg(); get_prefix()/get_addr() (exit 1)


def verdicts(argvs: list[list[str]]) -> list[tuple[list[str], bool]]:
    """(argv, does ip refuse it while reading the line: `argument "..." is wrong`) from the real ip."""
    with twins("pyipverdict") as (real, _):
        setup_routes(real)
        found = []
        for argv in argvs:
            result = subprocess.run(["ip", "-n", real, *argv], capture_output=True, text=True,
                                    stdin=subprocess.DEVNULL)
            refused = result.returncode == 255 or any(words in result.stderr for words in READING_ERRORS)
            found.append((argv, refused))
        return found


def test_parse_refuses_exactly_the_numbers_ip_refuses():
    argvs = commands(ROUTE_ADD + ROUTE_READ + RULE + ADDRESS, 0)
    wrong = []
    for argv, refused in verdicts(argvs):
        words = [Word(text, Location("t", 1, column)) for column, text in enumerate(["ip", *argv])]
        try:
            parse_ip(words)
            pyip_refuses = False
        except PyipError as error:
            pyip_refuses = True
            assert error.location.line == 1 and error.location.col > 0, (argv, str(error))
        if pyip_refuses != refused:
            wrong.append("%r: ip %s, pyip %s" % (argv, "refuses" if refused else "takes",
                                                  "refuses" if pyip_refuses else "takes"))
    assert not wrong, "%d differ:\n%s" % (len(wrong), "\n".join(wrong[:20]))


def test_pyip_parse_places_a_refused_number_and_exits_1(tmp_path):
    script = tmp_path / "numbers.sh"
    script.write_text("ip route flush table -4294967296\nip route add 10.0.0.0/8 dev eth0 table ' 7'\n")
    result = subprocess.run([sys.executable, "-m", "pyip", "parse", str(script)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "numbers.sh:1:" in result.stderr and '"-4294967296" is wrong' in result.stderr
    assert "numbers.sh:2:" not in result.stderr and "Traceback" not in result.stderr
