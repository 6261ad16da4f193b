from __future__ import annotations

from ...ast import Named
from ...errors import PyipError
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
        return self.tables(script, "route", ADDING)

    def looked_up_tables(self, script):
        return self.tables(script, "rule", ("add",))

    def tables(self, script, object_name: str, verbs) -> tuple[dict, bool]:
        """{table number: (first command, Named)} of the object's adding commands, and whether any
        such command names a table that cannot be known (a $VALUE, or words ip refuses)."""
        tables, unknown = {}, False
        for command in script.of("ip"):
            parsed = command.ip
            if isinstance(parsed, PyipError):
                if is_adding(command, object_name, verbs):
                    table = self.written_table(script, command)
                    if table is None:
                        unknown = True
                    elif table is not False:
                        tables.setdefault(table.number, (command, table))
                continue
            if getattr(parsed, "object", None) != object_name or getattr(parsed, "verb", None) not in verbs:
                continue
            table = parsed.body.table
            if isinstance(table, Named):
                tables.setdefault(table.number, (command, table))
            elif table is not None:
                unknown = True
        return tables, unknown

    def written_table(self, script, command):
        """The table a command that ip refuses names (Named), False when it names none, None when
        it cannot be known: the other rules report why ip refuses it, this one still sees the table."""
        word = command.word_after("table", "lookup")
        if word is None:
            return None if any(w.symbol is not None for w in command.words) else False
        if word.symbol is not None:
            return None
        return script.names.tables.named(word.text)

    def table_word(self, command):
        return command.word_after("table", "lookup", "t", "ta", "tab", "tabl") or command.words[0]


# How ip abbreviates the objects: `ip r` is route, rule needs `ru`.
OBJECT_WORDS = {"route": ("r", "ro", "rou", "rout", "route"), "rule": ("ru", "rul", "rule")}


def is_adding(command, object_name: str, verbs) -> bool:
    """Do the words (of a command ip refuses) add a route or rule: `ip ru a ...`, `ip route replace ...`?"""
    words = [word.text for word in command.words[1:3]]
    return len(words) == 2 and words[0] in OBJECT_WORDS[object_name] and words[1] is not None \
        and any(verb.startswith(words[1]) for verb in verbs)
