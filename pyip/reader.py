"""Split plain command text into commands of positioned words.

This is the reader for `ip -batch` files and for scripts of simple commands:
`#` comments, `\\` line continuations, single and double quotes, backslash
escapes, `;` and newlines between commands.  Variables, loops and functions
are the shell layer's business (pyip/shell.py); a word with a `$` expansion
is kept as a Symbol here.
"""

from __future__ import annotations

from .ast.base import Symbol
from .errors import Location, PyipError
from .parser.words import Word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (nor re, which it imports)
if TYPE_CHECKING:
    from collections.abc import Iterator

# A line the fast path may split on blanks alone: nothing quoted, escaped or chained (`[^'"\\;]*`).
_NOT_SIMPLE = frozenset("'\"\\;")
_new_tuple = tuple.__new__  # a Word or Location without NamedTuple's Python-level __new__


def make_word(text: str, start: Location, expands: bool) -> Word:
    """A word; one with an unquoted or double-quoted `$` is a value known only at run time."""
    return Word(text, start, Symbol(text) if expands else None)


def read_commands(text: str, file: str = "-") -> Iterator[list[Word]]:
    """Yield each command as its words; raise PyipError on an unterminated quote."""
    line_start, line = 0, 1
    end = len(text)
    while line_start <= end:
        newline = text.find("\n", line_start)
        line_end = end if newline < 0 else newline
        if _NOT_SIMPLE.isdisjoint(text[line_start:line_end]):
            words = simple_line(text, line_start, line_end, line, file)
            if words:
                yield words
            line_start, line = line_end + 1, line + 1
            continue
        commands, line_start, line = read_complex(text, line_start, line, file)
        yield from commands


def simple_line(text: str, start: int, end: int, line: int, file: str) -> list[Word]:
    """The words of a line with nothing quoted, escaped or chained, up to a `#`.

    Splitting on one separator with str.split is several times faster than
    a regex per word, which a 100,000-line script notices.
    """
    words = []
    column = 1
    # tab and CR separate words as a space does
    for piece in text[start:end].replace("\t", " ").replace("\r", " ").split(" "):
        if piece:
            if piece[0] == "#":
                break
            location = _new_tuple(Location, (file, line, column))
            words.append(_new_tuple(Word, (piece, location, Symbol(piece) if "$" in piece else None)))
        column += len(piece) + 1
    return words


def read_complex(text: str, i: int, line: int, file: str) -> tuple[list[list[Word]], int, int]:
    """Read from the start of a line with quotes, escapes or `;` up to the first
    newline outside any quote or continuation; return the commands, and the
    position and number of the next line."""
    commands: list[list[Word]] = []
    words: list[Word] = []
    current: list[str] | None = None
    start = Location(file, line, 1)
    col, n = 1, len(text)
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
                words.append(make_word("".join(current), start, expands))
                current, expands = None, False
            if char in "\n;" and words:
                commands.append(words)
                words = []
            if char == "\n":
                return commands, i + 1, line + 1
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
        words.append(make_word("".join(current), start, expands))
    if words:
        commands.append(words)
    return commands, n + 1, line + 1
