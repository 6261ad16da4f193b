"""Windows of changes without -force, the direct route path, `-0`, and non-ASCII digits,
each against the real `ip` in twin namespaces.

With -force pyip sends changes in windows and carries on after a refusal,
as ip does; without it each change goes alone and the batch stops at the
first failure.  Either way the kernel must end up as ip leaves it
(test_batch_safety.py watches the kernel while it gets there).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .differential import kernel_state, pyip, real_ip, twins
from .test_batch import SETUP, batch_outcomes

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

GATEWAY = "via 192.168.1.254"


def routes(first: int, count: int, extra: str = "") -> list[str]:
    return [f"route add 10.40.{i}.0/24 {GATEWAY}{extra}" for i in range(first, first + count)]


def assert_same_as_ip(tmp_path, lines: list[str], options: list[str]) -> tuple:
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, SETUP + "".join(f"{line}\n" for line in lines),
                                                        options)
    assert theirs == ours
    assert my_state == real_state
    return ours


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_routes_after_a_refusal_in_the_window_are_not_left_behind(tmp_path, options):
    """Some later lines succeed (taken back), some fail (nothing to take back); a route
    that differs only in metric from one added before the failure must survive."""
    lines = [f"route add 10.50.0.0/16 {GATEWAY} metric 5", *routes(0, 40),
             "route add 10.40.3.0/24 " + GATEWAY,  # refused: exists
             f"route add 10.50.0.0/16 {GATEWAY}", f"route add 10.50.0.0/16 {GATEWAY} metric 5",
             *routes(40, 30, " table 300 proto static"), "route add 10.40.50.0/24 dev v0 table 7"]
    ours = assert_same_as_ip(tmp_path, lines, options)
    assert ours[0] == 1


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_no_table_is_left_behind_by_lines_after_a_refusal(tmp_path, options):
    """A route add creates its table, and the table outlives the route (`ip route show
    table N` then lists nothing rather than failing): lines after a refusal must not
    have run at all, even those that fail."""
    lines = [*routes(0, 5, " table 4242"), "route add 10.40.1.0/24 " + GATEWAY + " table 4242",
             f"route add 10.40.60.0/24 {GATEWAY} table 4343", "route add 10.40.61.0/24 via 10.99.0.1 table 4444",
             f"route add 10.40.62.0/24 {GATEWAY} table 200"]
    path = tmp_path / "tables.batch"
    path.write_text(SETUP + "".join(f"{line}\n" for line in lines))
    with twins("pyiptables") as (real, mine):
        assert pyip(mine, [*options, "-batch", str(path)]) == real_ip(real, [*options, "-batch", str(path)])
        for table in ("4242", "4343", "4444", "200"):
            listing = ["route", "show", "table", table]
            assert pyip(mine, listing) == real_ip(real, listing)
            assert real_ip(mine, listing) == real_ip(real, listing)


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
@pytest.mark.parametrize("after", [
    "route replace 10.40.90.0/24 " + GATEWAY, "rule add from 10.9.0.0/16 lookup 5 pref 50",
    "route add 2001:db8:9::/48 dev v0", "addr add 10.60.0.1/24 dev v1", "route show",
    "route add 10.40.91.0/24 dev nosuch", "route add 10.40.92.0/24 metric x",
])
def test_a_refusal_followed_by_other_kinds_of_line(tmp_path, options, after):
    lines = [*routes(0, 5), "route add 10.40.1.0/24 " + GATEWAY, *routes(10, 3), after, *routes(20, 3)]
    assert_same_as_ip(tmp_path, lines, options)


@pytest.mark.parametrize("options", [[], ["-force"], ["-4"]], ids=["stop", "force", "inet"])
def test_direct_and_general_lines_interleaved(tmp_path, options):
    lines = []
    for i in range(300):
        lines.append(f"ro a 10.41.{i}.0/24 {GATEWAY} t {1 + i % 300} pro {('static', 'boot', 99)[i % 3]}")
        if i % 37 == 0:
            lines.append(f"route add 10.42.{i}.0/24 dev v0 mtu 1400")  # general path
        if i % 101 == 0:
            lines.append(f"route add 10.41.{i}.0/24 {GATEWAY} t {1 + i % 300}")  # refused: exists
    lines += ["route del 10.41.5.0/24 table 6", "route append 10.43.0.0/16 dev v0 scope link metric 0x10"]
    assert_same_as_ip(tmp_path, lines, options)


# -- `ip -0`: AF_PACKET, where get_prefix() and get_addr() refuse every word ------------------

FAMILY_ZERO = ["route add default via 10.0.0.1", "route add 10.1.0.0/16 via 192.168.1.254",
               "route add 10.1.0.0/16 dev v0", "rule add from 10.1.0.0/16 table 5", "route get 10.0.0.1",
               "addr add 10.70.0.1/24 dev v0", "route add unreachable default", "rule show", "rule flush",
               "rule list table main"]


@pytest.mark.parametrize("command", FAMILY_ZERO)
def test_family_zero_refuses_addresses_as_ip_does(command):
    with twins("pyipzero") as (real, mine):
        argv = ["-0", *command.split()]
        assert pyip(mine, argv) == real_ip(real, argv)
        assert kernel_state(mine) == kernel_state(real)


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_family_zero_in_a_batch(tmp_path, options):
    ours = assert_same_as_ip(tmp_path, ["route add default via 10.0.0.1", "route add 10.1.0.0/16 dev v0"],
                             ["-0", *options])
    assert ours[0] == 1


def test_pyip_parse_reports_family_zero_without_a_traceback(tmp_path):
    script = tmp_path / "zero.sh"
    script.write_text("ip -0 route add default via 10.0.0.1\nip route add default via 10.0.0.1\n")
    result = subprocess.run([sys.executable, "-m", "pyip", "parse", str(script)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (f'{script}:1:17: error: "default" may be inet prefix, but it is not allowed in this context.'
            in result.stderr)
    assert result.stdout == "ip route add default via 10.0.0.1\n"


# -- digits: iproute2 reads ASCII ones only --------------------------------------------------

@pytest.mark.parametrize("command", [
    "route add 10.0.0.\u0661 dev v0", "route add 10.44.0.0/16 via 192.168.1.\u0661",
    "route add \u0661\u0660.0.0.0/8 dev v0", "route add 10.44.0.0/1\u0666 dev v0",
    "rule add from 10.0.0.\u0661 table 5", "addr add 10.0.0.\u0661/24 dev v0",
    "route add 10.44.0.0/16 dev v0 proto \u0661", "route add 10.0.0.\u0661 dev v0 table 5",
])
def test_non_ascii_digits_are_refused_as_ip_does(command):
    with twins("pyipdigits") as (real, mine):
        argv = command.split()
        assert pyip(mine, argv) == real_ip(real, argv)
        assert kernel_state(mine) == kernel_state(real)


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_non_ascii_digits_in_a_batch(tmp_path, options):
    lines = [*routes(0, 3), "route add 10.40.9.\u0661 dev v0", *routes(3, 3)]
    assert_same_as_ip(tmp_path, lines, options)
