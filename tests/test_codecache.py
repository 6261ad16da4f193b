"""pyip.codecache: the command line's modules read from one cache file give what Python's own
import gives; an edited module is read from its source; only a file no one else could have
written is loaded; the file holds a bounded number of modules."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from importlib.util import spec_from_file_location

import pytest

from pyip import codecache

from .netns import namespace

PROBE = """
import atexit, os, sys
def report():
    served = sorted(name for name, module in sys.modules.items()
                    if type(getattr(getattr(module, "__spec__", None), "loader", None)).__name__ == "CodeCache")
    os.write(int(os.environ["PROBE_FD"]), " ".join(served).encode())
atexit.register(report)
sys.argv = ["pyip", *sys.argv[1:]]
from pyip.cli import main
main()
"""


def run(args: list[str], cache_home, stdin: str = "", cached: bool = True):
    """`pyip ARGS` as a process: (exit status, stdout, stderr) and the modules the cache served."""
    read, write = os.pipe()
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PROBE_FD": str(write)}
    env.pop("PYIP_NO_CODE_CACHE", None)
    if not cached:
        env["PYIP_NO_CODE_CACHE"] = "1"
    try:
        result = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True, text=True,
                                timeout=120, env=env, pass_fds=(write,))
    finally:
        os.close(write)
    with open(read, encoding="utf-8") as report:
        served = report.read().split()
    return (result.returncode, result.stdout, result.stderr), served


SCRIPT = """ip route add 10.0.0.0/8 via 192.0.2.1 table 5 proto static
ip rule add fwmark 0x10 lookup 5
ip addr add 10.1.1.1/24 dev eth0 label eth0:1
ip route add 300.0.0.0/8 dev eth0
ip route append default nexthop via 192.0.2.1 weight 2 nexthop via 192.0.2.2
"""


def test_commands_give_the_same_with_the_cache_cold_warm_and_off(tmp_path):
    with namespace("pyipcode") as ns:
        commands = [(["-n", ns, "route", "show"], ""), (["-n", ns, "rule", "show"], ""),
                    (["-n", ns, "-j", "addr", "show"], ""), (["-n", ns, "route", "add", "10.0.0.0/8", "dev", "lo"], ""),
                    (["-n", ns, "route", "add", "10.0.0.0/8", "dev", "lo"], ""),  # File exists, exit 2
                    (["-n", ns, "route", "show"], ""), (["-n", ns, "route", "add", "1.2.3.4/33", "dev", "lo"], ""),
                    (["-n", ns, "rule", "add", "fwmark", "1f", "table", "5"], ""), (["parse", "-"], SCRIPT),
                    (["parse", "--dialect", "legacy", "-"], SCRIPT), (["parse", "--json", "-"], SCRIPT)]
        results = {}
        for mode in ("off", "cold", "warm"):
            subprocess.run(["ip", "-n", ns, "route", "flush", "table", "main"], check=False)
            results[mode] = [run(args, tmp_path, stdin, cached=mode != "off") for args, stdin in commands]
    assert [outcome for outcome, _ in results["warm"]] == [outcome for outcome, _ in results["off"]]
    assert [outcome for outcome, _ in results["cold"]] == [outcome for outcome, _ in results["off"]]
    assert all(served == [] for _, served in results["off"] + results["cold"][:1])
    warm = {name for _, served in results["warm"] for name in served}
    assert {"pyip.parser.ip", "pyip.netlink.route", "pyip.show.rule", "pyip.parser.address", "pyip.script"} <= warm
    assert results["off"][3][0][0] == 0 and results["off"][4][0] == (2, "", "RTNETLINK answers: File exists\n")


def probe_module(tmp_path, text: str):
    """A plain module pyip.codecache_probe in tmp_path, imported by Python's own loader."""
    source = tmp_path / "codecache_probe.py"
    source.write_text(text)
    spec = spec_from_file_location("pyip.codecache_probe", source)
    module = type(sys)(spec.name)
    module.__spec__ = spec
    spec.loader.exec_module(module)
    return source, module


def cache_of(tmp_path, entries: dict) -> codecache.CodeCache:
    path = tmp_path / "code.marshal"
    path.write_bytes(codecache.file_bytes(entries))
    path.chmod(0o600)
    descriptor, index = codecache.open_trusted(str(path))
    assert descriptor is not None
    return codecache.CodeCache(str(path), descriptor, index)


def test_an_entry_serves_the_code_until_its_source_changes(tmp_path):
    source, module = probe_module(tmp_path, "VALUE = 1\n")
    cache = cache_of(tmp_path, {"pyip.codecache_probe": codecache.entry_of("pyip.codecache_probe", module)})
    spec = cache.find_spec("pyip.codecache_probe")
    assert spec is not None and spec.origin == str(source)
    served = type(sys)("pyip.codecache_probe")
    cache.exec_module(served)
    assert served.VALUE == 1
    assert cache.get_source("pyip.codecache_probe") == "VALUE = 1\n"
    source.write_text("VALUE = 22\n")  # another size
    assert cache.find_spec("pyip.codecache_probe") is None and cache.stale
    source.write_text("VALUE = 1\n")
    entry = codecache.entry_of("pyip.codecache_probe", module)
    os.utime(source, ns=(1, 1))  # the same size, another time
    cache = cache_of(tmp_path, {"pyip.codecache_probe": entry})
    assert cache.find_spec("pyip.codecache_probe") is None
    assert cache.find_spec("json") is None  # not pyip's: Python's own finders


def test_each_entry_is_its_own_modules_code(tmp_path):
    entries = {}
    for value in range(5):
        _, module = probe_module(tmp_path, f"VALUE = {value}\n" + "# padding\n" * value)
        entries[f"pyip.probe{value}"] = (*codecache.entry_of("pyip.codecache_probe", module)[:3],
                                         marshal.dumps(compile(f"VALUE = {value}", "x", "exec")))
    cache = cache_of(tmp_path, entries)
    for value in range(5):
        served = type(sys)(f"pyip.probe{value}")
        cache.exec_module(served)
        assert served.VALUE == value


@pytest.mark.parametrize("spoil", ["group-writable", "other-user", "link", "cut-short", "garbage"])
def test_only_a_whole_file_no_one_else_could_have_written_is_loaded(tmp_path, spoil):
    _, module = probe_module(tmp_path, "VALUE = 1\n")
    path = tmp_path / "code.marshal"
    data = codecache.file_bytes({"pyip.codecache_probe": codecache.entry_of("pyip.codecache_probe", module)})
    path.write_bytes(data)
    path.chmod(0o600)
    assert codecache.open_trusted(str(path))[0] is not None
    if spoil == "group-writable":
        path.chmod(0o620)
    elif spoil == "other-user":
        os.chown(path, 1234, 1234)
    elif spoil == "link":
        path.rename(tmp_path / "elsewhere")
        path.symlink_to(tmp_path / "elsewhere")
    elif spoil == "cut-short":
        path.write_bytes(data[:-10])
    else:
        path.write_bytes(b"garbage" * 3)
    assert codecache.open_trusted(str(path)) == (None, {})


def test_the_file_is_written_when_a_module_was_missing_and_holds_a_bounded_number(tmp_path, monkeypatch):
    _, module = probe_module(tmp_path, "VALUE = 1\n")
    cache = codecache.CodeCache(str(tmp_path / "code.marshal"), None, {})
    monkeypatch.setitem(sys.modules, "pyip.codecache_probe", module)
    cache.save()
    descriptor, index = codecache.open_trusted(str(tmp_path / "code.marshal"))
    assert "pyip.codecache_probe" in index and "pyip.codecache" in index and len(index) <= codecache.MAX_ENTRIES
    written = os.stat(tmp_path / "code.marshal").st_mtime_ns
    again = codecache.CodeCache(str(tmp_path / "code.marshal"), descriptor, index)
    again.save()  # nothing new: not written
    assert os.stat(tmp_path / "code.marshal").st_mtime_ns == written
    monkeypatch.setattr(codecache, "MAX_ENTRIES", 3)
    small = codecache.CodeCache(str(tmp_path / "small.marshal"), None, {})
    small.save()
    assert len(codecache.open_trusted(str(tmp_path / "small.marshal"))[1]) == 3


def test_the_caches_of_installations_that_are_gone_are_removed(tmp_path, monkeypatch):
    """Each venv (a test's, a benchmark's) writes its own files: when one is written, those of
    installations no longer there go, and those not written for a month; this installation's, and
    a recent one it cannot read (another version's), stay."""
    _, module = probe_module(tmp_path, "VALUE = 1\n")
    entry = codecache.entry_of("pyip.codecache_probe", module)
    cache_directory = tmp_path / "cache"
    cache_directory.mkdir(mode=0o700)
    here = (tmp_path / "here").resolve()
    here.mkdir()
    for home, name in ((tmp_path / "gone", "code-dropin-gone.marshal"), (here, "code-dropin-here.marshal")):
        monkeypatch.setattr(codecache, "HOME", str(home))
        (cache_directory / name).write_bytes(codecache.file_bytes({"pyip.codecache_probe": entry}))
        (cache_directory / name).chmod(0o600)
    (cache_directory / "code-parse-other-format.marshal").write_bytes(b"\x04\0\0\0\0\0\0\0spoilt")
    (cache_directory / "code-parse-old-format.marshal").write_bytes(b"\x04\0\0\0\0\0\0\0spoilt")
    (cache_directory / "code-dropin-old.marshal").write_bytes((cache_directory / "code-dropin-here.marshal").read_bytes())
    for name in ("code-parse-old-format.marshal", "code-dropin-old.marshal"):
        os.utime(cache_directory / name, (1, 1))  # 1970: not written for a long time
    (cache_directory / "ip_rule-0123.marshal").write_bytes(b"tables")
    os.utime(cache_directory / "ip_rule-0123.marshal", (1, 1))  # not a code cache: left alone, however old
    codecache.prune(str(cache_directory))
    assert sorted(path.name for path in cache_directory.iterdir()) == [
        "code-dropin-here.marshal", "code-parse-other-format.marshal", "ip_rule-0123.marshal"]


def test_each_optimisation_level_has_its_own_file(tmp_path):
    """`python -O` compiles other code (no asserts): it neither reads nor writes the plain run's file."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("PYIP_NO_CODE_CACHE", None)
    for flags in ([], ["-O"], []):
        result = subprocess.run([sys.executable, *flags, "-m", "pyip", "parse", "-"], input=SCRIPT, capture_output=True,
                                text=True, timeout=120, env=env)
        assert result.returncode == 1 and "300.0.0.0/8" in result.stderr  # the script's bad line, said
    assert len(list((tmp_path / "pyip").glob("code-parse-*.marshal"))) == 2
