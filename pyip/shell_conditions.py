"""Conditions of a shell script decided as bash decides them, where their values are known.

Used by pyip.shell: `test`/`[ ]` get their arguments as bash's `test` builtin does
(after expansion and field splitting), `[[ ]]` gets operators and operands, and
`case` patterns and `==` right-hand sides are matched with bash's glob rules.
Each answer is True, False or None: None when it depends on something known only
when the script runs (an `Unknown` operand, a file on the running system).
`why` lists what it depended on, to name it in the report.
"""

from __future__ import annotations

import re

from . import records



class Unknown(metaclass=records.frozen):
    """An operand whose value is known only at run time; `name` says what it is ($1, `$(...)`)."""

    name: str


# Tests of the running system: pyip reads scripts for another machine and never
# looks at this one to decide a path.
FILE_TESTS = frozenset("-a -b -c -d -e -f -g -h -k -p -r -s -t -u -w -x -G -L -N -O -S".split())
STRING_TESTS = frozenset({"-n", "-z"})
UNARY = FILE_TESTS | STRING_TESTS | {"-o", "-v", "-R"}
STRING_BINARY = frozenset({"=", "==", "!=", "<", ">"})
NUMERIC_BINARY = {"-eq": "__eq__", "-ne": "__ne__", "-lt": "__lt__", "-le": "__le__", "-gt": "__gt__",
                  "-ge": "__ge__"}
FILE_BINARY = frozenset({"-nt", "-ot", "-ef"})
BINARY = STRING_BINARY | set(NUMERIC_BINARY) | FILE_BINARY


class Condition:
    """One evaluation; collects what an unknown answer depended on."""

    def __init__(self, is_set=None, arithmetic=None):
        self.why: list[str] = []
        self.is_set = is_set  # name -> True/False/None, for `-v NAME`
        self.arithmetic = arithmetic  # text -> int or None, for `-eq` operands in [[ ]]

    def unknown(self, why: str) -> None:
        if why not in self.why:
            self.why.append(why)

    # -- operands

    def text(self, value) -> str | None:
        if isinstance(value, Unknown):
            self.unknown(value.name)
            return None
        return value

    # -- `test` / `[`: bash's rules by argument count, then the general grammar

    def test(self, args: list) -> bool | None:
        n = len(args)
        if n == 0:
            return False
        if n == 1:
            return self.non_empty(args[0])
        if n == 2 and args[0] == "!":
            return _not(self.non_empty(args[1]))
        if n == 2 and args[0] in UNARY:
            return self.unary(args[0], args[1])
        if n == 3 and args[1] in BINARY:
            return self.binary(args[0], args[1], args[2])
        if n == 3 and args[0] == "!":
            return _not(self.test(args[1:]))
        if n == 3 and args[0] == "(" and args[2] == ")":
            return self.non_empty(args[1])
        if n == 4 and args[0] == "!":
            return _not(self.test(args[1:]))
        if n == 4 and args[0] == "(" and args[3] == ")":
            return self.test(args[1:3])
        parser = _TestParser(self, args)
        result = parser.disjunction()
        return result if parser.at_end() else False  # bash: syntax error, status 2

    def non_empty(self, value) -> bool | None:
        text = self.text(value)
        return None if text is None else text != ""

    def unary(self, op: str, value) -> bool | None:
        if op in FILE_TESTS or op in ("-o", "-R"):
            text = value if isinstance(value, str) else value.name
            what = f"the shell option {text}" if op == "-o" else f"`{op} {text}` on the running system"
            self.unknown(what)
            return None
        if op == "-v":
            name = self.text(value)
            result = None if name is None or self.is_set is None else self.is_set(name)
            if result is None and name is not None:
                self.unknown(f"${name}")
            return result
        text = self.text(value)
        if text is None:
            return None
        return (text != "") if op == "-n" else (text == "")

    def binary(self, left, op: str, right, pattern=None) -> bool | None:
        if op in FILE_BINARY:
            self.unknown(f"`{op}` on files of the running system")
            return None
        if pattern is not None and op in ("=", "==", "!="):
            subject = self.text(left)
            if subject is None or pattern is None:
                return None
            matched = pattern.fullmatch(subject) is not None
            return matched if op != "!=" else not matched
        a, b = self.text(left), self.text(right)
        if a is None or b is None:
            return None
        if op in NUMERIC_BINARY:
            x, y = self.integer(a), self.integer(b)
            for value in (x, y):
                if isinstance(value, Unknown):
                    self.unknown(value.name)
                    return None
            if x is None or y is None:
                return False  # bash: "integer expression expected", status 2
            return getattr(x, NUMERIC_BINARY[op])(y)
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        return a < b if op == "<" else a > b

    def integer(self, text: str):
        """An int, None when not a number, or Unknown (an arithmetic operand in [[ ]])."""
        if self.arithmetic is not None:
            return self.arithmetic(text)
        text = text.strip()
        return int(text) if re.fullmatch(r"[-+]?[0-9]+", text) else None  # bash: error, status 2


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


class _Boolean:
    """The precedence climb `test` and `[[ ]]` share: NOT binds tighter than AND, AND than OR.
    A subclass names its two operators and reads a primary."""

    OR = AND = ""

    def __init__(self, cond: Condition, args: list):
        self.cond, self.args, self.i = cond, args, 0

    def at_end(self) -> bool:
        return self.i >= len(self.args)

    def peek(self, k: int = 0):
        i = self.i + k
        return self.args[i] if i < len(self.args) else None

    def disjunction(self):
        result = self.conjunction()
        while self.peek() == self.OR:
            self.i += 1
            result = _or(result, self.conjunction())
        return result

    def conjunction(self):
        result = self.negation()
        while self.peek() == self.AND:
            self.i += 1
            result = _and(result, self.negation())
        return result

    def negation(self):
        if self.peek() == "!":
            self.i += 1
            return _not(self.negation())
        return self.primary()


class _TestParser(_Boolean):
    """`test` with five or more arguments: ! binds tighter than -a, -a than -o; parentheses group."""

    OR, AND = "-o", "-a"

    def primary(self):
        first = self.peek()
        if first is None:
            return False
        if first == "(":
            self.i += 1
            result = self.disjunction()
            if self.peek() == ")":
                self.i += 1
            return result
        if self.peek(1) in BINARY and self.peek(2) is not None:
            self.i += 3
            return self.cond.binary(first, self.args[self.i - 2], self.args[self.i - 1])
        if first in UNARY and self.peek(1) is not None:
            self.i += 2
            return self.cond.unary(first, self.args[self.i - 1])
        self.i += 1
        return self.cond.non_empty(first)


# ------------------------------------------------------------------ [[ ]]

class Operand(metaclass=records.frozen):
    """A `[[ ]]` word: its value (str or Unknown) and, as a pattern, a compiled regex or Unknown."""

    value: object
    pattern: object = None
    regex: object = None


class DoubleBracket(_Boolean):
    """`[[ ... ]]`: tokens are operator strings (&&, ||, !, (, ), test operators) or Operands."""

    OR, AND = "||", "&&"

    def evaluate(self) -> bool | None:
        result = self.disjunction()
        return result if self.at_end() else False

    def primary(self):
        first = self.peek()
        if first == "(":
            self.i += 1
            result = self.disjunction()
            if self.peek() == ")":
                self.i += 1
            return result
        op = self.peek(1)
        if isinstance(first, Operand) and isinstance(op, Operand) and op.value in BINARY | {"=~"} \
                and isinstance(self.peek(2), Operand):
            right = self.peek(2)
            self.i += 3
            return self.binary(first, op.value, right)
        if isinstance(first, Operand) and first.value in UNARY and isinstance(op, Operand):
            self.i += 2
            return self.cond.unary(first.value, op.value)
        if isinstance(first, Operand):
            self.i += 1
            return self.cond.non_empty(first.value)
        self.i += 1
        return False

    def binary(self, left: Operand, op: str, right: Operand):
        if op == "=~":
            if isinstance(right.regex, Unknown):
                self.cond.unknown(right.regex.name)
                return None
            subject = self.cond.text(left.value)
            return None if subject is None else right.regex.search(subject) is not None
        if op in ("=", "==", "!="):
            if isinstance(right.pattern, Unknown):
                self.cond.unknown(right.pattern.name)
                self.cond.text(left.value)
                return None
            return self.cond.binary(left.value, op, None, pattern=right.pattern)
        return self.cond.binary(left.value, op, right.value)


# ---------------------------------------------------------------- glob patterns

_CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
            "space": r" \t\n\r\f\v", "blank": r" \t", "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
            "xdigit": "0-9A-Fa-f", "word": "a-zA-Z0-9_", "cntrl": r"\x00-\x1f\x7f",
            "print": r"\x20-\x7e", "graph": r"\x21-\x7e"}


def glob_regex(parts) -> re.Pattern:
    """Bash's pattern matching for `case` and `[[ == ]]`: `parts` are (text, quoted) pairs;
    quoted text matches itself, unquoted text is a pattern (* ? [...] and backslash escapes)."""
    out = []
    for text, quoted in parts:
        out.append(re.escape(text) if quoted else _glob_text(text))
    return re.compile("".join(out), re.S)


def _glob_text(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(text[i]))
        elif c == "[":
            bracket, end = _bracket(text, i)
            if bracket is None:
                out.append(re.escape(c))
            else:
                out.append(bracket)
                i = end
                continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _bracket(text: str, start: int) -> tuple[str | None, int]:
    """A bracket expression starting at text[start] == '[': (regex, index past it) or (None, start)."""
    i, n = start + 1, len(text)
    negate = i < n and text[i] in "!^"
    if negate:
        i += 1
    items, first = [], True
    while i < n:
        c = text[i]
        if c == "]" and not first:
            body = "".join(items)
            return ("[^" if negate else "[") + body + "]", i + 1
        first = False
        if c == "[" and text.startswith("[:", i):
            end = text.find(":]", i + 2)
            if end > 0 and text[i + 2:end] in _CLASSES:
                items.append(_CLASSES[text[i + 2:end]])
                i = end + 2
                continue
        if c == "\\" and i + 1 < n:
            i += 1
            c = text[i]
        if c == "-" and items and i + 1 < n and text[i + 1] != "]":
            items.append("-")
        else:
            items.append(re.escape(c) if c != "-" else r"\-")
        i += 1
    return None, start
