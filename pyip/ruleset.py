"""The ruleset a sequence of iptables commands leaves, as iptables-nft 1.8 would leave it in the kernel.

`Ruleset.apply(command)` does what the command does to the tables, or
raises the PyipError iptables would print (with its exit status) and
changes nothing: each iptables call is one nftables transaction.  What
the model knows:

- A table exists once a command writes to it (-A, -I, -N, -P, -F CHAIN),
  and a built-in chain once a command needs it; -X deletes unused built-in
  chains too (iptables-nft creates them again when needed).
- A rule with several addresses (`-s A,B -d C`) is one kernel rule per
  address pair; -I inserts them one after the other at the same place.
- -D RULE deletes the first rule equal to it (the AST's equality is the
  kernel's: `--dport ssh` is `--dport 22`).
- The kernel refuses targets outside their table or hooks (MASQUERADE
  outside nat POSTROUTING, ...), matches outside their hooks (mac, owner),
  and jump loops, wherever a base chain reaches the rule.
"""

from __future__ import annotations

import ipaddress
import itertools

from . import records

from . import extensions, memo
from .ast import firewall as fw
from .errors import PyipError

NO_CHAIN = "iptables: No chain/target/match by that name."
BAD_RULE = "iptables: Bad rule (does a matching rule exist in that chain?)."
OPERATIONS = {fw.Append: "RULE_APPEND", fw.Insert: "RULE_INSERT", fw.Replace: "RULE_REPLACE"}

ANY = None  # a kernel restriction that does not care
# Where the kernel takes a match or target, (table, hooks, protocol), and what its check refuses, are the
# extension node's own facts: pyip.extensions.limits() and kernel_error().


class RulesetError(PyipError):
    """A command iptables would refuse because of the ruleset it meets."""


def refuse(message: str, command: fw.Command, status: int = 1) -> RulesetError:
    return RulesetError(message, command.location, status)


class Chain(metaclass=records.define):
    name: str
    policy: str | None = None  # built-in chains only
    rules: list = records.field(factory=list)
    # rule -> how many times the chain holds it, for -D and -C (a scan per command made scripts that
    # delete before they add quadratic); kept by Ruleset's changes, None until first needed
    counts: dict | None = records.field(default=None, eq=False, repr=False)

    def holds(self, rule: fw.Rule) -> bool:
        if self.counts is None:
            self.counts = {}
            count_rules(self.counts, self.rules, 1)
        return rule in self.counts


def count_rules(counts: dict, rules: list, change: int) -> None:
    for rule in rules:
        count = counts.get(rule, 0) + change
        if count:
            counts[rule] = count
        else:
            del counts[rule]


class Table(metaclass=records.define):
    """A table that exists, and the chains that exist in it, in creation order.

    iptables-nft creates a built-in chain only when a command needs it
    (-A, -I, -P, -F CHAIN); iptables-save prints every built-in chain of a
    table that exists, the missing ones with policy ACCEPT.
    """

    name: str
    chains: dict = records.field(factory=dict)

    def user_chains(self) -> list[Chain]:
        return [chain for chain in self.chains.values() if chain.policy is None]

    def builtin(self, name: str) -> Chain:
        if name not in self.chains:
            self.chains[name] = Chain(name, "ACCEPT")
        return self.chains[name]

    def taken(self, name: str) -> bool:
        """Names a new or renamed chain may not have: the table's chains and all built-in names."""
        return name in self.chains or name in fw.TABLES[self.name]


def kernel_rules(rule: fw.Rule) -> list[fw.Rule]:
    """One rule per (source, destination) pair, as iptables adds them."""
    if single_address(rule.source) and single_address(rule.destination):
        return [rule]  # the common case: the rule is its own only pair
    sources = single_addresses(rule.source)
    destinations = single_addresses(rule.destination)
    return [records.evolve(rule, source=s, destination=d) for s, d in itertools.product(sources, destinations)]


def single_address(test: fw.Test | None) -> bool:
    """single_addresses() would give [test] back."""
    return test is None or test.negated or len(test.value) < 2


def single_addresses(test: fw.Test | None) -> list:
    if test is None:
        return [None]
    if test.negated or len(test.value) < 2:
        return [test]
    return [None if isinstance(a, fw.Address) and a.mask == 0 else records.evolve(test, value=(a,)) for a in test.value]


def has_host_name(rule: fw.Rule) -> bool:
    for test in (rule.source, rule.destination):  # loops, not any() of generators: asked of every rule
        if test is not None:
            for address in test.value:
                if isinstance(address, fw.HostName):
                    return True
    return False


def resolved(rule: fw.Rule, command: fw.Command) -> fw.Rule:
    """iptables resolves a host name when the command runs (one rule per address, duplicates dropped after the
    mask); a name that does not resolve fails that command."""
    return records.evolve(rule, source=resolved_test(rule.source, command),
                        destination=resolved_test(rule.destination, command))


def resolved_test(test: fw.Test | None, command: fw.Command) -> fw.Test | None:
    from . import netdb

    if test is None or not any(isinstance(a, fw.HostName) for a in test.value):
        return test
    addresses = []
    for address in test.value:
        if not isinstance(address, fw.HostName):
            addresses.append(address)
            continue
        found = netdb.resolve_host(address.name)
        if not found:
            raise refuse(f"host/network `{address.name}' not found", command, 2)
        addresses += [fw.Address(ipaddress.IPv4Address(int(a) & address.mask), address.mask) for a in found]
    return records.evolve(test, value=tuple(dict.fromkeys(addresses)))


class Ruleset:
    """The tables an iptables script leaves; only tables that exist are in `tables`.

    A failed command is undone from a journal (`undo`) that every change
    records, not from a copy of the tables: copying made each command cost
    as much as the whole ruleset.  Rules are inserted and removed in place,
    each change journaled with its inverse; flushes and renames put a new
    list or dict in place of the old one, which the journal puts back.

    The jumps between chains (who calls whom, counted) are kept by table and
    changed with the rules, undo included, since checking a rule added to a
    user chain needs them and finding them anew reads every rule; only chain
    deletions and renames forget them.  The tables are changed through these
    methods only.
    """

    def __init__(self):
        self.tables: dict[str, Table] = {}
        self.undo: list = []
        self.known_callers: dict[str, dict] = {}  # table name -> callers(), kept up to date with the rules
        # (table name, chain name) -> reaching_hooks(): emptied whenever a jump between chains comes or goes
        self.known_hooks: dict[tuple, dict] = {}
        # id() -> each chain that holds rules of the rule lane (append_stenciled()); the entry holds the chain
        self.stenciled: dict = {}

    def apply(self, command: fw.Command) -> None:
        """Do what the command does, or raise iptables' error and leave the ruleset as it was."""
        if self.stenciled and command.__class__ not in READS_TARGETS_ONLY:
            self.materialize_for(command)
        check_known(command)
        if isinstance(command, fw.RULE_COMMANDS) and has_host_name(command.rule):
            command = records.evolve(command, rule=resolved(command.rule, command))
        handler = HANDLERS.get(type(command)) or getattr(Ruleset, "_" + type(command).__name__.lower())
        self.undo = []
        try:
            handler(self, command)
        except PyipError:
            for action in reversed(self.undo):
                action()
            raise
        finally:
            self.undo = []

    # -- the rule lane -------------------------------------------------------------------------

    def append_stenciled(self, rule, view: fw.Rule, checks: tuple) -> bool:
        """_append() of a rule the rule lane read (pyip.translators.lane: a Stenciled, which has the
        rule's table, chain, matches and target but not its Rule), True if it is in; False where the rule
        command must be applied instead: iptables would refuse it (the command gives the error, in its
        place), or its chain counts its rules (the counts hold rules, to compare them).

        `view`: a Rule with the rule's table, chain, interfaces, protocol, fragment, matches and target and
        no addresses, which the checks read in the rule's place; `checks`: rule_checks() of it.  The lane
        takes only one address each for -s and -d, without `!`: kernel_rules() gives the rule back alone,
        and rule_checks() reads addresses only when negated.  What else of a chain's rules the checks read
        (walk(), add_callers()) is their targets and matches, which a Stenciled holds.  Commands that
        compare or rewrite rules materialize the lane's rules first (materialize_for())."""
        if checks is PASSED and view.target.__class__ is not fw.ChainJump:
            # What _append() does for a rule the kernel takes in any chain and that jumps nowhere: no
            # callers change and no hook is asked, so the rule goes in the chain if the chain exists.
            table = self.tables.get(view.table)
            chain = None if table is None else table.chains.get(view.chain)
            if chain is not None and chain.counts is None:
                chain.rules.append(rule)  # nothing to journal: nothing after it can fail
                self.stenciled[id(chain)] = chain
                return True
        self.undo = []
        try:
            self.check_jump(view, LANE)
            table_name = view.table
            chain = self.writable_chain(table_name, view.chain, LANE)
            if chain.counts is not None:
                return False
            table = self.tables[table_name]
            self.add_rules(table, chain, [rule])
            if new_rules_problem(table, view.chain, [view], self.callers, self.reaching_hooks, [checks]) is not None:
                raise RulesetError("refused", None)
        except PyipError:
            for action in reversed(self.undo):
                action()
            return False
        finally:
            self.undo = []
        self.stenciled[id(chain)] = chain
        return True

    def materialize_for(self, command: fw.Command) -> None:
        """Put the Rule of each of the lane's rules where the command reads more of them than their targets
        and matches: -D and -C compare the rules of their chain (and then count them: the lane no longer
        appends there, see append_stenciled()), -E rewrites the rules of its table, anything else
        (unknown to the lane) all of them."""
        if command.__class__ in (fw.Delete, fw.Check):
            chain = self.chain(command.rule.table, command.rule.chain)
            chains = [] if chain is None or id(chain) not in self.stenciled else [chain]
        elif command.__class__ is fw.RenameChain:
            table = self.tables.get(command.table)
            chains = [] if table is None else [chain for chain in table.chains.values() if id(chain) in self.stenciled]
        else:
            chains = list(self.stenciled.values())
        for chain in chains:
            chain.rules = [rule if rule.__class__ is fw.Rule else rule.materialized() for rule in chain.rules]
            del self.stenciled[id(chain)]

    # -- changes, journaled ------------------------------------------------------------------------

    def set_rules(self, table: Table, chain: Chain, rules: list) -> None:
        old = chain.rules
        self.undo.append(lambda: self.swap_rules(table, chain, old))
        self.swap_rules(table, chain, rules)

    def swap_rules(self, table: Table, chain: Chain, rules: list) -> None:
        self.count_jumps(table, chain, chain.rules, -1)
        self.count_jumps(table, chain, rules, 1)
        chain.rules = rules

    def count_jumps(self, table: Table, chain: Chain, rules: list, change: int) -> None:
        """Keep the jumps between chains, and the chain's rule counts, in step with its rules."""
        callers = self.known_callers.get(table.name)
        if callers is not None and add_callers(callers, chain, rules, change):
            self.known_hooks.clear()  # a chain calls another it did not, or no longer: hooks may change
        if chain.counts is not None:
            count_rules(chain.counts, rules, change)

    def insert_rules(self, table: Table, chain: Chain, at: int, rules: list) -> None:
        """In place: a copy of a long chain for every -I made scripts quadratic."""
        def undo():
            del chain.rules[at:at + len(rules)]
            self.count_jumps(table, chain, rules, -1)
        self.undo.append(undo)
        chain.rules[at:at] = rules
        self.count_jumps(table, chain, rules, 1)

    def remove_rule(self, table: Table, chain: Chain, index: int) -> None:
        rule = chain.rules.pop(index)
        self.count_jumps(table, chain, [rule], -1)

        def undo():
            chain.rules.insert(index, rule)
            self.count_jumps(table, chain, [rule], 1)
        self.undo.append(undo)

    def set_chains(self, table: Table, chains: dict) -> None:
        """Chains deleted (only empty ones nothing jumps to: the jumps stay as they were) or renamed."""
        old = table.chains
        self.undo.append(lambda: setattr(table, "chains", old))
        table.chains = chains

    def add_rules(self, table: Table, chain: Chain, rules: list) -> None:
        self.insert_rules(table, chain, len(chain.rules), rules)

    def reaching_hooks(self, table: Table, chain_name: str) -> dict[str, int]:
        """reaching_hooks(), remembered until a jump between chains changes.  What it reads besides the jumps
        is whether a chain is a built-in one, which a chain's name says (no user chain takes a built-in
        name), so chains made or deleted change nothing (a chain deleted had no jumps from or to it)."""
        key = (table.name, chain_name)
        hooks = self.known_hooks.get(key)
        if hooks is None:
            hooks = reaching_hooks(table, chain_name, self.callers)
            if memo.enabled:
                if len(self.known_hooks) >= memo.MEMO_SIZE:
                    self.known_hooks.clear()
                self.known_hooks[key] = hooks
        return hooks

    def callers(self, table: Table) -> dict:
        """For each chain jumped or gone to, the chains whose rules do it."""
        callers = self.known_callers.get(table.name)
        if callers is None:
            callers = self.known_callers[table.name] = {}
            for chain in table.chains.values():
                add_callers(callers, chain, chain.rules)
        return callers

    def add_chain(self, table: Table, chain: Chain) -> Chain:
        self.undo.append(lambda: table.chains.pop(chain.name))
        table.chains[chain.name] = chain
        return chain

    def builtin(self, table: Table, name: str) -> Chain:
        """Table.builtin(), journaled."""
        chain = table.chains.get(name)
        return chain if chain is not None else self.add_chain(table, Chain(name, "ACCEPT"))

    # -- lookups -----------------------------------------------------------------------------

    def table(self, name: str, create: bool = False) -> Table | None:
        if name not in self.tables and create:
            self.undo.append(lambda: self.tables.pop(name))
            self.tables[name] = Table(name)
        return self.tables.get(name)

    def chain(self, table_name: str, chain_name: str) -> Chain | None:
        """The chain if it exists in the kernel."""
        table = self.tables.get(table_name)
        return table.chains.get(chain_name) if table else None

    def writable_chain(self, table_name: str, chain_name: str, command: fw.Command) -> Chain:
        """The chain a rule goes into: a built-in one is created (with its table), a user chain must exist."""
        if chain_name in fw.TABLES[table_name]:
            return self.builtin(self.table(table_name, create=True), chain_name)
        chain = self.chain(table_name, chain_name)
        if chain is None:
            raise refuse(NO_CHAIN, command)
        return chain

    def numbered_chain(self, table_name: str, chain_name: str, command: fw.Command) -> Chain:
        """-R and -D NUM need the chain to exist already."""
        chain = self.chain(table_name, chain_name)
        if chain is None:
            raise refuse(NO_CHAIN, command)
        return chain

    def check_jump(self, rule: fw.Rule, command: fw.Command) -> None:
        target = rule.target
        if isinstance(target, fw.ChainJump):
            table = self.tables.get(rule.table)
            if not (table.taken(target.chain) if table else target.chain in fw.TABLES[rule.table]):
                raise refuse(f"Chain '{target.chain}' does not exist", command, 2)

    # -- rule commands --------------------------------------------------------------------------

    def _append(self, command: fw.Append) -> None:
        rule = command.rule
        self.check_jump(rule, command)
        rules = kernel_rules(rule)
        chain = self.writable_chain(rule.table, rule.chain, command)  # creates the table if need be
        self.add_rules(self.tables[rule.table], chain, rules)
        self.validate(rule, command, rules)

    def _insert(self, command: fw.Insert) -> None:
        rule = command.rule
        self.check_jump(rule, command)
        chain = self.writable_chain(rule.table, rule.chain, command)
        if command.position > len(chain.rules) + 1:
            raise refuse("iptables: Index of insertion too big.", command)
        rules = kernel_rules(rule)
        at = command.position - 1
        self.insert_rules(self.tables[rule.table], chain, at, rules[::-1])  # each inserted at the same place
        self.validate(rule, command, rules)

    def _replace(self, command: fw.Replace) -> None:
        rule = command.rule
        self.check_jump(rule, command)
        chain = self.numbered_chain(rule.table, rule.chain, command)
        if command.position > len(chain.rules):
            raise refuse("iptables: Index of replacement too big.", command)
        table = self.tables[rule.table]
        self.remove_rule(table, chain, command.position - 1)
        self.insert_rules(table, chain, command.position - 1, kernel_rules(rule)[:1])
        self.validate(rule, command)

    def _delete(self, command: fw.Delete) -> None:
        rule = command.rule
        self.check_jump(rule, command)
        chain = self.chain(rule.table, rule.chain)
        for kernel_rule in kernel_rules(rule):
            if chain is None or not chain.holds(kernel_rule):
                raise refuse(BAD_RULE, command)
            self.remove_rule(self.tables[rule.table], chain, chain.rules.index(kernel_rule))

    def _check(self, command: fw.Check) -> None:
        rule = command.rule
        self.check_jump(rule, command)
        chain = self.chain(rule.table, rule.chain)
        if chain is None or not all(map(chain.holds, kernel_rules(rule))):
            raise refuse(BAD_RULE, command)

    def _deletenumber(self, command: fw.DeleteNumber) -> None:
        chain = self.numbered_chain(command.table, command.chain, command)
        if command.position > len(chain.rules):
            raise refuse("iptables: Index of deletion too big.", command)
        self.remove_rule(self.tables[command.table], chain, command.position - 1)

    # -- chain commands --------------------------------------------------------------------------

    def _newchain(self, command: fw.NewChain) -> None:
        table = self.table(command.table, create=True)
        if table.taken(command.chain):
            raise refuse("iptables: Chain already exists.", command)
        self.add_chain(table, Chain(command.chain))

    def _deletechain(self, command: fw.DeleteChain) -> None:
        table = self.tables.get(command.table)
        if table is not None:
            self.set_chains(table, dict(table.chains))  # a deleted chain comes back at its place
        if command.chain is None:
            for chain in list(table.chains.values()) if table else []:
                if chain.policy is None:
                    self.delete_chain(table, chain, command)
                elif chain.policy == "ACCEPT" and not chain.rules:
                    del table.chains[chain.name]  # an unused built-in chain goes too
            return
        chain = table.chains.get(command.chain) if table else None
        if chain is None:
            raise refuse(NO_CHAIN, command)
        if chain.policy not in (None, "ACCEPT"):
            raise refuse("iptables: Directory not empty.", command)
        self.delete_chain(table, chain, command)

    def delete_chain(self, table: Table, chain: Chain, command: fw.Command) -> None:
        if chain.rules or self.callers(table).get(chain.name):
            raise refuse(f"CHAIN_DEL failed (Device or resource busy): chain {chain.name}", command, 4)
        del table.chains[chain.name]

    def _renamechain(self, command: fw.RenameChain) -> None:
        table = self.tables.get(command.table)
        if table.taken(command.new_name) if table else command.new_name in fw.TABLES[command.table]:
            raise refuse("iptables: File exists.", command)
        chain = table.chains.get(command.chain) if table else None
        if chain is None:
            raise refuse(NO_CHAIN, command)
        if chain.policy is not None:
            # iptables-nft does it, and the renamed base chain keeps filtering out of iptables' sight
            raise refuse(f"pyip: renaming the built-in chain {command.chain} hides it and its rules from iptables; "
                         "not followed", command)
        self.set_chains(table, {(command.new_name if name == command.chain else name): c
                                for name, c in table.chains.items()})
        self.known_callers.clear()  # the jumps are counted by chain name: found anew when needed
        self.known_hooks.clear()
        self.undo.append(lambda: setattr(chain, "name", command.chain))
        chain.name = command.new_name
        self.set_rules(table, chain, [records.evolve(rule, chain=command.new_name) for rule in chain.rules])
        for other in table.chains.values():
            self.set_rules(table, other, [renamed_jump(rule, command.chain, command.new_name) for rule in other.rules])

    def _flush(self, command: fw.Flush) -> None:
        if command.chain is None:
            table = self.tables.get(command.table)
            for chain in table.chains.values() if table else []:
                self.set_rules(table, chain, [])
            return
        chain = self.writable_chain(command.table, command.chain, command)
        self.set_rules(self.tables[command.table], chain, [])

    def _zero(self, command: fw.Zero) -> None:
        if command.chain is not None and self.chain(command.table, command.chain) is None:
            raise refuse(NO_CHAIN, command)

    def _list(self, command: fw.List) -> None:
        if command.chain is not None and self.chain(command.table, command.chain) is None \
                and command.chain not in fw.TABLES[command.table]:
            raise refuse(f"chain `{command.chain}' in table `{command.table}' is incompatible, use 'nft' tool.",
                         command)

    def _policy(self, command: fw.Policy) -> None:
        if command.policy not in fw.POLICIES:
            raise refuse("iptables: Bad policy name. Run `dmesg' for more information.", command)
        if command.chain not in fw.TABLES[command.table]:
            raise refuse("iptables: Bad built-in chain name.", command)
        chain = self.builtin(self.table(command.table, create=True), command.chain)
        old = chain.policy
        self.undo.append(lambda: setattr(chain, "policy", old))
        chain.policy = command.policy

    # -- what the kernel checks on commit ---------------------------------------------------------

    def validate(self, rule: fw.Rule, command: fw.Command, rules: list | None = None) -> None:
        """nft_table_validate(): the new rules (rule's kernel rules) fit their table, and every hook that
        reaches them."""
        table = self.tables[rule.table]
        problem = new_rules_problem(table, rule.chain, kernel_rules(rule) if rules is None else rules, self.callers,
                                    self.reaching_hooks)
        if problem is not None:
            raise refuse(f"{OPERATIONS[type(command)]} failed ({problem}): rule in chain {rule.chain}", command, 4)


def add_callers(callers: dict, chain: Chain, rules: list, change: int = 1) -> bool:
    """Count (or, change -1, uncount) the jumps of `rules`, in `chain`: callers[target][chain] = how many.
    True if a chain now calls one it did not, or no longer does (what reaching_hooks() reads)."""
    changed = False
    for rule in rules:
        if isinstance(rule.target, fw.ChainJump):
            counts = callers.setdefault(rule.target.chain, {})
            count = counts.get(chain.name, 0) + change
            if count:
                changed = changed or count == change  # 0 -> 1 (a removal never makes a count)
                counts[chain.name] = count
            else:
                del counts[chain.name]
                changed = True
    return changed


# nf_tables keeps a stack of NFT_JUMP_STACK_SIZE (16) chains, the base chain included: a user chain
# that packets reach through more than 15 jumps is refused, as is a loop, with EMLINK.
MAX_JUMP_LEVEL = 15
TOO_MANY_LINKS = "Too many links"


def new_rules_problem(table: Table, chain_name: str, rules: list, callers, hooks=None,
                      checks: list | None = None) -> str | None:
    """Targets tied to a table or protocol, hooks, loops and jump depth, for rules just added to a chain;
    callers(table) gives the jumps between the table's chains, hooks(table, chain name) (if given) what
    reaching_hooks() would, `checks` (if given) each rule's rule_checks()."""
    checked = []
    for at, rule in enumerate(rules):
        problem, hook_sets = rule_checks(rule, table.name) if checks is None else checks[at]
        if problem is not None:
            return problem
        checked.append((rule, hook_sets))
    reaching = reaching_hooks(table, chain_name, callers) if hooks is None else hooks(table, chain_name)
    for hook, level in reaching.items():
        for rule, hook_sets in checked:
            for allowed in hook_sets:  # rule_allows_hook(rule, hook), from what rule_checks() found
                if hook not in allowed:
                    return "Invalid argument"
            target = rule.target
            if isinstance(target, fw.ChainJump) and target.chain in table.chains:
                problem = walk(table, table.chains[target.chain], hook, level + 1)
                if problem is not None:
                    return problem
    return None


def reaching_hooks(table: Table, chain_name: str, callers) -> dict[str, int]:
    """The base chains from which packets reach a chain (through -j and -g), each with the most jumps
    that takes; callers(table) gives the jumps.  Only MAX_JUMP_LEVEL callers up: in a ruleset the
    kernel took, a base chain further up would reach this chain through too many jumps."""
    if table.chains[chain_name].policy is not None:
        return {chain_name: 0}  # a base chain: nothing jumps to one
    callers = callers(table)
    hooks: dict[str, int] = {}
    seen: set = set()  # (chain, jumps up to it): at most MAX_JUMP_LEVEL + 1 visits of a chain
    todo = [(chain_name, 0)]
    while todo:
        name, up = todo.pop()
        if up > MAX_JUMP_LEVEL or (name, up) in seen:
            continue
        seen.add((name, up))
        if table.chains[name].policy is not None:
            hooks[name] = max(hooks.get(name, 0), up)
        todo += [(caller, up + 1) for caller in callers.get(name, ())]
    return hooks


INVALID = ("Invalid argument", ())
PASSED = (None, ())  # rule_checks() of a rule the kernel takes in any chain of its table


def rule_checks(rule: fw.Rule, table: str) -> tuple:
    """What the kernel says to a rule whatever chain holds it (a target outside its table, a match
    without its protocol or that its check refuses (an unknown string algorithm), `! -s 0/0`; None if it
    takes it), and the sets of hooks its target and matches allow (rule_allows_hook() is whether a hook
    is in each), found in one pass over the matches."""
    hook_sets = []
    limits = extensions.limits(rule.target)
    if limits is not None:
        wanted_table, hooks, protocol = limits
        if not table_fits(wanted_table, table) or (protocol is not ANY and not has_protocol(rule, protocol)):
            return INVALID  # the target outside its table, or without its protocol
        if hooks is not ANY:
            hook_sets.append(hooks)
    first_error = None  # "Invalid argument" from any match comes first, then the first match's error
    for match in rule.matches:
        limited, checked = extensions.kernel_facts(match.__class__)  # most matches have neither
        if limited:
            limits = match.limits
            if limits is not None:
                if not table_fits(limits[0], rule.table) or (limits[2] is not ANY and not has_protocol(rule, limits[2])):
                    return INVALID  # the match outside its table, or without its protocol
                if limits[1] is not ANY:
                    hook_sets.append(limits[1])
        if checked:
            error = match.kernel_error
            if error == "Invalid argument":
                return INVALID
            if first_error is None:
                first_error = error
    if first_error is not None:
        return first_error, ()  # "No such file or directory": no textsearch module by that name
    error = extensions.kernel_error(rule.target)  # the kernel checks the target after the matches
    if error is not None:
        return error, ()
    for test in (rule.source, rule.destination):
        if test is not None and test.negated and any(getattr(a, "mask", 1) == 0 for a in test.value):
            return INVALID
    return (None, hook_sets) if hook_sets else PASSED


def table_fits(wanted, table: str) -> bool:
    """`wanted` may be a tuple of the tables allowed (SECMARK: mangle or security)."""
    return wanted is ANY or (table in wanted if isinstance(wanted, tuple) else table == wanted)


def has_protocol(rule: fw.Rule, number) -> bool:
    """`-p NUMBER` (not negated); `number` may be a tuple of the protocols allowed."""
    protocol = rule.protocol
    if protocol is None or protocol.negated:
        return False
    given = getattr(protocol.value, "number", None)
    return given in number if isinstance(number, tuple) else given == number


def walk(table: Table, chain: Chain, hook: str, level: int) -> str | None:
    """The kernel's check of the chains a packet from `hook` reaches through `chain`, at `level` jumps:
    every rule fits the hook, and no chain is deeper than MAX_JUMP_LEVEL (a loop never ends, so it
    is too deep too).  Recursion is bounded by the level."""
    if level > MAX_JUMP_LEVEL:
        return TOO_MANY_LINKS
    for rule in chain.rules:
        if not rule_allows_hook(rule, hook):
            return "Invalid argument"
        target = rule.target
        if isinstance(target, fw.ChainJump) and target.chain in table.chains:
            problem = walk(table, table.chains[target.chain], hook, level + 1)
            if problem is not None:
                return problem
    return None


def rule_allows_hook(rule: fw.Rule, hook: str) -> bool:
    limits = extensions.limits(rule.target)
    if limits is not None and limits[1] is not ANY and hook not in limits[1]:
        return False
    for match in rule.matches:
        if extensions.kernel_facts(match.__class__)[0]:  # most matches have no limits: not asked
            limits = match.limits
            if limits is not None and limits[1] is not ANY and hook not in limits[1]:
                return False
    return True


def renamed_jump(rule: fw.Rule, old: str, new: str) -> fw.Rule:
    if isinstance(rule.target, fw.ChainJump) and rule.target.chain == old:
        return records.evolve(rule, target=records.evolve(rule.target, chain=new))
    return rule


def check_known(command: fw.Command) -> None:
    """The ruleset can only follow values known before the script runs."""
    if command.unknowns:
        raise RulesetError(f"{command.unknowns[0]} is known only when the script runs (give its variable a "
                           "value with -D NAME=VALUE)", command.location, 1)


# Commands that read nothing of a chain's rules but their targets and matches, which the lane's rules
# hold (Ruleset.append_stenciled()), and the rules' number: rules appended, inserted, replaced and deleted by
# number (a rule taken out is uncounted by its target: a chain that counts its rules holds none of the
# lane's), chains flushed, made, deleted, zeroed or listed (the model checks that they exist), policies.
READS_TARGETS_ONLY = frozenset({fw.Append, fw.Insert, fw.Replace, fw.DeleteNumber, fw.Flush, fw.DeleteChain,
                                fw.NewChain, fw.Policy, fw.Zero, fw.List})


class LaneCommand:
    """The command a refusal in append_stenciled() names (it is never reported: the rule command is
    applied instead and gives the error)."""

    location = None


LANE = LaneCommand()

HANDLERS = {fw.Append: Ruleset._append}  # the bulk of every ruleset, without a getattr per command
