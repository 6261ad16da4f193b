"""pyip.show against the real `ip` (iproute2 6.1): same kernel state, same bytes.

One namespace holds many kinds of links, addresses, routes and rules.  Each
case runs `ip -n NS <command>` and pyip.show on a pyroute2 dump of the same
namespace, and wants identical stdout.  Lifetimes and expiry times count
down, so `ip` runs before and after the dump and the comparison is made
only when both runs agree (the state did not tick in between).
"""

from __future__ import annotations

import json
import os
import socket

import pytest

from pyip.names import Databases
from pyip.show import (AddrFilter, RouteFilter, RuleFilter, ShowError, ShowOptions, dump,
                       format_addresses, format_route_get, format_routes, format_rules,
                       lookup_route, queue_lengths)

from .netns import namespace, run

STATE = """\
link add v0 type veth peer name v1
link add v2 type veth peer name v3
link add v4 type veth peer name v5
link add br0 type bridge
link set v4 master br0
link set v0 up
link set v1 up
link set v2 up
link set v1 mtu 1400 group 7
link set v1 alias peer-side
link property add dev v0 altname uplink0
addr add 192.168.2.1/24 brd + dev v0
addr add 192.168.2.5/24 dev v0
addr add 192.168.2.9/24 dev v0 label v0:sec
addr add 10.9.9.1 peer 10.9.9.2/32 dev v2
addr add 172.16.0.1/16 dev v2 metric 5 noprefixroute
addr add 198.51.100.1/24 dev v1 valid_lft 1000 preferred_lft 500
addr add 10.5.5.5/24 dev br0
addr add 2001:db8::1/64 dev v0 nodad
addr add 2001:db8::10/64 dev v0 nodad noprefixroute
addr add 2001:db8:1::1/64 dev v1 nodad valid_lft 2000 preferred_lft 0
addr add 2001:db8:2::1/64 dev v1 nodad home
route add default via 192.168.2.254
route add 10.2.0.0/16 via 192.168.2.254 proto static metric 100
route add 10.3.0.0/16 nexthop via 192.168.2.253 weight 2 nexthop via 192.168.2.252 dev v0
route add 10.4.0.0/16 via 192.168.2.254 mtu lock 1400 rtt 30ms initcwnd 10 realms 3/4
route add 10.5.0.0/16 via inet6 2001:db8::2 dev v0
route add 10.6.0.0/16 via 192.168.2.254 dev v0 onlink congctl lock cubic features ecn hoplimit 5 \
rttvar 2s rto_min 300ms quickack 1 advmss 1400 window 1000 ssthresh 7 cwnd 9 initrwnd 11 reordering 3 \
fastopen_no_cookie 1
route add 10.8.0.0/24 tos 0x10 dev v0 scope link src 192.168.2.5
route add 10.8.1.0/24 tos 0x20 dev v0
route add 10.12.0.0/16 dev v0 proto 77 realm 5
route add 10.13.0.0/16 dev v0 proto zebra scope 200
route add 10.14.0.0/16 via 192.168.2.254 rtt 3s rttvar 1500ms
route add blackhole 10.30.0.0/16
route add unreachable 10.31.0.0/16
route add prohibit 10.32.0.0/16
route add throw 10.33.0.0/16 table 5
route add blackhole 10.9.0.0/16 table 5
route add 10.20.0.0/16 dev v0 table 1000
route add local 10.40.0.1 dev lo
route add broadcast 10.41.255.255 dev v0 table local
route add 10.50.0.0/16 dev v2
route add 10.90.0.0/16 via 192.168.2.254 table 100
route add 2001:db8:100::/64 via 2001:db8::2 pref high
route add 2001:db8:101::/64 via 2001:db8::2 pref low mtu 1300
route add 2001:db8:102::/64 from 2001:db8:6::/64 via 2001:db8::2
route add 2001:db8:103::/64 via 2001:db8::2 expires 300
route add unreachable 2001:db8:104::/64
route add 2001:db8:105::/64 nexthop via 2001:db8::2 dev v0 weight 3 nexthop via 2001:db8::3 dev v0
route add 2001:db8:106::/64 via 2001:db8::2 table 100 proto static
route add blackhole 2001:db8:107::/64 table 100
route add prohibit 2001:db8:108::/64 metric 7
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
rule add l3mdev pref 500
rule add iif nosuch pref 600 table 7
rule add oif nosuch2 pref 601 table 7
rule add fwmark 0x20 pref 800 table 9
rule add from 10.0.0.1 to 0/0 tos 4 fwmark 0 pref 801 table 9
rule add fwmark 0/0xff pref 802 table 9
rule add pref 804 table 1000 realms 5
rule add pref 805 lookup main suppress_ifgroup 3
rule add tun_id 5 pref 900 table 9
rule add pref 901 goto 950
rule add pref 905 sport 1-10 ipproto 17 table 9
rule add pref 906 from 10.80.0.0/16 lookup 100 proto 77
rule add pref 907 to 10.81.0.0/16 lookup 100 proto kernel
"""

STATE_IPV6_RULES = """\
rule add from 2001:db8::/32 pref 700 table 8
rule add to 2001:db8:5::/48 fwmark 7 pref 701 unreachable
rule add iif v0 ipproto ipv6-icmp pref 702 table 8
"""

FAMILIES = {"-4": socket.AF_INET, "-6": socket.AF_INET6, "-0": socket.AF_PACKET}


@pytest.fixture(scope="module")
def ns():
    if os.geteuid() != 0:
        pytest.fail("tests/test_show.py needs root to create network namespaces")
    with namespace("pyipshow") as name:
        # No DAD: IPv6 addresses are final at once, not "tentative" for a while.
        run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0", check=True)
        for options, batch in (((), STATE), (("-6",), STATE_IPV6_RULES)):
            result = run("ip", "-n", name, *options, "-batch", "-", stdin=batch)
            assert result.returncode == 0, result.stderr
        # A label JSON must escape (batch lines cannot carry it).
        run("ip", "-n", name, "addr", "add", "10.77.0.1/32", "dev", "v1", "label", 'v1:"q\\t\t', check=True)
        yield name


def ip(ns: str, argv: tuple[str, ...]) -> str:
    result = run("ip", "-n", ns, *argv)
    assert result.returncode == 0, result.stderr
    return result.stdout


def options(flags: tuple[str, ...]) -> ShowOptions:
    return ShowOptions(
        family=next((FAMILIES[f] for f in flags if f in FAMILIES), None),
        numeric="-N" in flags, details="-d" in flags, oneline="-o" in flags,
        json="-j" in flags, pretty="-p" in flags, stats=flags.count("-s"), brief="-br" in flags)


def show_routes(ns, flags, flt):
    return format_routes(dump(ns, "routes"), dump(ns, "links"), options(flags), flt)


def show_rules(ns, flags, flt):
    opts = options(flags)
    return format_rules(dump(ns, "rules", opts.family), dump(ns, "links"), opts, flt)


def show_addresses(ns, flags, flt):
    opts = options(flags)
    # Like ip: links and addresses dumped in the -4/-6 family, except that a
    # dev selector fetches its link with a family-less request.
    family = None if opts.family == socket.AF_PACKET else opts.family
    links = dump(ns, "links", None if flt.dev else family)
    lengths = queue_lengths(dump(ns, "links")) if family == socket.AF_INET6 else None
    return format_addresses(links, dump(ns, "addresses", family), opts, flt, lengths)


def show_route_get(ns, flags, destination):
    return format_route_get(lookup_route(ns, destination), dump(ns, "links"), options(flags))


def case(flags, command, selectors, show, selection):
    argv = (*flags, *command, *selectors)
    return pytest.param(argv, show, flags, selection, id=" ".join(argv))


def route(flags=(), *selectors, flt=RouteFilter()):
    return case(tuple(flags), ("route", "show"), selectors, show_routes, flt)


def rule(flags=(), *selectors, flt=RuleFilter()):
    return case(tuple(flags), ("rule", "show"), selectors, show_rules, flt)


def addr(flags=(), *selectors, flt=AddrFilter()):
    return case(tuple(flags), ("address", "show"), selectors, show_addresses, flt)


def get(flags, destination):
    return case(tuple(flags), ("route", "get"), (destination,), show_route_get, destination)


ALL = "all"
CASES = [
    # ip route show: tables, families, output options
    route(),
    route(("-d",)),
    route(("-N",)),
    route(("-o",)),
    route(("-j",)),
    route(("-j", "-p")),
    route(("-4",)),
    route(("-6",)),
    route(("-6", "-d")),
    route(("-6", "-o")),
    route(("-6", "-j", "-p")),
    route((), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-d",), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-N", "-d"), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-N", "-j"), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-j",), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-j", "-p", "-d"), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-o",), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-4",), "table", "all", flt=RouteFilter(table=ALL)),
    route(("-6",), "table", "all", flt=RouteFilter(table=ALL)),
    route((), "table", "local", flt=RouteFilter(table=255)),
    route(("-6",), "table", "local", flt=RouteFilter(table=255)),
    route((), "table", "5", flt=RouteFilter(table=5)),
    route(("-d",), "table", "5", flt=RouteFilter(table=5)),
    route((), "table", "100", flt=RouteFilter(table=100)),
    route(("-6",), "table", "100", flt=RouteFilter(table=100)),
    route(("-j",), "table", "1000", flt=RouteFilter(table=1000)),
    # selectors, and the fields they hide
    route((), "proto", "static", flt=RouteFilter(protocol=4)),
    route((), "proto", "kernel", "table", "all", flt=RouteFilter(protocol=2, table=ALL)),
    route((), "proto", "all", flt=RouteFilter()),
    route((), "scope", "link", flt=RouteFilter(scope=253)),
    route((), "scope", "host", "table", "local", flt=RouteFilter(scope=254, table=255)),
    route(("-d",), "scope", "global", flt=RouteFilter(scope=0)),
    route((), "type", "blackhole", "table", "all", flt=RouteFilter(type=6, table=ALL)),
    route((), "type", "unreachable", flt=RouteFilter(type=7)),
    route(("-6",), "type", "prohibit", flt=RouteFilter(type=8)),
    route((), "type", "broadcast", "table", "local", flt=RouteFilter(type=3, table=255)),
    route((), "dev", "v0", flt=RouteFilter(dev="v0")),
    route(("-j",), "dev", "v2", "table", "all", flt=RouteFilter(dev="v2", table=ALL)),
    route(("-6",), "dev", "v0", flt=RouteFilter(dev="v0")),
    route((), "via", "192.168.2.254", flt=RouteFilter(via="192.168.2.254")),
    route((), "via", "192.168.2.0/24", flt=RouteFilter(via="192.168.2.0/24")),
    route(("-6",), "via", "2001:db8::2", flt=RouteFilter(via="2001:db8::2")),
    route((), "src", "192.168.2.1", "table", "all", flt=RouteFilter(src="192.168.2.1", table=ALL)),
    route((), "tos", "0x10", flt=RouteFilter(tos=0x10)),
    route(("-N",), "tos", "0x20", flt=RouteFilter(tos=0x20)),
    route((), "metric", "100", flt=RouteFilter(metric=100)),
    route(("-6",), "metric", "7", flt=RouteFilter(metric=7)),
    route((), "realms", "4", flt=RouteFilter(realms=4)),
    route((), "realms", "3/4", flt=RouteFilter(realms=3 << 16 | 4)),
    route((), "root", "10.0.0.0/8", flt=RouteFilter(to=("root", "10.0.0.0/8"))),
    route((), "match", "10.2.3.4", flt=RouteFilter(to=("match", "10.2.3.4"))),
    route((), "exact", "10.2.0.0/16", flt=RouteFilter(to=("exact", "10.2.0.0/16"))),
    route((), "10.3.0.0/16", flt=RouteFilter(to=("exact", "10.3.0.0/16"))),
    route((), "to", "match", "0.0.0.0/0", flt=RouteFilter(to=("match", "0.0.0.0/0"))),
    route(("-6",), "from", "root", "2001:db8::/32",
          flt=RouteFilter(from_=("root", "2001:db8::/32"))),
    route(("-6",), "root", "2001:db8:100::/56", flt=RouteFilter(to=("root", "2001:db8:100::/56"))),
    route(("-j", "-p"), "dev", "v0", "proto", "boot", flt=RouteFilter(dev="v0", protocol=3)),
    route(("-s", "-6")),
    route((), "table", "cache", flt=RouteFilter(table="cache")),
    route((), "cloned", flt=RouteFilter(cloned=True)),
    route(("-j",), "type", "nat", flt=RouteFilter(type=10)),
    route(("-j", "-p"), "type", "nat", flt=RouteFilter(type=10)),
    # ip rule show
    rule(),
    rule(("-d",)),
    rule(("-N",)),
    rule(("-j",)),
    rule(("-j", "-p", "-d")),
    rule(("-6",)),
    rule(("-6", "-d", "-j")),
    rule(("-4", "-N", "-d")),
    rule((), "pref", "100", flt=RuleFilter(pref=100)),
    rule(("-j", "-p"), "pref", "12345", flt=RuleFilter(pref=12345)),
    rule((), "priority", "32766", flt=RuleFilter(pref=32766)),
    rule((), "not", flt=RuleFilter(not_=True)),
    rule((), "from", "10.0.0.0/8", flt=RuleFilter(from_="10.0.0.0/8")),
    rule((), "to", "10.68.0.0/16", flt=RuleFilter(to="10.68.0.0/16")),
    rule((), "tos", "0x10", flt=RuleFilter(tos=0x10)),
    rule((), "fwmark", "0x20", flt=RuleFilter(fwmark=0x20)),
    rule((), "fwmark", "0x10/0xff", flt=RuleFilter(fwmark=0x10, fwmask=0xFF)),
    rule((), "iif", "v0", flt=RuleFilter(iif="v0")),
    rule((), "oif", "nosuch2", flt=RuleFilter(oif="nosuch2")),
    rule((), "lookup", "9", flt=RuleFilter(table=9)),
    rule((), "table", "main", flt=RuleFilter(table=254)),
    rule((), "l3mdev", flt=RuleFilter(l3mdev=True)),
    rule((), "uidrange", "100-200", flt=RuleFilter(uidrange=(100, 200))),
    rule((), "ipproto", "udp", flt=RuleFilter(ipproto=17)),
    rule((), "sport", "1-10", flt=RuleFilter(sport=(1, 10))),
    rule((), "dport", "1000-2000", flt=RuleFilter(dport=(1000, 2000))),
    rule((), "proto", "static", flt=RuleFilter(protocol=4)),
    rule(("-6",), "iif", "v0", flt=RuleFilter(iif="v0")),
    rule(("-6", "-j"), "to", "2001:db8:5::/48", flt=RuleFilter(to="2001:db8:5::/48")),
    # ip address show
    addr(),
    addr(("-N",)),
    addr(("-4",)),
    addr(("-6",)),
    addr(("-0",)),
    addr(("-o",)),
    addr(("-o", "-6")),
    addr(("-j",)),
    addr(("-j", "-p")),
    addr(("-j", "-o")),
    addr(("-6", "-j")),
    addr(("-br",)),
    addr(("-br", "-4")),
    addr(("-br", "-0")),
    addr(("-br", "-j")),
    addr(("-br", "-6")),
    addr(("-0", "-j", "-p")),
    addr(("-6", "-d"), "scope", "global", flt=AddrFilter(scope=0)),
    addr(("-s", "-s"), "dev", "v0", flt=AddrFilter(dev="v0")),
    addr(("-o", "-s"), "dev", "v1", flt=AddrFilter(dev="v1")),
    addr(("-d",), "dev", "v0", flt=AddrFilter(dev="v0")),
    addr(("-d",), "dev", "v1", flt=AddrFilter(dev="v1")),
    addr(("-d", "-j", "-p"), "dev", "v1", flt=AddrFilter(dev="v1")),
    addr(("-d", "-j"), "dev", "lo", flt=AddrFilter(dev="lo")),
    addr(("-d",), "to", "192.168.2.0/24", flt=AddrFilter(to="192.168.2.0/24")),
    addr(("-6",), "dev", "v1", flt=AddrFilter(dev="v1")),
    addr((), "dev", "v2", flt=AddrFilter(dev="v2")),
    addr(("-s",), "dev", "lo", flt=AddrFilter(dev="lo")),
    addr(("-s", "-s"), "dev", "lo", flt=AddrFilter(dev="lo")),
    addr(("-s", "-j"), "dev", "v3", flt=AddrFilter(dev="v3")),
    addr(("-s", "-s", "-j", "-p"), "dev", "lo", flt=AddrFilter(dev="lo")),
    addr((), "label", "v0:*", flt=AddrFilter(label="v0:*")),
    addr(("-j",), "label", "v*", flt=AddrFilter(label="v*")),
    addr((), "to", "2001:db8::/32", flt=AddrFilter(to="2001:db8::/32")),
    addr((), "scope", "link", flt=AddrFilter(scope=253)),
    addr(("-j",), "scope", "global", flt=AddrFilter(scope=0)),
    addr((), "scope", "host", flt=AddrFilter(scope=254)),
    addr((), "primary", flt=AddrFilter(flags=("primary",))),
    addr((), "secondary", flt=AddrFilter(flags=("secondary",))),
    addr((), "dynamic", flt=AddrFilter(flags=("dynamic",))),
    addr((), "permanent", flt=AddrFilter(flags=("permanent",))),
    addr((), "deprecated", flt=AddrFilter(flags=("deprecated",))),
    addr((), "-deprecated", "nodad", flt=AddrFilter(flags=("-deprecated", "nodad"))),
    addr((), "noprefixroute", flt=AddrFilter(flags=("noprefixroute",))),
    addr((), "up", flt=AddrFilter(up=True)),
    addr(("-j",), "up", flt=AddrFilter(up=True)),
    addr((), "group", "7", flt=AddrFilter(group=7)),
    addr((), "master", "br0", flt=AddrFilter(master="br0")),
    addr((), "nomaster", flt=AddrFilter(nomaster=True)),
    addr((), "type", "bridge", flt=AddrFilter(kind="bridge")),
    addr((), "type", "bridge_slave", flt=AddrFilter(kind="bridge_slave")),
    # ip route get
    get((), "10.2.3.4"),
    get((), "192.168.2.1"),
    get((), "192.168.2.77"),
    get((), "10.4.1.1"),
    get((), "10.90.1.1"),
    get(("-d",), "10.5.1.1"),
    get(("-j",), "10.6.1.1"),
    get(("-j", "-p"), "192.168.2.1"),
    get(("-N",), "10.40.0.1"),
    get(("-6",), "2001:db8::5"),
    get(("-6", "-j"), "2001:db8:100::1"),
]


@pytest.mark.parametrize("argv, show, flags, selection", CASES)
def test_output_is_identical(ns, argv, show, flags, selection):
    for _ in range(5):
        before = ip(ns, argv)
        ours = show(ns, flags, selection)
        if ip(ns, argv) == before:
            break
    else:
        pytest.fail("the namespace kept changing under `ip %s`" % " ".join(argv))
    if "-j" in flags:
        assert json.loads(ours) == json.loads(before)
    assert ours == before


def test_names_come_from_the_given_databases(ns, tmp_path):
    """A table named in our own rt_tables prints by name, where ip says 100."""
    (tmp_path / "rt_tables").write_text("100 vpn\n")
    databases = Databases.load(confdir=tmp_path)
    flt = RouteFilter(table=ALL, to=("exact", "10.90.0.0/16"))
    argv = ("-d", "route", "show", "table", "all", "10.90.0.0/16")
    ours = format_routes(dump(ns, "routes"), dump(ns, "links"),
                         ShowOptions(details=True, names=databases), flt)
    assert "table 100 " in ip(ns, argv)
    assert ours == ip(ns, argv).replace("table 100 ", "table vpn ")


@pytest.fixture(scope="module")
def nexthop_ns():
    """Apart from `ns`: with -d, ip follows `nhid N` with an nh_info line that
    pyip.show cannot print (pyroute2 cannot dump nexthop objects)."""
    with namespace("pyipshow", veths=("v0",)) as name:
        for command in (("nexthop", "add", "id", "1", "dev", "v0"),
                        ("route", "add", "10.7.0.0/16", "nhid", "1", "table", "7")):
            run("ip", "-n", name, *command, check=True)
        yield name


@pytest.mark.parametrize("flags", [(), ("-j",), ("-o", "-N")])
def test_nexthop_object_routes(nexthop_ns, flags):
    argv = (*flags, "route", "show", "table", "7")
    assert show_routes(nexthop_ns, flags, RouteFilter(table=7)) == ip(nexthop_ns, argv)


@pytest.mark.parametrize("selection, argv, message", [
    (RouteFilter(dev="nosuch"), ("route", "show", "dev", "nosuch"), 'Cannot find device "nosuch"'),
    (AddrFilter(dev="nosuch"), ("address", "show", "dev", "nosuch"), 'Device "nosuch" does not exist.'),
])
def test_missing_device_fails_like_ip(ns, selection, argv, message):
    result = run("ip", "-n", ns, *argv)
    assert result.returncode != 0 and result.stderr.strip() == message
    with pytest.raises(ShowError, match=message):
        if isinstance(selection, RouteFilter):
            format_routes(dump(ns, "routes"), dump(ns, "links"), ShowOptions(), selection)
        else:
            format_addresses(dump(ns, "links"), dump(ns, "addresses"), ShowOptions(), selection)
