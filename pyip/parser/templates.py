"""Rule templates: a rule command made from an earlier one of the same shape and the same fixed words.

A save file or a script repeats a few kinds of rule thousands of times,
differing in an address, a comment, a port.  pyip.parser.getopt.Shapes
already spares such a command getopt and the grammar (its plan: the
readers on the trees of an earlier command of that shape); a template
spares it the readers and do_parse()'s final checks too.

Why the result is the full path's.  A plan fixes every option word (the
trie matches them by text).  The template key adds the text of every other
word (those the trie admits by a guard, whatever they say) but the *free* ones: the values of `-s`, `-d` and of extension options
(`--dport 22`, `--comment "rule 5"`).  Every reader but theirs then reads
the same texts in the same state as in the command the template was learnt
from, so it does the same and passes the same checks; what the free words
feed is read again, by the same functions:

- `-s`/`-d`: parse_addresses() and do_parse()'s checks on what it gives
  (several addresses with `!`, -R with more than one);
- each extension (match or target): a fresh instance takes the same
  options with this command's values, at the protocol the learnt command
  had at that point (an extension sees the command only through
  protocol_now() and its notes), and finishes.  The node is remembered by
  those inputs (nodes are frozen and hold no location).  An extension
  whose values are often new may make the node directly from them
  (Extension.direct(): tcp's ports, a comment, which is not remembered
  either since each rule has its own), tested to equal take() and finish().

A free value that raises, or makes a note, sends the command down the full
path, which gives the error (or the note) in its own order.  The rule and
the command take their locations from this command's words, and are made
without attrs' __init__ (pyip.parser.slots), as are the -s/-d tests.
Templates are learnt only from commands that read without notes, in the
modern dialect, with every word known; tests/test_iptables_speed_equivalence.py
compares both paths (commands, save files, generated ones, the .t suite).
"""

from __future__ import annotations

from operator import itemgetter
from typing import NamedTuple

from .. import records

from ..ast import firewall as fw
from ..errors import PyipError
from .slots import slot_maker
from .xtables import Given, parse_addresses

MAX_TEMPLATES = 20_000  # per trie, all its plans together; beyond it, new keys take the plan's readers
LEARNT = "templates learnt"  # the trie memory's count of them (its other keys are plans' ids)
MAX_NOTED = 50_000  # keys met once, per trie: beyond it, new keys are neither noted nor learnt
NOTED = "keys noted"  # the trie memory's count of them
MAX_NODES = 50_000  # remembered extension nodes


MAKE_RULE = slot_maker(fw.Rule)
MAKE_TEST = slot_maker(fw.Test)


class Take(NamedTuple):
    """One extension option as the learnt command gave it; values are read from the words at `values`."""

    option: object  # the Opt
    values: tuple  # the value words' indexes
    negated: bool
    legacy: bool
    protocol: tuple  # protocol_now() when it was read


class Part:
    """An extension of the rule: its class, its options in argv order, and the protocol it finished with.
    Its nodes are remembered by the part itself (hashed by identity: it stands for all of that) and the
    texts of its values, unless the extension says not to; they are made by the extension's direct
    constructor (Extension.direct()) if it has one, else by an instance reading the values."""

    __slots__ = ("extension", "takes", "protocol", "values", "direct", "forgotten")

    def __init__(self, extension: type, takes: tuple, protocol: tuple):
        self.extension, self.takes, self.protocol = extension, takes, protocol
        self.values = itemgetter(*[at for take in takes for at in take.values] or [0])  # [0]: a key all the same
        self.direct = extension.direct(takes)
        self.forgotten = self.direct is not None and not extension.remembered  # made anew for every rule


class Context:
    """What an extension sees of its command (Extension.rule): protocol_now() and the notes."""

    __slots__ = ("now", "notes")

    def __init__(self):
        self.now = (0, False)
        self.notes: list = []

    def protocol_now(self) -> tuple:
        return self.now


class Templates:
    """The templates of one plan: its key positions, and a template by the texts at them.

    The key is the texts of the words the plan's trie admitted by a guard (pyip.parser.getopt.Node: a
    value, a -j chain) but the free ones.  Every other word the trie matched by its text: the path to a
    node is one sequence of steps, so a command that reached the plan has those texts already."""

    __slots__ = ("kept", "key", "by_key", "seen")

    def __init__(self, items: list, free_readers: frozenset, guarded: frozenset):
        free = {token.start_pos for reader, tree in items if reader in free_readers for token in tree.values}
        self.kept = kept = sorted(guarded - free)  # the key's positions
        self.key = itemgetter(*kept) if len(kept) > 1 else (lambda texts: tuple(texts[index] for index in kept))
        self.by_key: dict = {}
        self.seen: set = set()  # keys met once, without a template (worth_learning())


def templates_of(memory: dict, items: list, free_readers: frozenset, guarded: frozenset) -> Templates:
    """The plan's Templates (memory: the trie's, by plan; guarded: the positions of the words the trie
    admitted by a guard)."""
    found = memory.get(id(items))
    if found is None:
        found = memory[id(items)] = Templates(items, free_readers, guarded)
    return found


class Template:
    """A learnt rule command, and where its free parts come from."""

    __slots__ = ("command_type", "make_command", "command_fields", "rule", "rule_at", "source", "destination",
                 "parts", "target", "refuses_several")

    def __init__(self, command, rule_at: int, addresses: tuple, parts: tuple, target: Part | None):
        self.command_type = type(command)
        self.make_command = slot_maker(type(command))
        names = [field.name for field in records.fields(type(command))]
        if names[:5] != ["program", "location", "notes", "unknowns", "rule"]:
            raise KeyError(names)  # not a rule command as build() makes them: learn nothing
        # the command's other fields: program, notes and unknowns (empty), position (-I, -R)
        self.command_fields = (command.program, command.notes, command.unknowns,
                               tuple(getattr(command, name) for name in names[5:]))
        self.rule = command.rule
        self.rule_at = rule_at
        self.source, self.destination = addresses  # each (value index, negated, legacy), or None
        self.parts = parts
        self.target = target
        # do_parse() refuses several addresses with `!`, and -R (which wants one source and one
        # destination) any: the full path says how
        self.refuses_several = isinstance(command, fw.Replace) or any(given is not None and given[1]
                                                                      for given in addresses)

    def build(self, texts: list, locate):
        """The command for these words' texts (`locate(index)`: the Location of the word at index), or None
        if a free value needs the full path."""
        try:
            source, sources = NO_ADDRESS if self.source is None else address_test(texts, self.source)
            destination, destinations = NO_ADDRESS if self.destination is None else address_test(texts,
                                                                                                  self.destination)
            nodes = self.nodes(texts)
        except PyipError:
            return None
        if nodes is None or ((len(sources) > 1 or len(destinations) > 1) and self.refuses_several):
            return None
        matches, target = nodes
        rule = self.rule
        rule = MAKE_RULE(rule.chain, rule.table, source, destination, rule.in_interface, rule.out_interface,
                         rule.protocol, rule.fragment, matches, target, rule.actions, rule.origin,
                         locate(self.rule_at))
        program, notes, unknowns, more = self.command_fields
        return self.make_command(program, locate(0), notes, unknowns, rule, *more)


    def nodes(self, texts: list) -> tuple | None:
        """(the matches, the target) for these words' texts, made as the extensions make them; None if a
        value made a note (the full path says it); PyipError as a value raises it.  (extension_node()'s
        look-up is inlined: this runs for every rule.)"""
        matches = []
        for part in self.parts:
            if part.forgotten:
                node = part.direct(texts)
            else:
                node = NODES.get((part, part.values(texts)))
                if node is None:
                    node = extension_node(part, texts)
            if node is None:
                return None
            matches.append(node)
        target = self.rule.target if self.target is None else extension_node(self.target, texts)
        return None if target is None else (tuple(matches), target)


NO_ADDRESS = (None, ())


def address_test(texts: list, given) -> tuple:
    """(the rule's test, the addresses) for one of -s, -d: as rule_addresses() and address_test() make them."""
    if given is None:
        return NO_ADDRESS  # a rule command without it: 0.0.0.0/0, no test
    at, negated, legacy = given
    addresses = parse_addresses(texts[at])
    return addresses_test(addresses, negated, legacy), addresses


def addresses_test(addresses: tuple, negated: bool, legacy: bool) -> fw.Test | None:
    """No test for `0.0.0.0/0` (what iptables uses when there is no -s)."""
    if not negated and all_anywhere(addresses):
        return None
    return MAKE_TEST(addresses, negated, legacy)


def all_anywhere(addresses: tuple) -> bool:
    for address in addresses:
        if not isinstance(address, fw.Address) or address.mask != 0:
            return False
    return True


NODES: dict = {}  # (Part, the texts of its values) -> its node


def extension_node(part: Part, texts: list):
    """The extension's node for these words' values, or None if reading them made a note."""
    if part.forgotten:
        return part.direct(texts)
    key = (part, part.values(texts))
    node = NODES.get(key)
    if node is not None:
        return node
    node = read_node(part, texts) if part.direct is None else part.direct(texts)
    if node is None:
        return None
    if len(NODES) >= MAX_NODES:
        NODES.clear()  # bounded: values seen once (a comment a rule) must not keep out those that repeat
    NODES[key] = node
    return node


def read_node(part: Part, texts: list):
    """The extension's node as take() and finish() make it from these values, or None if they made a note."""
    # Without Words nor Locations: they place an error only, and an error sends the command down the full
    # path (a node holds no location; the extension, its Givens with it, is let go).
    context = Context()
    extension = part.extension(context, None)
    for take in part.takes:
        context.now = take.protocol
        extension.take(tuple.__new__(Given, (take.option, tuple([texts[at] for at in take.values]), take.negated,
                                             take.legacy, None, ())))
    context.now = part.protocol
    node = extension.finish()
    return None if context.notes else node


def worth_learning(memory: dict, templates: Templates, key: tuple) -> bool:
    """Learn a key's template the second time the key is met; the first time only note it.  Many keys are
    met once (each rule of a user chain names its chain, a fixed word), and learning a template costs
    more than reading the rule: a script of 100,000 lines of user chains took a fifth longer."""
    if key in templates.seen:
        return True
    if memory.get(NOTED, 0) < MAX_NOTED:
        templates.seen.add(key)
        memory[NOTED] = memory.get(NOTED, 0) + 1
    return False


def learn(memory: dict, templates: Templates, key: tuple, command, state, takes: list) -> None:
    """Remember the command as its key's template, if it is a rule command read without notes (memory:
    the trie's, which counts its templates)."""
    if (memory.get(LEARNT, 0) >= MAX_TEMPLATES or state.notes or not isinstance(command, RULE_COMMANDS)
            or state.command_word is None):
        return
    try:
        template = template_of(command, state, takes)
    except KeyError:  # a word the readers kept that is not one of the command's: learn nothing
        return
    templates.by_key[key] = template
    memory[LEARNT] = memory.get(LEARNT, 0) + 1


def template_of(command, state, takes: list) -> Template:
    words = state.words
    at = {id(word): index for index, word in enumerate(words)}
    addresses = tuple(None if letter not in state.addresses else
                      (at[id(state.addresses[letter][1])], letter in state.inverted, letter in state.legacy_inverted)
                      for letter in ("s", "d"))
    by_extension: dict = {}
    for extension, given, protocol, values in takes:
        by_extension.setdefault(id(extension), []).append(Take(given.option, values, given.negated, given.legacy,
                                                               protocol))
    final = state.protocol_now()

    def part(extension) -> Part:
        return Part(type(extension), tuple(by_extension.get(id(extension), ())), final)

    parts = tuple(part(state.extensions[serial]) for serial in sorted(state.extensions))
    target = part(state.target) if state.target is not None else None
    return Template(command, at[id(state.command_word)], addresses, parts, target)


RULE_COMMANDS = (fw.Append, fw.Check, fw.Delete, fw.Insert, fw.Replace)
