"""Every parse-time row of the error table in shared/spec/iproute2.md, by name."""

from __future__ import annotations

import pytest

import pyip
from pyip.errors import PyipError

ERROR_TABLE = [
    ("ip route add unreachable", 'Command line is not complete. Try option "help"', 255),
    ("ip route add 10.0.0.0/8 metric x", 'Error: argument "x" is wrong: "metric" value is invalid', 255),
    ("ip rule add from 1.2.3.4 reject", 'Error: argument "reject" is wrong: Failed to parse rule type', 255),
    ("ip route add default equalize via 1.2.3.4", 'Error: either "to" is duplicate, or "equalize" is a garbage.', 255),
    ("ip route foo", 'Command "foo" is unknown, try "ip route help".', 255),
    ("ip rule foo", 'Command "foo" is unknown, try "ip rule help".', 255),
    ("ip route add 10.0.0.256/8 dev eth0", 'Error: any valid prefix is expected rather than "10.0.0.256/8".', 1),
    ("ip route add default/0 dev eth0", 'Error: any valid prefix is expected rather than "default/0".', 1),
    ("ip route add 10.0.0.0/33 dev eth0", 'Error: any valid prefix is expected rather than "10.0.0.0/33".', 1),
    ("ip -4 route add 10.0.0.0/8 via fe80::1", 'Error: inet address is expected rather than "fe80::1".', 1),
    ("ip -x route", 'Option "-x" is unknown, try "ip -help".', 255),
    ("ip foo", 'Object "foo" is unknown, try "ip help".', 1),
    ("ip route flush", '"ip route flush" requires arguments.', 1),
    ("ip addr add 10.0.0.1/24", 'Not enough information: "dev" argument is required.', 1),
    ("ip route add 10.0.0.0/8 nexthop via 1.2.3.4 metric 5",
     'Error: "nexthop" or end of line is expected instead of "metric"', 255),
    ("ip route add 10.0.0.0/8 nexthop", 'Error: unexpected end of line after "nexthop"', 255),
    ("ip route add 10.0.0.0/8 via 1.2.3.4 via 1.2.3.5",
     'Error: argument "via" is wrong: use nexthop syntax to specify multiple via', 255),
    ("ip rule add fwmark 10/ff lookup 5", 'Error: argument "ff" is wrong: fwmask value is invalid', 255),
]


@pytest.mark.parametrize("command, message, status", ERROR_TABLE)
def test_error_table(command, message, status):
    [result] = list(pyip.parse_script(command, "modern", file="t"))
    assert isinstance(result, PyipError)
    assert (result.message, result.exit_status) == (message, status)
    assert str(result).startswith("t:1:")


@pytest.mark.parametrize("command", [
    "ip route add 10.0.0.1/8 dev eth0",        # host bits: the kernel refuses, not ip
    "ip route add 10.0.0.0/8 dev nosuchdev",   # "Cannot find device" is a lookup, not syntax
    "ip rule del priority 5000",               # "No such file or directory" comes from the kernel
])
def test_what_only_the_kernel_refuses_parses(command):
    [result] = list(pyip.parse_script(command, "modern"))
    assert not isinstance(result, PyipError)
