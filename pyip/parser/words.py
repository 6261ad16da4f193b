"""Drive a Lark LALR grammar over shell words instead of characters.

Command-line tools see argv, not text: a word is a unit, and which keyword it
is depends on where it stands (after `dev`, the word `table` is a device
name).  So the lexer here is contextual over whole words: for each word it
asks the parser which terminals it can take next and picks the first of
them, in the grammar file's order, whose pattern matches the whole word.
Listing keywords in the order the real tool tests them therefore gives the
real tool's resolution of abbreviations (`p` is `priority`, `pro` is
`protocol`).

Grammar files may write `abbrev("word")`: any non-empty prefix of "word",
which is iproute2's matches().
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import attrs

from ..errors import IncompleteCommand, Location, PyipError

_ABBREV = re.compile(r'abbrev\("([^"]+)"\)')
_TERMINAL_DEF = re.compile(r"^([A-Z_][A-Z_0-9]*)(?:\.-?\d+)?\s*:", re.MULTILINE)


@attrs.frozen
class Word:
    """One argv word and where it stands; `symbol` is set when its value is unknown."""

    text: str
    location: Location = Location()
    symbol: object = None  # a pyip.ast.base.Symbol, or None when the text is known


def abbrev_regex(word: str) -> str:
    """`/t(?:a(?:b(?:l(?:e)?)?)?)?/` for abbrev("table")."""
    pattern = re.escape(word[-1])
    for char in reversed(word[:-1]):
        pattern = f"{re.escape(char)}(?:{pattern})?"
    return "/" + pattern + "/"


def expand_grammar(text: str) -> str:
    return _ABBREV.sub(lambda m: abbrev_regex(m.group(1)), text)


class WordGrammar:
    """A compiled grammar plus the per-state word matchers."""

    def __init__(self, name: str):
        from lark import Lark  # lazily: lark costs start-up time

        source = resources.files("pyip.grammar").joinpath(f"{name}.lark").read_text()
        self.name = name
        self.lark = Lark(expand_grammar(source), parser="lalr", lexer="basic", cache=True)
        order = {term: i for i, term in enumerate(_TERMINAL_DEF.findall(source))}
        self.patterns = sorted(
            ((order.get(t.name, len(order)), t.name, t.pattern.to_regexp()) for t in self.lark.terminals),
        )
        frontend = self.lark.parser.parser
        self.parse_table = frontend.parser.parse_table
        self.callbacks = frontend.parser.callbacks
        self._matchers: dict[int, tuple[re.Pattern | None, frozenset]] = {}
        self.on_reduce = None

    def matcher(self, state: int) -> tuple[re.Pattern | None, frozenset]:
        """One regex per parser state: the acceptable terminals, in file order."""
        cached = self._matchers.get(state)
        if cached is None:
            acceptable = self.parse_table.states[state]
            groups = [f"(?P<{name}>{regex})" for _, name, regex in self.patterns if name in acceptable]
            cached = (re.compile("|".join(groups)) if groups else None, frozenset(acceptable))
            self._matchers[state] = cached
        return cached

    def parse(self, words: list[Word], end: Location, on_reduce=None):
        """The parse tree of the words; PyipError on a word the grammar cannot take.

        on_reduce(tree) runs as each rule is reduced, that is in word order,
        so a bad value is reported before a later grammar error, as the real
        tool (which reads argv left to right) would.
        """
        from lark.lexer import Token
        from lark.parsers.lalr_parser_state import ParserState
        from lark.exceptions import UnexpectedToken

        conf = self._parse_conf()
        self.on_reduce = on_reduce
        state = ParserState(conf, None, [self.parse_table.start_states["start"]])
        for index, word in enumerate(words):
            token = self.token_for(word, index, state.position)
            try:
                state.feed_token(token)
            except UnexpectedToken:  # cannot happen: the token was chosen as acceptable
                raise self.unexpected(word, state.position) from None
        try:
            return state.feed_token(Token("$END", "", len(words)), True)
        except UnexpectedToken:
            raise IncompleteCommand(end) from None

    def first_match(self, text: str, prefix: str = "") -> str | None:
        """The first terminal (file order) whose name starts with prefix and matches text."""
        for _, name, regex in self.patterns:
            if name.startswith(prefix) and re.fullmatch(regex, text):
                return name
        return None

    def _parse_conf(self):
        conf = getattr(self, "_conf", None)
        if conf is None:
            from lark.parsers.lalr_parser_state import ParseConf

            callbacks = {rule: self._hooked(build) for rule, build in self.callbacks.items()}
            conf = self._conf = ParseConf(self.parse_table, callbacks, "start")
        return conf

    def _hooked(self, build):
        def callback(children):
            tree = build(children)
            return self.on_reduce(tree) if self.on_reduce is not None else tree
        return callback

    def token_for(self, word: Word, index: int, state: int):
        from lark.lexer import Token

        regex, acceptable = self.matcher(state)
        if word.symbol is not None:
            # An unknown value can only be a value, never a keyword.
            kind = "VALUE" if "VALUE" in acceptable else None
        else:
            match = regex.fullmatch(word.text) if regex is not None else None
            kind = match.lastgroup if match else None
        if kind is None:
            raise self.unexpected(word, state)
        loc = word.location
        return Token(kind, word.text, index, loc.line, loc.col)

    def unexpected(self, word: Word, state: int) -> PyipError:
        """A word no terminal here can take; the caller maps it to the tool's message."""
        error = PyipError(f'unexpected word "{word.text}"', word.location, 255)
        error.expected = frozenset(self.parse_table.states[state])
        error.word = word
        return error


@lru_cache(maxsize=None)
def grammar(name: str) -> WordGrammar:
    return WordGrammar(name)
