from __future__ import annotations

from ...ast import Named
from ..model import WARNING, Rule, register

# Tables the kernel's default rules look up (local 255, main 254, default 253), and unspec.
ALWAYS_LOOKED_UP = {0, 253, 254, 255}
ADDING = ("add", "change", "replace", "prepend", "append")


@register
class UnusedTable(Rule):
    """Routes in a table no rule looks up, or a rule looking up a table the script leaves empty.

    A routing table is consulted only when an `ip rule` sends lookups to
    it: routes elsewhere are dead, and a rule whose table holds no route
    passes every packet on to the next rule.  (A warning: another script
    may supply the other half.)

    Bad:  ip route add default via 192.168.1.254 table 5
    Good: ip route add default via 192.168.1.254 table 5
          ip rule add from 192.168.1.0/24 lookup 5
    """

    code = "PI010"
    name = "unused-table"
    severity = WARNING

    def check(self, script):
        filled, unknown_routes = self.filled_tables(script)
        looked_up, unknown_rules = self.looked_up_tables(script)
        findings = []
        if not unknown_rules:
            for table, (command, named) in filled.items():
                if table not in looked_up and table not in ALWAYS_LOOKED_UP:
                    findings.append(self.finding(script, self.table_word(command).location,
                                                 f"routes go into table {named}, which no rule looks up"))
        if not unknown_routes:
            for table, (command, named) in looked_up.items():
                if table not in filled and table not in ALWAYS_LOOKED_UP:
                    findings.append(self.finding(script, self.table_word(command).location,
                                                 f"the rule looks up table {named}, which the script fills with no route"))
        return findings

    def filled_tables(self, script):
        filled, unknown = {}, False
        for command in script.of("ip"):
            parsed = command.ip
            # A command ip refused (`ip r a`: a UsageError) has an object but no verb.
            if getattr(parsed, "object", None) != "route" or getattr(parsed, "verb", None) not in ADDING:
                unknown |= is_unknown_route(command)
                continue
            table = parsed.body.table
            if isinstance(table, Named):
                filled.setdefault(table.number, (command, table))
            elif table is not None:
                unknown = True
        return filled, unknown

    def looked_up_tables(self, script):
        looked_up, unknown = {}, False
        for command in script.ip_commands("rule"):
            parsed = command.ip
            if parsed.verb != "add":
                continue
            table = parsed.body.table
            if isinstance(table, Named):
                looked_up.setdefault(table.number, (command, table))
            elif table is not None:
                unknown = True
        return looked_up, unknown

    def table_word(self, command):
        return command.word_after("table", "lookup", "t", "ta", "tab", "tabl") or command.words[0]


def is_unknown_route(command) -> bool:
    """A route command whose table cannot be known (`ip route add $args`)."""
    return len(command.words) > 1 and command.words[1].text.startswith("r") and any(
        word.symbol is not None for word in command.words)
