"""Translators between firewall rulesets: iptables -> nftables, ipchains -> iptables (and on to nftables)."""
