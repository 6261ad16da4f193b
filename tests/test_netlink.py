"""pyip.netlink as a Python API: run parsed commands, read the kernel's state as pyip.ast."""

from __future__ import annotations

import ipaddress
import os

import pytest

import pyip
from pyip.ast import Gateway, IpCommand, Named, Prefix
from pyip.netlink import run, state

from .differential import kernel_state, real_ip, twins

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

SETUP = ["ip addr add 192.168.1.1/24 dev v0", "ip addr add 10.1.1.1/24 dev v1", "ip addr add 2001:db8::1/64 dev v0 nodad"]

ROUTES = [
    "ip route add 10.10.0.0/16 via 192.168.1.254 metric 7 table 5 proto static",
    "ip route add 10.11.0.0/16 via 192.168.1.254 mtu lock 1400 rtt 30ms rttvar 2s rto_min 300ms "
    "initcwnd 10 features ecn congctl cubic quickack 1 hoplimit 9",
    "ip route add 10.12.0.0/16 nexthop via 192.168.1.253 weight 2 nexthop via 10.1.1.2 dev v1 realms 4",
    "ip route add 10.13.0.0/24 tos 0x10 dev v0 scope link src 192.168.1.1 realms 3/4",
    "ip route add blackhole 10.14.0.0/16 table 1000",
    "ip route add unreachable 10.15.0.0/16 metric 3",
    "ip route add 10.16.0.0/16 via inet6 2001:db8::2 dev v0",
    "ip route add local 10.17.0.1 dev v0 table 7",
    "ip route add 0/0 via 192.168.1.254 table 9 onlink dev v0",
    "ip route add 2001:db8:100::/64 via 2001:db8::2 pref high mtu 1300",
    "ip route add 2001:db8:105::/64 nexthop via 2001:db8::2 dev v0 weight 3 nexthop via 2001:db8::3 dev v0",
]

RULES = [
    "ip rule add from 10.0.0.0/8 to 10.1.0.0/16 tos 0x10 fwmark 0x10/0xff iif v0 oif v1 table 100 pref 100 "
    "realms 2/3 proto static",
    "ip rule add not from 1.2.3.4 uidrange 100-200 ipproto tcp sport 80 dport 1000-2000 lookup 55 pref 200",
    "ip rule add from 10.66.0.0/16 prohibit pref 210",
    "ip rule add from 10.70.0.0/16 goto 32766 pref 300",
    "ip rule add nop pref 301",
    "ip rule add lookup main suppress_prefixlength 0 pref 400",
    "ip rule add tun_id 5 pref 900 table 1000",
    "ip -6 rule add from 2001:db8::/32 pref 700 table 8",
]


def command(text: str) -> IpCommand:
    [parsed] = pyip.parse(text)
    return parsed


def apply(ns: str, texts: list[str]) -> None:
    for text in texts:
        result = run(command(text), ns)
        assert (result.status, result.stderr) == (0, ""), text


def test_a_listing_gives_its_text_and_its_objects():
    with twins("pyipapi") as (real, mine):
        apply(mine, SETUP + ROUTES[:1])
        result = run(command("ip route show table 5"), mine)
        assert result.status == 0
        assert result.stdout == real_ip(mine, ["route", "show", "table", "5"])[1]
        [route] = result.objects
        assert route.dst == Prefix(ipaddress.ip_address("10.10.0.0"), 16)
        assert route.gateway == Gateway(ipaddress.ip_address("192.168.1.254"))
        assert (route.metric, route.table, route.protocol, route.dev) == (7, Named(5), Named(4), "v0")
        assert route.protocol.name == "static"
        rules = run(command("ip rule show"), mine).objects
        assert [r.priority for r in rules] == [0, 32766, 32767]
        [address] = run(command("ip -4 address show dev v1"), mine).objects
        assert (str(address.local), address.dev, address.scope.name) == ("10.1.1.1/24", "v1", "global")


def test_refusals_are_results():
    with twins("pyipapierr") as (_, mine):
        duplicate = command("ip route add 10.20.0.0/16 dev v0")
        assert run(duplicate, mine).status == 0
        assert run(duplicate, mine).stderr == "RTNETLINK answers: File exists\n"
        assert run(command("ip route add 10.21.0.1/16 dev v0"), mine).stderr == (
            "Error: Invalid prefix for given prefix length.\n")
        missing = run(command("ip route add 10.22.0.0/16 dev nosuch"), mine)
        assert (missing.status, missing.stderr) == (1, 'Cannot find device "nosuch"\n')
    gone = run(command("ip route show"), "pyip-no-such-namespace")
    assert (gone.status, gone.stderr) == (255, 'Cannot open network namespace "pyip-no-such-namespace": '
                                                'No such file or directory\n')


def test_legacy_notes_lead_the_result():
    [legacy] = pyip.parse("ip rule add fwmark 10 table 5 pref 50", "legacy")
    with twins("pyipapilegacy") as (_, mine):
        result = run(legacy, mine)
        assert result.status == 0
        assert result.stderr == 'Warning: legacy "fwmark 10" is hexadecimal: fwmark 0x10 (16)\n'
        [rule] = [r for r in state(mine, "rules") if r.priority == 50]
        assert (rule.fwmark, rule.table) == (16, Named(5))


def test_values_known_only_when_a_script_runs_are_refused():
    [symbolic] = pyip.parse('ip route add 10.0.0.0/8 dev "$DEV"')
    with twins("pyipapisym") as (_, mine), pytest.raises(ValueError, match="DEV"):
        run(symbolic, mine)


def test_the_state_read_back_recreates_the_same_state():
    """Every route and rule state() returns, added to a twin, gives the same kernel state."""
    with twins("pyipapistate") as (source, copy):
        for ns in (source, copy):
            apply(ns, SETUP)
        apply(source, ROUTES + RULES)
        routes = [r for r in state(source, "routes") if r.protocol.name != "kernel"]
        rules = [r for r in state(source, "rules") if r.priority not in (0, 32766, 32767)]
        assert len(routes) >= len(ROUTES) and len(rules) == len(RULES)
        for node in routes:
            family = 6 if node.dst.family == 6 else None
            result = run(IpCommand("route", "add", node, pyip.ast.Options(family=family)), copy)
            assert result.status == 0, (node, result.stderr)
        for node in rules:
            family = 6 if (node.src or node.dst) and (node.src or node.dst).family == 6 else None
            result = run(IpCommand("rule", "add", node, pyip.ast.Options(family=family)), copy)
            assert result.status == 0, (node, result.stderr)
        assert kernel_state(copy) == kernel_state(source)


def test_a_session_reads_the_name_databases_at_their_first_use(monkeypatch):
    """Session.names: the host's databases, read when first asked for, once; or the ones given."""
    from pyip import names
    from pyip.netlink.common import Session

    calls = []
    monkeypatch.setattr(names, "system", lambda: calls.append(1) or names.Databases.builtin())
    session = Session()
    try:
        assert calls == []
        assert session.names == names.Databases.builtin() and session.names is session.names
        assert calls == [1]
    finally:
        session.close()
    given = names.Databases.builtin()
    session = Session(given)
    try:
        assert session.names is given and calls == [1]
    finally:
        session.close()
