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
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..errors import IncompleteCommand, Location, PyipError
from .tables import load_tables


class Word(NamedTuple):
    """One argv word and where it stands; `symbol` is set when its value is unknown.

    A NamedTuple: one is made for every word of every command.
    """

    text: str
    location: Location = Location()
    symbol: object = None  # a pyip.ast.base.Symbol, or None when the text is known


class Token(str):
    """A classified word: its text, terminal `type`, and index in the command (`start_pos`)."""

    __slots__ = ("type", "start_pos")

    def __new__(cls, kind: str, text: str, index: int):
        token = super().__new__(cls, text)
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
        self.terminals = tables["terminals"]
        self.states = tables["states"]
        self.rules = tables["rules"]
        self.start = tables["start"]
        self.end = tables["end"]
        self._matchers: dict[int, re.Pattern | None] = {}
        self._kinds: dict[tuple[int, str], str | None] = {}  # (state, word) -> terminal

    def matcher(self, state: int) -> re.Pattern | None:
        """One regex per parser state: the acceptable terminals, in file order."""
        if state not in self._matchers:
            acceptable = self.states[state]
            groups = [f"(?P<{name}>{regex})" for name, regex in self.terminals if name in acceptable]
            self._matchers[state] = re.compile("|".join(groups)) if groups else None
        return self._matchers[state]

    def first_match(self, text: str, prefix: str = "") -> str | None:
        """The first terminal (file order) whose name starts with prefix and matches text."""
        for name, regex in self.terminals:
            if name.startswith(prefix) and re.fullmatch(regex, text):
                return name
        return None

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

    def reduce(self, rule: int, stack: list, values: list, on_reduce) -> None:
        origin, alias, size, splices = self.rules[rule]
        if size:
            children = values[-size:]
            del stack[-size:]
            del values[-size:]
        else:
            children = []
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
        if word.symbol is not None:
            # An unknown value can only be a value, never a keyword.
            if "VALUE" in acceptable:
                return "VALUE"
            raise self.unexpected(word, state)
        key = (state, word.text)
        kind = self._kinds.get(key)
        if kind is None:
            regex = self.matcher(state)
            match = regex.fullmatch(word.text) if regex is not None else None
            if match is None:
                raise self.unexpected(word, state)
            kind = match.lastgroup
            if len(self._kinds) < 100_000:  # keywords repeat; values mostly do not
                self._kinds[key] = kind
        return kind

    def unexpected(self, word: Word, state: int) -> PyipError:
        """A word no terminal here can take; the caller maps it to the tool's message."""
        error = PyipError(f'unexpected word "{word.text}"', word.location, 255)
        error.expected = frozenset(name for name in self.states[state] if name.isupper())
        error.word = word
        return error


def splice(children: list) -> list:
    """Inline the children of `_rule` trees (Lark's expansion helpers) into their parent."""
    out = []
    for child in children:
        if isinstance(child, Tree) and child.data[0] == "_":
            out += child.children
        else:
            out.append(child)
    return out


@lru_cache(maxsize=None)
def grammar(name: str) -> WordGrammar:
    return WordGrammar(name)
