"""pyip's own help: `pyip --help` and `pyip help` tell of the drop-in; the man pages'
synopses name every option the commands take; `pyip -help` is ip's (the real ip judges)."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import REPO


def pyip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], capture_output=True, text=True, timeout=60)


def rendered(page: str) -> str:
    """The man page as man prints it (so troff escapes and hyphenation are undone)."""
    shown = subprocess.run(["man", "--warnings", "-l", str(REPO / "man" / page)], capture_output=True, text=True,
                           env={"MANWIDTH": "2000", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    return shown.stdout


def section(text: str, name: str) -> str:
    return re.search(rf"^{name}\n(.*?)(?=^[A-Z])", text, re.S | re.M).group(1)


def test_help_tells_of_the_drop_in():
    helped = pyip("--help")
    assert helped.returncode == 0, helped.stderr
    assert "drop-in for iproute2's ip" in helped.stdout
    assert "pyip [IP-OPTIONS] address|route|rule COMMAND" in helped.stdout
    assert "--dialect legacy" in helped.stdout
    for command in ("parse", "translate", "lint"):
        assert re.search(rf"^  {command} ", helped.stdout, re.M)


def test_help_command_is_pyips_help_not_ips_usage():
    assert pyip("help").stdout == pyip("--help").stdout
    assert pyip("help").returncode == 0
    for command in ("parse", "translate", "lint"):
        assert pyip("help", command).stdout == pyip(command, "--help").stdout
        assert pyip("help", command).stdout.startswith(f"Usage: pyip {command} ")


def test_synopses_name_every_option_of_every_command():
    from pyip.cli.group import _add_commands, cli

    _add_commands()
    pages = {"lint": rendered("pyip-lint.1")}
    main_page = rendered("pyip.8")
    assert "later release" not in main_page
    for name, command in cli.commands.items():
        synopsis = section(pages.get(name, main_page), "SYNOPSIS")
        lines = [line for line in synopsis.splitlines() if line.strip().startswith(f"pyip {name}")]
        assert lines, f"no synopsis of pyip {name}"
        for param in command.params:
            if param.param_type_name != "option" or param.name == "help":
                continue
            longest = max(param.opts, key=len)
            assert any(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", synopsis) for opt in param.opts), \
                f"pyip {name} {longest} is not in the synopsis"
    drop_in = section(main_page, "SYNOPSIS")
    assert re.search(r"pyip \[IP-OPTIONS\] \[--dialect modern\|legacy\] address\|route\|rule", drop_in)
