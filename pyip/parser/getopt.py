"""getopt_long over iptables' words: the word lexer of grammar/iptables.lark.

iptables reads argv with glibc's getopt_long, whose option list grows as the
command loads extensions: `-m state` adds `--state`, `-j LOG` adds
`--log-prefix`, and an option nobody knows makes iptables load the match of
the `-p` protocol and ask getopt again (so `-p tcp --dport 22` works).  A
long option is its exact name or any prefix that names one option only
among those loaded at that point: `-m multiport --dport 80` means
`--dports`, `-j DNAT --to` means `--to-destination`, and `--d` is nobody.

`Getopt` follows one command's words in that way and tells the grammar
(pyip.parser.words) which terminal each word is.  What it learns on the way
-- which extension an option belongs to, what a word loaded -- it keeps in
`facts`, by the word's index, for the readers in pyip.parser.iptables.

Bulk input (an iptables-save file, a generated script) repeats a few
command shapes with different values.  `Shapes` is a trie over the words
of commands already parsed, which remembers what getopt and the grammar
made of them; see its docstring for why a command it knows needs neither.
"""

from __future__ import annotations

from functools import lru_cache

from .. import records

from ..compat import legacy
from ..errors import Location, PyipError
from .words import Word, WordGrammar, grammar
from .xtables import MATCHES, OPTIONAL, TARGETS, Extension, Opt, match_for_protocol

# iptables' optstring: a letter, then ":" for a required and "::" for an attached optional argument.
OPTSTRING = "A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x"

# iptables' original_opts[]: long name, has_arg (0 no, 1 required, 2 optional), the letter it stands for.
LONG_OPTIONS = (
    ("append", 1, "A"), ("delete", 1, "D"), ("check", 1, "C"), ("insert", 1, "I"),
    ("replace", 1, "R"), ("list", 2, "L"), ("list-rules", 2, "S"), ("flush", 2, "F"),
    ("zero", 2, "Z"), ("new-chain", 1, "N"), ("delete-chain", 2, "X"), ("rename-chain", 1, "E"),
    ("policy", 1, "P"), ("source", 1, "s"), ("destination", 1, "d"), ("src", 1, "s"),
    ("dst", 1, "d"), ("protocol", 1, "p"), ("in-interface", 1, "i"), ("jump", 1, "j"),
    ("table", 1, "t"), ("match", 1, "m"), ("numeric", 0, "n"), ("out-interface", 1, "o"),
    ("verbose", 0, "v"), ("wait", 2, "w"), ("wait-interval", 2, "W"), ("exact", 0, "x"),
    ("fragments", 0, "f"), ("version", 0, "V"), ("help", 2, "h"), ("line-numbers", 0, "0"),
    ("modprobe", 1, "M"), ("set-counters", 1, "c"), ("goto", 1, "g"), ("ipv4", 0, "4"),
    ("ipv6", 0, "6"),
)

# Options iptables has that change nothing pyip models, or that it does not read.
UNSUPPORTED = {
    "V": ("iptables -V prints its version and changes nothing", 0),
    "h": ("iptables -h prints its help and changes nothing", 0),
    "b": ('Unknown arg "(null)"', 2),  # the IPv6-only -b, as iptables (IPv4) reports it
}


class GetoptEntry(metaclass=records.frozen):
    """One option in getopt's list: its name, argument kind, and who owns it (glibc's val)."""

    name: str
    has_arg: int
    owner: object  # a core letter, or the (extension name, option key) pair
    terminal: str
    option: Opt | None = None  # an extension's option


def short_options() -> dict[str, int]:
    options = {}
    for index, char in enumerate(OPTSTRING):
        if char != ":":
            options[char] = 2 if OPTSTRING[index + 1:index + 3] == "::" else int(OPTSTRING[index + 1:index + 2] == ":")
    return options


SHORT = short_options()


class Loaded(metaclass=records.frozen):
    """An extension instance the command loaded: `-m NAME`, the implicit protocol match, or `-j NAME`."""

    extension: type[Extension]
    serial: int  # the instance's place in load order
    target: bool = False  # loaded by -j


class WordFeed:
    """The command's words, in order, with room to put back the rest of a word getopt splits."""

    def __init__(self, words: list[Word]):
        self.argv = words
        self.pending = [(word, index) for index, word in reversed(list(enumerate(words)))]
        self.words: list[Word] = []  # every word handed out; token indexes point here
        self.elements: list[int] = []  # the argv element each handed-out word comes from

    def __iter__(self):
        return self

    def __next__(self) -> Word:
        if not self.pending:
            raise StopIteration
        word, element = self.pending.pop()
        self.words.append(word)
        self.elements.append(element)
        return word

    def put_back(self, word: Word) -> None:
        """The rest of the word just handed out, to be handed out next."""
        self.pending.append((word, self.elements[-1]))


class Getopt:
    """One command's getopt_long: classifies each word for the grammar, loading extensions as iptables does."""

    def __init__(self, words: list[Word], dialect: str):
        self.feed = WordFeed(words)
        self.dialect = dialect
        self.loaded: list[Loaded] = []
        self.protocol: str | None = None
        self.protocol_loaded = False
        self.awaiting: str | None = None  # the option whose value comes next
        self.forced: set[int] = set()  # indexes of words that are an option's attached value
        self.facts: dict[int, object] = {}
        self.ended = False  # `--` seen

    @property
    def index(self) -> int:
        return len(self.feed.words) - 1

    def kind_of(self, word: Word, acceptable: dict) -> str:
        if self.ended:
            return "REST"  # getopt stops at `--`
        if "VALUE" in acceptable:
            return self.value(word, acceptable)
        if "ARG" in acceptable and self.is_argument(word):
            return "ARG"
        if word.symbol is not None:
            raise PyipError(f"{word.text}: an option known only at run time", word.location, 2)
        text = word.text
        if text == "!":
            return "NOT"
        if text == "--":
            self.ended = True
            return "END_OF_OPTIONS"
        if text.startswith("--") and len(text) > 2:
            return self.long_option(word)
        if text.startswith("-") and len(text) > 1:
            return self.short_option(word)
        return "NONOPTION"

    def value(self, word: Word, acceptable: dict) -> str:
        """A required argument: the word, whatever it is (getopt's optarg)."""
        if word.text == "!" and "LEGACY_NOT" in acceptable and self.dialect == legacy.LEGACY:
            return "LEGACY_NOT"
        self.load_by_value(word)
        self.awaiting = None
        return "VALUE"

    def is_argument(self, word: Word) -> bool:
        """xs_has_arg(): the next word is an argument unless it starts with `-` or `!`."""
        return self.index in self.forced or word.symbol is not None or word.text[:1] not in ("-", "!")

    def load_by_value(self, word: Word) -> None:
        """The value of -m, -j and -p decides which options exist from here on."""
        name = None if word.symbol is not None else word.text
        if self.awaiting == "MATCH":
            extension = MATCHES.get(name)
            self.facts[self.index] = None if extension is None else self.load(extension)
        elif self.awaiting == "JUMP":
            extension = TARGETS.get(name)
            self.facts[self.index] = None if extension is None else self.load(extension, target=True)
        elif self.awaiting == "PROTOCOL":
            self.protocol = None if name is None else name.lower()

    def load(self, extension: type[Extension], target: bool = False) -> Loaded:
        instance = Loaded(extension, len(self.loaded), target)
        self.loaded.append(instance)
        return instance

    # -- long options --------------------------------------------------------------

    def long_option(self, word: Word) -> str:
        name, equals, value = word.text[2:].partition("=")
        entry = self.find_long(name, bool(equals))
        if entry is None and self.load_protocol_match():
            entry = self.find_long(name, bool(equals))
        if entry is None:
            return self.unknown(word)
        if entry.owner in UNSUPPORTED:
            return self.unsupported(entry.owner, word)
        if equals:
            self.attach(word, value, len(name) + 3)
        return self.accept(entry)

    def find_long(self, name: str, has_value: bool) -> GetoptEntry | None:
        found = resolve_long(name, self.extensions())
        if found is not None and has_value and found.has_arg == 0:
            return None  # "option doesn't allow an argument": getopt says '?', like an unknown option
        return found

    def extensions(self) -> tuple:
        """The loaded extensions whose options getopt knows, the last loaded first (a second
        `-m state` adds no options: the first ones go to the newest instance)."""
        return tuple(dict.fromkeys(instance.extension for instance in reversed(self.loaded)))

    def attach(self, word: Word, value: str, offset: int) -> None:
        """Put the attached value (`--dport=22`, `-AINPUT`) back as the next word."""
        location = word.location
        self.feed.put_back(Word(value, Location(location.file, location.line, location.col + offset)))
        self.forced.add(self.index + 1)

    def accept(self, entry: GetoptEntry) -> str:
        if entry.option is not None:
            owner = next(i for i in reversed(self.loaded) if i.extension.name == entry.owner[0])
            self.facts[self.index] = (entry, owner)
        if entry.has_arg == 1:
            self.awaiting = entry.terminal
        return entry.terminal

    # -- short options -------------------------------------------------------------

    def short_option(self, word: Word) -> str:
        letter, rest = word.text[1], word.text[2:]
        has_arg = SHORT.get(letter)
        if letter in UNSUPPORTED:
            return self.unsupported(letter, word)
        if has_arg is None:
            self.load_protocol_match()  # what iptables does with any unknown option, in vain here
            return self.unknown(word, self.unknown_short_text(rest))
        if rest and has_arg:
            self.attach(word, rest, 2)
        elif rest:
            location = word.location
            self.feed.put_back(Word("-" + rest, Location(location.file, location.line, location.col + 1)))
        return self.accept(core()[1][letter])

    # -- what getopt does not know ----------------------------------------------------

    def load_protocol_match(self) -> bool:
        """command_default(): an unknown option loads the `-p` protocol's match, once."""
        if self.protocol is None or self.protocol_loaded:
            return False
        extension = match_for_protocol(self.protocol)
        if extension is None:
            return False
        self.protocol_loaded = True
        self.load(extension)
        return True

    def unsupported(self, letter: str, word: Word) -> str:
        message, status = UNSUPPORTED[letter]
        self.facts[self.index] = PyipError(message, word.location, status)
        return "UNKNOWN"

    def unknown(self, word: Word, text: str | None = None) -> str:
        self.facts[self.index] = PyipError(f'unknown option "{word.text if text is None else text}"', word.location, 2)
        return "UNKNOWN"

    def unknown_short_text(self, rest: str) -> str:
        """What iptables names, argv[optind-1]: glibc moves optind past a cluster only at its last letter."""
        element = self.feed.elements[-1]
        return self.feed.argv[element - (1 if rest else 0)].text


@lru_cache(maxsize=None)
def core() -> tuple[tuple[GetoptEntry, ...], dict[str, GetoptEntry]]:
    """The core options as getopt entries (long ones, and by letter), named by the grammar's terminals."""
    front = grammar("iptables")
    by_letter = {letter: GetoptEntry(letter, has_arg, letter, front.first_match("-" + letter))
                 for letter, has_arg in SHORT.items() if letter not in UNSUPPORTED}
    long_entries = tuple(GetoptEntry(name, has_arg, letter, front.first_match("--" + name) or "UNKNOWN")
                         for name, has_arg, letter in LONG_OPTIONS)
    return long_entries, by_letter


@lru_cache(maxsize=4096)
def resolve_long(name: str, extensions: tuple) -> GetoptEntry | None:
    """glibc: an exact name wins; else a prefix that names one option (same owner and has_arg)."""
    entries = core()[0] + tuple(e for extension in extensions for e in extension_entries(extension))
    found = next((e for e in entries if e.name == name), None)
    if found is not None:
        return found
    prefixed = [e for e in entries if e.name.startswith(name)]
    if not prefixed or any((e.owner, e.has_arg) != (prefixed[0].owner, prefixed[0].has_arg) for e in prefixed):
        return None
    return prefixed[0]


@lru_cache(maxsize=None)
def extension_entries(extension: type[Extension]) -> tuple[GetoptEntry, ...]:
    terminal = {0: "EXT_FLAG", 1: "EXT_VALUE", 2: "EXT_PAIR", OPTIONAL: "EXT_OPTIONAL"}
    return tuple(GetoptEntry(option.name, 0 if option.arity == OPTIONAL else min(option.arity, 1),
                             (extension.name, option.key), terminal[option.arity], option)
                 for option in extension.options)


class CommandGrammar(WordGrammar):
    """The compiled iptables grammar with one command's getopt as its word lexer."""

    def __init__(self, getopt: Getopt):
        self.__dict__.update(grammar("iptables").__dict__)  # share the compiled tables
        self.getopt = getopt

    def kind_of(self, word: Word, state: int) -> str:
        acceptable = self.states[state]
        return "PROGRAM" if "PROGRAM" in acceptable else self.getopt.kind_of(word, acceptable)


# -- commands of a known shape ---------------------------------------------------------------------

# The values whose text getopt reads: they load an extension or name the protocol's match.
LOADING = ("MATCH", "JUMP", "PROTOCOL")


class Replayed:
    """What the readers use of a Getopt (its words and facts), for a command of a known shape."""

    __slots__ = ("words", "facts")

    def __init__(self, words: list[Word], facts: dict):
        self.words = words
        self.facts = facts

    @property
    def feed(self) -> Replayed:
        """No word was split: the words handed out are the command's own (a property: no cycle to collect)."""
        return self


class Recording(CommandGrammar):
    """CommandGrammar that notes, for each word, its terminal and whether its text mattered."""

    def __init__(self, getopt: Getopt):
        super().__init__(getopt)
        self.steps: list[tuple[str, object]] = []  # (text, guard): guard None for a word matched by its text

    def kind_of(self, word: Word, state: int) -> str:
        acceptable = self.states[state]
        getopt = self.getopt
        guard = None
        if "PROGRAM" not in acceptable and not getopt.ended:
            if "VALUE" in acceptable and getopt.awaiting not in LOADING:
                legacy_not = "LEGACY_NOT" in acceptable and getopt.dialect == legacy.LEGACY
                guard = NOT_LEGACY_NOT if legacy_not else ANY_VALUE
            elif "VALUE" in acceptable and getopt.awaiting == "JUMP" and is_chain_jump(word):
                guard = CHAIN_JUMP
            elif "VALUE" not in acceptable and "ARG" in acceptable:
                guard = ARGUMENT
        kind = super().kind_of(word, state)
        if kind not in ("VALUE", "ARG"):
            guard = None  # `!` as LEGACY_NOT, or an option where an optional argument could stand
        self.steps.append((word.text, guard))
        return kind


# Which other words take the same path as a word whose text did not matter (Node.admits).
ANY_VALUE = "value"  # getopt's optarg: any word
NOT_LEGACY_NOT = "value, not !"  # any word but `!`, which the legacy dialect reads as the 2001 negation
ARGUMENT = "argument"  # xs_has_arg(): a word not starting with `-` or `!`
# -j's value when it loads no target (a user chain, ACCEPT): getopt reads -j's text only to look it up
# in TARGETS, so every such word takes the same path; one shape serves all of a script's user chains.
CHAIN_JUMP = "-j, no target extension"


def is_chain_jump(word: Word) -> bool:
    """A -j value that loads nothing: known text, not `!` (LEGACY_NOT in the legacy grammar), not a target."""
    return word.symbol is None and word.text != "!" and not names_target(word.text)


NAME_CACHE_SIZE = 4096  # as pyip.extensions' caches by name

# Every rule's -j ACCEPT or -j CHAIN passes the guard: one registry look-up a name.  Bounded: a
# long-running process (the API, a resident shim) meets ever new user-chain names.
@lru_cache(maxsize=NAME_CACHE_SIZE)
def names_target(text: str) -> bool:
    return text in TARGETS


class Node:
    """Where a command stands after some words: the words seen next, by text or by guard."""

    __slots__ = ("steps", "free", "guard", "plan")

    def __init__(self):
        self.steps: dict[str, Node] = {}
        self.free: Node | None = None  # the next node for any word the guard admits
        self.guard = None
        # (facts, [(reader, tree), ...], the positions of the words admitted by a guard) for a command that
        # ends here
        self.plan = None

    def admits(self, text: str) -> bool:
        guard = self.guard
        if guard is ANY_VALUE:
            return True
        if guard is NOT_LEGACY_NOT:
            return text != "!"
        if guard is CHAIN_JUMP:
            return text != "!" and not names_target(text)
        return guard is ARGUMENT and text[:1] not in ("-", "!")


class Shapes:
    """The commands parsed so far, as a trie over their words; a node ending one holds its plan.

    Why a command of a known shape needs neither getopt nor the grammar:
    getopt's state after a word depends on the words before it, but only on
    the text of option words and of the values that load something (-m,
    -j, -p) -- those are matched by text here, except a -j value that
    loads no target (a user chain, a verdict), which only has to stay out
    of TARGETS (CHAIN_JUMP).  Any other value is taken
    whatever it says (getopt's optarg; only `!` differs, in the legacy
    dialect), and an optional argument only by its first character.  The
    grammar's actions depend on the terminals alone.  So a command that
    walks the trie to a node with a plan gets the same terminals, the same
    facts and the same trees as the command that made the plan, and the
    readers run on the same trees in the same order.  Only commands whose
    words getopt left whole (no `--opt=value`, no `-nvL`), whose words are
    all known, and that the grammar read to the end without an unknown
    option are learnt.  The trees of a plan are shared: readers use their
    tokens' terminal and index, never their text.
    """

    MAX_NODES = 100_000  # beyond this, new shapes take the full path

    def __init__(self):
        self.root = Node()
        self.nodes = 1
        self.memory: dict = {}  # what the parser learns about each plan (pyip.parser.templates), by plan

    def plan(self, words: list[Word]):
        texts = [word.text for word in words if word.symbol is None]
        return self.plan_texts(texts) if len(texts) == len(words) else None  # a word known only at run time

    def plan_texts(self, texts: list[str]):
        """The plan of the command of these words (all known), or None."""
        node, any_value = self.root, ANY_VALUE
        for text in texts:
            if node.guard is any_value:
                node = node.free  # where any word is a value, no word is learnt by its text
                continue
            following = node.steps.get(text)
            if following is None:
                following = node.free
                if following is None or not node.admits(text):
                    return None
            node = following
        return node.plan

    def learn(self, words: list[Word], grammar: Recording, trees: list, readers: dict) -> None:
        getopt = grammar.getopt
        if (self.nodes >= self.MAX_NODES or not len(getopt.feed.words) == len(grammar.steps) == len(words)
                or getopt.forced
                or any(word.symbol is not None for word in words)
                or any(isinstance(fact, PyipError) for fact in getopt.facts.values())):
            return
        node = self.root
        for text, guard in grammar.steps:
            node = self.step(node, text, guard)
        items = [(readers[tree.data], tree) for tree in trees if tree.data in readers]
        guarded = frozenset(index for index, (text, guard) in enumerate(grammar.steps) if guard is not None)
        node.plan = (dict(getopt.facts), items, guarded)

    def step(self, node: Node, text: str, guard) -> Node:
        if guard is None:
            following = node.steps.get(text)
            if following is None:
                following = node.steps[text] = Node()
                self.nodes += 1
            return following
        if node.free is None:
            node.free, node.guard = Node(), guard
            self.nodes += 1
        return node.free
