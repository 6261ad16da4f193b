"""The Python API: docs/api.md's examples run (doctest); public names, Literal types; netlink's
Result carries the kernel's errno and check() raises NetlinkError; state()'s objects print as lines
the real ip takes back; AST classes built from keyword arguments are checked like the parser."""

from __future__ import annotations

import doctest
import errno
import os
import subprocess
import typing

import pytest

import pyip

from .conftest import REPO
from .differential import kernel_state, real_ip, twins


def test_the_api_page_runs():
    result = doctest.testfile(str(REPO / "docs" / "api.md"), module_relative=False, report=True)
    assert result.attempted > 10 and result.failed == 0
    assert doctest.testmod(pyip).failed == 0


def test_only_public_names_and_literal_types():
    assert all(not name.startswith("_") or name == "__version__" for name in dir(pyip))
    assert {"annotations", "command_parser", "errors", "typing", "Literal"}.isdisjoint(dir(pyip))
    for name in dir(pyip):
        getattr(pyip, name)
    hints = typing.get_type_hints(pyip.parse)
    assert typing.get_args(hints["dialect"]) == ("modern", "legacy")
    from pyip.translators.pipeline import translate

    hints = typing.get_type_hints(translate)
    from pyip.translators.pipeline import TARGETS

    assert typing.get_args(hints["target"]) == TARGETS  # the type says what the command takes
    assert (REPO / "pyip" / "py.typed").is_file()


@pytest.mark.parametrize("text", [
    "ip route add 10.0.0.0/8 via 192.0.2.1 table 5 metric 7 protocol static scope global",
    "ip route add 2001:db8::/32 via 2001:db8::1 src 2001:db8::2",
    "ip rule add from 10.1.0.0/16 to 10.2.0.0/16 fwmark 0x10 priority 100 lookup main",
    "ip address add 10.0.0.1/8 peer 10.0.0.2 scope link dev eth0"])
def test_keyword_arguments_build_what_the_parser_builds(text):
    """Each checked field given as text (and numbers as numbers) rebuilds the parsed body."""
    import attrs

    from pyip.ast import Gateway, Named

    [command] = pyip.parse(text)
    body = command.body
    given = {}
    for field in attrs.fields(type(body)):
        value = getattr(body, field.name)
        if field.converter is not None and value is not None:
            if isinstance(value, Gateway):
                value = value.address
            given[field.name] = value.number if isinstance(value, Named) else str(value)
        elif value != field.default:
            given[field.name] = value
    assert type(body)(**given) == body, given


@pytest.mark.parametrize("field, value", [("dst", "10.0.0.300/8"), ("gateway", "nope"), ("table", "nosuch"),
                                          ("metric", "-1"), ("protocol", "x y"), ("prefsrc", "10.0.0.0/8")])
def test_keyword_arguments_are_refused_with_ips_message(field, value):
    from pyip.ast import Route

    template = {"dst": "ip route add {}", "gateway": "ip route add default via {}",
                "table": "ip route add default table {}", "metric": "ip route add default metric {}",
                "protocol": "ip route add default protocol '{}'", "prefsrc": "ip route add default src {}"}[field]
    [refused] = list(pyip.parse_script(template.format(value)))
    assert isinstance(refused, pyip.PyipError)
    arguments = {"dst": "10.0.0.0/8", field: value}
    with pytest.raises(ValueError) as raised:
        Route(**arguments)
    assert str(raised.value) == f"{field}={value!r}: {refused.message}"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")
def test_netlink_errors_and_state_objects_against_the_real_ip():
    from pyip.netlink import NetlinkError, run, state

    with twins("pyipapi") as (real, mine):
        for ns in (real, mine):
            assert real_ip(ns, ["address", "add", "10.1.0.1/24", "dev", "v0"])[0] == 0
        command = "ip route add 10.9.0.0/16 via 10.1.0.254 table 5 metric 3"
        first = run(command, netns=mine)
        assert (first.status, first.errno) == (0, None) and first.check() is first
        again = run(command, netns=mine)
        theirs = real_ip(real, command.split()[1:])
        theirs = real_ip(real, command.split()[1:])  # the second time: ip refuses as the kernel does
        assert (again.status, again.stdout, again.stderr) == theirs
        assert again.errno == errno.EEXIST
        with pytest.raises(NetlinkError) as raised:
            again.check()
        assert raised.value.errno == errno.EEXIST and raised.value.strerror == theirs[2].strip()
        refused = run("ip route add 10.10.0.0/16 dev nosuch", netns=mine)
        assert refused.status == 1 and refused.errno is None
        with pytest.raises(NetlinkError) as raised:
            refused.check()
        assert raised.value.errno == 0
        # state()'s objects print as lines the real ip takes: added in a fresh twin, the same kernel state
        with twins("pyipapi2") as (fresh, _):
            assert real_ip(fresh, ["address", "add", "10.1.0.1/24", "dev", "v0"])[0] == 0
            for route in state(mine, "routes"):
                if route.table is not None and route.table.number == 5:
                    status, _, err = real_ip(fresh, ["route", "add", *str(route).split()])
                    assert status == 0, (str(route), err)
            assert kernel_state(fresh)["routes"] == kernel_state(real)["routes"]
        rules = [str(rule) for rule in state(mine, "rules")]
        assert "priority 32766 protocol kernel lookup main" in rules, rules
