"""Split plain command text into commands of positioned words.

This is the reader for `ip -batch` files and for scripts of simple commands:
`#` comments, `\\` line continuations, single and double quotes, backslash
escapes, `;` and newlines between commands.  Variables, loops and functions
are the shell layer's business (pyip/shell.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from .ast.base import Symbol
from .errors import Location, PyipError
from .parser.words import Word


def make_word(chars: list[str], start: Location, expands: bool) -> Word:
    """A word; one with an unquoted or double-quoted `$` is a value known only at run time."""
    text = "".join(chars)
    return Word(text, start, Symbol(text) if expands else None)


def read_commands(text: str, file: str = "-") -> Iterator[list[Word]]:
    """Yield each command as its words; raise PyipError on an unterminated quote."""
    words: list[Word] = []
    current: list[str] | None = None
    start = Location(file)
    line, col, i, n = 1, 1, 0, len(text)
    quote: str | None = None
    quote_start = start
    expands = False
    while i < n:
        char = text[i]
        if quote:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and i + 1 < n and text[i + 1] in '"\\$`\n':
                i, col = i + 1, col + 1
                if text[i] != "\n":
                    current.append(text[i])
                else:
                    line, col = line + 1, 0
            else:
                current.append(char)
                expands = expands or (char == "$" and quote == '"')
                if char == "\n":
                    line, col = line + 1, 0
        elif char == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i, line, col = i + 2, line + 1, 1
                continue
            if current is None:
                current, start = [], Location(file, line, col)
            current.append(text[i + 1])
            i, col = i + 1, col + 1
        elif char in " \t\r\n;":
            if current is not None:
                words.append(make_word(current, start, expands))
                current, expands = None, False
            if char in "\n;" and words:
                yield words
                words = []
            if char == "\n":
                line, col = line + 1, 0
        elif char == "#" and current is None:
            while i < n and text[i] != "\n":
                i += 1
            continue
        else:
            if current is None:
                current, start = [], Location(file, line, col)
            if char in "'\"":
                quote, quote_start = char, Location(file, line, col)
            else:
                current.append(char)
                expands = expands or char == "$"
        i, col = i + 1, col + 1
    if quote:
        raise PyipError(f"unterminated {quote} quote", quote_start, 1)
    if current is not None:
        words.append(make_word(current, start, expands))
    if words:
        yield words
