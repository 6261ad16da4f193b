"""Host names in -s/-d: resolved when the command runs, as iptables does; a name that does not resolve costs
only its own command.  The oracle: the same script run by the real iptables in a namespace."""

from __future__ import annotations

import os

import pytest

from pyip.ast import firewall as fw
from pyip.errors import PyipError
from pyip.ruleset import Ruleset
from pyip.translators.pipeline import to_iptables_restore

from .firewall import restore, run_calls, save
from .netns import namespace

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

SCRIPT = """\
iptables -A INPUT -s localhost -j ACCEPT
iptables -A INPUT -d no-such-host.invalid -j DROP
iptables -A INPUT -s 10.0.0.1,localhost -d localhost/8 -j DROP
iptables -A INPUT -j ACCEPT
"""


def test_names_resolve_as_iptables_resolves_them():
    compiled, errors = to_iptables_restore(SCRIPT, "hosts.sh")
    assert [str(error) for error in errors] == ["hosts.sh:2:1: error: host/network `no-such-host.invalid' not found"]
    with namespace("pyiphosts") as by_pyip, namespace("pyiphostsref") as by_iptables:
        loaded = restore(by_pyip, compiled)
        assert loaded.returncode == 0, loaded.stderr
        calls = run_calls(by_iptables, SCRIPT.splitlines())
        assert [call.status for call in calls] == [0, 2, 0, 0]
        assert calls[1].message == "host/network `no-such-host.invalid' not found"
        assert save(by_pyip) == save(by_iptables)


def test_the_resolver_is_asked_for_a_name_the_parser_left():
    """A HostName reaches the ruleset when the script is read elsewhere: getaddrinfo answers when it runs."""
    rule = fw.Rule("INPUT", source=fw.Test((fw.HostName("localhost"),)), target=fw.Verdict("ACCEPT"))
    ruleset = Ruleset()
    ruleset.apply(fw.Append(rule=rule))
    [kept] = ruleset.tables["filter"].chains["INPUT"].rules
    assert kept.source.value == (fw.Address(fw.ipaddress.IPv4Address("127.0.0.1")),)
    unknown = fw.Rule("INPUT", source=fw.Test((fw.HostName("no-such-host.invalid"),)))
    with pytest.raises(PyipError, match="not found"):
        ruleset.apply(fw.Append(rule=unknown))
    assert len(ruleset.tables["filter"].chains["INPUT"].rules) == 1
