"""Shell arithmetic (`$(( ))`, `(( ))`, `let`) evaluated as bash does, on 64-bit integers.

`evaluate(text, scope)` returns an int, or raises `Unknowable` when a variable it reads
is known only at run time (or the expression is beyond this reader: then nothing it
would assign is trusted either).  `scope.lookup_text(name)` gives a variable's text,
None when unset, or raises Unknowable; `scope.assign_number(name, value)` stores one.
An expression bash itself refuses (`1 +`, `x` holding `a b`, a division by 0) raises
`BadArithmetic`, with bash's reason.
"""

from __future__ import annotations

import re


class Unknowable(Exception):
    """The value depends on something known only when the script runs; args[0] names it."""


class BadArithmetic(Unknowable):
    """bash itself refuses the expression (`1 +`, `a b`, a division by 0); args[0] says why in
    bash's words.  A kind of Unknowable, so that a caller that does not handle it stays conservative."""


_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|[0-9]+#[0-9a-zA-Z@_]+|[0-9]+)|([A-Za-z_][A-Za-z0-9_]*)"
                    r"|(\*\*=|<<=|>>=|\+\+|--|\*\*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&^|]=|[-+*/%<>=!~&^|?:,()]))")
_BINARY = {  # operator: (precedence, right-associative)
    ",": (1, False),
    "||": (4, False), "&&": (5, False), "|": (6, False), "^": (7, False), "&": (8, False),
    "==": (9, False), "!=": (9, False), "<": (10, False), ">": (10, False), "<=": (10, False),
    ">=": (10, False), "<<": (11, False), ">>": (11, False), "+": (12, False), "-": (12, False),
    "*": (13, False), "/": (13, False), "%": (13, False), "**": (15, True),
}
_ASSIGN = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", "**="})
_MASK = (1 << 64) - 1


def _wrap(value: int) -> int:
    value &= _MASK
    return value - (1 << 64) if value >> 63 else value


def tokens(text: str) -> list[str]:
    out, i = [], 0
    text = text.rstrip()
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise Unknowable(f"$(({text}))")  # not arithmetic this reader knows
        out.append(m.group(m.lastindex))
        i = m.end()
    return out


def number(token: str) -> int:
    if "#" in token:
        base_text, digits = token.split("#", 1)
        base = int(base_text)
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_"
        value = 0
        for d in digits:
            k = alphabet.index(d) if base > 36 else alphabet.index(d.lower())
            if k >= base:
                raise BadArithmetic("value too great for base")
            value = value * base + k
        return value
    if token[:2] in ("0x", "0X"):
        return int(token, 16)
    if token.startswith("0") and len(token) > 1:
        return int(token, 8)
    return int(token)


def evaluate(text: str, scope, depth: int = 0) -> int:
    toks = tokens(text)
    if not toks:
        return 0
    try:
        return _parsed(_Parser(toks, scope, depth, text), toks)
    except BadArithmetic:
        raise
    except Unknowable:
        # A value known only at run time, and yet bash may refuse the expression's form whatever
        # it is (`$UNKNOWN +`): parsed again, evaluating nothing, to tell.
        checker = _Parser(toks, scope, depth, text)
        checker.skip = 1
        _parsed(checker, toks)
        raise


def _parsed(parser: "_Parser", toks: list) -> int:
    value = parser.expression(0)
    if parser.i != len(toks):
        raise BadArithmetic("syntax error in expression")  # `1 2`, `a b`: an operand where an operator goes
    return value


class _Parser:
    def __init__(self, toks, scope, depth, text):
        self.toks, self.scope, self.depth, self.text, self.i = toks, scope, depth, text, 0
        self.skip = 0  # > 0 inside the side of && || ?: that bash does not evaluate

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self):
        token = self.peek()
        if token is None:
            raise BadArithmetic("syntax error: operand expected")
        self.i += 1
        return token

    def variable(self, name: str) -> int:
        if self.skip:
            return 0
        text = self.scope.lookup_text(name)
        if text is None or text.strip() == "":
            return 0
        if self.depth > 16:
            raise Unknowable(f"${name}")
        return evaluate(text, self.scope, self.depth + 1)  # a variable holding an expression

    def store(self, name: str, value: int) -> int:
        if not self.skip:
            self.scope.assign_number(name, value)
        return value

    def expression(self, min_prec: int) -> int:
        left = self.unary()
        while True:
            op = self.peek()
            if op == "?" and min_prec <= 2:
                left = self.conditional(left)
                continue
            if op not in _BINARY:
                return left
            prec, right_assoc = _BINARY[op]
            if prec < min_prec:
                return left
            self.i += 1
            if op in ("&&", "||"):
                short = (op == "&&" and left == 0) or (op == "||" and left != 0)
                self.skip += short
                right = self.expression(prec + 1)
                self.skip -= short
                left = int(left != 0 and right != 0) if op == "&&" else int(left != 0 or right != 0)
                continue
            right = self.expression(prec if right_assoc else prec + 1)
            left = self.apply(op, left, right)

    def conditional(self, test: int) -> int:
        self.i += 1
        self.skip += test == 0
        yes = self.expression(1)
        self.skip -= test == 0
        if self.take() != ":":
            raise BadArithmetic("`:' expected for conditional expression")
        self.skip += test != 0
        no = self.expression(2)
        self.skip -= test != 0
        return yes if test else no

    def apply(self, op: str, a: int, b: int) -> int:
        if op in ("/", "%"):
            if b == 0:
                if self.skip:
                    return 0
                raise BadArithmetic("division by 0")
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return _wrap(q) if op == "/" else _wrap(a - q * b)
        if op == "**":
            if b < 0:
                raise BadArithmetic("exponent less than 0")
            return _wrap(pow(a, b, 1 << 64))
        if op == ",":
            return b
        return _wrap({
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
            "<<": lambda: a << (b & 63), ">>": lambda: a >> (b & 63),
            "<": lambda: int(a < b), ">": lambda: int(a > b), "<=": lambda: int(a <= b),
            ">=": lambda: int(a >= b), "==": lambda: int(a == b), "!=": lambda: int(a != b),
            "&": lambda: a & b, "^": lambda: a ^ b, "|": lambda: a | b,
        }[op]())

    def unary(self) -> int:
        token = self.take()
        if token in ("+", "-", "!", "~"):
            value = self.unary()
            return {"+": value, "-": _wrap(-value), "!": int(value == 0), "~": _wrap(~value)}[token]
        if token in ("++", "--"):
            name = self.take()
            if not re.fullmatch(r"[A-Za-z_]\w*", name):
                raise Unknowable(f"$(({self.text}))")
            return self.store(name, _wrap(self.variable(name) + (1 if token == "++" else -1)))
        if token == "(":
            value = self.expression(1)
            if self.take() != ")":
                raise BadArithmetic("missing `)'")
            return value
        if token[0].isdigit():
            try:
                return _wrap(number(token))
            except ValueError:
                raise BadArithmetic("value too great for base") from None
        if re.fullmatch(r"[A-Za-z_]\w*", token):
            return self.name(token)
        raise BadArithmetic("syntax error: operand expected")  # an operator where an operand goes

    def name(self, name: str) -> int:
        op = self.peek()
        if op in _ASSIGN:
            self.i += 1
            value = self.expression(2)  # assignment is right-associative, below ?:
            if op != "=":
                value = self.apply(op[:-1], self.variable(name), value)
            return self.store(name, _wrap(value))
        if op in ("++", "--"):
            self.i += 1
            old = self.variable(name)
            self.store(name, _wrap(old + (1 if op == "++" else -1)))
            return old
        return self.variable(name)
