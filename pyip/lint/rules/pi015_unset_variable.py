from __future__ import annotations

import difflib
import re

from ..model import ERROR, WARNING, Rule, register

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# Set by the shell or the login environment, not by scripts.
ENVIRONMENT = {"HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "IFS", "HOSTNAME", "TERM",
               "RANDOM", "LINENO", "SECONDS", "UID", "EUID", "PPID", "BASH", "TMPDIR", "LANG", "OPTARG", "OPTIND"}
_SOURCES = re.compile(r"^\s*(?:\.|source)\s", re.MULTILINE)


@register
class UnsetVariable(Rule):
    """A variable used in a command but set nowhere in the script.

    It expands to nothing, and the command changes meaning or fails.  An
    error when a variable of a near name is set (a typo), else a warning
    (it may come from the environment or a sourced file).

    Bad:  EXT_IFACE=eth1
          iptables -A INPUT -i $EXT_IFAC -j DROP
    Good: EXT_IFACE=eth1
          iptables -A INPUT -i $EXT_IFACE -j DROP
    """

    code = "PI015"
    name = "unset-variable"

    def check(self, script):
        sources_files = bool(_SOURCES.search(script.text))
        findings, seen = [], set()
        for command in script.commands:
            if command.program is None:
                continue
            for word in command.words:
                if word.symbol is None:
                    continue
                for name in _VARIABLE.findall(word.symbol.name):
                    key = (name, word.location)
                    if name in script.variables or name in ENVIRONMENT or key in seen:
                        continue
                    seen.add(key)
                    findings.append(self.unset(script, word, name, sources_files))
        return findings

    def unset(self, script, word, name, sources_files):
        near = difflib.get_close_matches(name, sorted(script.variables), n=1)
        if near:
            return self.finding(script, word.location, f"${name} is never set; did you mean ${near[0]}?", ERROR)
        where = " (it may come from a sourced file)" if sources_files else " (it may come from the environment)"
        return self.finding(script, word.location, f"${name} is never set in the script{where}", WARNING)
