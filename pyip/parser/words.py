"""Run a compiled Lark LALR grammar over shell words instead of characters.

Command-line tools see argv, not text: a word is a unit, and which keyword it
is depends on where it stands (after `dev`, the word `table` is a device
name).  So the lexer here is contextual over whole words: for each word it
asks the parse table which terminals may come next and picks the first of
them, in the grammar file's order, whose pattern matches the whole word.
Listing keywords in the order the real tool tests them therefore gives the
real tool's resolution of abbreviations (`p` is `priority`, `pro` is
`protocol`).  Grammar files may write `abbrev("word")`: any non-empty prefix
of "word", which is iproute2's matches().

The tables come from Lark (pyip/parser/tables.py); the driver below is the
LALR automaton and builds the trees Lark builds (rules named `_x`, such as
Lark's own `*` helpers, are spliced into their parent).

Bulk input repeats a few command shapes (`route add VALUE via VALUE table
VALUE ...`) with different values, and the LALR actions depend on the
terminal kinds alone.  So parse_memoised() walks a trie over sequences of
kinds whose nodes (Shape) hold the parser's stack: a line of a known shape
costs a dict lookup or two per word, then one call of the shape's builder,
generated code that makes the trees and on_reduce calls the automaton would
make.  The trie is learnt from the same tables, and anything unusual (an
error, a shape too many) goes through the plain automaton, so both give the
same trees, the same calls in the same order, and the same errors.
"""

from __future__ import annotations

from ..errors import IncompleteCommand, Location, PyipError
from ..fieldtuple import FieldTuple, field
from .tables import ANY_WORD, States, load_tables  # ANY_WORD: VALUE where every non-empty word is one


class Word(FieldTuple):
    """One argv word and where it stands; `symbol` is set when its value is unknown.

    A named tuple: one is made for every word of every command.
    """

    __slots__ = ()
    _fields = __match_args__ = ("text", "location", "symbol")
    text: str = field(0)
    location: Location = field(1)
    symbol: object = field(2)  # a pyip.ast.base.Symbol, or None when the text is known

    def __new__(cls, text: str, location: Location = Location(), symbol: object = None):
        return tuple.__new__(cls, (text, location, symbol))


class Token(str):
    """A classified word: its text, terminal `type`, and index in the command (`start_pos`)."""

    __slots__ = ("type", "start_pos")

    def __new__(cls, kind: str, text: str, index: int):
        token = str.__new__(cls, text)
        token.type = kind
        token.start_pos = index
        return token


class Tree:
    """A reduced rule: `data` is its alias (or rule name), `children` its tokens and trees."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list):
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


class WordGrammar:
    """A compiled grammar plus the per-state word matchers."""

    def __init__(self, name: str):
        tables = load_tables(name)
        self.name = name
        # ip reads an empty argument ("$EMPTY") as a value like any other; the firewall tools' readers differ
        self.empty_is_value = name == "ip" or name.startswith("ip_")
        self.terminals = tables["terminals"]
        self.states = States(tables["states"])  # each state's actions read when first needed
        self.rules = tables["rules"]
        self.start = tables["start"]
        self.end = tables["end"]
        self.first_characters = tables["first_characters"]  # terminal -> what a match begins with, or None
        self.languages = tables.get("languages", {})  # terminal -> its words, "any", ("program", NAMES) or None
        self._plans: dict[int, tuple[dict, list]] = {}  # state -> (word -> first finite terminal, the others)
        self._tests: dict[str, object] = {}  # terminal -> test(text) -> bool
        self._kinds: dict[tuple[int, str], str | None] = {}  # (state, word) -> terminal
        self._first_matches: dict[tuple[str, str], str | None] = {}
        self._keyword_starts: dict[int, frozenset | None] = {}
        self._shapes = 0
        self._root = self._shape((self.start,), 0)

    def classify(self, state: int, text: str) -> str | None:
        """The first terminal (file order) acceptable in the state whose regex matches the whole text.

        Keywords are looked up among their words (tables.language()), the rest
        tested in order, so the drop-in compiles no regex (a grammar's
        catch-all VALUE and PROGRAM need none either); the equivalence test
        holds it to the regexes' own answer."""
        plan = self._plans.get(state)
        if plan is None:
            plan = self._plans[state] = self._plan(state)
        lookup, others = plan
        found = lookup.get(text)
        for index, name, test in others:
            if found is not None and index > found[0]:
                break
            if test(text):
                return name
        return None if found is None else found[1]

    def _plan(self, state: int) -> tuple[dict, list]:
        acceptable = self.states[state]
        lookup: dict = {}
        others = []
        for index, (name, regex) in enumerate(self.terminals):
            if name not in acceptable:
                continue
            words = self.languages.get(name)
            if type(words) is list:
                for word in words:
                    lookup.setdefault(word, (index, name))
            else:
                others.append((index, name, self.test(name, regex)))
        return lookup, others

    def test(self, name: str, regex: str):
        """test(text): does the terminal's regex match the whole text?"""
        test = self._tests.get(name)
        if test is None:
            test = self._tests[name] = terminal_test(self.languages.get(name), regex)
        return test

    def first_match(self, text: str, prefix: str = "") -> str | None:
        """The first terminal (file order) whose name starts with prefix and matches text."""
        key = (text, prefix)
        if key in self._first_matches:  # every line asks whether its program word is `ip`
            return self._first_matches[key]
        found = next((name for name, regex in self.terminals
                      if name.startswith(prefix) and self.test(name, regex)(text)), None)
        if len(self._first_matches) < 4096:
            self._first_matches[key] = found
        return found

    def parse(self, words: list[Word], end: Location, on_reduce=None) -> Tree:
        """The parse tree of the words; PyipError on a word the grammar cannot take.

        on_reduce(tree) runs as each rule is reduced, that is in word order,
        so a bad value is reported before a later grammar error, as the real
        tool (which reads argv left to right) would.
        """
        stack = [self.start]
        values: list = []
        states, kinds, reduce = self.states, self._kinds, self.reduce
        for index, word in enumerate(words):
            kind = kinds.get((stack[-1], word.text)) if word.symbol is None else None
            if kind is None:
                kind = self.kind_of(word, stack[-1])
            while True:
                shift, arg = states[stack[-1]][kind]
                if shift:
                    stack.append(arg)
                    values.append(Token(kind, word.text, index))
                    break
                reduce(arg, stack, values, on_reduce)
        while True:
            action = states[stack[-1]].get("$END")
            if action is None:
                raise IncompleteCommand(end)
            reduce(action[1], stack, values, on_reduce)
            if stack[-1] == self.end:
                return values[-1]

    def parse_memoised(self, words: list[Word], end: Location, on_reduce) -> Tree:
        """parse(), faster on words whose shape (sequence of kinds) was seen before.

        on_reduce must return the tree it is given: the trees of a shape are
        laid out in advance.  Words are classified and the shape found before
        any tree is built, so when something is wrong the plain automaton
        runs from the start and raises its own error at its own point.
        """
        walked = self.walk(words)
        if walked is None:
            return self.parse(words, end, on_reduce)
        shape, tokens = walked
        build = shape.build or self.plan_shape(shape, [token.type for token in tokens])
        if build is INCOMPLETE:
            return self.parse(words, end, on_reduce)
        return build(tokens, on_reduce)

    def walk(self, words: list[Word]) -> tuple[Shape, list[Token]] | None:
        """The shape the words end at and their tokens, learnt; None where parse() would stop."""
        shape = self._root
        tokens = []
        for word in words:
            text = word.text
            step = shape.steps.get(text) if word.symbol is None else None
            if step is not None:
                token, shape = step
            elif shape.value_next is not None and text and word.symbol is None and text[0] not in shape.keyword_starts:
                token = _new_str(Token, text)  # a value where no keyword can start so: Token(), inlined
                token.type = "VALUE"
                token.start_pos = shape.depth
                shape = shape.value_next
            else:
                step = self.step(shape, word)
                if step is None:
                    return None
                token, shape = step
            tokens.append(token)
        return shape, tokens

    def step(self, shape: Shape, word: Word) -> tuple[Token, Shape] | None:
        """The word's token where the shape stands and the shape after it, learnt; None where
        the plain automaton would stop (it then says why)."""
        kind = self.kind_in(shape, word)
        following = None if kind is None else shape.following.get(kind) or self.learn(shape, kind)
        if following is None:
            return None
        token = Token(kind, word.text, shape.depth)
        if word.symbol is not None:
            return token, following
        if kind == "VALUE" and shape.keyword_starts is not None:
            shape.value_next = following
            if word.text[:1] not in shape.keyword_starts:
                return token, following  # parse_memoised() takes such values itself from now on
        if len(shape.steps) < 1024:  # keywords, and values that begin like one (`default`)
            shape.steps[word.text] = (token, following)
        return token, following

    def kind_in(self, shape: Shape, word: Word) -> str | None:
        """kind_of() without the error: the terminal the word is in the shape's state, or None."""
        if word.symbol is not None or (not word.text and self.empty_is_value):  # "$EMPTY" is a value to ip
            return "VALUE" if "VALUE" in self.states[shape.state] else None
        return self.classify(shape.state, word.text)

    def kind_at_start(self, text: str) -> str | None:
        """The terminal a first word is, or None where none fits (parse() then says why)."""
        step = self._root.steps.get(text)
        return step[0].type if step is not None else self.kind_in(self._root, Word(text))

    def learn(self, shape: Shape, kind: str) -> Shape | None:
        """The shape after one more word of this kind; None where the tables refuse it."""
        if self._shapes >= MAX_SHAPES:
            return None
        stack = list(shape.stack)
        while True:
            action = self.states[stack[-1]].get(kind)
            if action is None:
                return None
            shift, arg = action
            if shift:
                stack.append(arg)
                break
            origin, _, size, _ = self.rules[arg]
            if size:
                del stack[-size:]
            stack.append(self.states[stack[-1]][origin][1])
        following = shape.following[kind] = self._shape(tuple(stack), shape.depth + 1)
        return following

    def _shape(self, stack: tuple, depth: int) -> Shape:
        self._shapes += 1
        return Shape(stack, depth, self.keyword_starts(stack[-1]))

    def keyword_starts(self, state: int) -> frozenset | None:
        """The characters a keyword acceptable in the state may begin with, where every other
        non-empty word is a VALUE; None where that is not so or not known."""
        if state not in self._keyword_starts:
            regexes = dict(self.terminals)
            acceptable = [name for name in regexes if name in self.states[state]]
            starts = [self.first_characters[name] for name in acceptable if name != "VALUE"]
            known = "VALUE" in acceptable and regexes["VALUE"] == ANY_WORD and None not in starts
            self._keyword_starts[state] = frozenset("".join(starts)) if known else None
        return self._keyword_starts[state]

    def plan_shape(self, shape: Shape, kinds: list[str]):
        """The shape's builder: the trees the automaton builds for words of these kinds, or INCOMPLETE."""
        planned = self.planned(kinds)
        shape.build = INCOMPLETE if planned is None else builder(planned, kinds)
        return shape.build

    def planned(self, kinds: list[str]) -> list[Planned] | None:
        """The trees the automaton builds for words of these kinds, in reduction order (the
        root last), over word indexes; None where the words cannot end there."""
        stack = [self.start]
        values: list = []
        planned: list[Planned] = []
        for index, kind in enumerate(kinds):
            while True:
                shift, arg = self.states[stack[-1]][kind]
                if shift:
                    stack.append(arg)
                    values.append(index)
                    break
                planned.append(self.plan_reduce(arg, stack, values))
        while True:
            action = self.states[stack[-1]].get("$END")
            if action is None:
                return None
            planned.append(self.plan_reduce(action[1], stack, values))
            if stack[-1] == self.end:
                return planned

    def shape_of(self, texts: list[str]) -> Shape | None:
        """The shape that words of these (known) texts end at, learnt as parse_memoised() learns
        it; None where the plain automaton would stop on a word.  Builds nothing: for callers
        that read the words themselves once the shape tells what each one is (pyip.netlink.fast)."""
        shape = self._root
        for text in texts:
            step = shape.steps.get(text)
            if step is not None:
                shape = step[1]
            elif shape.value_next is not None and text and text[0] not in shape.keyword_starts:
                shape = shape.value_next
            else:
                step = self.step(shape, Word(text))
                if step is None:
                    return None
                shape = step[1]
        return shape

    def kinds_of(self, texts: list[str]) -> list[str] | None:
        """The terminal of each word, as parse() would classify them; None where it would stop."""
        shape, kinds = self._root, []
        for text in texts:
            step = self.step(shape, Word(text))
            if step is None:
                return None
            kinds.append(step[0].type)
            shape = step[1]
        return kinds

    def plan_reduce(self, rule: int, stack: list, values: list) -> Planned:
        """reduce(), on word indexes and Planned trees instead of tokens and trees."""
        origin, alias, size, splices = self.rules[rule]
        children = pop_children(size, stack, values)
        if splices:
            children = [grandchild for child in children
                        for grandchild in (child.children if isinstance(child, Planned) and child.data[0] == "_"
                                           else [child])]
        tree = Planned(alias or origin, children, origin[0] != "_")
        stack.append(self.states[stack[-1]][origin][1])
        values.append(tree)
        return tree

    def reduce(self, rule: int, stack: list, values: list, on_reduce) -> None:
        origin, alias, size, splices = self.rules[rule]
        children = pop_children(size, stack, values)
        if splices:
            children = splice(children)
        tree = Tree(alias or origin, children)
        if on_reduce is not None and origin[0] != "_":
            tree = on_reduce(tree)
        stack.append(self.states[stack[-1]][origin][1])
        values.append(tree)

    def kind_of(self, word: Word, state: int) -> str:
        """The terminal this word is here, or the positioned error."""
        acceptable = self.states[state]
        if word.symbol is not None or (not word.text and self.empty_is_value):
            # An unknown value can only be a value, never a keyword; nor can an empty word to ip.
            if "VALUE" in acceptable:
                return "VALUE"
            raise self.unexpected(word, state)
        key = (state, word.text)
        kind = self._kinds.get(key)
        if kind is None:
            kind = self.classify(state, word.text)
            if kind is None:
                raise self.unexpected(word, state)
            if len(self._kinds) < 100_000:  # keywords repeat; values mostly do not
                self._kinds[key] = kind
        return kind

    def unexpected(self, word: Word, state: int) -> PyipError:
        """A word no terminal here can take; the caller maps it to the tool's message."""
        error = PyipError(f'unexpected word "{word.text}"', word.location, 255)
        error.expected = frozenset(name for name in self.states[state] if name.isupper())
        error.word = word
        return error


MAX_SHAPES = 100_000  # beyond this many trie nodes, new shapes take the plain automaton
INCOMPLETE = object()  # the builder of a shape the grammar cannot end with
_new_str = str.__new__  # a Token without a call of its Python-level __new__


class Shape:
    """A node of the trie over kinds: the parser's stack after `depth` words of those kinds.

    steps maps the words met here (keywords mostly) to their token, the same
    on every line of the shape, and the shape after them.  A word that no
    keyword here can begin like (keyword_starts) is a VALUE, and value_next
    the shape after it, once learnt.
    """

    __slots__ = ("stack", "state", "depth", "steps", "keyword_starts", "value_next", "following", "build")

    def __init__(self, stack: tuple, depth: int, keyword_starts: frozenset | None):
        self.stack = stack
        self.state = stack[-1]
        self.depth = depth
        self.steps: dict[str, tuple[Token, Shape]] = {}
        self.keyword_starts = keyword_starts
        self.value_next: Shape | None = None
        self.following: dict[str, Shape] = {}  # kind of the next word -> shape
        self.build = None  # build(tokens, on_reduce) when the words may end here, or INCOMPLETE


class Planned:
    """A tree the automaton will build, as word indexes and other Planned trees."""

    __slots__ = ("data", "children", "hooked", "name")

    def __init__(self, data: str, children: list, hooked: bool):
        self.data = data
        self.children = children
        self.hooked = hooked  # on_reduce sees it
        self.name = None


def builder(planned: list[Planned], kinds: list[str]):
    """A function that builds these trees, in reduction order, over the tokens.

    Generated Python: one statement per tree and no loop to interpret, which
    is what makes a known shape cheap.  Trees spliced into their parent and
    not hooked (Lark's `_x` helpers) are never built at all.
    """
    root = planned[-1]
    needed = [tree for tree in planned if tree.hooked or tree is root]
    wanted = set(map(id, needed))
    while needed:
        for child in needed.pop().children:
            if isinstance(child, Planned) and id(child) not in wanted:
                wanted.add(id(child))
                needed.append(child)
    lines = ["def build(tokens, on_reduce):"]
    for tree in planned:
        if id(tree) in wanted:
            tree.name = f"tree{len(lines)}"
            children = ", ".join(c.name if isinstance(c, Planned) else f"tokens[{c}]" for c in tree.children)
            lines.append(f"    {tree.name} = Tree({tree.data!r}, [{children}])")
            if tree.hooked:
                lines.append(f"    on_reduce({tree.name})")
    lines.append(f"    return {root.name}")
    namespace = {"Tree": Tree}
    exec(compile("\n".join(lines), f"<shape {' '.join(kinds)}>", "exec"), namespace)
    return namespace["build"]


def pop_children(size: int, stack: list, values: list) -> list:
    """The values a reduction of `size` symbols takes off the parser's stacks."""
    if not size:
        return []
    children = values[-size:]
    del stack[-size:]
    del values[-size:]
    return children


def splice(children: list) -> list:
    """Inline the children of `_rule` trees (Lark's expansion helpers) into their parent."""
    out = []
    for child in children:
        if isinstance(child, Tree) and child.data[0] == "_":
            out += child.children
        else:
            out.append(child)
    return out


def grammar(name: str) -> WordGrammar:
    """The grammar NAME, loaded once (a dict, not functools.lru_cache: functools costs start-up time)."""
    loaded = _GRAMMARS.get(name)
    if loaded is None:
        loaded = _GRAMMARS[name] = WordGrammar(name)
    return loaded


_GRAMMARS: dict[str, WordGrammar] = {}


def terminal_test(words, regex: str):
    """A terminal's test of a whole word, from what tables.language() said of it."""
    if type(words) is list:
        return frozenset(words).__contains__
    if words == "any":
        return bool  # `[\s\S]+`: any non-empty word
    if type(words) is tuple and words[0] == "program":
        names = frozenset(words[1])

        def is_program(text: str) -> bool:  # `(?:\S*\/)?(?:ip|pyip)`: a path without blanks to one of the names
            head, _, tail = text.rpartition("/")
            return tail in names and not any(c.isspace() for c in head)

        return is_program
    import re  # only for a terminal that is not a list of words: none on the drop-in's path

    compiled = re.compile(regex)
    return lambda text: compiled.fullmatch(text) is not None
