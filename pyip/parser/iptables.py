"""`iptables ...` words -> a firewall command (pyip.ast.firewall), as iptables 1.8 reads them.

The grammar (grammar/iptables.lark) with getopt_long as its lexer
(pyip.parser.getopt) splits the words into options; the readers below are
do_parse()'s switch (iptables/xshared.c), run in argv order as the grammar
reduces each option, with its checks and messages; `finish()` is what
do_parse() checks after the loop, then what iptables checks before it
touches the kernel (the table exists, tcp options need `-p tcp`).  Checks
that need the ruleset (does the chain exist?) are pyip.ruleset's.

The legacy dialect also reads the 2001 negation inside the argument
(`-s ! NET`, `--dport ! 22`), marks it on the Test and leaves a note.
"""

from __future__ import annotations

from functools import lru_cache

from .. import records

from ..ast import firewall as fw
from ..ast.base import Symbol
from ..compat import legacy
from ..errors import IncompleteCommand, Location, NotRead, PyipError, UnknownValue
from .getopt import Getopt, Loaded, Recording, Replayed, Shapes
from .templates import addresses_test, learn, templates_of, worth_learning
from .words import Tree, Word, grammar
from .xtables import TARGETS, Given, parse_addresses, parse_protocol, problem, strtoui, strtoul

COUNTERS_NOTE = "rule counters (-c) are not kept"  # translate reports it: the counters are state it drops

MAX_NAME = 29  # XT_EXTENSION_MAXNAMELEN: chain and target names are shorter

# iptables' extensions pyip does not read (libxt_*.so of iptables 1.8.9): they load, pyip cannot say more.
OTHER_MATCHES: tuple = ()  # every extension of iptables 1.8.9 has its module now
OTHER_TARGETS: tuple = ()

# The commands as do_parse()'s bits, in bit order (cmd2char() names them by letter).
COMMAND_BITS = ("insert", "delete", "delete_num", "replace", "append", "list", "flush", "zero", "new_chain",
                "delete_chain", "policy", "rename_chain", "list_rules", "zero_num", "check")
COMMAND_LETTERS = dict(zip(COMMAND_BITS, "IDDRALFZNXPESZC"))

# commands_v_options[][]: "x" an option the command refuses (columns: -n -s -d -p -j -v -x -i -o --line -c -f)
OPTION_LETTERS = "nsdpjvxio0cf"
ILLEGAL = {
    "insert": "x     x  x  ", "delete": "x     x  xx ", "delete_num": "xxxxx xxxxxx", "replace": "x     x  x  ",
    "append": "x     x  x  ", "list": " xxxx  xx xx", "flush": "xxxxx xxxxxx", "zero": "xxxxx xxxxxx",
    "new_chain": "xxxxx xxxxxx", "delete_chain": "xxxxx xxxxxx", "policy": "xxxxx xxxx x",
    "rename_chain": "xxxxx xxxxxx", "list_rules": "xxxxx xxxxxx", "zero_num": "xxxxx xxxxxx",
    "check": "x     x  xx ",
}
REFUSED = {command: frozenset(letter for letter, refused in zip(OPTION_LETTERS, row) if refused == "x")
           for command, row in ILLEGAL.items()}
INVERTIBLE = "sdpiof"  # inverse_for_options[]: the options `!` may precede


class CommandState(metaclass=records.define):
    """do_parse()'s state for one command: the command, the rule's parts, the loaded extensions."""

    getopt: Getopt
    dialect: str
    end: Location
    commands: set = records.field(factory=set)
    command_word: Word | None = None
    chain: str | Symbol | None = None
    chain_word: Word | None = None
    rule_number: int | Symbol | None = None
    new_name: str | Symbol | None = None
    policy: str | Symbol | None = None
    table: str | Symbol = "filter"
    options: dict = records.field(factory=dict)  # option letter -> its word
    inverted: set = records.field(factory=set)  # option letters given with `!`
    legacy_inverted: set = records.field(factory=set)
    invert: Word | None = None  # a pending `!`
    protocol: int | Symbol | None = None
    protocol_text: str | None = None
    addresses: dict = records.field(factory=dict)  # "s"/"d" -> (text, word)
    interfaces: dict = records.field(factory=dict)  # "i"/"o" -> name
    extensions: dict = records.field(factory=dict)  # Loaded.serial -> Extension
    target: object = None  # the target Extension, if -j loaded one
    jump_to: str | Symbol | None = None
    goto: bool = False
    verbose: int = 0
    wait: bool = False
    wait_interval: bool = False
    leftovers: list = records.field(factory=list)
    notes: list = records.field(factory=list)
    # when a template is being learnt: each extension option read, (extension, Given, protocol_now(),
    # value words' indexes)
    takes: list | None = None
    # getopt's words handed out so far (tokens index them): the list itself, which grows as getopt goes
    words: list = records.field(init=False, default=None)

    def __attrs_post_init__(self):
        self.words = self.getopt.feed.words

    # -- what the readers share ------------------------------------------------------------

    def word(self, token) -> Word:
        return self.words[token.start_pos]

    def text(self, token) -> str | Symbol:
        word = self.words[token.start_pos]
        return word.text if word.symbol is None else word.symbol

    def protocol_now(self) -> tuple[int, bool]:
        """The rule's protocol as far as argv has been read (extensions check it as they parse)."""
        number = self.protocol if isinstance(self.protocol, int) else 0
        return number, "p" in self.inverted

    def take_invert(self) -> Word | None:
        invert, self.invert = self.invert, None
        return invert

    def set_option(self, letter: str, word: Word, invert: Word | None, legacy_not: Word | None = None) -> None:
        """set_option(): each option once; `!` only where iptables allows it."""
        if letter in self.options:
            raise problem(f"multiple -{letter} flags not allowed", word.location)
        self.options[letter] = word
        if legacy_not is not None:
            if invert is not None:
                raise problem("Multiple `!' flags not allowed", legacy_not.location)
            invert = legacy_not
            self.legacy_inverted.add(letter)
        if invert is not None:
            if letter not in INVERTIBLE:
                raise problem(f"cannot have ! before -{letter}", invert.location)
            self.inverted.add(letter)

    def add_command(self, name: str, word: Word, allowed: tuple = ()) -> None:
        """add_command(): one command per invocation, except -L/-S with -Z."""
        if self.take_invert() is not None:
            raise problem("unexpected '!' flag", word.location)
        others = self.commands - set(allowed) if self.commands else None
        if others:
            last = max(others, key=COMMAND_BITS.index)
            raise problem(f"Cannot use -{COMMAND_LETTERS[name]} with -{COMMAND_LETTERS[last]}", word.location)
        self.commands.add(name)
        self.command_word = word


# -- the readers: do_parse()'s switch ---------------------------------------------------------


class Fixed(Tree):
    """A tree of a learnt shape, shared by the commands of that shape: what the readers look for in its
    tokens (values(), legacy_not()) is found once."""

    __slots__ = ("values", "legacy_not")

    def __init__(self, tree: Tree):
        super().__init__(tree.data, tree.children)
        self.values = find_values(tree)
        self.legacy_not = find_legacy_not(tree)


def values(tree) -> list:
    """The tree's value tokens (not to be changed: a Fixed tree's are shared)."""
    return tree.values if tree.__class__ is Fixed else find_values(tree)


def find_values(tree) -> list:
    return [child for child in tree.children if child.type in ("VALUE", "ARG")]


def find_legacy_not(tree):
    return next((c for c in tree.children if c.type == "LEGACY_NOT"), None)


def legacy_not(state: CommandState, tree) -> Word | None:
    token = tree.legacy_not if tree.__class__ is Fixed else find_legacy_not(tree)
    if token is None:
        return None
    word = state.word(token)
    option, value = state.word(tree.children[0]).text, state.text(values(tree)[0])
    state.notes.append(f'legacy negation "{option} ! {value}": today "! {option} {value}"')
    return word


def rule_number(state: CommandState, token) -> int | Symbol:
    """parse_rulenumber(): 1 and up."""
    text = state.text(token)
    if isinstance(text, Symbol):
        return text
    number = strtoui(text, 1, 0x7FFFFFFF)
    if number is None:
        raise problem(f"Invalid rule number `{text}'", state.word(token).location)
    return number


def read_chain_command(name: str, allowed: tuple = ()):
    """A command and its words: the chain (if any), then what the command takes after it."""

    arguments = ARGUMENTS[name]

    def read(tree, state: CommandState) -> None:
        state.add_command(name, state.words[tree.children[0].start_pos], allowed)
        words = values(tree)
        if words:
            word = state.chain_word = state.words[words[0].start_pos]
            state.chain = word.text if word.symbol is None else word.symbol
        arguments(tree, state, words[1:])

    return read


def no_more(tree, state, words) -> None:
    return None


def optional_number(tree, state: CommandState, words) -> None:
    if words:
        state.rule_number = rule_number(state, words[0])


def delete_arguments(tree, state: CommandState, words) -> None:
    if words:
        state.rule_number = rule_number(state, words[0])
        state.commands = {"delete_num"}


def insert_arguments(tree, state: CommandState, words) -> None:
    state.rule_number = rule_number(state, words[0]) if words else 1


def replace_arguments(tree, state: CommandState, words) -> None:
    if not words:
        raise problem("-R requires a rule number", state.word(tree.children[0]).location)
    state.rule_number = rule_number(state, words[0])


def zero_arguments(tree, state: CommandState, words) -> None:
    if words:
        state.rule_number = rule_number(state, words[0])
        state.commands = {"zero_num"}


def rename_arguments(tree, state: CommandState, words) -> None:
    if not words:
        raise problem("-E requires old-chain-name and new-chain-name", state.word(tree.children[0]).location)
    state.new_name = state.text(words[0])


def policy_arguments(tree, state: CommandState, words) -> None:
    if not words:
        raise problem("-P requires a chain and a policy", state.word(tree.children[0]).location)
    state.policy = state.text(words[0])


ARGUMENTS = {"append": no_more, "check": no_more, "delete": delete_arguments, "insert": insert_arguments,
             "replace": replace_arguments, "list": optional_number, "list_rules": optional_number,
             "flush": no_more, "zero": zero_arguments, "new_chain": no_more, "delete_chain": no_more,
             "rename_chain": rename_arguments, "policy": policy_arguments}


def read_new_chain(tree, state: CommandState) -> None:
    """-N checks the name first: parse_chain()."""
    [token] = values(tree)
    name = state.text(token)
    if not isinstance(name, Symbol):
        check_chain_name(name, state.word(token).location)
    read_chain_command("new_chain")(tree, state)


def check_chain_name(name: str, location: Location) -> None:
    if len(name) >= MAX_NAME:
        raise problem(f"chain name `{name}' too long (must be under {MAX_NAME} chars)", location)
    if name[:1] in ("-", "!"):
        raise problem(f"chain name not allowed to start with `{name[0]}'", location)
    if name in fw.VERDICTS or name in OTHER_TARGETS or name in TARGETS:
        raise problem("chain name may not clash with target name", location)
    if has_space(name):
        raise problem(f"Invalid chain name `{name}'", location)


def read_protocol(tree, state: CommandState) -> None:
    option = state.word(tree.children[0])
    state.set_option("p", option, state.take_invert(), legacy_not(state, tree))
    [token] = values(tree)
    text = state.text(token)
    if isinstance(text, Symbol):
        state.protocol = text
        return
    text = text.lower()  # iptables lowercases argv in place
    try:
        state.protocol, state.protocol_text = parse_protocol(text), text
    except PyipError as error:
        raise error.at(state.word(token).location) from None
    if state.protocol == 0 and "p" in state.inverted:
        raise problem("rule would never match protocol", state.word(token).location)


def read_address(letter: str):
    def read(tree, state: CommandState) -> None:
        state.set_option(letter, state.words[tree.children[0].start_pos], state.take_invert(), legacy_not(state, tree))
        [token] = values(tree)
        word = state.words[token.start_pos]
        state.addresses[letter] = (word.text if word.symbol is None else word.symbol, word)

    return read


def read_interface(letter: str):
    def read(tree, state: CommandState) -> None:
        [token] = values(tree)
        word = state.words[token.start_pos]
        name = word.text if word.symbol is None else word.symbol
        if name == "":
            raise problem("Empty interface is likely to be undesired", word.location)
        state.set_option(letter, state.words[tree.children[0].start_pos], state.take_invert(), legacy_not(state, tree))
        if not isinstance(name, Symbol):
            check_interface(name, state)
        state.interfaces[letter] = name

    return read


def check_interface(name: str, state: CommandState) -> None:
    """xtables_parse_interface(): shorter than IFNAMSIZ; `/` and space only warned about."""
    if len(name) >= 16:
        raise problem(f"interface name `{name}' must be shorter than IFNAMSIZ (15)")
    if not name.endswith("+") and ("/" in name or " " in name):
        state.notes.append(f"Warning: weird character in interface `{name}' ('/' and ' ' are not allowed by the kernel).")


@lru_cache(maxsize=4096)  # target and chain names repeat on every rule
def has_space(name: str) -> bool:
    return any(c.isspace() for c in name)


def check_target_name(name: str, location: Location) -> None:
    """xt_parse_target()."""
    if not name:
        raise problem("Invalid target name (too short)", location)
    if len(name) >= MAX_NAME:
        raise problem(f"Invalid target name `{name}' ({MAX_NAME - 1} chars max)", location)
    if has_space(name):
        raise problem(f"Invalid target name `{name}'", location)


def read_jump(tree, state: CommandState) -> None:
    option = state.words[tree.children[0].start_pos]
    state.set_option("j", option, state.take_invert())
    [token] = values(tree)
    word = state.words[token.start_pos]
    if word.symbol is not None:
        state.jump_to = word.symbol
        return
    name = state.jump_to = word.text
    check_target_name(name, word.location)
    if name in OTHER_TARGETS:
        raise NotRead(f"pyip does not read the {name} target", word.location, 2)
    loaded = state.getopt.facts.get(token.start_pos)
    if loaded is not None:
        state.target = loaded.extension(state, option)


def read_goto(tree, state: CommandState) -> None:
    state.set_option("j", state.word(tree.children[0]), state.take_invert())
    [token] = values(tree)
    name = state.text(token)
    if not isinstance(name, Symbol):
        check_target_name(name, state.word(token).location)
    state.jump_to, state.goto = name, True


def read_match(tree, state: CommandState) -> None:
    option = state.words[tree.children[0].start_pos]
    if state.take_invert() is not None:
        raise problem("unexpected ! flag before --match", option.location)
    [token] = values(tree)
    loaded = state.getopt.facts.get(token.start_pos)
    if loaded is None:
        name = state.text(token)
        if name in OTHER_MATCHES:
            raise NotRead(f"pyip does not read the {name} match", state.word(token).location, 2)
        raise problem(f"Couldn't load match `{name}':No such file or directory", state.word(token).location)
    if loaded.serial not in state.extensions:  # instance(), inlined: every rule loads a match or two
        state.extensions[loaded.serial] = loaded.extension(state, option)


def instance(state: CommandState, loaded: Loaded, word: Word):
    """The Extension reading a loaded match's options (an implicit one is made at its first option)."""
    if loaded.serial not in state.extensions:
        state.extensions[loaded.serial] = loaded.extension(state, word)
    return state.extensions[loaded.serial]


def read_table(tree, state: CommandState) -> None:
    if state.take_invert() is not None:
        raise problem("unexpected ! flag before --table", state.word(tree.children[0]).location)
    state.table = state.text(values(tree)[0])


def read_flag(letter: str):
    def read(tree, state: CommandState) -> None:
        state.set_option(letter, state.word(tree.children[0]), state.take_invert())

    return read


def read_verbose(tree, state: CommandState) -> None:
    if not state.verbose:
        state.set_option("v", state.word(tree.children[0]), state.take_invert())
    state.verbose += 1


def read_wait(tree, state: CommandState) -> None:
    state.take_invert()
    words = values(tree)
    if words and not isinstance(state.text(words[0]), Symbol) and scanf_int(state.text(words[0])) is None:
        raise problem("wait seconds not numeric", state.word(words[0]).location)
    state.wait = True


def read_wait_interval(tree, state: CommandState) -> None:
    """parse_wait_interval(): a number of microseconds, then ignored (deprecated)."""
    state.take_invert()
    words = values(tree)
    if not words:
        raise problem("wait interval value required", state.word(tree.children[0]).location)
    text = state.text(words[0])
    if not isinstance(text, Symbol):
        value = scanf_int(text, 10)
        if value is None:
            raise problem("wait interval not numeric", state.word(words[0]).location)
        if value > 999999:
            raise problem(f"too long usec wait {value} > 999999 usec", state.word(words[0]).location)
    state.wait_interval = True


def scanf_int(text: str, base: int = 0) -> int | None:
    """sscanf("%i") (or "%u"): a leading number, the rest ignored."""
    value, _ = strtoul(text, base)
    return value


def read_counters(tree, state: CommandState) -> None:
    """-c PACKETS BYTES (or PACKETS,BYTES): checked, then not kept, as iptables-save does not print them."""
    option = state.word(tree.children[0])
    state.set_option("c", option, state.take_invert())
    words = [state.text(token) for token in values(tree)]
    packets = words[0]
    comma = packets.find(",", 1) if isinstance(packets, str) else -1
    byte_count = packets[comma + 1:] if comma > 0 else words[1] if len(words) > 1 else None
    if byte_count is None:
        raise problem("-c requires packet and byte counter", option.location)
    for text, which in ((packets, "packet"), (byte_count, "byte")):
        if not isinstance(text, Symbol) and scanf_int(text, 10) is None:
            raise problem(f"-c {which} counter not numeric", option.location)
    state.notes.append(COUNTERS_NOTE)


def read_ignored(tree, state: CommandState) -> None:
    state.take_invert()


def read_ipv6(tree, state: CommandState) -> None:
    raise problem("Try `iptables -h' or 'iptables --help' for more information.", state.word(tree.children[0]).location)


def read_end_of_options(tree, state: CommandState) -> None:
    """`--` ends getopt's options; iptables refuses any word after it."""
    state.leftovers += tree.children[1:]


def read_negation(tree, state: CommandState) -> None:
    word = state.word(tree.children[0])
    if state.invert is not None:
        raise problem("multiple consecutive ! not allowed", word.location)
    state.invert = word


def read_non_option(tree, state: CommandState) -> None:
    word = state.word(tree.children[0])
    raise problem(f"Bad argument `{word.text}'", word.location)


def read_unknown(tree, state: CommandState) -> None:
    raise state.getopt.facts[tree.children[0].start_pos]


def read_extension_option(tree, state: CommandState) -> None:
    """command_default(): the option goes to the target, or to the newest instance of its match."""
    option_token = tree.children[0]
    entry, loaded = state.getopt.facts[option_token.start_pos]
    invert, state.invert = state.invert, None  # take_invert(), inlined, as below: one call for every option
    fixed = tree.__class__ is Fixed
    legacy_word = None if fixed and tree.legacy_not is None else legacy_not(state, tree)
    if legacy_word is not None and invert is not None:
        raise problem("Multiple `!' flags not allowed", legacy_word.location)
    all_words = state.words
    option_word = all_words[option_token.start_pos]
    extension = state.target if loaded.target else instance(state, loaded, option_word)
    tokens = tree.values if fixed else find_values(tree)
    words = [all_words[token.start_pos] for token in tokens]
    # Given(...), without the Python-level __new__ of a NamedTuple: one is made for every option
    given = tuple.__new__(Given, (entry.option, tuple([w.text if w.symbol is None else w.symbol for w in words]),
                                  invert is not None or legacy_word is not None, legacy_word is not None,
                                  option_word.location, tuple([w.location for w in words])))
    if state.takes is not None:
        state.takes.append((extension, given, state.protocol_now(), tuple([token.start_pos for token in tokens])))
    extension.take(given)


READERS = {
    "append": read_chain_command("append"),
    "check": read_chain_command("check"),
    "delete": read_chain_command("delete"),
    "insert": read_chain_command("insert"),
    "replace": read_chain_command("replace"),
    "list": read_chain_command("list", ("zero", "zero_num")),
    "list_rules": read_chain_command("list_rules", ("zero", "zero_num")),
    "flush": read_chain_command("flush"),
    "zero": read_chain_command("zero", ("list", "list_rules")),
    "new_chain": read_new_chain,
    "delete_chain": read_chain_command("delete_chain"),
    "rename_chain": read_chain_command("rename_chain"),
    "policy": read_chain_command("policy"),
    "protocol": read_protocol,
    "source": read_address("s"),
    "destination": read_address("d"),
    "in_interface": read_interface("i"),
    "out_interface": read_interface("o"),
    "jump": read_jump,
    "goto": read_goto,
    "match": read_match,
    "table": read_table,
    "fragment": read_flag("f"),
    "numeric": read_flag("n"),
    "exact": read_flag("x"),
    "line_numbers": read_flag("0"),
    "verbose": read_verbose,
    "wait": read_wait,
    "wait_interval": read_wait_interval,
    "modprobe": read_ignored,
    "set_counters": read_counters,
    "end_of_options": read_end_of_options,
    "ipv4": read_ignored,
    "ipv6": read_ipv6,
    "ext_flag": read_extension_option,
    "ext_value": read_extension_option,
    "ext_pair": read_extension_option,
    "ext_optional": read_extension_option,
    "negation": read_negation,
    "non_option": read_non_option,
    "unknown_option": read_unknown,
}


SHAPES = {dialect: Shapes() for dialect in legacy.DIALECTS}  # the command shapes met so far
# the readers whose values a rule template reads again (pyip.parser.templates); every other word is its key
FREE_READERS = frozenset((read_extension_option, READERS["source"], READERS["destination"]))


def parse_iptables(words: list[Word], dialect: str = legacy.MODERN, end: Location | None = None,
                   lane=None) -> fw.Command:
    """Parse one `iptables ...` command line into a firewall command; PyipError as iptables would fail.
    Words that carry `names` (pyip.script.CommandWords: what the script wrote into rt_realms before
    them) read realm names with those.  `lane(template, texts, words)`, if given, is asked first where a
    rule template serves the command: what it gives (not None) is returned instead of the command
    (pyip.translators.lane)."""
    written = getattr(words, "names", None)
    if not written:
        return _parse_iptables(words, dialect, end, lane=lane)
    from .xtables import WRITTEN_NAMES

    token = WRITTEN_NAMES.set(written)
    try:
        return _parse_iptables(words, dialect, end, templated=False)
    finally:
        WRITTEN_NAMES.reset(token)


def _parse_iptables(words: list[Word], dialect: str, end: Location | None, templated: bool = True,
                    lane=None) -> fw.Command:
    """`templated`: rule templates may serve (not when the words read realm names the script wrote)."""
    end = end or (words[-1].location if words else Location())
    shapes = SHAPES[dialect]
    plan = shapes.plan(words)
    if plan is None:
        return parse_new_shape(words, dialect, end, shapes)
    facts, items, guarded = plan
    templates = key = None
    if templated and dialect == legacy.MODERN:
        templates = templates_of(shapes.memory, items, FREE_READERS, guarded)
        texts = [word[0] for word in words]
        key = templates.key(texts)
        template = templates.by_key.get(key)
        if template is not None:
            if lane is not None:
                item = lane(template, texts, words)
                if item is not None:
                    return item
            command = template.build(texts, lambda index: words[index][1])
            if command is not None:
                return command
            templates = None  # a value the template cannot take: the readers say what it does
        elif not worth_learning(shapes.memory, templates, key):
            templates = None
    state = CommandState(Replayed(words, facts), dialect, end)
    if templates is not None:
        state.takes = []
    try:
        for reader, tree in items:
            reader(tree, state)
        command = finish(state, words[0])
        if templates is not None:
            learn(shapes.memory, templates, key, command, state, state.takes)
        return command
    finally:
        release(state)


def parse_templated(texts: list[str], locate) -> fw.Command | None:
    """A rule command (modern dialect) made from its template, if one serves, else None (then the caller
    takes parse_iptables()).  `texts`: the words' texts; `locate(index)`: the Location of the word at index
    (a template places only two: pyip.parser.restore.LinePlaces)."""
    template = template_of_texts(texts)
    return None if template is None else template.build(texts, locate)


def template_of_texts(texts: list[str]):
    """The template (pyip.parser.templates.Template) learnt for commands of these words, or None."""
    shapes = SHAPES[legacy.MODERN]
    plan = shapes.plan_texts(texts)
    templates = None if plan is None else shapes.memory.get(id(plan[1]))
    return None if templates is None else templates.by_key.get(templates.key(texts))


def release(state: CommandState) -> None:
    """Break the cycle state -> extension -> state (Extension.rule), so that reference counting frees a
    parsed command at once: bulk input would otherwise leave it all to the cyclic collector."""
    state.extensions.clear()
    state.target = None


def parse_new_shape(words: list[Word], dialect: str, end: Location, shapes: Shapes) -> fw.Command:
    """getopt and the grammar over the words, the readers as each option is reduced; then learn the shape."""
    getopt = Getopt(words, dialect)
    state = CommandState(getopt, dialect, end)
    trees = []

    def read(tree):
        trees.append(tree)
        reader = READERS.get(tree.data)
        if reader is not None:
            reader(tree, state)
        return tree

    grammar = Recording(getopt)
    try:
        grammar.parse(getopt.feed, end, read)
    except IncompleteCommand:
        last = getopt.feed.words[-1] if getopt.feed.words else words[0]
        raise problem(f'option "{last.text}" requires an argument', last.location) from None
    shapes.learn(words, grammar, [Fixed(tree) for tree in trees if tree.data in READERS], READERS)
    try:
        return finish(state, words[0])
    finally:
        release(state)


# -- after the loop: do_parse()'s final checks, then the rule ------------------------------------

RULE_COMMANDS = ("insert", "delete", "replace", "append", "check")
RULE_COMMAND_SET = frozenset(RULE_COMMANDS)


def finish(state: CommandState, program: Word) -> fw.Command:
    check_nat_drop(state, program)
    if state.wait_interval and not state.wait:
        raise problem("--wait-interval only makes sense with --wait", program.location)
    matches = [finish_extension(state.extensions[serial]) for serial in sorted(state.extensions)]
    target = finish_extension(state.target) if state.target is not None else None
    if state.leftovers:
        raise problem("unknown arguments found on commandline", state.word(state.leftovers[0]).location)
    if not state.commands:
        raise problem("no command specified", program.location)
    if state.invert is not None:
        raise problem("nothing appropriate following !", state.invert.location)
    sources, destinations = rule_addresses(state)
    if "replace" in state.commands and (len(sources) != 1 or len(destinations) != 1):
        raise problem("Replacement rule does not specify a unique address", state.command_word.location)
    check_options(state)
    check_chain(state)
    check_table(state)
    check_protocol_matches(state)
    rule = build_rule(state, sources, destinations, tuple(matches), target)
    return build_command(state, program, rule)


def check_nat_drop(state: CommandState, program: Word) -> None:
    if state.table == "nat" and "DROP" in (state.policy, state.jump_to):
        raise problem('The "nat" table is not intended for filtering, the use of DROP is therefore inhibited.',
                      program.location)


def finish_extension(extension):
    """An extension's final check and AST node; its errors are placed at the word that loaded it."""
    try:
        return extension.finish()
    except PyipError as error:
        raise error.at(extension.loaded_by.location) from None
    except (AttributeError, TypeError):
        if not any(isinstance(test.value, Symbol) for test in extension.values.values()):
            raise
        # finish() computes with the value (MARK, TOS, TTL): the script knows it only when it runs
        raise UnknownValue(f"{extension.name}: a value known only at run time", extension.loaded_by.location, 2) \
            from None


ANYWHERE = (fw.Address(fw.ZERO, 0),)
NO_ADDRESS = (None, None)
ADDRESS_LETTERS = frozenset("sd")


def rule_addresses(state: CommandState) -> tuple[tuple, tuple]:
    """ipv4_post_parse(): -s then -d, `0.0.0.0/0` when a rule command has none."""
    parsed = []
    for letter in ("s", "d"):
        text, word = state.addresses.get(letter, NO_ADDRESS)
        if text is None:
            parsed.append(ANYWHERE if state.commands & RULE_COMMAND_SET else ())
        elif isinstance(text, Symbol):
            parsed.append((text,))
        else:
            try:
                parsed.append(parse_addresses(text))
            except PyipError as error:
                raise error.at(word.location) from None
    if (len(parsed[0]) > 1 or len(parsed[1]) > 1) and state.inverted & ADDRESS_LETTERS:
        raise problem("! not allowed with multiple source or destination IP addresses", state.end)
    return parsed[0], parsed[1]


def check_options(state: CommandState) -> None:
    """generic_opt_check(): an option is illegal if no given command allows it."""
    if len(state.commands) == 1 and REFUSED[next(iter(state.commands))].isdisjoint(state.options):
        return  # the usual case, one command and no option it refuses: no need to look for the first one
    for index, letter in enumerate(OPTION_LETTERS):
        if letter not in state.options:
            continue
        if all(ILLEGAL[command][index] == "x" for command in state.commands):
            raise problem(f"Illegal option `-{letter}' with this command", state.options[letter].location)


def check_chain(state: CommandState) -> None:
    chain = state.chain
    if isinstance(chain, str) and len(chain) >= MAX_NAME:
        raise problem(f"chain name `{chain}' too long (must be under {MAX_NAME} chars)", state.chain_word.location)
    if not state.commands & RULE_COMMAND_SET:
        return
    if chain in ("PREROUTING", "INPUT") and "o" in state.options:
        raise problem(f"Can't use -o with {chain}", state.options["o"].location)
    if chain in ("POSTROUTING", "OUTPUT") and "i" in state.options:
        raise problem(f"Can't use -i with {chain}", state.options["i"].location)


def check_table(state: CommandState) -> None:
    """nft_table_builtin_find(): before anything touches the kernel."""
    if isinstance(state.table, str) and state.table not in fw.TABLES:
        raise PyipError(f"table '{state.table}' does not exist", state.end, 3)


PROTOCOL_MATCHES = {"tcp": 6, "udp": 17}


def check_protocol_matches(state: CommandState) -> None:
    """iptables-nft builds tcp and udp options into the rule only under their own `-p`."""
    if isinstance(state.protocol, Symbol):
        return
    for serial, extension in sorted(state.extensions.items()):
        wanted = PROTOCOL_MATCHES.get(extension.name)
        if wanted is not None and extension.given and state.protocol != wanted:
            raise problem(f"{extension.name.upper()} match requires '-p {extension.name}'",
                          extension.loaded_by.location)


def build_rule(state: CommandState, sources: tuple, destinations: tuple, matches: tuple, target) -> fw.Rule:
    return fw.Rule(
        chain=state.chain if state.chain is not None else "",
        table=state.table,
        source=address_test(state, "s", sources),
        destination=address_test(state, "d", destinations),
        in_interface=interface_test(state, "i"),
        out_interface=interface_test(state, "o"),
        protocol=protocol_test(state),
        fragment=test(state, "f", True) if "f" in state.options else None,
        matches=matches,
        target=target if target is not None else jump_target(state),
        location=state.end if state.command_word is None else state.command_word.location,
    )


def test(state: CommandState, letter: str, value) -> fw.Test:
    return fw.Test(value, letter in state.inverted, letter in state.legacy_inverted)


def address_test(state: CommandState, letter: str, addresses: tuple) -> fw.Test | None:
    return addresses_test(addresses, letter in state.inverted, letter in state.legacy_inverted)


def interface_test(state: CommandState, letter: str) -> fw.Test | None:
    name = state.interfaces.get(letter)
    if name is None or (name == "+" and letter not in state.inverted):
        return None  # `-i +` matches every name: iptables stores no test
    return shared_test(name, letter in state.inverted, letter in state.legacy_inverted)


def protocol_test(state: CommandState) -> fw.Test | None:
    if state.protocol is None or (state.protocol == 0 and "p" not in state.inverted):
        return None
    if isinstance(state.protocol, Symbol):
        return test(state, "p", state.protocol)
    return protocol_of(state.protocol, state.protocol_text, "p" in state.inverted, "p" in state.legacy_inverted)


# Tests are frozen, so rules may share them; a few interfaces and protocols make up most rules.
@lru_cache(maxsize=4096)
def shared_test(name: str | Symbol, negated: bool, legacy: bool) -> fw.Test:
    return fw.Test(name, negated, legacy)


@lru_cache(maxsize=1024)  # by number and name: a Protocol's name does not count for equality, but is printed
def protocol_of(number: int, name: str | None, negated: bool, legacy: bool) -> fw.Test:
    return fw.Test(fw.Protocol(number, name), negated, legacy)


VERDICT_TARGETS = {name: fw.Verdict(name) for name in fw.VERDICTS}  # frozen: every rule may share them


def jump_target(state: CommandState):
    name = state.jump_to
    if name is None:
        return None
    if name in fw.VERDICTS and not state.goto:
        return VERDICT_TARGETS[name]
    return fw.ChainJump(name, state.goto)


RULE_ONLY_COMMANDS = {"append": fw.Append, "check": fw.Check, "delete": fw.Delete}


def build_command(state: CommandState, program: Word, rule: fw.Rule) -> fw.Command:
    common = {"program": program.text, "location": program.location, "notes": tuple(state.notes),
              "unknowns": tuple([word.symbol for word in state.words if word.symbol is not None])}
    commands = state.commands
    only = next(iter(commands)) if len(commands) == 1 else None
    if only in RULE_ONLY_COMMANDS:  # the usual -A, first
        return RULE_ONLY_COMMANDS[only](rule=rule, **common)
    where = {"table": state.table, "chain": state.chain}
    if commands & {"list", "list_rules"}:
        return fw.List(**where, position=state.rule_number, as_rules="list_rules" in commands,
                       zero=bool(commands & {"zero", "zero_num"}), numeric="n" in state.options,
                       verbose=bool(state.verbose), exact="x" in state.options,
                       line_numbers="0" in state.options, **common)
    [command] = commands
    if command in ("insert", "replace"):
        return {"insert": fw.Insert, "replace": fw.Replace}[command](rule=rule, position=state.rule_number, **common)
    return CHAIN_COMMANDS[command](state, where, common)


CHAIN_COMMANDS = {
    "delete_num": lambda s, where, common: fw.DeleteNumber(**where, position=s.rule_number, **common),
    "flush": lambda s, where, common: fw.Flush(**where, **common),
    "zero": lambda s, where, common: fw.Zero(**where, **common),
    "zero_num": lambda s, where, common: fw.Zero(**where, position=s.rule_number, **common),
    "new_chain": lambda s, where, common: fw.NewChain(**where, **common),
    "delete_chain": lambda s, where, common: fw.DeleteChain(**where, **common),
    "rename_chain": lambda s, where, common: fw.RenameChain(**where, new_name=s.new_name, **common),
    "policy": lambda s, where, common: fw.Policy(**where, policy=s.policy, **common),
}


def is_iptables_command(words: list[Word]) -> bool:
    """Does the command run iptables (`iptables`, `/sbin/iptables`, `iptables-nft`)?"""
    return bool(words) and words[0].symbol is None and grammar("iptables").first_match(words[0].text, "PROGRAM") is not None
