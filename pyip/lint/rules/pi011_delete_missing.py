from __future__ import annotations

import re

from ... import records

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

    The default route of table main is the exception: a DHCP client or
    container runtime made it before the script ran, and deleting it to
    put another is what the script means (unless it flushed table main).

    Bad:  ip rule del priority 5000
          ip rule add from 192.168.2.0/24 priority 5000 prohibit
    Good: ip rule add from 192.168.2.0/24 priority 5000 prohibit
    """

    code = "PI011"
    name = "delete-missing"
    severity = WARNING

    def check(self, script):
        made_rules, made_routes, deletes, flushed = [], [], [], set()
        for command in script.of("ip"):
            parsed = command.ip
            # A refused command (`ip r a`: a UsageError) names its object but has no body.
            if isinstance(parsed, PyipError) or getattr(parsed, "object", None) not in ("rule", "route") \
                    or has_symbol(parsed.body):
                continue
            if parsed.verb in ("add", "replace", "prepend", "append", "change"):
                (made_rules if parsed.object == "rule" else made_routes).append(parsed.body)
            elif parsed.verb == "flush" and parsed.object == "route" and parsed.body.table is not None:
                flushed.add(parsed.body.table.number)
            elif parsed.verb == "delete" and not handles_failure(script, command) \
                    and not any(word.symbol is not None for word in command.words):  # $VALUE: cannot judge
                deletes.append((command, len(made_rules), len(made_routes), frozenset(flushed)))
        findings = []
        for command, rules_before, routes_before, flushed_before in deletes:
            parsed = command.ip
            if self.made_before(parsed, made_rules[:rules_before], made_routes[:routes_before]):
                continue
            if self.restarts(parsed, flushed_before, made_rules) or systems_own(parsed, flushed_before):
                continue
            what = "rule" if parsed.object == "rule" else "route"
            findings.append(self.finding(script, command.location,
                                         f"deletes a {what} nothing in the script created before: "
                                         f"fails on a freshly booted system"))
        return findings

    def restarts(self, parsed, flushed: frozenset, made_rules) -> bool:
        """The restart idiom: the script flushed a table, deletes the rule that looks it up and adds
        that rule again later: it clears what its last run left, whatever the delete says."""
        table = parsed.body.table if parsed.object == "rule" else None
        return table is not None and table.number in flushed and any(
            selects(parsed.body, rule) for rule in made_rules)

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


def systems_own(parsed, flushed: frozenset) -> bool:
    """A route the system has before any script runs: the default route of table main, made by
    the DHCP client, the container runtime or the installer's network configuration.  A script
    that replaces it (`ip route del default` then `add default via ...`) is right, unless it
    flushed table main itself first."""
    if parsed.object != "route" or parsed.body.dst is None or getattr(parsed.body.dst, "length", None) != 0:
        return False
    table = parsed.body.table.number if parsed.body.table is not None else 254
    return table == 254 and 254 not in flushed


_HANDLED = re.compile(r"\|\||&&|[0-9&]?>>?\s*/dev/null")
_TESTED = re.compile(r"\b(?:if|elif|while|until)\s+(?:!\s*)?$")


def handles_failure(script, command) -> bool:
    """Does the script deal with the command failing: its status used (`|| true`, `&& ...`, `if`,
    `while`), or its error output thrown away (`2>/dev/null`)?  (Read from the text of the command's lines.)"""
    lines = script.text.split("\n")
    first, last = command.words[0].location, command.words[-1].location
    after = lines[last.line - 1][last.col - 1:] if last.line <= len(lines) else ""
    before = lines[first.line - 1][:first.col - 1] if first.line <= len(lines) else ""
    rest = re.split(r";|(?<![|&>])[|&](?![|&>])", after, maxsplit=1)[0]  # up to the next command
    return _HANDLED.search(rest) is not None or _TESTED.search(before) is not None


def selects(selector: Rule, rule: Rule) -> bool:
    """Does a delete's selector match the rule (every field it gives is equal)?"""
    for field in records.fields(Rule):
        wanted = getattr(selector, field.name)
        if wanted not in (None, False, ()) and field.name != "action" and getattr(rule, field.name) != wanted:
            return False
    return True


def has_symbol(body) -> bool:
    return body is not None and records.has(type(body)) and any(
        isinstance(getattr(body, field.name), Symbol) for field in records.fields(type(body)))
