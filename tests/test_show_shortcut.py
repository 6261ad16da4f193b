"""The drop-in's `OBJECT show` shortcut (pyip.cli.dropin.fast_show()) against the general path and the real ip.

Each command runs as a process three times: the real ip, pyip with the shortcut
and pyip with it turned off (dropin.FAST_SHOWS); the three must print the same
bytes and exit alike, and the shortcut must have run where it says it does (the
process imported none of the general path's modules: the parser, the syntax
tree, the dialects, pyip's errors).  The namespace holds rules and addresses of
every kind tests/test_show.py lists (gateways, multipath, metrics, types, tables,
IPv6 routes; marks and masks, iif/oif, uidrange, ipproto, ports, l3mdev, realms,
goto, suppress_*, IPv6 rules; peers, labels, lifetimes, flags, broadcast, IPv6
addresses).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .netns import run
from .test_show import ns  # noqa: F401  (the fixture)

# What the general path loads and the shortcut need not: the parser, the syntax tree, the value
# readers' module of netlink, the dialects, pyip's errors, the syntax tree's compiled record
# methods (start-up time).
GENERAL_PATH_MODULES = ("pyip.parser.ip", "pyip.ast", "pyip.netlink.common", "pyip.compat.legacy", "pyip.errors",
                        "pyip.records_compiled")

# Runs the drop-in as `pyip ARGS` does, the shortcut on or off (FAST), and says on a pipe of its
# own which of GENERAL_PATH_MODULES it imported.
PROBE = """
import os, sys
from pyip.cli import dropin
dropin.FAST_SHOWS = os.environ["PYIP_PROBE_FAST"] == "1"
try:
    status = dropin.main(sys.argv[1:])
finally:
    found = [name for name in os.environ["PYIP_PROBE_WATCH"].split() if name in sys.modules]
    os.write(int(os.environ["PYIP_PROBE_FD"]), " ".join(found).encode())
sys.exit(status)
"""


# Finite address lifetimes and route expiry times count down between the runs, and -s's packet
# counters count on (IPv6 sends on a link that is up): their numbers are left out of the comparison.
LIFETIMES = re.compile(rb"(valid_lft |preferred_lft |_life_time\": ?|expires |\"expires\": ?)(?!4294967295)\d+")
COUNTERS = re.compile(rb"((?:RX|TX):[^\n\\]*[\n\\])[ \d]+")
JSON_COUNTERS = re.compile(rb'"stats64":\{.*?\}\}')


def comparable(result: subprocess.CompletedProcess) -> tuple:
    out = JSON_COUNTERS.sub(b'"stats64":N', COUNTERS.sub(rb"\1N", LIFETIMES.sub(rb"\1N", result.stdout)))
    return result.returncode, out, result.stderr


def pyip(args: list[str], fast: bool) -> tuple[tuple, list[str]]:
    """(status, stdout, stderr) of `pyip ARGS`, and which of GENERAL_PATH_MODULES it imported."""
    read, write = os.pipe()
    env = {**os.environ, "PYIP_PROBE_FD": str(write), "PYIP_PROBE_FAST": "1" if fast else "0",
           "PYIP_PROBE_WATCH": " ".join(GENERAL_PATH_MODULES)}
    try:
        result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, timeout=60,
                                pass_fds=(write,), env=env)
    finally:
        os.close(write)
    with open(read, encoding="utf-8") as report:
        imported = report.read().split()
    return comparable(result), imported


def real_ip(args: list[str]) -> tuple:
    return comparable(subprocess.run(["ip", *args], capture_output=True, timeout=60))


OPTION_SETS = [[], ["-j"], ["-j", "-p"], ["-4"], ["-6"], ["-d"], ["-s"], ["-o"], ["-N"], ["-br"], ["-p"],
               ["-json", "-pretty", "-details"], ["-6", "-d", "-s", "-j"], ["-Numeric", "-oneline", "-stats"],
               ["-brief", "-6"], ["-4", "-br", "-j"], ["-o", "-6"]]
COMMANDS = ([[*options, obj, "show"] for options in OPTION_SETS for obj in ("route", "rule", "address")]
            + [[obj, *verb] for obj in ("route", "r", "rule", "address", "addr", "a")
               for verb in ([], ["show"], ["list"], ["lst"])])


# `-d address show` of a bridge and its port: ip prints their bridge attributes, pyip (either path)
# not yet; there the shortcut is held to the general path only.
DETAILS_GAP = {"-d", "-details"}


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_the_shortcut_prints_what_the_general_path_and_ip_print(ns, argv):  # noqa: F811
    expected = real_ip(["-n", ns, *argv])
    # the namespace option first, and (spelled out) last before the object
    for args in [["-n", ns, *argv]] + ([[*argv[:-2], "-netns", ns, *argv[-2:]]] if len(argv) > 2 else []):
        fast, fast_imported = pyip(args, fast=True)
        general, general_imported = pyip(args, fast=False)
        assert fast == general, args
        if not DETAILS_GAP.intersection(argv) or "rule" in argv:
            assert general == expected, args
        assert fast_imported == [] and "pyip.parser.ip" in general_imported, args


@pytest.mark.parametrize("argv", [
    ["rule", "show", "pref", "100"],      # a selector
    ["address", "show", "dev", "v0"],
    ["-s", "-s", "address", "show"],      # an option twice
    ["-j", "-json", "rule", "show"],
    ["-0", "rule", "show"],               # an option the shortcut does not read
    ["-4", "-6", "rule", "show"],
    ["-family", "inet6", "rule"],
    ["ru", "show"],                       # abbreviations it does not read
    ["address", "sh"],
    ["ro", "show"],
    ["route", "show", "table", "all"],    # a selector
    ["rule", "show", "--"],
    ["--dialect", "legacy", "rule", "show"],
])
def test_other_commands_take_the_general_path(ns, argv):  # noqa: F811
    result, imported = pyip(["-n", ns, *argv], fast=True)
    assert "pyip.parser.ip" in imported, argv
    if "--dialect" not in argv:
        assert result == real_ip(["-n", ns, *argv]), argv


@pytest.mark.parametrize("argv", [["route"], ["-j", "route", "show"], ["-6", "route"], ["rule"], ["-j", "address"]])
def test_a_new_namespace_lists_as_ip_does(argv):
    """As `ip netns add` leaves it (lo down, never up): no table main, so the kernel refuses the
    route dump, which ip (and so the shortcut) lets pass for table main."""
    name = "pyipshortcut-%d" % os.getpid()
    run("ip", "netns", "add", name, check=True)
    try:
        args = ["-n", name, *argv]
        fast, fast_imported = pyip(args, fast=True)
        general, _ = pyip(args, fast=False)
        assert fast == general == real_ip(args)
        assert fast_imported == []
    finally:
        run("ip", "netns", "del", name)


@pytest.mark.parametrize("argv", [["-n", "pyip-no-such-namespace", "rule", "show"],
                                  ["-n", "pyip-no-such-namespace", "-j", "address"],
                                  ["-n", "", "rule"], ["-n", "../etc", "address", "show"]])
def test_a_namespace_the_shortcut_cannot_enter_is_reported_by_the_general_path(argv):
    fast, _ = pyip(argv, fast=True)
    general, _ = pyip(argv, fast=False)
    assert fast == general == real_ip(argv)


def test_the_shortcut_s_options_are_what_ip_reads_those_words_as():
    """Each spelling the shortcut reads itself means that option to ip 6.1 (the grammar, which the
    general path's parser and its tests hold to ip's own reading)."""
    from pyip.cli import dropin
    from pyip.parser.words import grammar

    kinds = {"family": {"-4": "OPT_INET", "-6": "OPT_INET6"}, "json": "OPT_JSON", "pretty": "OPT_PRETTY",
             "details": "OPT_DETAILS", "oneline": "OPT_ONELINE", "numeric": "OPT_NUMERIC", "stats": "OPT_STATS",
             "brief": "OPT_BRIEF"}
    for word, name in dropin.SHOW_FLAGS.items():
        kind = kinds[name][word] if name == "family" else kinds[name]
        assert grammar("ip").first_match(word, "OPT_") == kind, word
    for word in dropin.SHOW_NETNS:
        assert grammar("ip").first_match(word, "OPT_") == "OPT_NETNS", word


def test_the_shortcut_s_words():
    from pyip.cli.dropin import show_words

    assert show_words(["-n", "x", "-j", "rule"]) == ({"json": "-j"}, "x", "rules")
    assert show_words(["-6", "a", "lst"]) == ({"family": "-6"}, None, "addresses")
    assert show_words(["r"]) == ({}, None, "routes")
    for argv in (["rule", "show", "x"], ["-n"], ["-n", "x"], ["-n", "a", "-n", "b", "rule"], ["rule", "add"],
                 ["-x", "rule"], [], ["ro"], ["link"], ["address", "show", "show"], ["-j", "-j", "rule"]):
        assert show_words(argv) is None, argv
