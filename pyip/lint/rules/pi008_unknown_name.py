from __future__ import annotations

import re

from ...errors import PyipError
from ..model import Rule, register

# iproute2's messages for a name its databases lack, and which database.
NAME_ERRORS = (
    (re.compile(r'"table" value is invalid|invalid table ID|table id value is invalid'), "table", "rt_tables"),
    (re.compile(r'"protocol" value is invalid|invalid "protocol"'), "protocol", "rt_protos"),
    (re.compile(r'invalid "scope"|invalid scope value'), "scope", "rt_scopes"),
    (re.compile(r'realm'), "realm", "rt_realms"),
    (re.compile(r'"tos" value is invalid|TOS value is invalid'), "tos", "rt_dsfield"),
)
_ARGUMENT = re.compile(r'argument "([^"]*)" is wrong')


@register
class UnknownName(Rule):
    """A table, protocol, scope, realm or tos name missing from the name databases.

    `ip` resolves names through /etc/iproute2/rt_tables, rt_protos,
    rt_scopes, rt_realms and rt_dsfield; a name the file lacks fails the
    command.  Scripts that ship their own rt_tables need it installed (or
    `pyip lint --rt-tables FILE`).

    Bad:  ip route add default via 172.17.1.254 table internet  # not in rt_tables
    Good: ip route add default via 172.17.1.254 table 5
    """

    code = "PI008"
    name = "unknown-name"

    def check(self, script):
        findings = []
        for command in script.of("ip"):
            error = command.ip
            if not isinstance(error, PyipError) or id(command) in script.claimed:
                continue  # claimed: PI007 said why already (a 2.2-era tos name)
            found = self.name_error(error)
            if found:
                kind, database, word = found
                script.claimed.add(id(command))
                findings.append(self.finding(script, error.location,
                                             f'{kind} name "{word}" is not in {database}'))
        return findings

    def name_error(self, error: PyipError):
        argument = _ARGUMENT.search(error.message)
        if argument is None or argument.group(1)[:1].isdigit():
            return None  # a bad number is a syntax error, not a missing name
        for pattern, kind, database in NAME_ERRORS:
            if pattern.search(error.message):
                return kind, database, argument.group(1)
        return None
