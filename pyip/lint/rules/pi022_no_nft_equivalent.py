from __future__ import annotations

from ...ast import ipchains as ch
from ..firewall_words import final_iptables_rules
from ..model import WARNING, Rule, register


@register
class NoNftEquivalent(Rule):
    """A rule or command `pyip translate` cannot carry over: no nftables
    equivalent (the u32 and string matches, ...), or no ruleset equivalent
    at all (ipchains `-M -S`, masquerading timeouts, now conntrack sysctls).

    The script still runs where the old tool (or iptables-nft's xtables
    compatibility) does; a migration to nft must handle these by hand.
    The message is translate's own.  A warning: advice for the migration.

    Bad:  iptables -A INPUT -m u32 --u32 "0>>22&0x3C@4=0x29" -j DROP
    Good: iptables -A INPUT -p tcp --dport 41 -j DROP
    """

    code = "PI022"
    name = "no-nft-equivalent"
    severity = WARNING

    def check(self, script):
        from ...translators.ipchains_iptables import Note, timeouts_left_out
        from ...translators.iptables_nft import Finding, RuleTranslator

        translator = RuleTranslator(quotes_allowed=False)
        for table, _chain, rules in final_iptables_rules(script):
            translator.table = table
            for rule in rules:
                translator.rule(rule)
        left_out = [(finding.location, finding.message) for finding in translator.findings
                    if isinstance(finding, Finding)]
        left_out += [(rule.location, f"no exact nftables equivalent: {why}")
                     for why, _table, _result, rule in translator.sharing_state()]
        findings = [self.finding(script, location, f"translate --to nft leaves it out: {message}")
                    for location, message in sorted(left_out, key=lambda item: (item[0].line, item[0].col))]
        for command in script.of("ipchains"):
            parsed = command.firewall
            if isinstance(parsed, ch.SetTimeouts) and not any(
                    isinstance(getattr(parsed, field), ch.Symbol) for field in ("tcp", "tcp_fin", "udp")):
                left_out = timeouts_left_out(parsed)
                if not isinstance(left_out, Note):  # a note: -M -S 0 0 0 changes nothing, nothing is lost
                    findings.append(self.finding(script, command.location, left_out.message))
        return findings
