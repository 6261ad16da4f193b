"""`pyip translate` reads its plain command lines without click (start-up, issue 13); anything else goes to
click.  The two readings must agree on what they take, and print the same for it."""

from __future__ import annotations

import subprocess
import sys

import pytest

FILE_OPTIONS = ["--to", "nft", "f.rules"]

# Each read without click: FILE (or -), ARGS, --to, --style, --dialect, --allow-partial, -D in all click's forms.
PLAIN_ARGVS = [
    ["--to", "nft", "f.rules"], ["f.rules", "--to", "nft"], ["--to=nft", "-"], ["-", "--to=nft-json"],
    ["--to", "iptables-restore", "f.rules", "a", "b"], ["f.rules", "a", "--to", "iptables", "-", "b"],
    ["--to", "nft", "--to", "ipchains", "f.rules"], ["--style", "conventional", "--to", "ipchains", "f.rules"],
    ["--style=faithful", "--to=iptables", "f.rules"], ["--dialect", "legacy", *FILE_OPTIONS],
    ["--dialect=modern", *FILE_OPTIONS], ["--allow-partial", *FILE_OPTIONS, "--allow-partial"],
    ["-D", "A=1", "--define", "B=x=y", "--define=C=", "-DA=2", "-D_z=", *FILE_OPTIONS],
    ["-DA=1", "-D", "B=--to", "-D", "C=-", *FILE_OPTIONS, "x", "-DD=4"], ["-D", "A==", "f.rules", "--to", "nft"],
]
# Each left to click: its help, an error, or an option only click reads.
CLICK_ARGVS = [
    [], ["--help"], ["-h"], ["f.rules"], ["--to", "nft"], ["--to", "nf", "f.rules"], ["--to", "NFT", "f.rules"],
    ["--to"], ["f.rules", "--to"], ["--to=", "f.rules"], ["--to=nft=x", "f.rules"],
    ["--style", "x", *FILE_OPTIONS], ["--style", *FILE_OPTIONS], ["--dialect", "old", *FILE_OPTIONS],
    ["--allow-partial=1", *FILE_OPTIONS], ["--allow", *FILE_OPTIONS],
    ["-e", "iptables -A INPUT -j DROP", "--to", "nft"], ["-e", "iptables -A INPUT -j DROP", *FILE_OPTIONS],
    ["--expression=x", *FILE_OPTIONS], ["-P", "/tmp", *FILE_OPTIONS], ["--source-path=/tmp", *FILE_OPTIONS],
    ["--to", "nft", "--", "f.rules"], ["--", *FILE_OPTIONS],
    ["-D", "1A=2", *FILE_OPTIONS], ["-D", "A", *FILE_OPTIONS], ["-D=A=1", *FILE_OPTIONS], ["-Dá=1", *FILE_OPTIONS],
    ["-D", "A-B=1", *FILE_OPTIONS], ["--define", "=1", *FILE_OPTIONS], [*FILE_OPTIONS, "-D"],
    [*FILE_OPTIONS, "--define"], ["-x", *FILE_OPTIONS], [*FILE_OPTIONS, "-1"], ["-De", *FILE_OPTIONS],
    ["-eD", "A=1", *FILE_OPTIONS], ["--to", "nft", "--json", "f.rules"], ["--To", "nft", "f.rules"],
]


def click_reading(argv):
    """What click's command receives for ARGV: (file, args, target, style, allow_partial, dialect, defines)."""
    from pyip.cli.translate import command

    import click

    try:
        context = command().make_context("translate", list(argv))
    except (click.exceptions.Exit, click.UsageError):
        return None
    params = context.params
    stdin = getattr(params["file"], "name", None) in ("<stdin>", None)  # pytest's stdin has no name
    assert params["expressions"] == ()
    return ("-" if stdin else params["file"].name, list(params["args"]), params["target"], params["style"],
            params["allow_partial"], params["dialect"], params["defines"])


@pytest.mark.parametrize("argv", PLAIN_ARGVS + CLICK_ARGVS)
def test_the_fast_reading_of_arguments_is_clicks(argv, tmp_path, monkeypatch):
    from pyip.cli.translate import fast_arguments

    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.rules").write_text("*filter\n-A INPUT -j DROP\nCOMMIT\n")
    fast = fast_arguments(argv)
    if argv in PLAIN_ARGVS:
        assert fast is not None, "a plain command line must not need click"
        assert (fast.file, fast.args, fast.target, fast.style, fast.allow_partial, fast.dialect,
                fast.defines) == click_reading(argv)
    else:
        assert fast is None


SAVE_FILE = """\
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:web - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m comment --comment "ssh in" -m state --state NEW -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -j web
-A web -m limit --limit 5/min -j LOG --log-prefix "web "
-A web -j ACCEPT
COMMIT
*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
"""

# Variables, a function, a loop, the script's argument ($1), a value only -D gives (EXTIP), a warning
# (a rule the shell cannot decide), errors (an unknown target, a control character in a bad word).
SCRIPT = """\
#!/bin/sh
IPT=/sbin/iptables
EXTIP=`ifconfig eth0 | awk '/inet/ {print $2}'`
allow() { $IPT -A INPUT -p tcp --dport "$1" -j ACCEPT; }
for port in 22 80 443; do allow $port; done
$IPT -A INPUT -d "$EXTIP" -p udp --dport 53 -j ACCEPT
case "$1" in start) $IPT -A INPUT -s 192.0.2.0/24 -j DROP ;; esac
$IPT -A INPUT -j NOPE
$IPT -A INPUT -p tcp --dport 2\x1b[31m2 -j DROP
$IPT -t nat -A POSTROUTING -o eth0 -j MASQUERADE
"""

IPCHAINS = """\
ipchains -A input -p tcp -d 0/0 22 -j ACCEPT
ipchains -A input -p tcp -d 0/0 23 -m +1
ipchains -P output REJECT
"""

INPUTS = {"save": SAVE_FILE, "script": SCRIPT, "crlf": SCRIPT.replace("\n", "\r\n"), "ipchains": IPCHAINS,
          "latin1": "iptables -A INPUT -i eth\xff -j DROP\n"}

CASES = [
    ("save", ["--to", "nft"]), ("save", ["--to", "nft-json"]), ("save", ["--to", "iptables-restore"]),
    ("save", ["--to", "iptables"]), ("save", ["--to", "ipchains"]),
    ("script", ["--to", "nft"]), ("script", ["--to", "iptables-restore", "--allow-partial"]),
    ("script", ["--to", "nft", "-D", "EXTIP=63.89.102.157", "--dialect", "legacy"]),
    ("script", ["-DEXTIP=63.89.102.157", "--to=nft", "ARGS", "start"]), ("crlf", ["--to", "nft"]),
    ("ipchains", ["--to", "nft", "--style", "conventional"]), ("ipchains", ["--to", "iptables-restore"]),
    ("latin1", ["--to", "nft"]),
]


def pyip(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True, timeout=120)


@pytest.mark.parametrize(("kind", "options"), CASES, ids=[f"{kind}-{'-'.join(options)}" for kind, options in CASES])
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_translate_prints_the_same_with_and_without_click(kind, options, source, tmp_path):
    """`-P DIR` is read by click only: the same command line with it goes the click way."""
    from pyip.cli.translate import fast_arguments

    path = tmp_path / "fw.sh"
    path.write_bytes(INPUTS[kind].encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    where = str(path) if source == "file" else "-"
    stdin = path.read_bytes() if source == "stdin" else b""
    if "ARGS" in options:
        at = options.index("ARGS")
        argv = [*options[:at], where, *options[at + 1:]]
    else:
        argv = [*options, where]
    assert fast_arguments(argv) is not None
    fast = pyip("translate", *argv, stdin=stdin)
    slow = pyip("translate", "-P", str(tmp_path), *argv, stdin=stdin)
    assert fast.returncode == slow.returncode, (fast.stderr, slow.stderr)
    assert fast.stdout == slow.stdout
    assert fast.stderr == slow.stderr
    assert fast.stdout, fast.stderr  # something was translated
    if kind == "script":
        assert b"NOPE" in fast.stderr and b"2\\x1b[31m2" in fast.stderr
        assert fast.returncode == (0 if "--allow-partial" in options else 1)
        assert (b"63.89.102.157" in fast.stdout) == any("EXTIP=" in option for option in options)
        assert (b"depends on $1" in fast.stderr) == ("start" not in options)


def test_an_escape_in_the_file_name_is_taken_out_as_click_echo_does(tmp_path):
    """Messages escape what the script holds, not the FILE name they start with: click.echo takes ANSI
    escapes out of what goes to a pipe; the fast path's echo_error() too."""
    path = tmp_path / "a\x1b[31mb.sh"
    path.write_text("iptables -A INPUT -j NOPE\n")
    fast = pyip("translate", "--to", "nft", str(path))
    slow = pyip("translate", "-P", str(tmp_path), "--to", "nft", str(path))
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode == 1
    assert fast.stderr == f"{tmp_path}/ab.sh:1:1: error: Chain 'NOPE' does not exist\n".encode()


@pytest.mark.parametrize("missing", ["nothing-here.rules", ".", ""])
def test_a_file_that_cannot_be_read_is_clicks_usage_error(missing, tmp_path):
    fast = pyip("translate", "--to", "nft", missing)
    slow = pyip("translate", "-P", str(tmp_path), "--to", "nft", missing)
    assert fast.returncode == slow.returncode == 2
    assert fast.stdout == slow.stdout == b""
    assert fast.stderr == slow.stderr and b"Invalid value for '[FILE]'" in fast.stderr


def test_a_closed_stdin_is_left_to_click(tmp_path):
    def closed_stdin(*args):
        return subprocess.run(["bash", "-c", '"$@" <&-', "-", sys.executable, "-m", "pyip", "translate", *args, "-"],
                              capture_output=True, timeout=120)

    fast, slow = closed_stdin("--to", "nft"), closed_stdin("-P", str(tmp_path), "--to", "nft")
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode != 0 and b"stdin" in fast.stderr


def test_clicks_errors_stay_clicks(tmp_path):
    """A command line the fast reading refuses is click's, with its message and exit status."""
    path = tmp_path / "f.rules"
    path.write_text(SAVE_FILE)
    wrong = pyip("translate", "--to", "nf", str(path))
    assert wrong.returncode == 2 and b"Invalid value for '--to'" in wrong.stderr
    missing = pyip("translate", str(path))
    assert missing.returncode == 2 and b"Missing option '--to'" in missing.stderr
    expression = pyip("translate", "--to", "nft", "-e", "iptables -A INPUT -j DROP")
    assert (expression.returncode, expression.stdout) == (0, b"nft 'add rule ip filter INPUT counter drop'\n")
