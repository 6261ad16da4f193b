"""`pyip translate --to iptables`: a shell script of `iptables ...` commands that rebuilds the ruleset
an iptables-restore file holds.

Per table: flush it and delete its own chains, create the user chains, append the rules, and set the
built-in chains' policies last (a DROP policy set before the rules would cut a remote shell off
halfway).  Words are quoted for the shell; one with an expansion the script left unknown (`$EXT_IP`)
stays an expansion, in double quotes.
"""

from __future__ import annotations

from ..parser.restore import split_line
from .iproute2 import quote

HEADER = ("#!/bin/sh\n"
          "# pyip: iptables commands that rebuild this ruleset, table by table: flush, chains, rules, policies\n")


def commands_script(restore: str, program: str = "iptables") -> str:
    """The restore file RESTORE as commands; its comments (what pyip left out) stay comments."""
    out, table, policies = [HEADER], None, []
    for line in restore.splitlines():
        if not line or line.startswith("#"):
            out.append(line + "\n")
        elif line.startswith("*"):
            table = line[1:]
            out.append(f"{program} -t {table} -F\n{program} -t {table} -X\n")
        elif line.startswith(":"):
            chain, policy = line[1:].split()[:2]
            if policy == "-":
                out.append(command(program, table, ["-N", chain]))
            else:
                policies.append(command(program, table, ["-P", chain, policy]))
        elif line == "COMMIT":
            out += policies
            policies = []
        else:
            out.append(command(program, table, [word for word, _ in split_line(line)]))
    return "".join(out)


def command(program: str, table: str | None, words: list[str]) -> str:
    return " ".join([program, "-t", str(table), *map(shell_word, words)]) + "\n"


def shell_word(word: str) -> str:
    return word if word == "!" else quote(word)  # a lone ! is plain text to sh as an argument
