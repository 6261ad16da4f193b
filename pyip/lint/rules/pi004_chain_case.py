from __future__ import annotations

from ..firewall_words import (IPCHAINS_BUILTINS, IPCHAINS_COMMANDS, IPTABLES_BUILTINS, IPTABLES_COMMANDS,
                              chain_of, command_of)
from ..model import Rule, register


@register
class ChainCase(Rule):
    """A built-in chain in the other tool's case.

    ipchains' built-in chains are lowercase (`input`, `forward`, `output`):
    `INPUT` is an undefined user chain there.  iptables' are uppercase
    (`INPUT`, `PREROUTING`, ...): `input` is "No chain/target/match by that
    name".  The firewall article's ipchains fragments use iptables' names.

    Bad:  ipchains -A INPUT -i eth1 -p tcp -d 63.89.102.157 ftp -j ACCEPT
    Good: ipchains -A input -i eth1 -p tcp -d 63.89.102.157 ftp -j ACCEPT
    """

    code = "PI004"
    name = "chain-case"

    def check(self, script):
        findings = []
        for program, table, builtins in (("ipchains", IPCHAINS_COMMANDS, IPCHAINS_BUILTINS),
                                         ("iptables", IPTABLES_COMMANDS, IPTABLES_BUILTINS)):
            created = self.user_chains(script, program, table)
            for command in script.of(program):
                chain = chain_of(command.words, table)
                if chain is None or chain.symbol is not None or chain.text in created:
                    continue
                right = {name.lower(): name for name in builtins}.get(chain.text.lower())
                if right is not None and right != chain.text:
                    findings.append(self.finding(
                        script, chain.location,
                        f'{program} built-in chains are {"lowercase" if program == "ipchains" else "uppercase"}: '
                        f'write {right}, not {chain.text}'))
        return findings

    def user_chains(self, script, program, table) -> set[str]:
        """Chains the script creates itself (-N): their case is the script's business."""
        created = set()
        for command in script.of(program):
            found = command_of(command.words, table)
            if found and found[1] == "N":
                chain = chain_of(command.words, table)
                if chain is not None:
                    created.add(chain.text)
        return created
