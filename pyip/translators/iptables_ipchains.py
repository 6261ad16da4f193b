"""`pyip translate --to ipchains`: an iptables ruleset said back as ipchains commands, for review,
where ipchains can say it exactly; whatever it cannot is reported and marked `# pyip: left out`.

What ipchains 1.3 can say: the filter table's INPUT, FORWARD and OUTPUT (its input, forward and
output chains) and user chains; -p, -s, -d and their ports, ICMP types, -y (a SYN that opens a
connection), -f; -i in input, -o as ipchains' -i in output and forward (ipchains' -i is the
interface the packet goes out of there); ACCEPT, DROP (DENY), RETURN, REJECT (port unreachable),
a jump; LOG at level 6 without options (ipchains' -l, on a rule that only counts).  Not: nat and
mangle (masquerading was decided in the forward chain), conntrack, -i in forward, other matches.
"""

from __future__ import annotations

from .. import records

from ..ast import firewall as fw
from ..errors import PyipError
from ..extensions import to_ipchains

HEADER = "#!/bin/sh\n# pyip: ipchains commands for this ruleset, for review: what ipchains cannot say is left out\n"
CHAINS = {"INPUT": "input", "FORWARD": "forward", "OUTPUT": "output"}
VERDICTS = {"ACCEPT": "ACCEPT", "DROP": "DENY", "RETURN": "RETURN"}


class LeftOut(Exception):
    """Why a rule or policy has no exact ipchains form."""


def ipchains_script(ruleset) -> tuple[str, list[PyipError]]:
    """The commands (user chains, rules, policies), and an error for each rule left out, at its place."""
    from ..render.ipchains import rule_words
    from ..render.iptables_save import shell_word

    lines, problems = [HEADER], []

    def left_out(why: str, where) -> None:
        problems.append(PyipError(f"no ipchains equivalent: {why}", where))
        lines.append(f"# pyip: left out: {why}\n")

    for table in ruleset.tables.values():
        if table.name != "filter":
            for chain in table.chains.values():
                for rule in chain.rules:
                    left_out(f"the {table.name} table ({chain.name}): ipchains has only its three chains", rule.location)
            continue
        for chain in table.user_chains():
            lines.append(f"ipchains -N {shell_word(chain.name)}\n")
        for chain in table.chains.values():
            for rule in chain.rules:
                try:
                    said = ipchains_rule(rule)
                except LeftOut as why:
                    left_out(f"{why} (-A {chain.name})", rule.location)
                    continue
                lines.append(" ".join(shell_word(w) for w in ["ipchains", "-A", said.chain, *rule_words(said)]) + "\n")
        for chain in table.chains.values():
            if chain.policy is not None:
                policy = VERDICTS.get(chain.policy)
                if policy is None:
                    left_out(f"policy {chain.policy} of {chain.name}", None)
                else:
                    lines.append(f"ipchains -P {CHAINS[chain.name]} {policy}\n")
    return "".join(lines), problems


def ipchains_rule(rule: fw.Rule) -> fw.Rule:
    """The rule in ipchains' terms (the same AST, as pyip's ipchains reader builds it)."""
    chain = CHAINS.get(rule.chain, rule.chain)
    if isinstance(chain, str) and chain not in CHAINS.values() and len(chain) > 8:
        raise LeftOut(f"chain name {chain} is longer than ipchains' 8 characters")
    interface = interface_of(rule, chain)
    for match in rule.matches:
        check_match(match)
    target, actions = target_of(rule.target)
    return records.evolve(rule, chain=chain, in_interface=interface, out_interface=None, target=target,
                        actions=actions, origin="ipchains")


def interface_of(rule: fw.Rule, chain: str):
    """ipchains' one -i: the way in for input, the way out for output and forward."""
    if rule.in_interface is not None and rule.out_interface is not None:
        raise LeftOut("both -i and -o")
    if rule.in_interface is not None:
        if chain != "input":
            raise LeftOut(f"-i outside INPUT (ipchains' -i in {chain} is the interface a packet leaves by)")
        return rule.in_interface
    if rule.out_interface is not None:
        if chain not in ("output", "forward"):
            raise LeftOut(f"-o in {chain}")
        return rule.out_interface
    return None


def check_match(match) -> None:
    """The match's extension module says whether ipchains can say it (its TO_IPCHAINS)."""
    if to_ipchains(match) is None:
        raise LeftOut(f"-m {getattr(match, 'name', type(match).__name__)} (ipchains matches only ports, ICMP types "
                      "and -y)")


def target_of(target) -> tuple:
    """(target, actions) for the ipchains rule: verdicts and jumps here, extensions by their module."""
    if target is None:
        return None, ()
    if isinstance(target, fw.Verdict) and target.name in VERDICTS:
        return fw.Verdict(VERDICTS[target.name]), ()
    if isinstance(target, fw.ChainJump) and not target.goto:
        return target, ()
    said = to_ipchains(target)
    if said is not None:
        return said
    raise LeftOut(f"-j {getattr(target, 'name', type(target).__name__)} with its options")
