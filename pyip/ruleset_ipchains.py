"""The ruleset a sequence of ipchains commands leaves, as a Linux 2.2 kernel (or 2.4's ipchains layer) kept it.

`IpchainsRuleset.apply(command)` does what the command does to the chains,
or raises the error ipchains printed, exit status 1.  The message is
ipchains' own (libipfwc's ipfwc_strerror()), which is often less than
clear -- appending to a chain that does not exist says "No target by that
name" -- so pyip says in parentheses what the kernel refused.  What the
model knows (net/ipv4/netfilter/ipchains_core.c):

- The built-in chains are `input`, `forward` and `output`, policy ACCEPT;
  names are case-sensitive (`INPUT` is a user chain, and does not exist
  until -N makes it).  -N refuses an existing name, built-ins included.
- A rule with several addresses (a name with several addresses) is one
  kernel rule per address pair; -I puts each at the same place, so they end
  up in reverse order; -b then does the same for the mirrored rule.
- A rule may jump to a user chain that exists, never to a built-in one; a
  chain that a rule jumps to, or that has rules, cannot be deleted.
- -D RULE deletes the first rule the kernel finds equal: the kernel
  compares everything but the mark and the TOS action.
- A `!` that makes a test match nothing (`! -s 0/0`, `-i ! +`, `! 0:65535`)
  is refused.
- Each kernel call stands alone: -X without a chain deletes what it can,
  and a command that makes several calls (-b, several addresses) keeps the
  ones that worked before the one that failed.
"""

from __future__ import annotations

from . import records

from .ast import firewall as fw
from .extensions.udp import UdpMatch
from .extensions.tcp import TcpMatch
from .extensions.tos import Tos
from .extensions.mark import Mark
from .ast import ipchains as ch
from .errors import PyipError
from .ruleset import Chain, RulesetError, check_known, kernel_rules

# libipfwc's messages for the kernel's errno, by the call that got it (None: any call).
MESSAGES = {
    ("append", "ENOENT"): "No target by that name", ("insert", "ENOENT"): "No target by that name",
    ("replace", "ENOENT"): "No target by that name", (None, "ENOENT"): "No chain by that name",
    ("delete_chain", "ENOTEMPTY"): "Chain is not empty", ("new_chain", "EEXIST"): "Chain already exists",
    ("delete", "EINVAL"): "bad rule (does a matching rule exist in that chain?)",
    ("insert", "EINVAL"): "bad rule (does a matching rule exist in that chain?)",
    ("delete_num", "EINVAL"): "bad rule (does a matching rule exist in that chain?)",
    ("replace", "EINVAL"): "bad rule (does a matching rule exist in that chain?)",
    (None, "EINVAL"): "Invalid argument", (None, "EBUSY"): "Device or resource busy",
}
IGNORED_BY_DELETE = (Mark, ch.MarkAdd, Tos)
COMMANDS = (ch.Append, ch.Insert, ch.Replace, ch.Delete, ch.DeleteNumber, ch.CheckPacket, ch.NewChain,
            ch.DeleteChain, ch.Flush, ch.Zero, ch.List, ch.Policy, ch.ListMasquerading, ch.SetTimeouts,
            ch.Help, ch.Version)


def refuse(call: str | None, errno: str, command: fw.Command, why: str | None = None) -> RulesetError:
    message = MESSAGES.get((call, errno)) or MESSAGES[(None, errno)]
    return RulesetError(f"{message} ({why})" if why else message, command.location, 1)


def delete_key(rule: fw.Rule) -> fw.Rule:
    """The rule as del_rule_from_chain() compares it: without the mark and TOS actions."""
    return records.evolve(rule, actions=tuple(a for a in rule.actions if not isinstance(a, IGNORED_BY_DELETE)))


def unmatchable(rule: fw.Rule) -> bool:
    """convert_ipfw(): a `!` on a test that matches everything makes a rule that matches nothing."""
    interface = rule.in_interface
    if any(negated_any_address(test) for test in (rule.source, rule.destination)):
        return True
    if interface is not None and interface.negated and interface.value in ("", "+"):
        return True
    return any(test is not None and test.negated and test.value == fw.PortRange(0, 0xFFFF)
               for test in port_tests(rule))


def negated_any_address(test: fw.Test | None) -> bool:
    return test is not None and test.negated and any(isinstance(a, fw.Address) and a.mask == 0 for a in test.value)


def port_tests(rule: fw.Rule) -> list:
    tests = []
    for match in rule.matches:
        if isinstance(match, (TcpMatch, UdpMatch)):
            tests += [match.sport, match.dport]
        elif isinstance(match, ch.IcmpRanges):
            tests += [match.types, match.codes]
    return tests


class IpchainsRuleset:
    """The chains an ipchains script leaves, in creation order (the built-ins first)."""

    def __init__(self):
        self.chains: dict[str, Chain] = {name: Chain(name, "ACCEPT") for name in ch.BUILTIN_CHAINS}

    def apply(self, command: fw.Command) -> None:
        """Do what the command does, or raise ipchains' error (keeping what earlier kernel calls did)."""
        if type(command) not in COMMANDS:
            raise TypeError(f"not an ipchains command: {type(command).__name__}")
        check_known(command)
        getattr(self, "_" + type(command).__name__.lower())(command)

    # -- rules -----------------------------------------------------------------------------------

    def rule_chain(self, call: str, rule: fw.Rule, command: fw.Command) -> Chain:
        """The rule's chain, after what the kernel checks before any change: the chain, the `!`s, the target."""
        chain = self.chains.get(rule.chain)
        if chain is None:
            raise refuse(call, "ENOENT", command, f"chain `{rule.chain}' does not exist")
        if unmatchable(rule):
            raise refuse(call, "EINVAL", command, "a `!' makes the rule match nothing")
        self.check_jump(call, rule, command)
        return chain

    def check_jump(self, call: str, rule: fw.Rule, command: fw.Command) -> None:
        target = rule.target
        if not isinstance(target, fw.ChainJump):
            return
        if target.chain in ch.BUILTIN_CHAINS:
            raise refuse(call, "ENOENT", command, f"a rule cannot jump to the built-in chain `{target.chain}'")
        if target.chain not in self.chains:
            raise refuse(call, "ENOENT", command, f"chain `{target.chain}' does not exist")

    def _append(self, command: ch.Append) -> None:
        for rule in command.rules:
            for single in kernel_rules(rule):
                self.rule_chain("append", single, command).rules.append(single)

    def _insert(self, command: ch.Insert) -> None:
        for rule in command.rules:
            for single in kernel_rules(rule):
                chain = self.rule_chain("insert", single, command)
                if command.position > len(chain.rules) + 1:
                    raise refuse("insert", "EINVAL", command, f"chain `{chain.name}' has {len(chain.rules)} rules")
                chain.rules.insert(command.position - 1, single)

    def _replace(self, command: ch.Replace) -> None:
        rule = kernel_rules(command.rule)[0]
        chain = self.rule_chain("replace", rule, command)
        if command.position > len(chain.rules):
            raise refuse("replace", "EINVAL", command, f"chain `{chain.name}' has {len(chain.rules)} rules")
        chain.rules[command.position - 1] = rule

    def _delete(self, command: ch.Delete) -> None:
        for rule in command.rules:
            for single in kernel_rules(rule):
                chain = self.rule_chain("delete", single, command)
                wanted = delete_key(single)
                found = next((index for index, r in enumerate(chain.rules) if delete_key(r) == wanted), None)
                if found is None:
                    raise refuse("delete", "EINVAL", command)
                del chain.rules[found]

    def _deletenumber(self, command: ch.DeleteNumber) -> None:
        chain = self.existing(command.chain, command)
        if command.position > len(chain.rules):
            raise refuse("delete_num", "ENOENT", command, f"chain `{chain.name}' has no rule {command.position}")
        del chain.rules[command.position - 1]

    def _checkpacket(self, command: ch.CheckPacket) -> None:
        """pyip does not send the packet down the chain; the chain must exist."""
        self.existing(command.rule.chain, command)

    # -- chains ----------------------------------------------------------------------------------

    def existing(self, name: str, command: fw.Command) -> Chain:
        chain = self.chains.get(name)
        if chain is None:
            raise refuse(None, "ENOENT", command, f"chain `{name}' does not exist")
        return chain

    def selected(self, name: str | None, command: fw.Command) -> list[Chain]:
        """-F, -Z, -L: one chain, or all of them."""
        return list(self.chains.values()) if name is None else [self.existing(name, command)]

    def _newchain(self, command: ch.NewChain) -> None:
        if command.chain in self.chains:
            raise refuse("new_chain", "EEXIST", command)
        self.chains[command.chain] = Chain(command.chain)

    def _deletechain(self, command: ch.DeleteChain) -> None:
        if command.chain is not None:
            self.delete_chain(command.chain, command)
            return
        failure = None
        for chain in [c for c in self.chains.values() if c.policy is None]:
            try:
                self.delete_chain(chain.name, command)
            except PyipError as error:
                failure = error  # ipchains goes on with the others and reports the last failure
        if failure is not None:
            raise failure

    def delete_chain(self, name: str, command: fw.Command) -> None:
        chain = self.chains.get(name)
        if chain is not None and chain.policy is not None:
            raise refuse("delete_chain", "EBUSY", command, f"`{name}' is a built-in chain")
        chain = self.existing(name, command)
        if self.jumps_to(name):
            raise refuse("delete_chain", "EBUSY", command, f"rules jump to chain `{name}'")
        if chain.rules:
            raise refuse("delete_chain", "ENOTEMPTY", command)
        del self.chains[name]

    def jumps_to(self, name: str) -> bool:
        return any(isinstance(rule.target, fw.ChainJump) and rule.target.chain == name
                   for chain in self.chains.values() for rule in chain.rules)

    def _flush(self, command: ch.Flush) -> None:
        for chain in self.selected(command.chain, command):
            chain.rules = []

    def _zero(self, command: ch.Zero) -> None:
        self.selected(command.chain, command)

    def _list(self, command: ch.List) -> None:
        self.selected(command.chain, command)

    def _policy(self, command: ch.Policy) -> None:
        chain = self.existing(command.chain, command)
        if chain.policy is None:
            raise refuse(None, "EINVAL", command, f"`{chain.name}' is not a built-in chain")
        chain.policy = command.policy

    def _listmasquerading(self, command: ch.ListMasquerading) -> None:
        """Masquerading entries are connections, not rules: nothing to change."""

    def _settimeouts(self, command: ch.SetTimeouts) -> None:
        """Timeouts are not part of the ruleset."""

    def _help(self, command: ch.Help) -> None:
        """Help changes nothing."""

    def _version(self, command: ch.Version) -> None:
        """-V changes nothing."""
