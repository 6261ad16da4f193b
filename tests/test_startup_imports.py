"""Start-up (issue 13): the drop-in and `pyip parse -` import only what the command needs.

Each command runs as a process, as a user runs it; at exit it reports which
modules it imported.  attrs, click, lark and pyroute2 each cost more than the
command itself (benchmarks/startup.py has the figures), so none may be among
them; the command must still have done its work.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO
from .netns import namespace, run

HEAVY = ("attr", "attrs", "click", "lark", "pyroute2", "pyip.records_compiled_firewall")  # the last: the firewall records

# Runs pyip's entry point in this process and, at exit, says which watched modules (a package
# stands for its submodules) it imported: not those the interpreter's start-up (an editable
# install's import hook, .pth files) had loaded already, unless FRESH: then watched modules
# loaded already are forgotten first (a development venv's hook loads pathlib, which would
# otherwise hide pyip's own import of it), so pyip's import loads them again, where seen.
PROBE = """
import atexit, os, sys
WATCHED = os.environ["PYIP_PROBE_WATCH"].split()
def watched(name):
    return name in WATCHED or name.split(".")[0] in WATCHED
if os.environ.get("PYIP_PROBE_FRESH"):
    for name in [name for name in sys.modules if watched(name)]:
        del sys.modules[name]
BEFORE = set(sys.modules)
def report():
    found = sorted(name for name in set(sys.modules) - BEFORE if watched(name))
    os.write(int(os.environ["PYIP_PROBE_FD"]), (" ".join(found) + "\\n").encode())
atexit.register(report)
sys.argv = ["pyip", *sys.argv[1:]]
from pyip.cli import main
main()
"""


def imported(args: list[str], stdin: str = "", watch=HEAVY, fresh=False) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run `pyip ARGS`; its result and the WATCHed modules it imported (reported on a pipe of their own)."""
    read, write = os.pipe()
    env = {**os.environ, "PYIP_PROBE_FD": str(write), "PYIP_PROBE_WATCH": " ".join(watch)}
    if fresh:
        env["PYIP_PROBE_FRESH"] = "1"
    try:
        result = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True, text=True,
                                timeout=60, pass_fds=(write,), env=env)
    finally:
        os.close(write)
    with open(read, encoding="utf-8") as report:
        return result, report.read().split()


def test_parse_of_ip_commands_imports_no_heavy_package():
    result, heavy = imported(["parse", "-"], "ip route add 10.0.0.0/8 via 192.0.2.1\nip rule add fwmark 1 table 5\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ip route add 10.0.0.0/8 via 192.0.2.1\nip rule add fwmark 0x1 lookup 5\n"
    assert heavy == []


@pytest.mark.parametrize("args", [["route", "show"], ["addr", "show"], ["rule", "show"],
                                  ["-4", "route", "show", "table", "all"], ["-j", "addr", "show", "dev", "lo"]])
def test_the_drop_ins_show_imports_no_heavy_package(args):
    with namespace("pyipstart") as ns:
        result, heavy = imported(["-n", ns, *args])
        expected = run("ip", "-n", ns, *args)
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    assert heavy == []


def test_the_drop_ins_route_add_imports_no_heavy_package():
    with namespace("pyipstart") as ns:
        result, heavy = imported(["-n", ns, "route", "add", "10.0.0.0/8", "dev", "lo"])
        assert result.returncode == 0, result.stderr
        assert "10.0.0.0/8 dev lo scope link" in run("ip", "-n", ns, "route", "show").stdout
        again, heavy_again = imported(["-n", ns, "route", "add", "10.0.0.0/8", "dev", "lo"])  # an error, as ip says it
        assert (again.returncode, again.stderr) == (2, "RTNETLINK answers: File exists\n")
    assert heavy == heavy_again == []


@pytest.mark.parametrize("to", ["nft", "nft-json", "iptables-restore"])
def test_translate_of_a_save_file_imports_no_attrs(tmp_path, to):
    """`pyip translate` (issue 13): the firewall AST, the extensions, the parser's and the ruleset's
    records are pyip.records classes; attrs' import (and its inspect) is not paid at each start, nor click's
    (pyip.cli.translate reads the command line), nor inspect's for the extensions' names."""
    rules = tmp_path / "one.rules"
    rules.write_text("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 "
                     "-m comment --comment ssh -m state --state NEW -j LOG --log-prefix in\nCOMMIT\n")
    result, heavy = imported(["translate", "--to", to, str(rules)],
                             watch=("attr", "attrs", "socket", "click", "inspect"))
    assert result.returncode == 0, result.stderr
    assert "22" in result.stdout and "ssh" in result.stdout
    assert heavy == []


def test_translate_of_a_script_imports_no_attrs(tmp_path):
    """`pyip translate` of a shell script: the shell layer's records (Literal, Script, Path, Decision, the
    conditions' Unknown and Operand) are pyip.records classes too."""
    script = tmp_path / "fw.sh"
    script.write_text('IPT=/sbin/iptables\nallow() { $IPT -A INPUT -p tcp --dport "$1" -j ACCEPT; }\n'
                      'for port in 22 80; do allow $port; done\n'
                      'X=y\nif [ "$X" = x ]; then $IPT -A INPUT -m comment --comment "a b" -j DROP; fi\n')
    result, heavy = imported(["translate", "--to", "nft", str(script)], watch=("attr", "attrs", "click", "inspect"))
    assert result.returncode == 0, result.stderr
    assert "dport 80" in result.stdout
    assert heavy == []


@pytest.mark.parametrize("options", [["--to=nft-json", "-D", "P=22", "--dialect", "legacy"],
                                     ["--style", "conventional", "--allow-partial", "--to", "iptables-restore"]])
def test_translate_reads_its_plain_command_lines_without_click(options):
    """`pyip translate` reads FILE, ARGS, --to, --style, --dialect, --allow-partial and -D itself
    (pyip.cli.translate.fast_arguments()); an option only click reads (-P) brings click in."""
    script = 'P=80\niptables -A INPUT -p tcp --dport "$P" -j ACCEPT\niptables -A INPUT -j NOPE\n'
    result, heavy = imported(["translate", *options, "-", "start"], script, watch=("click",))
    assert result.returncode == (0 if "--allow-partial" in options else 1), result.stderr
    assert "NOPE" in result.stderr and ("22" if "-D" in options else "80") in result.stdout
    assert heavy == []
    with_click, heavy = imported(["translate", "-P", "/", *options, "-", "start"], script, watch=("click",))
    assert (with_click.returncode, with_click.stdout, with_click.stderr) == (
        result.returncode, result.stdout, result.stderr)
    assert "click" in heavy


@pytest.mark.parametrize("text", ["*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n",
                                  "iptables -A INPUT -p tcp --dport 22 -j ACCEPT\nipchains -A input -j DENY\n"])
def test_lint_imports_no_attrs(tmp_path, text):
    """`pyip lint` (pre-commit runs it per file): the linter's own records (settings, findings, the
    script's commands) and the ipchains parser's and translator's are pyip.records classes too."""
    path = tmp_path / "fw.sh"
    path.write_text(text)
    result, heavy = imported(["lint", str(path)], watch=("attr", "attrs"))
    assert result.returncode in (0, 1), result.stderr
    assert heavy == []


def test_the_address_readers_use_socket_inet_aton_itself():
    """pyip.parser.xtables and .matches read dotted addresses with _socket's inet_aton (no socket.py
    import): the very function socket.inet_aton is."""
    import socket

    from pyip.parser import matches, xtables

    assert xtables.inet_aton is matches.inet_aton is socket.inet_aton


def test_the_probe_sees_a_heavy_import():
    """The probe itself: `pyip lint` uses click, and the report says so."""
    result, heavy = imported(["lint", "--help"])
    assert result.returncode == 0 and "click" in heavy


# Smaller costs a drop-in `show` need not pay either: socket.py (selectors, enum, array; the C
# _socket is enough for netlink), pathlib (urllib.parse), the other objects' netlink modules.
# `route show` alone reads as the object alone (pyip.parser.ip.PLAIN_LISTING): no grammar of its own, no readers.
NEEDLESS_FOR_ROUTE_SHOW = ("socket", "selectors", "pathlib", "urllib", "pyip.netlink.address", "pyip.netlink.rule",
                           "pyip.ast.address", "pyip.ast.rule", "pyip.parser.route", "pyip.parser.rule",
                           "pyip.parser.address")


def test_the_drop_ins_route_show_imports_only_its_own_object_and_no_socket_py():
    with namespace("pyipstart") as ns:
        result, needless = imported(["-n", ns, "route", "show"], watch=NEEDLESS_FOR_ROUTE_SHOW, fresh=True)
        expected = run("ip", "-n", ns, "route", "show")
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    assert needless == []


def test_ctypes_loads_only_to_enter_a_namespace():
    """setns(2) needs ctypes' C module on Python 3.11; a drop-in without -n does not, and neither
    needs the ctypes package (pyip.netlink.common calls setns through _ctypes)."""
    result, loaded = imported(["route", "show", "table", "255", "dev", "lo"], watch=("ctypes", "_ctypes"), fresh=True)
    assert result.returncode == 0, result.stderr
    assert loaded == []
    with namespace("pyipstart") as ns:
        result, loaded = imported(["-n", ns, "route", "show"], watch=("ctypes", "_ctypes"), fresh=True)
    assert result.returncode == 0, result.stderr
    assert loaded == ["_ctypes"]


# What the drop-in's commands and `pyip parse -` of ip commands do without (issue 13: start-up at
# most twice `python -c pass`): each of these costs a millisecond or more, typing, re and enum
# several.  The standard library's own modules that load them (signal, importlib.util, contextlib,
# collections.abc) are left out for the same reason.
NEEDLESS_AT_START = ("typing", "re", "enum", "functools", "collections", "contextlib", "ctypes", "signal",
                     "importlib", "warnings", "socket", "selectors", "pathlib", "shlex",
                     # the C modules do (_struct, _operator); the tables' and code caches need no checksum
                     "struct", "zlib")
# ... and what only a command that reads an address needs: the AST's addresses are ipaddress
# objects, and ipaddress imports functools, which imports collections.
READS_NO_ADDRESS = ("ipaddress", "operator")  # operator.py: collections imports it
WITH_IPADDRESS = ("functools", "collections", "operator")
NEEDLESS_WITH_AN_ADDRESS = tuple(name for name in NEEDLESS_AT_START if name not in WITH_IPADDRESS)


OTHER_OBJECTS_THAN_ROUTE = ("pyip.ast.address", "pyip.ast.rule", "pyip.parser.address", "pyip.parser.rule",
                            "pyip.netlink")
# `OBJECT show` alone reads as the object alone (pyip.parser.ip.PLAIN_LISTING): no object's value readers.
VALUE_READERS = ("pyip.parser.route", "pyip.parser.rule", "pyip.parser.address")


@pytest.mark.parametrize("args", [["route", "show"], ["addr", "show"], ["rule", "show"], ["-j", "route", "show"]])
def test_the_drop_ins_show_imports_nothing_needless(args):
    with namespace("pyipstart") as ns:
        result, needless = imported(["-n", ns, *args], watch=NEEDLESS_AT_START + READS_NO_ADDRESS + VALUE_READERS,
                                    fresh=True)
        expected = run("ip", "-n", ns, *args)
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    assert needless == []


def test_the_drop_ins_route_add_imports_nothing_needless():
    """Nor ipaddress: a route change of plain values goes from its words to the kernel's request
    (pyip.cli.dropin.fast_route_change) without a syntax tree."""
    with namespace("pyipstart") as ns:
        result, needless = imported(["-n", ns, "route", "add", "10.0.0.0/8", "dev", "lo"],
                                    watch=NEEDLESS_AT_START + READS_NO_ADDRESS, fresh=True)
        assert result.returncode == 0, result.stderr
        assert "10.0.0.0/8 dev lo scope link" in run("ip", "-n", ns, "route", "show").stdout
    assert needless == []


def test_parse_of_an_ip_command_imports_nothing_needless():
    """Nor the other objects' AST and readers: a route is read and printed without them."""
    result, needless = imported(["parse", "-"], "ip route add 10.0.0.0/8 via 192.0.2.1\n",
                                watch=NEEDLESS_WITH_AN_ADDRESS + OTHER_OBJECTS_THAN_ROUTE, fresh=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "ip route add 10.0.0.0/8 via 192.0.2.1\n", "")
    assert needless == []


def test_the_probe_sees_a_needless_import():
    """The probe itself, FRESH: `pyip lint` (click) imports re, typing and enum, and the report says so."""
    result, loaded = imported(["lint", "--help"], watch=NEEDLESS_AT_START, fresh=True)
    assert result.returncode == 0 and {"re", "typing", "enum"} <= set(loaded)


# pyip.cli.finish(): the drop-in and `pyip parse` end without the interpreter's teardown, once their
# output is flushed, unless an atexit handler waits (the probe above registers one).  Run with -S:
# a site-packages .pth may register a handler of its own (this machine's does).
FINISH = """
import atexit, os, sys
sys.path.insert(0, sys.argv[3])
from pyip.cli import finish

class Loud:
    def __del__(self):
        os.write(1, b" torn down")

kept = Loud()
if sys.argv[1] == "handler":
    atexit.register(lambda: os.write(1, b" handler"))
sys.stdout.write("written")  # buffered: finish() flushes it
finish(int(sys.argv[2]) if sys.argv[2] != "none" else None)
"""


@pytest.mark.parametrize("status", [0, 3, None])
def test_finish_flushes_and_skips_the_teardown(status):
    result = subprocess.run([sys.executable, "-S", "-c", FINISH, "plain", str(status).lower(), str(REPO)],
                            capture_output=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (status or 0, b"written", b"")


def test_finish_leaves_an_atexit_handler_its_turn():
    result = subprocess.run([sys.executable, "-S", "-c", FINISH, "handler", "4", str(REPO)], capture_output=True,
                            timeout=60)
    assert (result.returncode, result.stdout) == (4, b"written handler torn down")


# pyip's click commands (translate, lint, parse through click) end through finish() too: a translation
# leaves tens of thousands of objects, whose teardown was ~16 ms of a 10,000-line script's 0.53 s.
COMMAND_FINISH = """
import atexit, os, sys
atexit._clear()  # what site's .pth files registered (this machine's do): finish() would leave them their turn
if sys.argv[1] == "teardown":  # a handler waiting: the usual exit, the reference
    atexit.register(lambda: None)
from pyip.cli import main

class Loud:
    def __del__(self):
        os.write(1, b" torn down")

kept = Loud()
sys.argv = ["pyip", *sys.argv[2:]]
main()
"""

OLD_RULES = "".join(f"ip rule add from 10.{n}.0.0/16 prio {n + 100} reject\n" for n in range(200))  # PI007 each
BIG_SCRIPT = "".join(f"iptables -A INPUT -s 10.0.{n // 256}.{n % 256} -p tcp --dport {n} -j ACCEPT\n"
                     for n in range(3000))


@pytest.mark.parametrize(("command", "text"), [
    (["translate", "--to", "nft"], BIG_SCRIPT),
    (["translate", "--to", "iptables-restore"], BIG_SCRIPT + "iptables -A INPUT -j NOPE\n"),
    (["lint"], BIG_SCRIPT + OLD_RULES),
    (["lint", "--format", "json"], OLD_RULES),
], ids=["translate", "translate-error", "lint", "lint-json"])
def test_click_commands_end_by_finish_with_their_whole_output_and_status(tmp_path, command, text):
    script = tmp_path / "fw.sh"
    script.write_text(text)

    def run_as(how: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", COMMAND_FINISH, how, *command, str(script)],
                              capture_output=True, text=True, timeout=120, cwd=REPO)

    usual, finished = run_as("teardown"), run_as("finish")
    assert usual.stdout.endswith(" torn down") and len(usual.stdout) > 100
    assert (finished.returncode, finished.stdout, finished.stderr) == (
        usual.returncode, usual.stdout.removesuffix(" torn down"), usual.stderr)


# pyip.cli.main() collects garbage cycles every COLLECT_EVERY allocations, not every 700: a start
# (some 15,000 objects that live to the end) then runs no collection at all, and a long run still
# collects its cycles.  The probe counts the collector's passes (gc.callbacks) during the command,
# from main() on, then, at exit, makes 300,000 cycles and counts again.
COLLECTIONS = """
import atexit, gc, os, sys
REPORT = int(sys.argv[1])
passes = []
gc.callbacks.append(lambda phase, info: phase == "start" and passes.append(info["generation"]))
def report():
    during = len(passes)
    for _ in range(300_000):
        cycle = []
        cycle.append(cycle)
    os.write(REPORT, f"{during} {len(passes) - during} {gc.isenabled()}".encode())
atexit.register(report)
sys.argv = ["pyip", *sys.argv[2:]]
from pyip.cli import main
passes.clear()  # from main() on: the interpreter's own start (site, an editable install's hook) is not pyip's
main()
"""


@pytest.mark.parametrize("args", [["route", "show"], ["route", "add", "10.0.0.0/8", "dev", "lo"], ["parse", "-"]])
def test_a_start_runs_no_garbage_collection_and_a_long_run_still_collects(args):
    read, write = os.pipe()
    with namespace("pyipstart") as ns:
        command = args if args[0] == "parse" else ["-n", ns, *args]
        try:
            result = subprocess.run([sys.executable, "-c", COLLECTIONS, str(write), *command], capture_output=True,
                                    text=True, input="ip route add 10.0.0.0/8 via 192.0.2.1\n", timeout=60,
                                    pass_fds=(write,))
        finally:
            os.close(write)
    with open(read, encoding="utf-8") as report:
        during, after, enabled = report.read().split()
    assert result.returncode == 0, result.stderr
    assert (during, enabled) == ("0", "True")
    assert int(after) >= 2  # 300,000 cycles: at least two passes at 100,000 allocations each


def test_translate_runs_no_garbage_collection_after_its_work(tmp_path):
    """`pyip translate` ends when its one translation is written: the collector, paused for the work, stays
    off after it (turned on, its first pass walked all the work made: ~13 ms after a 10,000-line script)."""
    script = tmp_path / "fw.sh"
    script.write_text("IPT=iptables\n" + BIG_SCRIPT.replace("iptables -A", "$IPT -A"))
    read, write = os.pipe()
    try:
        result = subprocess.run([sys.executable, "-c", COLLECTIONS, str(write), "translate", "--to", "nft",
                                 str(script)], capture_output=True, text=True, timeout=120, pass_fds=(write,))
    finally:
        os.close(write)
    with open(read, encoding="utf-8") as report:
        during, _after, enabled = report.read().split()
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("counter accept") == 3000
    assert (during, enabled) == ("0", "False")
