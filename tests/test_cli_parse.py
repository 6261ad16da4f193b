"""`pyip parse`: canonical lines, JSON lines, positioned errors, exit status."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def pyip(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_prints_canonical_commands():
    result = pyip("parse", "-", stdin="ip r a 0/0 via 10.0.0.1 t 1\n/sbin/ip ru add fwmark 16 lookup 5\n")
    assert result.returncode == 0
    assert result.stdout == ("ip route add default via 10.0.0.1 table 1\n"
                             "ip rule add fwmark 0x10 lookup 5\n")
    assert result.stderr == ""


def test_errors_are_positioned_and_parsing_goes_on(tmp_path):
    script = tmp_path / "s.sh"
    script.write_text("ip route add 10.0.0.0/8 metric x\nip rule add from 1.2.3.4 lookup 5\n"
                      "echo not ip\nip route add 10.1.0.0/16 via 1.2.3.4 via 1.2.3.5\n")
    result = pyip("parse", str(script))
    assert result.returncode == 1
    assert result.stdout == "ip rule add from 1.2.3.4 lookup 5\n"
    assert result.stderr.splitlines() == [
        f'{script}:1:32: error: argument "x" is wrong: "metric" value is invalid',
        f'{script}:4:38: error: argument "via" is wrong: use nexthop syntax to specify multiple via',
    ]


def test_legacy_dialect_and_rt_tables(corpus):
    tables = corpus / "policy-routing" / "rt_tables"
    script = corpus / "policy-routing" / "example5-fwmark.sh"
    result = pyip("parse", "--dialect", "legacy", "--rt-tables", str(tables), str(script))
    assert result.returncode == 0, result.stderr
    assert "ip rule add fwmark 0x10 prohibit" in result.stdout.splitlines()
    assert "ip rule add fwmark 0x2 lookup goodnet1" in result.stdout.splitlines()


def test_json_lines():
    result = pyip("parse", "--json", "-", stdin="# comment\n\nip rule add fwmark 10 prohibit\n")
    assert result.returncode == 0
    [line] = result.stdout.splitlines()
    data = json.loads(line)
    assert data["line"] == 3
    assert data["source"] == "ip rule add fwmark 10 prohibit"
    assert data["canonical"] == "ip rule add fwmark 0xa prohibit"
    assert data["ast"]["node"] == "IpCommand"
    assert data["ast"]["body"] == {"node": "Rule", "fwmark": 10, "action": "prohibit"}


def test_unterminated_quote_is_an_error_not_a_traceback():
    result = pyip("parse", "-", stdin="ip route add '10.0.0.0/8 dev eth0\n")
    assert result.returncode == 1
    assert result.stderr == "-:1:13: error: shell: syntax error near \"'10.0.0.0/8 dev eth0\"\n"


def test_missing_file_is_a_usage_error():
    result = pyip("parse", "/nonexistent/file")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


RUNTIME_VALUES = 'EXTIP="`/sbin/ifconfig ppp0 | cut -d: -f2`"\nip rule add from $EXTIP table $T\n' \
                 'iptables -A INPUT -d $EXTIP -p tcp --dport 22 -j ACCEPT\n' \
                 'ipchains -A input -d $EXTIP 22 -p tcp -j ACCEPT\n'


def test_defines_give_values_known_only_when_the_script_runs(tmp_path):
    path = tmp_path / "fw.sh"
    path.write_text(RUNTIME_VALUES)
    unknown = pyip("parse", str(path))
    assert unknown.returncode == 0 and "from '`/sbin/ifconfig" in unknown.stdout
    known = pyip("parse", "-D", "EXTIP=63.89.102.157", "--define", "T=5", str(path))
    assert known.stdout == ("ip rule add from 63.89.102.157 lookup 5\n"
                            "iptables -A INPUT -d 63.89.102.157/32 -p tcp -m tcp --dport 22 -j ACCEPT\n"
                            "ipchains -A input -p tcp -d 63.89.102.157 22 -j ACCEPT\n")
    # translate and lint take them the same way
    translated = pyip("translate", "--to", "iptables-restore", "-D", "EXTIP=63.89.102.157", str(path))
    assert translated.returncode == 0 and "runs both ipchains and iptables" in translated.stderr  # a warning
    assert "-d 63.89.102.157/32" in translated.stdout and "known only when" not in translated.stderr
    linted = pyip("lint", "--format", "text", "-D", "T=5", str(path))
    assert "$T" not in linted.stdout
    bad = pyip("parse", "-D", "not a name=1", str(path))
    assert bad.returncode == 2 and "is not NAME=VALUE" in bad.stderr


# `pyip parse` reads its plain command lines without click (start-up); anything else goes to click.
PLAIN_ARGVS = [["-"], ["s.sh"], ["s.sh", "a", "b"], ["--json", "-"], ["-", "--json"], ["--dialect", "legacy", "s.sh"],
               ["--dialect=legacy", "s.sh", "x"], ["--rt-tables", "rt_tables", "s.sh"], ["--rt-tables=rt_tables", "-"],
               ["-D", "A=1", "--define", "B=x=y", "--define=C=", "-D", "A=2", "s.sh"], ["s.sh", "-", "--json"]]
CLICK_ARGVS = [[], ["--help"], ["-h"], ["--dialect", "old", "s.sh"], ["--dialect"], ["--rt-tables", "missing", "s.sh"],
               ["--rt-tables", ".", "s.sh"], ["-D", "1A=2", "s.sh"], ["-D", "A", "s.sh"], ["-Dá=1", "s.sh"],
               ["-D", "á=1", "s.sh"], ["--jso", "s.sh"], ["--json=1", "s.sh"], ["-P", "/tmp", "s.sh"], ["--", "s.sh"],
               ["-x", "s.sh"], ["-DA=1", "s.sh"], ["--define"]]


def click_reading(argv):
    from pyip.cli.parse import command

    import click

    try:
        context = command().make_context("parse", list(argv))
    except click.exceptions.Exit:
        return None
    except click.UsageError:
        return None
    params = context.params
    stdin = getattr(params["file"], "name", None) in ("<stdin>", None)  # pytest's stdin has no name
    return ("-" if stdin else params["file"].name, list(params["args"]),
            params["dialect"], params["as_json"], params["rt_tables"], params["defines"])


@pytest.mark.parametrize("argv", PLAIN_ARGVS + CLICK_ARGVS)
def test_the_fast_reading_of_arguments_is_clicks(argv, tmp_path, monkeypatch):
    from pyip.cli.parse import fast_arguments

    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.sh").write_text("ip route add 10.0.0.0/8 dev lo\n")
    (tmp_path / "rt_tables").write_text("5 five\n")
    fast = fast_arguments(argv)
    if argv in PLAIN_ARGVS:
        assert fast is not None, "a plain command line must not need click"
        assert (fast.file, fast.args, fast.dialect, fast.as_json, fast.rt_tables, fast.defines) == click_reading(argv)
    else:
        assert fast is None


MIXED = ("ip route add 10.0.0.0/8 metric x\nip link set eth0 up\nip rule add from 1.2.3.4 lookup five\n"
         "iptables -A INPUT -i eth\xff -j DROP\nip route add 10.0.0.0/8 dev eth0 \x1b[31m\n")


@pytest.mark.parametrize("options", [[], ["--json"], ["--dialect", "legacy"]])
def test_parse_prints_the_same_with_and_without_click(options, tmp_path):
    script = tmp_path / "s.sh"
    script.write_bytes(MIXED.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    tables = tmp_path / "rt_tables"
    tables.write_text("5 five\n")
    common = [*options, "--rt-tables", str(tables)]
    for source, stdin in ((str(script), ""), ("-", script.read_bytes().decode("utf-8", "surrogateescape"))):
        fast = pyip_bytes("parse", *common, source, stdin=script.read_bytes() if source == "-" else b"")
        slow = pyip_bytes("parse", "-P", str(tmp_path), *common, source,
                          stdin=script.read_bytes() if source == "-" else b"")
        assert fast.returncode == slow.returncode == 1
        assert fast.stdout == slow.stdout and fast.stderr == slow.stderr
        assert b"metric" in fast.stderr and b"passed over" in fast.stderr


def pyip_bytes(*args: str, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True, timeout=60)


ECHO = """
import sys
from pyip.cli.parse import echo_error
import click
for message in ["plain", "eth\\udcff: bad", "colour \\x1b[31mred\\x1b[0m", "cr\\r", "tab\\tend", ""]:
    echo_error(message) if sys.argv[1] == "fast" else click.echo(message, err=True)
"""


def test_errors_are_echoed_as_click_echoes_them():
    fast, slow = (subprocess.run([sys.executable, "-c", ECHO, how], capture_output=True) for how in ("fast", "click"))
    assert fast.returncode == slow.returncode == 0, fast.stderr
    assert fast.stderr == slow.stderr and fast.stderr.startswith(b"plain\n")


# Output in batches (pyip.cli.parse.OUTPUT_BATCH): under PYTHONUNBUFFERED=1 each write of stdout is a
# write(2), and a line-at-a-time loop made one per command.

class RawCounter(io.RawIOBase):
    """A raw stream that keeps each write it is given: one entry per write(2) a real file would get."""

    def __init__(self):
        self.writes: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.writes.append(bytes(data))
        return len(data)


def parse_in_process(monkeypatch, path: Path, *options: str, batch: int | None = None) -> tuple[list[bytes], object]:
    """`pyip parse OPTIONS PATH` in this process, stdout and stderr one unbuffered stream (as `python -u`
    sets them up, 2>&1): its writes and the exit status."""
    from pyip.cli import parse

    raw = RawCounter()
    merged = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", write_through=True)
    monkeypatch.setattr(sys, "stdout", merged)
    monkeypatch.setattr(sys, "stderr", merged)
    if batch is not None:
        monkeypatch.setattr(parse, "OUTPUT_BATCH", batch)
    with pytest.raises(SystemExit) as done:
        assert parse.fast_main([*options, str(path)])
    monkeypatch.undo()
    return raw.writes, done.value.code


def mixed_script(tmp_path, commands: int = 300) -> Path:
    """Commands, then a passed-over one, commands, an error, commands."""
    rules = [f"ip rule add fwmark {i} lookup 5\n" for i in range(commands)]
    script = tmp_path / "mixed.sh"
    script.write_text("".join(rules + ["ip link set eth0 up\n"] + rules
                              + ["ip route add 10.0.0.0/8 metric x\n"] + rules))
    return script


def test_unbuffered_stdout_gets_few_writes(monkeypatch, tmp_path):
    script = tmp_path / "rules.sh"
    script.write_text("".join(f"ip rule add fwmark {i} lookup 5\n" for i in range(2000)))
    writes, status = parse_in_process(monkeypatch, script)
    assert status == 0
    assert b"".join(writes) == "".join(f"ip rule add fwmark {i:#x} lookup 5\n" for i in range(2000)).encode()
    assert len(writes) <= 20  # 2,000 with a write per line


@pytest.mark.parametrize("options", [(), ("--json",)], ids=["plain", "json"])
def test_batched_output_equals_a_write_per_line(monkeypatch, tmp_path, corpus, options):
    """The batches change how many writes carry the output, not what it says nor its order
    against stderr (OUTPUT_BATCH = 1 is the loop as it was: each line written and flushed)."""
    scripts = [mixed_script(tmp_path), *sorted(corpus.rglob("*.sh"))]
    for script in scripts:
        batched, batched_status = parse_in_process(monkeypatch, script, *options)
        each, each_status = parse_in_process(monkeypatch, script, *options, batch=1)
        assert b"".join(batched) == b"".join(each), script
        assert batched_status == each_status, script
    assert len(batched) < len(each)  # the last script's output took several lines


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["PYTHONUNBUFFERED=1", "buffered"])
def test_stdout_and_stderr_stay_in_command_order(tmp_path, unbuffered):
    script = mixed_script(tmp_path)
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    if unbuffered:
        environment["PYTHONUNBUFFERED"] = unbuffered
    result = subprocess.run([sys.executable, "-m", "pyip", "parse", str(script)], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    rules = "".join(f"ip rule add fwmark {i:#x} lookup 5\n" for i in range(300))
    assert result.returncode == 1
    assert result.stdout == (rules + f"{script}:301:4: warning: pyip reads ip address, route and rule, not link: "
                             f"passed over\n" + rules + f'{script}:602:32: error: argument "x" is wrong: '
                             f'"metric" value is invalid\n' + rules)
