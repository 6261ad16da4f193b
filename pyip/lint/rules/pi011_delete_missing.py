from __future__ import annotations

import attrs

from ...ast import Route, Rule, Symbol
from ...errors import PyipError
from ..model import WARNING, Rule as LintRule, register

# Rules the kernel has at boot: `ip rule del pref 32766` works on a fresh system.
BOOT_RULE_PRIORITIES = {0, 32766, 32767}


@register
class DeleteMissing(LintRule):
    """Deleting a rule or route that nothing in the script created before.

    On a freshly booted system the delete fails ("RTNETLINK answers: No
    such file or directory"); the script usually meant "remove it if it is
    there" and now prints an error at every boot.

    Bad:  ip rule del priority 5000
          ip rule add from 192.168.2.0/24 priority 5000 prohibit
    Good: ip rule add from 192.168.2.0/24 priority 5000 prohibit
    """

    code = "PI011"
    name = "delete-missing"
    severity = WARNING

    def check(self, script):
        made_rules, made_routes, findings = [], [], []
        for command in script.of("ip"):
            parsed = command.ip
            # A refused command (`ip r a`: a UsageError) names its object but has no body.
            if isinstance(parsed, PyipError) or getattr(parsed, "object", None) not in ("rule", "route") \
                    or has_symbol(parsed.body):
                continue
            if parsed.verb in ("add", "replace", "prepend", "append", "change"):
                (made_rules if parsed.object == "rule" else made_routes).append(parsed.body)
            elif parsed.verb == "delete" and not self.made_before(parsed, made_rules, made_routes):
                what = "rule" if parsed.object == "rule" else "route"
                findings.append(self.finding(script, command.location,
                                             f"deletes a {what} nothing in the script created before: "
                                             f"fails on a freshly booted system"))
        return findings

    def made_before(self, parsed, made_rules, made_routes) -> bool:
        if parsed.object == "rule":
            if parsed.body.priority in BOOT_RULE_PRIORITIES:
                return True
            return any(selects(parsed.body, rule) for rule in made_rules)
        table = parsed.body.table.number if parsed.body.table is not None else 254
        if table == 255:
            return True  # local routes come with addresses
        return any(route.dst == parsed.body.dst and (route.table.number if route.table else 254) == table
                   for route in made_routes)


def selects(selector: Rule, rule: Rule) -> bool:
    """Does a delete's selector match the rule (every field it gives is equal)?"""
    for field in attrs.fields(Rule):
        wanted = getattr(selector, field.name)
        if wanted not in (None, False, ()) and field.name != "action" and getattr(rule, field.name) != wanted:
            return False
    return True


def has_symbol(body) -> bool:
    return body is not None and attrs.has(type(body)) and any(
        isinstance(getattr(body, field.name), Symbol) for field in attrs.fields(type(body)))
