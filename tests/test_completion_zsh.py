"""zsh completion (completion/_pyip, installed as share/zsh/site-functions/_pyip): a real interactive
zsh on a terminal, with compinit, is typed a command line and TAB; what the completion system offers
is captured from compadd and checked against the same sources of truth as the bash completion."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh (tests/run installs it)")

# The shell's start-up: the checkout's completion directory first in fpath, the completion system
# loaded, and compadd wrapped to write every match it is given (after zsh's own matching against
# the word being completed) to $PYIP_HITS; when the completion widget is done, the shell exits.
ZSHRC = r"""
fpath=({completion} $fpath)
autoload -U compinit && compinit -u -D
PROMPT='%% '
zstyle ':completion:*' insert-tab false
compadd() {{
    local __arg
    for __arg in "$@"; do  # compadd -O/-A/-D (before --) only computes: no match is offered
        [[ $__arg == -- ]] && break
        [[ $__arg == -[OAD] ]] && {{ builtin compadd "$@"; return }}
    done
    local -a __hits
    builtin compadd -A __hits "$@"
    (( $#__hits )) && print -rl -- $__hits >> $PYIP_HITS
    builtin compadd "$@"
}}
_pyip_test_done() {{ print -r -- DONE >> $PYIP_HITS; exit }}
comppostfuncs=(_pyip_test_done)
bindkey '^I' complete-word
"""


def complete(*words: str, tmp: Path) -> list[str]:
    """What zsh offers for the last of WORDS (`pyip route a` -> add append), in the order offered."""
    home = tmp / f"zdot{time.monotonic_ns()}"
    home.mkdir()
    (home / ".zshrc").write_text(ZSHRC.format(completion=REPO / "completion"))
    hits = home / "hits"
    env = dict(os.environ, ZDOTDIR=str(home), PYIP_HITS=str(hits), TERM="dumb",
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")  # this checkout's pyip, for --help
    line = " ".join(("pyip", *words)) + "\t"
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("zsh", ["zsh", "-i"], env)
    try:
        drain(fd, 2.0)  # the prompt
        os.write(fd, line.encode())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (hits.exists() and "DONE" in hits.read_text()):
            drain(fd, 0.1)
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    found = hits.read_text().splitlines() if hits.exists() else []
    assert found and found[-1] == "DONE", f"zsh did not finish completing {line!r}"
    return list(dict.fromkeys(found[:-1]))


def drain(fd: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            return
        try:
            if not os.read(fd, 4096):
                return
        except OSError:
            return


def test_commands_and_objects(tmp_path):
    assert complete("tr", tmp=tmp_path) == ["translate"]
    assert set(complete("l", tmp=tmp_path)) == {"lint", "link"}
    assert complete("-n", "ns1", "ro", tmp=tmp_path) == ["route"]
    assert complete("--dialect", "", tmp=tmp_path) == ["modern", "legacy"]
    assert complete("help", "", tmp=tmp_path) == ["parse", "translate", "lint"]


def test_every_option_of_every_command(tmp_path):
    from pyip.cli.group import _add_commands, cli

    _add_commands()
    for name, command in cli.commands.items():
        if name == "help":
            continue
        offered = set(complete(name, "-", tmp=tmp_path))
        for param in command.params:
            if param.param_type_name == "option":
                assert set(param.opts) <= offered, (name, param.opts, offered)


def test_every_global_option_of_ip_help(tmp_path):
    usage = subprocess.run(["ip", "-help"], capture_output=True, text=True).stderr
    options = usage[usage.index("OPTIONS :="):]
    wanted = {a + b for a, b in re.findall(r"(?<=[\s{|])(-\w+)(?:\[([\w-]+)\])?", options)}
    offered = set(complete("-", tmp=tmp_path))
    assert wanted and wanted <= offered, wanted - offered
    assert "--dialect" in offered


def test_verbs_keywords_and_table_names(tmp_path):
    from pyip.names import system

    assert complete("route", "a", tmp=tmp_path) == ["add", "append"]
    assert "nexthop" in complete("route", "add", "10.0.0.0/8", "n", tmp=tmp_path)
    assert complete("rule", "add", "from", "10.0.0.0/8", "fw", tmp=tmp_path) == ["fwmark"]
    assert set(complete("translate", "--to", "n", tmp=tmp_path)) == {"nft", "nft-json"}
    tables = system().tables
    offered = complete("route", "add", "10.0.0.0/8", "table", "", tmp=tmp_path)
    assert tables.ids and set(tables.ids) <= set(offered), (tables.ids, offered)  # every name rt_tables gives


def test_bash_and_zsh_offer_the_same_words():
    """One vocabulary: the ip options, objects and keywords lists of the two files are the same."""
    bash = (REPO / "completion" / "pyip").read_text()
    zsh = (REPO / "completion" / "_pyip").read_text()
    for keyword in ("fastopen_no_cookie", "suppress_ifgroup", "mngtmpaddr", "-tshort", "nexthop"):
        assert keyword in bash and keyword in zsh
    def words(text: str, start: str, end: str) -> set[str]:
        first = text.index(start) + len(start)
        body = text[first:text.index(end, first)]
        return set(re.findall(r"[\w-]+", body)) - {"echo", "print"}  # each shell's way to say them

    assert words(bash, "_pyip_keywords()", "\n}") == words(zsh, "_pyip_keywords()", "\n}")
    assert words(bash, "_pyip_verbs()", "\n}") == words(zsh, "_pyip_verbs()", "\n}")
    assert words(bash, '_pyip_ip_options="', '"') == words(zsh, "_pyip_ip_options=(", ")")
    assert words(bash, '_pyip_objects="', '"') == words(zsh, "_pyip_objects=(", ")")
