from __future__ import annotations

from ..firewall_words import (IPCHAINS_BUILTINS, IPCHAINS_COMMANDS, IPTABLES_BUILTINS, IPTABLES_COMMANDS,
                              command_of)
from ..model import Rule, register


@register
class MissingCommand(Rule):
    """An iptables or ipchains call without a command (-A, -I, -D, -R, -N, ...).

    The tool stops with "no command specified" and the rule is never
    added; usually `-A` was lost before the chain name.

    Bad:  iptables -t filter INPUT -m state --state NEW -p tcp --dport ssh -j ACCEPT
    Good: iptables -t filter -A INPUT -m state --state NEW -p tcp --dport ssh -j ACCEPT
    """

    code = "PI001"
    name = "missing-command"

    def check(self, script):
        findings = []
        for program, table in (("iptables", IPTABLES_COMMANDS), ("ipchains", IPCHAINS_COMMANDS)):
            for command in script.of(program):
                if len(command.words) < 2 or self.may_hide_command(command):
                    continue
                if command_of(command.words, table) is None:
                    findings.append(self.finding(script, command.location, self.message(program, command)))
        return findings

    def may_hide_command(self, command) -> bool:
        """An unknown value could be the command itself (`iptables $ACTION INPUT ...`)."""
        return any(word.symbol is not None for word in command.words[1:])

    def message(self, program, command) -> str:
        chain = next((w.text for w in command.words[1:]
                      if w.text in IPTABLES_BUILTINS or w.text in IPCHAINS_BUILTINS), None)
        hint = f': "{chain}" stands where "-A {chain}" was likely meant' if chain else ""
        return f"{program} call without a command (-A, -I, -D, ...){hint}"
