"""Bash completion (completion/pyip, installed as share/bash-completion/completions/pyip): bash itself
runs the completion function; what it offers is checked against its sources of truth: the options
click defines for each command, the options of the real `ip -help`, the table names pyip reads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SCRIPT = REPO / "completion" / "pyip"


def complete(*words: str) -> list[str]:
    """What bash offers for the last of WORDS (`pyip route a` -> add append)."""
    call = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pyip; '
            'printf "%s\\n" "${COMPREPLY[@]}"')
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"  # this checkout's pyip, for --help
    result = subprocess.run(["bash", "-c", call, "bash", str(SCRIPT), "pyip", *words], capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, PATH=path))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_commands_and_objects():
    assert complete("tr") == ["translate"]
    assert complete("l") == ["lint", "link"]
    assert complete("-n", "ns1", "ro") == ["route"]
    assert complete("--dialect", "") == ["modern", "legacy"]
    assert complete("help", "") == ["parse", "translate", "lint"]


def test_every_option_of_every_command():
    from pyip.cli.group import _add_commands, cli

    _add_commands()
    for name, command in cli.commands.items():
        offered = set(complete(name, "-"))
        for param in command.params:
            if param.param_type_name == "option":
                assert set(param.opts) <= offered, (name, param.opts, offered)


def test_every_global_option_of_ip_help():
    usage = subprocess.run(["ip", "-help"], capture_output=True, text=True).stderr
    options = usage[usage.index("OPTIONS :="):]
    # -V[ersion] is -Version, -rc[vbuf] is -rcvbuf, -4 is -4
    wanted = {a + b for a, b in re.findall(r"(?<=[\s{|])(-\w+)(?:\[([\w-]+)\])?", options)}
    offered = set(complete("-"))
    assert wanted and wanted <= offered, wanted - offered
    assert "--dialect" in offered


def test_verbs_keywords_and_table_names():
    from pyip.names import system

    assert complete("route", "a") == ["add", "append"]
    assert "nexthop" in complete("route", "add", "10.0.0.0/8", "n")
    assert complete("rule", "add", "from", "10.0.0.0/8", "fw") == ["fwmark"]
    assert set(complete("--to", "n")) == {"nft", "nft-json"}
    tables = system().tables
    offered = complete("route", "add", "10.0.0.0/8", "table", "")
    assert len(offered) == len(set(offered))
    assert tables.ids and set(tables.ids) <= set(offered), (tables.ids, offered)  # every name rt_tables gives
