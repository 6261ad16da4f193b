"""From the shell layer's commands to the parsers' positioned words."""

from __future__ import annotations

from collections.abc import Iterator

from .ast.base import Symbol
from .errors import Location, PyipError
from .parser.words import Word


def script_commands(text: str, file: str = "-") -> Iterator[list[Word] | PyipError]:
    """Each command of a shell script as words, in run order; shell syntax errors as PyipError."""
    from .shell import read_script

    script = read_script(text, file)
    broken_lines = set()
    for line, col, message in script.errors:
        broken_lines.add(line)
        yield PyipError(f"shell: {message}", Location(file, line, col), 1)
    for command in script.commands:
        # What the shell could not read is reported once, above, not again as a bad command.
        if not broken_lines.intersection(range(command.line, command.end_line + 1)):
            yield [parser_word(word, file) for word in command.words]


def parser_word(word, file: str) -> Word:
    text = word.text
    location = Location(file, word.line, word.col)
    if text is None:
        return Word(str(word), location, Symbol(str(word)))
    return Word(text, location)
