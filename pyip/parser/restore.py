"""iptables-restore files: `*TABLE`, `:CHAIN POLICY [PACKETS:BYTES]`, rule lines, `COMMIT`.

A file becomes the commands that have the same effect on a ruleset
(pyip.ruleset): a table block starts by emptying the table (iptables-restore
without --noflush replaces it), `:CHAIN` sets a built-in chain's policy or
creates a user chain, and each rule line is read by the iptables parser in
that table.  Rule lines are split the way iptables-restore splits them
(add_param_to_argv): on blanks, with double quotes grouping and `\\`
escaping inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate

from ..ast import firewall as fw
from ..compat import legacy
from ..errors import Location, PyipError
from .iptables import parse_iptables, parse_templated
from .words import Word


def restore_commands(text: str, file: str = "-", dialect: str = legacy.MODERN,
                     lane=None) -> Iterator[fw.Command | PyipError]:
    """Each command a restore file amounts to, or the PyipError of a line that does not parse.
    `lane(table, line, file, number)`, if given, is asked first for each rule line of the modern
    dialect: what it gives (not None) stands for the line's command (pyip.translators.lane)."""
    if dialect != legacy.MODERN:
        lane = None
    table = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] == "#":
            continue
        if table is UNKNOWN_TABLE and stripped[0] != "*" and stripped != "COMMIT":
            continue  # its start was reported; its lines would only be reported again
        if table is not None and stripped[0] not in "*:" and stripped != "COMMIT":
            if lane is not None:
                item = lane(table, line, file, number)
                if item is not None:
                    yield item
                    continue
            yield rule_line(table, line, file, number, dialect)  # most lines: tested first
            continue
        location = Location(file, number, 1)
        if stripped.startswith("*"):
            table = stripped[1:]
            yield from start_table(table, location)
            table = table if table in fw.TABLES else UNKNOWN_TABLE
        elif table is None:
            yield PyipError(f"iptables-restore: unexpected line {number}: no table given (*TABLE)", location, 1)
        elif stripped == "COMMIT":
            table = None
        elif stripped.startswith(":"):
            yield chain_line(table, stripped, location)
        else:
            yield rule_line(table, line, file, number, dialect)
    if table is not None:
        yield PyipError(f"iptables-restore: COMMIT expected at line {number + 1}", Location(file, number + 1, 1), 1)


UNKNOWN_TABLE = object()  # the table of a `*NAME` line iptables-restore refuses


def start_table(table: str, location: Location) -> list:
    if table not in fw.TABLES:  # iptables-restore stops there: "line N table name 'foo' invalid", exit 2
        return [PyipError(f"iptables-restore: line {location.line} table name '{table}' invalid", location, 2)]
    where = {"table": table, "program": "iptables-restore", "location": location}
    return [fw.Flush(**where), fw.DeleteChain(**where)]


def chain_line(table: str, line: str, location: Location) -> fw.Command | PyipError:
    parts = line[1:].split()
    if len(parts) < 2:
        return PyipError(f"iptables-restore: bad chain line {location.line}", location, 1)
    name, policy = parts[0], parts[1]
    where = {"table": table, "chain": name, "program": "iptables-restore", "location": location}
    if policy == "-":
        return fw.NewChain(**where)
    return fw.Policy(**where, policy=policy)


def rule_line(table: str, line: str, file: str, number: int, dialect: str) -> fw.Command | PyipError:
    if dialect == legacy.MODERN:
        command = templated_line(table, line, file, number)
        if command is not None:
            return command
    new = tuple.__new__
    words = [new(Word, ("iptables", new(Location, (file, number, 1)), None)), TABLE_OPTION, table_word(table)]
    add_line_words(words, line, file, number)
    try:
        return parse_iptables(words, dialect)
    except PyipError as error:
        return error


def add_line_words(words: list, line: str, file: str, number: int) -> None:
    """The line's words, as split_line() splits them, placed.  Word() and Location() without their
    Python-level __new__ (a word costs two tuples); in the usual line, the columns are counted as the
    words are made."""
    new = tuple.__new__
    texts = line.split(" ")
    if '"' in line or "\t" in line or "\n" in line or "" in texts:
        words += [new(Word, (text, new(Location, (file, number, col)), None)) for text, col in split_line(line)]
        return
    col = 1
    for text in texts:  # one space between words, as iptables-save writes them
        words.append(new(Word, (text, new(Location, (file, number, col)), None)))
        col += len(text) + 1


def templated_line(table: str, line: str, file: str, number: int) -> fw.Command | None:
    """The line's rule made from a template (pyip.parser.templates), its words split as add_line_words()
    splits them but no Word made (a template places two words); None if no template serves."""
    texts = templated_texts(table, line)
    if texts is None:
        return None
    return parse_templated(texts, LinePlaces(line, file, number).location)


def templated_texts(table: str, line: str) -> list[str] | None:
    """`iptables -t TABLE` and the line's words' texts, split as add_line_words() splits them, for a line a
    template may serve (its words one space apart, quoted words whole); else None."""
    if '"' in line:
        texts = whole_quotes_texts(line)
        if texts is None:
            return None
    else:
        texts = line.split(" ")
        if "\t" in line or "\n" in line or "" in texts:
            return None
    return ["iptables", "-t", table, *texts]


class LinePlaces:
    """Where rule_line()'s words stand (`iptables -t TABLE`, then the line's), found when asked."""

    __slots__ = ("line", "file", "number")

    def __init__(self, line: str, file: str, number: int):
        self.line, self.file, self.number = line, file, number

    def location(self, index: int) -> Location:
        new = tuple.__new__
        if index < 3:
            return new(Location, (self.file, self.number, 1)) if index == 0 else (TABLE_OPTION[1], DEFAULT_PLACE)[index - 1]
        if index == 3:  # the line's first word (the rule's -A): after the blanks, a quote or not
            col = len(self.line) - len(self.line.lstrip(" ")) + 1
        else:
            col = split_line(self.line)[index - 3][1]
        return new(Location, (self.file, self.number, col))


TABLE_OPTION = Word("-t")  # words are immutable: every line may share these two
DEFAULT_PLACE = Location()  # table_word()'s


@lru_cache(maxsize=64)
def table_word(table: str) -> Word:
    return Word(table)


BLANKS_APART = re.compile(r"[^ \t\n]+")  # a word of a line without quotes


def split_line(line: str) -> list[tuple[str, int]]:
    """add_param_to_argv(): words and their 1-based columns."""
    if '"' in line:
        return split_whole_quotes(line) or split_quoted(line)
    # the usual line: nothing groups or escapes, words are what blanks leave
    if "\t" not in line and "\n" not in line:
        words = line.split(" ")
        if "" not in words:  # one space between words, as iptables-save writes them
            return list(zip(words, accumulate([len(word) + 1 for word in words], initial=1)))
    return [(match.group(), match.start() + 1) for match in BLANKS_APART.finditer(line)]


def split_whole_quotes(line: str) -> list[tuple[str, int]] | None:
    """split_line() for the quoted lines iptables-save writes: each quoted string a word of its own
    (` --comment "rule 5" `), spaces between words, no escapes; None for any other line."""
    if "\\" in line or "\t" in line or "\n" in line:
        return None
    parts = line.split('"')  # outside, inside, outside, ...: the odd ones quoted (an unterminated last one too)
    last = len(parts) - 1
    words, col = [], 1  # col: where the part starts
    for index, part in enumerate(parts):
        if index % 2:
            words.append((part, col - 1))  # a quoted word starts at its quote
        elif (part and index and part[0] != " ") or (index < last and part[-1:] != " " and (part or index)):
            return None  # a quote next to other text (or another quote): one word of several pieces
        else:
            offset = col
            for piece in part.split(" "):
                if piece:
                    words.append((piece, offset))
                offset += len(piece) + 1
        col += len(part) + 1
    return words


def whole_quotes_texts(line: str) -> list[str] | None:
    """The words of split_whole_quotes(), without their columns (a template needs one or two)."""
    if "\\" in line or "\t" in line or "\n" in line:
        return None
    parts = line.split('"')
    if len(parts) == 3 and parts[0][-1:] in ("", " ") and parts[2][:1] in ("", " "):
        # the usual quoted line: one quoted word (a comment) among words one space apart
        head, quoted, tail = parts
        texts, after = head.split(" "), tail.split(" ")
        texts.pop()  # the nothing after the space before the quote (or the empty head)
        del after[0]  # the nothing before the space after it (or the empty tail)
        if "" not in texts and "" not in after:
            texts.append(quoted)
            texts += after
            return texts
    last = len(parts) - 1
    texts = []
    for index, part in enumerate(parts):
        if index % 2:
            texts.append(part)
        elif (part and index and part[0] != " ") or (index < last and part[-1:] != " " and (part or index)):
            return None
        elif part:
            texts += [piece for piece in part.split(" ") if piece]
    return texts


def split_quoted(line: str) -> list[tuple[str, int]]:
    """split_line() for a line with double quotes, character by character: add_param_to_argv()'s own loop,
    kept as the reference split_whole_quotes() is tested against."""
    words, current, start, quoted, escaped = [], [], None, False, False
    for col, char in enumerate(line, 1):
        if quoted:
            if escaped:
                current.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            else:
                current.append(char)
            continue
        if char == '"':
            quoted, start = True, start or col
        elif char in " \t\n":
            if start is not None:
                words.append(("".join(current), start))
            current, start = [], None
        else:
            current.append(char)
            start = start or col
    if start is not None:
        words.append(("".join(current), start))
    return words
