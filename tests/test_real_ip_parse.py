"""The real `ip` is the oracle for what is a parse error, with which message.

Each command runs with the real ip in a test namespace (veth devices v0 and
v1 exist there) and is parsed by pyip in the modern dialect.  When ip
rejects it before talking to the kernel (exit 255, or exit 1 with a parse
message), pyip must reject it with the same first message line and exit
status; when ip gets as far as the kernel (exit 0 or 2, or a missing
device), pyip must accept it.
"""

from __future__ import annotations

import itertools
import random

import pytest

import pyip
from pyip.errors import PyipError

from .netns import namespace, run

# Keywords with a good and a bad value, per object and verb.
ROUTE_ARGS = [
    "via 10.9.0.2", "via inet 10.9.0.2", "via 10.9.0.2 via 10.9.0.3", "via fe80::1", "via x",
    "src 10.9.0.1", "src 10.9.0.300", "from 10.8.0.0/16", "from 10.8/33",
    "tos 0x10", "tos 10", "tos lowdelay", "tos 0x100", "dsfield 8", "d 8",
    "expires 10", "expires -1", "metric 7", "metric x", "m 7", "p 7", "pr 7", "priority 7", "preference 7",
    "scope link", "scope host", "scope 17", "scope bogus", "mtu 1400", "mtu lock 1400", "mtu x",
    "hoplimit 64", "hoplimit 300", "advmss 1200", "advmss x", "reordering 3", "r 3", "rtt 3", "rtt 3ms", "rtt 2s",
    "rtt 3xs", "rto_min 20ms", "window 5", "w 5", "cwnd 4", "c 4", "initcwnd 10", "initrwnd 10",
    "features ecn", "features x", "quickack 1", "quickack 2", "q 1", "congctl cubic", "congctl lock cubic",
    "rttvar 5ms", "ssthresh 3", "s 3", "realms 5", "realms 2/5", "realms x", "onlink",
    "protocol static", "protocol 99", "protocol bogus", "pro static", "proto static",
    "table 5", "table main", "table local", "table bogus", "t 5", "ta 5", "table 4294967295",
    "dev v0", "oif v0", "dev v1", "pref low", "pref high", "pref bogus", "pre low",
    "ttl-propagate enabled", "ttl-propagate x", "equalize", "type unicast", "lock 5", "nhid 5",
]
ROUTE_DSTS = ["10.20.0.0/16", "10/8", "10.1/16", "0/0", "default", "all", "any", "0", "010.0.0.0/8",
              "10.0.0.0/255.255.0.0", "10.0.0.0/255.0.255.0", "10.0.0.256/24", "10.0.0.0/33", "default/0",
              "to 10.21.0.0/16", "unreachable 10.22.0.0/16", "u 10.23.0.0/16", "blackhole 10.24.0.0/16",
              "bl 10.24.0.0/16", "b 10.25.0.0/16", "prohibit 10.26.0.0/16", "throw 10.27.0.0/16",
              "local 10.28.0.1", "nat 10.29.0.1", "2001:db8::/32", "fe80::/64", "x", "", "unreachable",
              "help2"]
NEXTHOPS = ["nexthop via 10.9.0.2", "nexthop via 10.9.0.2 weight 2 nexthop via 10.9.0.3",
            "nexthop via 10.9.0.2 metric 5", "nexthop", "nexthop via 10.9.0.2 weight 0",
            "nexthop via 10.9.0.2 weight 257", "nexthop dev v0 onlink"]
RULE_ARGS = [
    "from 10.1.0.0/16", "from all", "from 0/0", "to 10.2.0.0/16", "not", "pref 100", "p 100", "pr 100",
    "prio 100", "order 100", "priority x", "tos 0x10", "tos 10", "dsfield 8", "fwmark 10", "fwmark 0x10",
    "fwmark 10/0xff", "fwmark 10/ff", "fwmark x", "realms 5", "protocol static", "pro static",
    "t 5", "tun_id 5", "table 5", "ta 5", "lookup 5", "lookup main", "loo 5", "table bogus",
    "suppress_prefixlength 8", "s 8", "sup_pl 8", "suppress_prefixlength -1", "dev v0", "iif v0",
    "i v0", "oif v0", "uidrange 1-100", "uidrange 1", "ipproto tcp", "sport 80", "sport 80-90",
    "dport 22", "goto 200", "goto x", "nop", "n", "prohibit", "unreachable", "blackhole", "reject",
    "type prohibit", "bogus", "map-to 1.2.3.4", "l3mdev",
]
ADDR_ARGS = ["10.30.0.1/24", "10.30.0.2", "local 10.30.0.3/24", "10.30.0.4/24 brd +", "10.30.0.5/24 broadcast -",
             "10.30.0.6/24 brd 10.30.0.255", "10.30.0.7/24 label v0:1", "10.30.0.8/24 scope link",
             "10.30.0.9/24 scope bogus", "10.30.0.10/24 metric 5", "10.30.0.11/24 valid_lft 100 preferred_lft 50",
             "10.30.0.12/24 valid_lft forever", "10.30.0.13/24 valid_lft x", "10.30.0.14/24 peer 10.31.0.1",
             "2001:db8::1/64 nodad", "10.30.0.15/24 noprefixroute", "10.30.0.16/24 10.30.0.17/24", "x/24",
             "10.30.0.18/24 pref 5", "10.30.0.19/24 p 5"]
SELECTORS = ["table all", "table main", "table 5", "table cache", "table bogus", "t all", "cached", "cloned",
             "c", "proto static", "protocol all", "p all", "protocol bogus", "scope link", "s all",
             "scope bogus", "type unicast", "ty unicast", "type bogus", "dev v0", "d v0", "o v0", "oif v0",
             "iif v0", "i v0", "mark 5", "m 5", "metric 5", "via 10.9.0.2", "src 10.9.0.1", "realms 5",
             "from 10/8", "f root 10/8", "from match 10/8", "from exact 10/8", "to 10/8", "root 10/8",
             "match 10/8", "exact 10/8", "10/8", "x", "tos 0x10"]
GET_ARGS = ["", "from 10.9.0.1", "f 10.9.0.1", "iif v0", "i v0", "mark 5", "m 5", "oif v0", "o v0",
            "dev v0", "connected", "uid 5", "fibmatch", "tos 0x10", "vrf x", "notify"]


def sample_commands() -> list[str]:
    rng = random.Random(20011007)  # deterministic: the last 2.2-era snapshot
    commands = [f"ip route add {dst} dev v0" for dst in ROUTE_DSTS]
    commands += [f"ip route add 10.40.{i}.0/24 {arg}" for i, arg in enumerate(ROUTE_ARGS)]
    commands += [f"ip route add 10.41.{i}.0/24 {nh}" for i, nh in enumerate(NEXTHOPS)]
    for i in range(150):
        args = " ".join(rng.sample(ROUTE_ARGS, rng.randint(1, 3)))
        commands.append(f"ip route {rng.choice(['add', 'a', 'replace', 'change', 'append', 'prepend', 'test', 'del'])} "
                        f"10.{50 + i // 250}.{i % 250}.0/24 {args}")
    commands += [f"ip rule add {arg}" for arg in RULE_ARGS]
    for i in range(150):
        args = " ".join(rng.sample(RULE_ARGS, rng.randint(1, 3)))
        commands.append(f"ip rule {rng.choice(['add', 'a', 'del'])} pref {1000 + i} {args}")
    commands += [f"ip addr add {arg} dev v1" for arg in ADDR_ARGS] + ["ip addr add 10.33.0.1/24"]
    commands += [f"ip route {verb} {sel}" for verb in ("show", "list", "ls", "flush", "sh") for sel in SELECTORS]
    commands += [f"ip rule {verb} {arg}" for verb in ("show", "flush") for arg in RULE_ARGS[:20]]
    commands += [f"ip route get 10.9.0.5 {arg}" for arg in GET_ARGS]
    commands += ["ip route", "ip rule", "ip r foo", "ip ru foo", "ip a foo", "ip route flush", "ip -x route",
                 "ip foo", "ip -4 route add 10.60.0.0/16 via fe80::1", "ip -6 route add 10.60.0.0/16 dev v0",
                 "ip -6 rule add from 10.1.0.0/16", "ip -j route show", "ip -4 -o addr show", "ip -N rule",
                 "ip route add 10.61.0.0/16 dev v0 table 5 table 6", "ip rule add from 1.2.3.4 from 1.2.3.5",
                 "ip addr del 10.30.0.1/24 dev v1", "ip addr flush", "ip addr flush dev v1"]
    return commands


# Checks ip makes against the kernel's devices while reading argv: not syntax.
DEVICE_CHECKS = ("Cannot find device", "Error: argument \"x\" is wrong: Invalid VRF")


def last_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def is_parse_rejection(result) -> bool:
    if last_line(result).startswith(DEVICE_CHECKS):
        return False
    return result.returncode == 255 or result.returncode == 1


def pyip_verdict(command: str):
    results = list(pyip.parse_script(command, "modern"))
    assert len(results) == 1, command
    return results[0]


@pytest.fixture(scope="module")
def oracle():
    """Run every sample command with the real ip once, in order, in one namespace."""
    with namespace("pyipparse", veths=("v0",)) as ns:
        run("ip", "-n", ns, "link", "set", "v0p", "name", "v1")
        run("ip", "-n", ns, "addr", "add", "10.9.0.1/24", "dev", "v0")
        verdicts = {}
        for command in sample_commands():
            words = command.split()
            result = run(words[0], "-n", ns, *words[1:], stdin="")
            verdicts.setdefault(command, result)
        yield verdicts


@pytest.mark.parametrize("command", sorted(set(sample_commands())))
def test_pyip_agrees_with_ip_on_parse_errors(oracle, command):
    real = oracle[command]
    mine = pyip_verdict(command)
    if is_parse_rejection(real):
        assert isinstance(mine, PyipError), f"ip rejects: {real.stderr.strip()!r}; pyip accepts: {mine}"
        if real.stderr.startswith("Usage:"):  # ip gave up and printed its usage
            assert mine.message == real.stderr.splitlines()[0]
        else:
            assert mine.message == last_line(real)
        assert mine.exit_status == real.returncode
    else:
        assert not isinstance(mine, PyipError), f"ip accepts ({real.returncode} {real.stderr.strip()!r}); pyip: {mine}"


def test_the_sample_covers_both_verdicts(oracle):
    rejected = sum(is_parse_rejection(r) for r in oracle.values())
    assert 60 < rejected < len(oracle) - 300
