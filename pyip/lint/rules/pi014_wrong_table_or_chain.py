from __future__ import annotations

from ..firewall_words import IPTABLES_BUILTINS, IPTABLES_COMMANDS, chain_of, option_value
from ..model import Rule, register

# Where each target may stand: table -> built-in chains (None: any chain of that table).
TARGET_PLACES = {
    "MASQUERADE": {"nat": {"POSTROUTING"}},
    "SNAT": {"nat": {"POSTROUTING", "INPUT"}},
    "DNAT": {"nat": {"PREROUTING", "OUTPUT"}},
    "REDIRECT": {"nat": {"PREROUTING", "OUTPUT"}},
    "TOS": {"mangle": None},
    "TTL": {"mangle": None},
}
# TCPMSS stands in any table; the kernel takes --clamp-mss-to-pmtu only in these hooks.
CLAMP_CHAINS = {"FORWARD", "OUTPUT", "POSTROUTING"}
NO_IN_INTERFACE = {"OUTPUT", "POSTROUTING"}
NO_OUT_INTERFACE = {"INPUT", "PREROUTING"}


@register
class WrongTableOrChain(Rule):
    """A target or option where iptables does not allow it.

    MASQUERADE and SNAT belong in nat POSTROUTING, DNAT and REDIRECT in nat
    PREROUTING or OUTPUT, TOS and TTL in mangle; TCPMSS
    --clamp-mss-to-pmtu in FORWARD, OUTPUT or POSTROUTING (of any table);
    `-i` (incoming interface)
    means nothing in OUTPUT and POSTROUTING, `-o` nothing in INPUT and
    PREROUTING.  iptables refuses such rules.  (User chains are not
    checked: where they are called from decides.)

    Bad:  iptables -A FORWARD -o eth1 -j MASQUERADE
    Good: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
    """

    code = "PI014"
    name = "wrong-table-or-chain"

    def check(self, script):
        findings = []
        for command in script.of("iptables"):
            chain = chain_of(command.words, IPTABLES_COMMANDS)
            table = option_value(command.words, "-t", "--table")
            if chain is None or chain.symbol is not None or chain.text not in IPTABLES_BUILTINS:
                continue
            if table is not None and table.symbol is not None:
                continue
            findings += self.check_rule(script, command, table.text if table else "filter", chain.text)
        return findings

    def check_rule(self, script, command, table, chain):
        findings = []
        target = option_value(command.words, "-j", "--jump")
        if target is not None and target.text in TARGET_PLACES:
            places = TARGET_PLACES[target.text]
            if table not in places or (places[table] is not None and chain not in places[table]):
                where = " or ".join(f"{t} {'/'.join(sorted(c)) if c else '(any chain)'}" for t, c in places.items())
                findings.append(self.finding(script, target.location,
                                             f"-j {target.text} is not allowed in {table} {chain}: it belongs in {where}"))
        if target is not None and target.text == "TCPMSS" and chain not in CLAMP_CHAINS:
            clamp = next((word for word in command.words if word.text == "--clamp-mss-to-pmtu"), None)
            if clamp is not None:
                findings.append(self.finding(script, clamp.location, f"--clamp-mss-to-pmtu works only in FORWARD, "
                                                                     f"OUTPUT and POSTROUTING, not in {chain}"))
        for word in command.words:
            if word.text in ("-i", "--in-interface") and chain in NO_IN_INTERFACE:
                findings.append(self.finding(script, word.location, f"-i (incoming interface) cannot be used in {chain}"))
            elif word.text in ("-o", "--out-interface") and chain in NO_OUT_INTERFACE:
                findings.append(self.finding(script, word.location, f"-o (outgoing interface) cannot be used in {chain}"))
        return findings
