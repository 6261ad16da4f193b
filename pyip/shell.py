"""Read a shell script statically and return the ip / ipchains / iptables / pyip commands it runs.

    >>> script = read_script('IF=eth1; for p in 22 80; do iptables -A INPUT -i $IF --dport $p; done')
    >>> [str(w) for w in script.commands[1].words]
    ['iptables', '-A', 'INPUT', '-i', 'eth1', '--dport', '80']
    >>> script.commands[1].context, script.errors
    (('for p=80',), ())

The script is parsed once with tree-sitter-bash, for its statement structure only.
Words are expanded by this module from their source text, because the grammar
splits some words wrongly (``$A/$B/``, a word cut by a line continuation) and because static
expansion needs the raw quoting anyway.  Variables are tracked in execution order;
a value that cannot be known is kept as a `Symbol`, never guessed.

Commands are found however they are run (pyip.runners: `sudo -u root`, `nice -n
5`, `ip netns exec NS`...; functions, aliases, arrays, `eval` and `sh -c` of a
known string, `$( )` and backticks, whose commands run even when their output
is captured).  `.`/`source` reads a file (never runs it) from the script's
directory or SOURCE_PATH; its functions keep their own file and positions.
What may run but cannot be read (`... | sh`, `eval "$UNKNOWN"`, a sourced
file not found) is a warning.

Conditions are decided as bash decides them where their values are known
(pyip.shell_conditions: test, [ ], [[ ]], case globs; pyip.shell_arithmetic);
`exit`, `return`, `break` and `continue` end what they end.  Where a value is
known only at run time and the ways a condition may go differ in what they
do, each way is a path of its own: the script is run again for each, replaying
the decisions before it (`_explore`), and `Script.undecided` names the
conditions on which the commands run depend.  A condition whose branches run
no command and change nothing that matters is not explored; its branches are
read with what they assign unknown afterwards.

Known gaps, all conservative: globs, tildes and brace expansion stay literal
text, `${A%...}`-style operators give Symbols, array elements assigned one by
one make the array unknown, and a function body is only read where it is called.
"""

from __future__ import annotations

import bisect
import collections
import contextvars
import itertools
import re

from . import records
from .ast.base import Symbol  # a value known only at run time, kept by the text that names it
from .fieldtuple import FieldTuple, field
from .runners import RUNNERS, ip_namespace, strip_runners
from .shell_arithmetic import BadArithmetic, Unknowable, evaluate
from .shell_conditions import Condition, DoubleBracket, Operand, Unknown, glob_regex

__all__ = [
    "Command",
    "Decision",
    "Path",
    "Literal",
    "Script",
    "ShellSyntaxError",
    "Symbol",
    "Word",
    "read_script",
    "split_line",
]

PROGRAMS = frozenset({"ip", "ipchains", "iptables", "pyip"})

# A runaway script (nested loops over long lists, functions calling each other
# twice at each level) would otherwise unroll without end.
MAX_STEPS = 500_000
# What a script may cost grows with its length: a long script is read to its end, but loops that
# unroll a small file into a million commands stop soon (time) with few commands kept (memory).
BASE_STEPS, STEPS_PER_LINE = 100_000, 4
BASE_COMMANDS = 20_000  # plus one per line
MAX_CALL_DEPTH = 64
MAX_REPAIRS = 8  # rounds of patching newlines the grammar swallowed (see _Reparse)
MAX_SOURCE_DEPTH = 16  # files sourcing files (or themselves)
MAX_PATHS = 64  # ways through a script explored where a condition is known only at run time
MAX_TOTAL_STEPS = 3_000_000  # over all paths
MIN_EXPLORE_STEPS = 50_000  # a small script may be run up to MAX_PATHS times...
EXPLORE_RUNS = 4  # ... a large one about this many
MAX_LOOP_PASSES = 1000  # a while/until loop with a known condition


# --------------------------------------------------------------------- public data


class Literal(metaclass=records.frozen):
    """A known piece of text."""

    text: str


class Word:
    """One argv word after expansion; immutable.

    A slotted class written out rather than an attrs one: a script's reading makes one for every
    word of every command it runs, and its known `text` is looked at several times (the program,
    the options, the status), so it is worked out here, once.  Equality and hashing are attrs':
    by parts, line, col and quoted.
    """

    __slots__ = ("parts", "line", "col", "quoted", "text")

    def __init__(self, parts: tuple, line: int, col: int, quoted: bool = False):
        self.parts = parts
        self.line = line
        self.col = col
        self.quoted = quoted  # True: no Symbol in it can split into several words
        if len(parts) == 1:  # most words
            part = parts[0]
            self.text = part.text if type(part) is Literal else None  # None: known only at run time
        else:
            self.text = _known_text(parts)

    def __eq__(self, other) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.parts, self.line, self.col, self.quoted) == (other.parts, other.line, other.col, other.quoted)

    def __hash__(self) -> int:
        return hash((self.parts, self.line, self.col, self.quoted))

    def __repr__(self) -> str:
        return f"Word(parts={self.parts!r}, line={self.line!r}, col={self.col!r}, quoted={self.quoted!r})"

    def __str__(self) -> str:
        """The word as the shell reads it: `"$IF"x` is `${IF}x`, never `$IFx`, another variable."""
        out = []
        for part, following in zip(self.parts, (*self.parts[1:], None)):
            if type(part) is Literal:
                out.append(part.text)
            elif (type(following) is Literal and following.text[:1] in _NAME_CHARS
                  and _PLAIN_EXPANSION.fullmatch(part.name)):
                out.append("${" + part.name[1:] + "}")
            else:
                out.append(part.name)
        return "".join(out)


def _known_text(parts: tuple) -> str | None:
    if all(type(p) is Literal for p in parts):
        return "".join(p.text for p in parts)
    return None


_new_tuple = tuple.__new__  # a Command without its Python-level __new__ (one a command run)
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_PLAIN_EXPANSION = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")


class Command(FieldTuple):
    """One invocation of a recognised program, as the shell would run it.

    A named tuple (it was a frozen attrs class, with the same fields, equality and repr): a
    script's reading makes one for every command it runs, and an attrs instance costs ten
    attribute stores through object.__setattr__ to make, a tuple one C call.
    """

    __slots__ = ()
    _fields = __match_args__ = ("words", "file", "line", "col", "end_line", "context", "conditional", "source",
                                "netns", "names")
    words: tuple = field(0)
    file: str = field(1)
    line: int = field(2)
    col: int = field(3)
    end_line: int = field(4)
    context: tuple = field(5)
    conditional: bool = field(6)
    source: str = field(7)
    netns: str | None = field(8)  # `ip netns exec NS CMD`, `ip -n NS ...`: the namespace it runs in
    names: tuple = field(9)  # (database, id, name, replaces) the script wrote into iproute2's files before it

    def __new__(cls, words: tuple, file: str, line: int, col: int, end_line: int, context: tuple = (),
                conditional: bool = False, source: str = "", netns: str | None = None, names: tuple = ()):
        return tuple.__new__(cls, (words, file, line, col, end_line, context, conditional, source, netns, names))

    @property
    def program(self) -> str | None:
        """The recognised program's base name (``iptables`` for ``/sbin/iptables``)."""
        return _program_name(self.words[0]) if self.words else None


class Decision(metaclass=records.frozen):
    """A point where the path taken depends on a value known only when the script runs."""

    line: int
    col: int
    subject: str  # the condition as written: `case "$1" in start)`, `if [ "$DHCP" = yes ]`
    labels: tuple  # the alternatives, e.g. ("matches", "does not match")
    choice: int  # the alternative this path took
    why: tuple  # what it depends on: "$1", "$DHCP", "`-f /etc/x` on the running system"

    @property
    def taken(self) -> str:
        return f"{self.subject} {self.labels[self.choice]}"


class Path(metaclass=records.frozen):
    """One way through the script: the decisions taken and the commands run on it."""

    decisions: tuple  # of Decision, in the order met
    commands: tuple
    exit_status: int | None = 0  # of `exit N`, 0 when the script ran to its end; None: unknown
    exited: bool = False  # ended by `exit`


class Script(metaclass=records.frozen):
    commands: tuple  # the commands of the one path, or of the path followed when paths differ
    errors: tuple  # of (line, col, message)
    variables: frozenset = frozenset()  # names the script sets anywhere (assignments, read, for, local)
    warnings: tuple = ()  # of (line, col, message): what the script may run that could not be read
    paths: tuple = ()  # every path explored (of Path); the first is the one `commands` follows
    undecided: tuple = ()  # (line, col, message): conditions on which the commands run depend
    failures: tuple = ()  # (line, col, message): what bash reports as it runs the script (`$(( 1 + ))`)


class ShellSyntaxError(ValueError):
    """`split_line` met text the shell could not split (an unterminated quote)."""

    def __init__(self, file: str, line: int, col: int, message: str):
        super().__init__(f"{file}:{line}:{col}: {message}")
        self.file, self.line, self.col, self.message = file, line, col, message


# ------------------------------------------------------------------- tree-sitter

_PARSER = None
_COMMAND_QUERY = None


def _parser():
    # Built on first use so that importing this module stays cheap.
    global _PARSER, _COMMAND_QUERY
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_bash

        language = tree_sitter.Language(tree_sitter_bash.language())
        _COMMAND_QUERY = tree_sitter.QueryCursor(tree_sitter.Query(language, "(command) @c"))
        _PARSER = tree_sitter.Parser(language)
    return _PARSER


# tree-sitter-bash sometimes reads ``A=1 B=2<newline>ip a`` or a newline after
# a pipeline as if it were a space (its issues 122, 228, 347), making one command
# of two lines.  A plain command never holds an unescaped newline between its
# words, so when the evaluation meets such a command, every such newline (or the
# blank before a trailing comment) is replaced by ``;`` and the text parsed
# again.  The replacement keeps every byte offset, and all positions are
# computed from offsets in the original text.


class _Reparse(Exception):
    """Raised by the evaluation on meeting a command that swallowed a newline."""


def _repair(tree, parsed: bytes):
    """The patched text and its tree, or None when there is nothing left to patch."""
    fixes = _swallowed_newlines(tree.root_node, parsed)
    if not fixes:
        return None
    patched = bytearray(parsed)
    for offset in fixes:
        patched[offset] = ord(";")
    parsed = bytes(patched)
    return parsed, _parser().parse(parsed)


def _swallowed_newlines(root, src: bytes) -> list[int]:
    fixes = []
    for node in _COMMAND_QUERY.captures(root).get("c", ()):
        offset = _first_separator(node, src)
        if offset is not None:
            fixes.append(offset)
    return fixes


def _first_separator(node, src: bytes) -> int | None:
    """Offset of the first byte to replace by ``;`` in a command that swallowed a newline."""
    if src.find(b"\n", node.start_byte, node.end_byte) < 0:  # on one line (cheaper than its rows)
        return None
    children = node.children
    for prev, nxt in zip(children, children[1:]):
        if "heredoc" in prev.type or "heredoc" in nxt.type:
            return None
        gap = src[prev.end_byte : nxt.start_byte]
        if nxt.type == "comment" and gap[:1] in (b" ", b"\t"):
            return prev.end_byte
        newline = _unescaped_newline(gap)
        if newline is not None:
            return prev.end_byte + newline
    return None


def _unescaped_newline(gap: bytes) -> int | None:
    start = 0
    while True:
        i = gap.find(b"\n", start)
        if i < 0:
            return None
        if i == 0 or gap[i - 1] != ord("\\"):
            return i
        start = i + 1


def _syntax_errors(root, source: "_Source") -> list[tuple[int, int, str]]:
    """ERROR and MISSING nodes, found by descending only into subtrees that hold one."""
    errors = []
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.is_missing:
            line, col = source.pos(node.start_byte)
            errors.append((line, col, f"missing {node.type!r}"))
        elif node.is_error:
            line, col = source.pos(node.start_byte)
            snippet = " ".join(source.text(node.start_byte, node.end_byte).split())
            errors.append((line, col, f"syntax error near {_shorten(snippet, 40)!r}"))
        stack.extend(reversed([c for c in node.children if c.has_error]))
    return sorted(set(errors))


# ------------------------------------------------------------------ source text


class _Source:
    """The script's bytes, with byte offsets turned into 1-based line and character column."""

    def __init__(self, text: str):
        self.str = text
        self.bytes = text.encode("utf-8", "surrogatepass")
        self.ascii = self.bytes.isascii()  # then byte offsets are character offsets
        self.line_starts = [0] + [m.end() for m in re.finditer(b"\n", self.bytes)]
        self.line_starts.append(len(self.bytes) + 1)
        self.row = 0  # lookups mostly stay on the line of the previous one

    def text(self, start: int, end: int) -> str:
        if self.ascii:
            return self.str[start:end]
        return _decode(self.bytes[start:end])

    def pos(self, offset: int) -> tuple[int, int]:
        starts, row = self.line_starts, self.row
        if not starts[row] <= offset < starts[row + 1]:
            if offset >= starts[row + 1] and row + 2 < len(starts) and offset < starts[row + 2]:
                row = self.row = row + 1  # the next line: a script's commands are read in order
            else:
                row = self.row = bisect.bisect_right(starts, offset) - 1
        line_start = starts[row]
        if self.ascii:
            return row + 1, offset - line_start + 1
        head = self.bytes[line_start:offset]
        col = len(head) if head.isascii() else len(_decode(head))
        return row + 1, col + 1


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        # tree-sitter may cut through a lone surrogate it took for bad UTF-8
        return data.decode("utf-8", "replace")


def _pos_in(base: tuple[int, int], text: str, k: int) -> tuple[int, int]:
    """Position of character `k` of `text`, which starts at `base`."""
    newlines = text.count("\n", 0, k)
    if not newlines:
        return base[0], base[1] + k
    return base[0] + newlines, k - text.rfind("\n", 0, k)


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _one_line(text: str) -> str:
    return _shorten(" ".join(text.replace("\\\n", " ").split()))


# -------------------------------------------------------------- scanning helpers
# Each returns the index just past the construct, or -1 when it is unterminated.


def _after_single(t: str, i: int, end: int) -> int:
    j = t.find("'", i, end)
    return -1 if j < 0 else j + 1


def _after_ansi(t: str, i: int, end: int) -> int:
    while i < end:
        c = t[i]
        if c == "\\":
            i += 2
        elif c == "'":
            return i + 1
        else:
            i += 1
    return -1


def _after_backtick(t: str, i: int, end: int) -> int:
    while i < end:
        c = t[i]
        if c == "\\":
            i += 2
        elif c == "`":
            return i + 1
        else:
            i += 1
    return -1


def _after_double(t: str, i: int, end: int) -> int:
    while i < end:
        c = t[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and i + 1 < end and t[i + 1] in "({":
            i = _after_group(t, i + 2, end, t[i + 1])
        elif c == "`":
            i = _after_backtick(t, i + 1, end)
        else:
            i += 1
        if i < 0:
            return -1
    return -1


_CLOSER = {"(": ")", "{": "}"}


def _after_group(t: str, i: int, end: int, opener: str) -> int:
    """Past the bracket closing an already opened ``$(``, ``$((`` or ``${``."""
    closer, depth = _CLOSER[opener], 1
    while i < end:
        c = t[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            i = _after_single(t, i + 1, end)
        elif c == '"':
            i = _after_double(t, i + 1, end)
        elif c == "`":
            i = _after_backtick(t, i + 1, end)
        else:
            i += 1
            if c == opener:
                depth += 1
            elif c == closer:
                depth -= 1
                if depth == 0:
                    return i
        if i < 0:
            return -1
    return -1


_ANSI_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)
_ANSI_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
                "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _ansi_char(m: re.Match) -> str:
    esc = m.group(1)
    if esc in _ANSI_SIMPLE:
        return _ANSI_SIMPLE[esc]
    if esc[0] in "xuU":
        code = int(esc[1:], 16)
    elif esc[0] in "01234567":
        code = int(esc, 8)
    elif esc[0] == "c":
        code = ord(esc[1]) & 0x1F
    else:
        return m.group(0)
    return chr(code) if code <= 0x10FFFF else m.group(0)


# ---------------------------------------------------------------- word expansion
# The lexer turns the text of one shell word into pieces, the field splitter turns
# pieces into Words.  A piece is (kind, text, quoted, splittable, offset):
# kind _LIT is text, _SYM an unknown value named by `text`, _BREAK a forced word
# boundary (between the arguments of "$@").

_LIT, _SYM, _BREAK = 0, 1, 2
_PLAIN = re.compile(r"[^'\"\\$` \t\n]+")  # text that stands for itself
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_BLANKS = re.compile(r"[ \t\n]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!0-]")
_PARAM_OP = re.compile(r":?[-=+?]")
_NUMBER = re.compile(r"[0-9]+")


def _count(digits: str) -> int:
    """A run of ASCII digits as a count; past 2^63 all counts are alike (and int() refuses 4,300 digits)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < 19 else 1 << 63
_QUOTED_VARIABLE = re.compile(r'"\$(?:([A-Za-z_][A-Za-z0-9_]*|[0-9])|\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+)\})"')
_LONE_VARIABLE = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?=)")
_ELEMENT_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[[^\]]*\]\+?=")
_ARRAY = "[@]"  # suffix of the key an array's elements are kept under
_ARRAY_REFERENCE = re.compile(r"(#?)([A-Za-z_][A-Za-z0-9_]*)\[([^\]]+)\]")
_ALL_QUOTED = re.compile(r'\$(?:@|\{@\}|\{([A-Za-z_][A-Za-z0-9_]*)\[@\]\})"')

# What a variable lookup can tell.
_UNKNOWN, _UNSET, _SET = 0, 1, 2
_MISSING = object()


class _Params(metaclass=records.frozen):
    """Positional parameters of a function call.  The first `exact` are certain;
    an unquoted unknown argument might have split into several, so the count and
    everything after it are uncertain."""

    words: tuple
    exact: int

    @classmethod
    def of(cls, words) -> "_Params":
        for exact, word in enumerate(words):
            if _may_split(word):
                return cls(tuple(words), exact)
        return cls(tuple(words), len(words))


def _may_split(word: Word) -> bool:
    # A word whose text is known is all Literals: no Symbol in it (and no look at its parts).
    return word.text is None and not word.quoted and any(type(p) is Symbol for p in word.parts)


class _Lexer:
    """Expands the text of one word.  `scope` answers lookups and takes assignments."""

    def __init__(self, text: str, scope):
        self.t = text
        self.scope = scope
        self.out: list = []

    def run(self) -> list:
        self.word(0, len(self.t), False)
        return self.out

    # -- quoting

    def word(self, i: int, end: int, dq: bool) -> None:
        """Unquoted syntax; `dq` says the whole stretch stands inside double quotes."""
        t, out = self.t, self.out
        while i < end:
            c = t[i]
            if c == "'":
                j = _after_single(t, i + 1, end)
                j = end + 1 if j < 0 else j
                out.append((_LIT, t[i + 1 : j - 1], True, False, i))
                i = j
            elif c == '"':
                i = self.double(i + 1, end)
            elif c == "\\":
                i = self.backslash(i, end, dq)
            elif c == "$":
                i = self.dollar(i, end, dq)
            elif c == "`":
                i = self.backtick(i, end, dq)
            elif c in " \t\n":  # only these are blanks to the shell, not every Unicode space
                m = _BLANKS.match(t, i, end)
                out.append((_LIT, m.group(), True, False, i) if dq else (_BREAK, "", False, False, i))
                i = m.end()
            else:
                m = _PLAIN.match(t, i, end)
                out.append((_LIT, m.group(), dq, False, i))
                i = m.end()

    def backslash(self, i: int, end: int, dq: bool) -> int:
        if i + 1 >= end:
            self.out.append((_LIT, "\\", dq, False, i))
        elif self.t[i + 1] != "\n":  # backslash-newline is a line continuation: nothing
            self.out.append((_LIT, self.t[i + 1], True, False, i))
        return i + 2

    def double(self, i: int, end: int) -> int:
        t, out = self.t, self.out
        alone = _ALL_QUOTED.match(t, i) if t.startswith("$", i) else None
        if alone:
            # "$@" (and "${a[@]}") alone is one word per argument, no word at all without any
            params = self.scope.array(alone.group(1)) if alone.group(1) else self.scope.params()
            if params is not None or not alone.group(1):
                self.all_params(False, t[i : alone.end() - 1], True, i - 1, params)
                return alone.end()
        out.append((_LIT, "", True, False, i - 1))  # "" is a word
        while i < end:
            c = t[i]
            if c == '"':
                return i + 1
            if c == "\\":
                nxt = t[i + 1] if i + 1 < end else ""
                if nxt == "\n":
                    i += 2
                elif nxt and nxt in '$`"\\':
                    out.append((_LIT, nxt, True, False, i))
                    i += 2
                else:
                    out.append((_LIT, "\\", True, False, i))
                    i += 1
            elif c == "$":
                i = self.dollar(i, end, True)
            elif c == "`":
                i = self.backtick(i, end, True)
            else:
                m = _DQ_PLAIN.match(t, i, end)
                out.append((_LIT, m.group(), True, False, i))
                i = m.end()
        return end

    def backtick(self, i: int, end: int, dq: bool) -> int:
        j = _after_backtick(self.t, i + 1, end)
        j = end if j < 0 else j
        self.substitution(self.t[i:j], dq, i)
        return j

    def substitution(self, src: str, dq: bool, off: int) -> None:
        """`$(...)` or a backquote: its output is not known (it is not run here), unless the
        subshell ended before it could print anything (pyip.shell._run_substitution)."""
        output = self.scope.substitution_output(src)
        if output is None:
            self.symbol(src, dq, off)
        else:
            self.value((Literal(output),), dq, off)

    # -- expansions

    def dollar(self, i: int, end: int, dq: bool) -> int:
        t = self.t
        nxt = t[i + 1] if i + 1 < end else ""
        if nxt in ("(", "{"):
            j = _after_group(t, i + 2, end, nxt)
            j = end if j < 0 else j
            if nxt == "{":
                self.braced(t[i:j], dq, i)
            else:
                if t.startswith("((", i + 1) and t.endswith("))", i, j):
                    self.arithmetic(t[i + 3:j - 2], t[i:j], dq, i)
                else:
                    self.substitution(t[i:j], dq, i)
            return j
        if nxt == "'" and not dq:
            j = _after_ansi(t, i + 2, end)
            j = end + 1 if j < 0 else j
            self.out.append((_LIT, _ANSI_ESCAPE.sub(_ansi_char, t[i + 2 : j - 1]), True, False, i))
            return j
        if nxt == '"' and not dq:
            return self.double(i + 2, end)  # $"..." is a translated string
        m = _NAME.match(t, i + 1, end)
        if m:
            self.variable(m.group(), t[i : m.end()], dq, i)
            return m.end()
        if nxt and nxt in "0123456789@*#?$!-":
            self.variable(nxt, t[i : i + 2], dq, i)
            return i + 2
        self.out.append((_LIT, "$", dq, False, i))
        return i + 1

    def braced(self, src: str, dq: bool, off: int) -> None:
        inner = src[2:-1] if src.endswith("}") else src[2:]
        reference = _ARRAY_REFERENCE.fullmatch(inner)
        if reference:
            self.element(*reference.groups(), src, dq, off)
            return
        if inner.startswith("#") and len(inner) > 1:
            self.length(inner[1:], src, dq, off)
            return
        m = _PARAM.match(inner)
        if not m:
            self.symbol(src, dq, off)
            return
        name, rest = m.group(), inner[m.end() :]
        if not rest:
            self.variable(name, src, dq, off)
            return
        op = _PARAM_OP.match(rest)
        if op and name not in ("@", "*"):
            self.operator(name, op.group(), rest[op.end() :], src, dq, off)
        elif name not in ("@", "*") and rest[0] in "#%/:^,":
            result = self.transformed(name, rest)
            if result is None:
                self.symbol(src, dq, off)
            else:
                self.out.append((_LIT, result, dq, not dq, off))
        else:
            self.symbol(src, dq, off)  # arrays with operators, ${!A}...: not evaluated

    def transformed(self, name: str, rest: str) -> str | None:
        """``${A#p}`` ``${A##p}`` ``${A%p}`` ``${A%%p}`` ``${A/p/r}`` ``${A//p/r}`` ``${A/#p/r}``
        ``${A/%p/r}`` ``${A:off}`` ``${A:off:len}`` ``${A^^}`` ``${A,,}`` ``${A^}`` ``${A,}`` of a
        known value, as bash computes them; None when the value or an operand is unknown."""
        state, parts = self.scope.lookup(name)
        value = "" if state == _UNSET else _joined_text(parts) if state == _SET else None
        if value is None:
            return None
        if rest[0] in "#%":
            double = rest[:2] in ("##", "%%")
            pattern = self.glob(rest[2 if double else 1 :])
            return None if pattern is None else _remove(value, pattern, rest[0] == "#", double)
        if rest[0] == "/":
            return self.substituted(value, rest[1:])
        if rest[0] == ":":
            return self.substring(value, rest[1:])
        if rest in ("^^", ",,", "^", ","):
            change = str.upper if rest[0] == "^" else str.lower
            return change(value) if len(rest) == 2 else change(value[:1]) + value[1:]
        return None

    def glob(self, text: str):
        parts = []
        for kind, piece, quoted, splittable, _off in _Lexer(text, self.scope).run():
            if kind == _SYM:
                return None
            parts.append((" " if kind == _BREAK else piece, quoted and not splittable))
        return glob_regex(parts)

    def substituted(self, value: str, spec: str) -> str | None:
        mode = spec[:1] if spec[:1] in "/#%" else ""
        spec = spec[len(mode):]
        k = _unescaped(spec, "/")
        pattern_text, replacement_text = (spec, "") if k < 0 else (spec[:k], spec[k + 1:])
        pattern = self.glob(pattern_text)
        replacement = _joined_text(_value_parts(_Lexer(replacement_text, self.scope).run()))
        if pattern is None or replacement is None or "&" in replacement_text:
            return None  # bash 5.2 puts the match where an unquoted & stands: not modelled
        if not pattern_text:
            return value
        return _substitute(value, pattern, replacement, mode)

    def substring(self, value: str, spec: str) -> str | None:
        k = _unescaped(spec, ":")
        offset_text, length_text = (spec, None) if k < 0 else (spec[:k], spec[k + 1:])
        try:
            offset = evaluate(_joined_text(_value_parts(_Lexer(offset_text, self.scope).run())) or "", self.scope)
            length = None if length_text is None else evaluate(
                _joined_text(_value_parts(_Lexer(length_text, self.scope).run())) or "", self.scope)
        except (Unknowable, RecursionError, ValueError, TypeError):
            return None
        start = offset if offset >= 0 else len(value) + offset
        if start < 0 or start > len(value):
            return ""
        if length is None:
            return value[start:]
        end = start + length if length >= 0 else len(value) + length
        if end < start:
            return None  # bash: "substring expression < 0", an error
        return value[start:end]

    def element(self, count: str, name: str, index: str, src: str, dq: bool, off: int) -> None:
        """``${a[@]}``, ``${a[*]}``, ``${a[N]}`` and ``${#a[@]}``, of an array whose elements are known."""
        params = self.scope.array(name)
        if params is None:
            self.symbol(src, dq, off)
        elif index in ("@", "*"):
            if not count:
                self.all_params(index == "*", src, dq, off, params)
            elif params.exact == len(params.words):
                self.out.append((_LIT, str(len(params.words)), dq, not dq, off))
            else:
                self.symbol(src, dq, off)
        elif _NUMBER.fullmatch(index) and int(index) < params.exact:
            parts = params.words[int(index)].parts
            text = _joined_text(parts)
            if not count:
                self.value(parts, dq, off)
            elif text is not None:
                self.out.append((_LIT, str(len(text)), dq, not dq, off))
            else:
                self.symbol(src, dq, off)
        elif _NUMBER.fullmatch(index) and params.exact == len(params.words) and not count:
            pass  # past the end: empty
        else:
            self.symbol(src, dq, off)

    def arithmetic(self, expression: str, src: str, dq: bool, off: int) -> None:
        # Parameter expansion first (`$((${N:-1} + 1))`), then the arithmetic itself.
        text = _joined_text(_value_parts(_Lexer(expression, self.scope).run()))
        try:
            if text is None:
                raise Unknowable(src)
            value = evaluate(text, self.scope)
        except BadArithmetic as refused:
            self.scope.bad_arithmetic(src, refused.args[0])  # bash abandons the command line here
            self.symbol(src, dq, off)  # where it does not (a path that may not run), the value is unknown
            return
        except (Unknowable, RecursionError, ValueError):
            self.symbol(src, dq, off)
            for name in _arithmetic_targets(src):
                self.scope.forget(name)  # $((i++)) changes i
            return
        self.out.append((_LIT, str(value), dq, not dq, off))

    def length(self, name: str, src: str, dq: bool, off: int) -> None:
        state, parts = self.scope.lookup(name) if _PARAM.fullmatch(name) else (_UNKNOWN, ())
        text = _joined_text(parts)
        if state == _UNKNOWN or text is None:
            self.symbol(src, dq, off)
        else:
            self.out.append((_LIT, str(len(text)), dq, not dq, off))

    def operator(self, name: str, op: str, arg: str, src: str, dq: bool, off: int) -> None:
        """``${A-x}`` and friends: only decided when A is known."""
        state, parts = self.scope.lookup(name)
        if state == _UNKNOWN:
            self.symbol(src, dq, off)
            if op[-1] == "=":  # still unknown, but named so that its default shows
                self.scope.assign(name, (Symbol(src),))
            return
        empty = _is_empty(parts)
        if empty is None and op.startswith(":"):
            self.symbol(src, dq, off)  # A holds only unknowns: empty or not cannot be told
            return
        is_set = state == _SET and not (op.startswith(":") and empty)
        kind = op[-1]
        if kind == "+":
            if is_set:
                self.nested(arg, dq, off)
        elif is_set:
            self.value(parts, dq, off)
        elif kind == "?":
            self.symbol(src, dq, off)  # the shell would stop here with an error
        else:
            start = len(self.out)
            self.nested(arg, dq, off)
            if kind == "=":
                self.scope.assign(name, _value_parts(self.out[start:]))

    def nested(self, text: str, dq: bool, off: int) -> None:
        sub = _Lexer(text, self.scope)
        sub.word(0, len(text), dq)
        self.out.extend((k, s, q, sp, off) for k, s, q, sp, _ in sub.out)

    def variable(self, name: str, src: str, dq: bool, off: int) -> None:
        if name in ("@", "*"):
            self.all_params(name == "*", src, dq, off)
            return
        state, parts = self.scope.lookup(name)
        if state == _UNKNOWN:
            self.symbol(src, dq, off)
        else:
            self.value(parts, dq, off)

    def all_params(self, star: bool, src: str, dq: bool, off: int, params=None) -> None:
        params = self.scope.params() if params is None else params
        if params is None or (dq and star and params.exact < len(params.words)):
            self.symbol(src, dq, off)
            return
        for k, word in enumerate(params.words):
            if k:
                self.out.append((_LIT, " ", True, False, off) if dq and star else (_BREAK, "", False, False, off))
            if dq:
                self.out.append((_LIT, "", True, False, off))
            self.value(word.parts, dq, off, sym_quoted=dq and word.quoted)

    def value(self, parts, dq: bool, off: int, sym_quoted: bool | None = None) -> None:
        sym_quoted = dq if sym_quoted is None else sym_quoted
        for p in parts:
            if type(p) is Literal:
                self.out.append((_LIT, p.text, dq, not dq, off))
            else:
                self.out.append((_SYM, p.name, sym_quoted, False, off))

    def symbol(self, name: str, dq: bool, off: int) -> None:
        self.out.append((_SYM, name, dq, False, off))


def _unescaped(text: str, char: str) -> int:
    """Index of the first `char` not escaped by a backslash or inside quotes, or -1."""
    i, quote = 0, None
    while i < len(text):
        c = text[i]
        if c == "\\" and quote != "'":
            i += 2
            continue
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == char:
            return i
        i += 1
    return -1


def _remove(value: str, pattern, prefix: bool, longest: bool) -> str:
    """``${A#p}`` and its kin: the value without the shortest/longest matching prefix/suffix."""
    n = len(value)
    cuts = range(n, -1, -1) if longest else range(n + 1)
    for cut in cuts:
        if prefix and pattern.fullmatch(value[:cut]):
            return value[cut:]
        if not prefix and pattern.fullmatch(value[n - cut:]):
            return value[:n - cut]
    return value


def _substitute(value: str, pattern, replacement: str, mode: str) -> str:
    """``${A/p/r}`` (first), ``${A//p/r}`` (every), ``${A/#p/r}`` (at the start), ``${A/%p/r}`` (at the end):
    at each place the longest match, as bash does."""
    n = len(value)
    if mode == "#":
        for end in range(n, -1, -1):
            if pattern.fullmatch(value[:end]):
                return replacement + value[end:]
        return value
    if mode == "%":
        for start in range(n + 1):
            if pattern.fullmatch(value[start:]):
                return value[:start] + replacement
        return value
    out, i = [], 0
    while i <= n:
        end = next((e for e in range(n, i - 1, -1) if pattern.fullmatch(value[i:e])), None)
        if end is None or (end == i and i == n):
            if i < n:
                out.append(value[i])
            i += 1
            continue
        out.append(replacement)
        if mode != "/":
            return "".join(out) + value[end:]
        if end == i:
            if i < n:
                out.append(value[i])
            i += 1
        else:
            i = end
    return "".join(out)


def _joined_text(parts) -> str | None:
    if all(type(p) is Literal for p in parts):
        return "".join(p.text for p in parts)
    return None


def _is_empty(parts) -> bool | None:
    """True or False when known, None when only unknown parts could fill it."""
    if any(type(p) is Literal and p.text for p in parts):
        return False
    return None if any(type(p) is Symbol for p in parts) else True


def _merge(parts) -> tuple:
    if len(parts) == 1:  # most values (a positional parameter's one word): nothing to join
        part = parts[0]
        if type(part) is Literal and not part.text:
            return ()
        return parts if type(parts) is tuple else (part,)
    merged: list = []
    for p in parts:
        if type(p) is Literal:
            if not p.text:
                continue
            if merged and type(merged[-1]) is Literal:
                merged[-1] = Literal(merged[-1].text + p.text)
                continue
        merged.append(p)
    return tuple(merged)


def _value_parts(pieces) -> tuple:
    """An assignment's value: pieces joined, no field splitting."""
    parts = []
    for kind, text, _quoted, _split, _off in pieces:
        if kind == _SYM:
            parts.append(Symbol(text))
        else:
            parts.append(Literal(" " if kind == _BREAK else text))
    return _merge(parts)


_DEFAULT_SPLIT = re.compile(r"[ \t\n]+").split


def _splitter(ifs):
    if ifs is None:
        return _DEFAULT_SPLIT
    if ifs == "":
        return lambda s: [s]
    # Every IFS character is treated as a blank (collapsing runs): close enough
    # for scripts, which rarely set IFS to anything but blanks.
    return re.compile("[" + re.escape(ifs) + "]+").split


def _fields(pieces, split, base, text) -> list[Word]:
    """Field splitting: unquoted expansion results split on IFS; quoted text never."""
    return [Word(parts, *_pos_in(base, text, off), quoted) for parts, off, quoted in _field_parts(pieces, split)]


def _field_parts(pieces, split) -> list[tuple]:
    """(parts, offset in the word's text, quoted) of each field `_fields` makes."""
    fields: list = []
    cur = None  # [parts, offset, has_quote, has_unquoted_symbol]
    for kind, piece, quoted, splittable, off in pieces:
        if kind == _BREAK:
            if cur is not None:
                fields.append(cur)
            cur = None
            continue
        if kind == _LIT and splittable:
            for k, token in enumerate(split(piece)):
                if k and cur is not None:
                    fields.append(cur)
                    cur = None
                if token:
                    if cur is None:
                        cur = [[], off, False, False]
                    cur[0].append(Literal(token))
            continue
        if cur is None:
            cur = [[], off, False, False]
        if kind == _LIT:
            cur[0].append(Literal(piece))
            cur[2] = cur[2] or quoted
        else:
            cur[0].append(Symbol(piece))
            cur[2 if quoted else 3] = True
    if cur is not None:
        fields.append(cur)
    return [(_merge(parts), off, has_quote and not loose_symbol) for parts, off, has_quote, loose_symbol in fields]


_DOUBLE_QUOTED_TEXT = re.compile(r'"[^"\\$`]+"')  # `"bad host 7"`: a comment's words, one a rule


def _quoted_text_fields(text: str) -> list | None:
    """_field_parts of a word that is one double-quoted string of plain text, without the lexer."""
    if text[:1] == "\"" and _DOUBLE_QUOTED_TEXT.fullmatch(text):  # (a word may be empty)
        return [((Literal(text[1:-1]),), 0, True)]
    return None


class _NoScope:
    """split_line's scope: no variable is known."""

    def lookup(self, name):
        return _UNKNOWN, ()

    def assign(self, name, parts):
        pass

    def forget(self, name):
        pass

    def params(self):
        return None

    def array(self, name):
        return None

    def lookup_text(self, name):
        raise Unknowable(f"${name}")

    def assign_number(self, name, value):
        pass

    def bad_arithmetic(self, src, why):
        pass

    def substitution_output(self, src):
        return None


# ---------------------------------------------------------------- evaluation


class _Frame:
    """One function call (or the script's top level)."""

    __slots__ = ("name", "params", "saved", "depth", "calls", "bound")

    def __init__(self, name, params, depth, calls):
        self.name, self.params, self.depth, self.calls = name, params, depth, calls
        self.saved: dict = {}  # values hidden by `local`, restored on return
        self.bound: dict = {}  # n -> parts: unknown positionals a decision on this path fixed


class _Jump(Exception):
    """`exit`, `return`, `break` or `continue`: the driver unwinds its stack to where it lands."""

    def __init__(self, kind: str, status: int | None, count: int = 1, failure=None):
        super().__init__(kind)
        self.kind, self.status, self.count = kind, status, count
        self.failure = failure  # (line, col, what bash refused): said where the jump lands (Evaluator.land)


# Generators (by function name, along their `yield from` chain) that a jump lands in.
_SUBSHELLS = frozenset({"_run_subshell", "_run_pipeline", "_run_subshell_of", "_run_substitution"})
_LOOPS = frozenset({"_run_for", "_run_while", "_run_c_for"})


class _Text:
    """One text the evaluation reads: the script, a file it sources, a string it evals.
    Its tree's nodes are offsets into it; `origin` is where the script brought it in."""

    __slots__ = ("src", "file", "parsed", "check", "origin", "plain_runs")

    def __init__(self, src, file, parsed, check, origin=None, plain_runs=None):
        self.src, self.file, self.parsed, self.check, self.origin = src, file, parsed, check, origin
        self.plain_runs = plain_runs or {}  # placeholder offset -> the plain lines it stands for (_plain_runs)


class _At:
    """A position in a text where no node stands (inside a word): what `where` needs of a node."""

    __slots__ = ("start_byte",)

    def __init__(self, offset: int):
        self.start_byte = offset


class _AnchoredSource(_Source):
    """An eval'd string: all of it stands at the eval's position."""

    def __init__(self, text: str, anchor):
        super().__init__(text)
        self.anchor = anchor

    def pos(self, offset: int) -> tuple[int, int]:
        return self.anchor


class _Ctx:
    __slots__ = ("notes", "conditional", "frame", "muted", "text")

    def __init__(self, notes, conditional, frame, muted=False, text=None):
        self.notes, self.conditional, self.frame, self.muted, self.text = notes, conditional, frame, muted, text

    def note(self, note: str, conditional: bool = True) -> "_Ctx":
        return _Ctx(self.notes + (note,), self.conditional or conditional, self.frame, self.muted, self.text)

    def call(self, frame, note: str, text=None) -> "_Ctx":
        return _Ctx(self.notes + (note,), self.conditional, frame, self.muted, text or self.text)

    def mute(self) -> "_Ctx":
        return _Ctx(self.notes, self.conditional, self.frame, True, self.text)

    def within(self, text: "_Text", note: str) -> "_Ctx":
        return _Ctx(self.notes + (note,), self.conditional, self.frame, self.muted, text)


_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SKIPPED_STATEMENTS = frozenset({"comment", "ERROR", "heredoc_body"})
_BUILTINS = frozenset({"read", "shift", "set", "getopts", "printf", "mapfile", "readarray", "let", ":",
                       "test", "[", "exit", "return", "break", "continue"})
# Words that run what follows them: eval, `.`, Red Hat's `action MSG CMD...`, `sh -c`.
_RUNS_OTHERS = frozenset({"eval", ".", "source", "alias", "action", "sh", "bash", "dash"})
# iptables-restore: the ruleset of its here-document is read (_restore)
_RESTORE_PROGRAMS = frozenset({"iptables-restore", "iptables-legacy-restore", "iptables-nft-restore"})
_INTERESTING = PROGRAMS | frozenset(RUNNERS) | _BUILTINS | _RUNS_OTHERS | _RESTORE_PROGRAMS
# Command names whose meaning only the evaluator gives: the plain reader's fast path stops at them.
SHELL_WORDS = _INTERESTING - PROGRAMS
_SHELLS = frozenset({"sh", "bash", "dash", "ksh", "zsh", "ash", "busybox"})
# Commands that take a program's name as an argument without running it.
_NEVER_RUN_ARGUMENTS = frozenset({
    "echo", "printf", "logger", "log", "msg", "which", "type", "whereis", "hash", "man", "grep", "egrep", "fgrep",
    "test", "[", "[[", "modprobe", "insmod", "rmmod", "lsmod", "apt-get", "apt", "yum", "dnf", "rpm", "dpkg",
    "log_action_msg", "log_daemon_msg", "log_success_msg", "log_failure_msg", "log_warning_msg", "echo_success",
    "echo_failure", "chmod", "chown", "cp", "mv", "rm", "ln", "ls", "cat", "install", "update-alternatives", "read",
    "local", "export", "declare", "readonly", "unset", "alias", "sed", "awk", "cut", "tr", "case", "for", "if",
    "return", "exit", "set", "trap", "kill", "killall", "pidof", "pgrep", "wait", ":", "true", "false",
})
# `$VERBOSE echo ...`-like words that print rather than run, and the common output variables.
_IS_OUTPUT = re.compile(r"\$\{?(?:ECHO|echo|LOG|log|DEBUG|debug|VERBOSE|verbose|SUDO|sudo)\b")
_ARITHMETIC_TARGET = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?:[-+*/%&|^]|<<|>>)?=(?!=)|\+\+|--)|(?:\+\+|--)\s*([A-Za-z_][A-Za-z0-9_]*)"
)


def _arithmetic_targets(text: str) -> list[str]:
    """Variables an arithmetic expression assigns (``i=1``, ``i+=2``, ``i++``, ``--i``)."""
    return [a or b for a, b in _ARITHMETIC_TARGET.findall(text)]


_NAMES_A_PROGRAM = re.compile(
    r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]([^${}`'\"]+)\}"  # ${IPT:-/sbin/iptables}: by its default
    r"|(?:\$\(|`)\s*(?:which|command\s+-v|type\s+-[pP])\s+([A-Za-z0-9_./-]+)\s*(?:\)|`)")  # $(which iptables)


def _program_name(word: Word) -> str | None:
    """Base name of a recognised program.  An unknown `${IPT:-/sbin/iptables}` is
    recognised by its default, `$(which iptables)` by what it looks up, though
    their values stay unknown."""
    text = word.text
    if text is None and len(word.parts) == 1:
        m = _NAMES_A_PROGRAM.fullmatch(word.parts[0].name)
        text = (m.group(1) or m.group(2)) if m else None
    if text is None:
        return None
    base = text.rsplit("/", 1)[-1]
    return base if base in PROGRAMS else None


class _Evaluator:
    def __init__(self, source: _Source, file: str, parsed: bytes, check: bool, plain_path: bool = True):
        self.src = source
        self.file = file
        self.parsed = parsed  # the text the tree was parsed from (source, maybe patched)
        self.check = check  # raise _Reparse on a command that swallowed a newline
        self.plain_path = plain_path  # split plain commands without the tree
        self.env: dict = {}  # name -> tuple of parts, or None once unset; absent = unknown
        self.assigned: set = set()  # every name the script sets anywhere (read, for, local too)
        self.funcs: dict = {}
        self.commands: list = []
        self.notes: dict = {}  # evaluation diagnostics (line, col, message), ordered
        self.warnings: dict = {}  # what may run but could not be read (line, col, message), ordered
        self.main_file = file
        self.text = None  # the _Text being read (set by `use`)
        self.aliases: dict = {}  # name -> source text of its value
        self.sourced: dict = {}  # path -> (_Text, root node) of each file read once
        self.missing_sources: set = set()
        self.source_path: tuple = ()  # directories to look for sourced files in (--source-path)
        self.program_symbols: dict = {}  # "$IPT" -> "iptables": every value IPT may hold names iptables
        self.names_written: tuple = ()  # (database, id, name, replaces the file), in the order written
        self.unresolved = None  # (line, col, source, why) of a command that may run a program pyip cannot see
        self.steps = 0
        lines = len(source.line_starts) - 1
        self.max_steps = min(MAX_STEPS, BASE_STEPS + STEPS_PER_LINE * lines)
        self.max_commands = BASE_COMMANDS + lines
        self.frame = None
        self.literals: dict = {}  # text -> (Literal(text),)
        self.constants: dict = {}  # text without expansions -> its fields (_field_parts)
        self.split_commands: dict = {}  # (source, start, end) -> _command_parts of a command that may run again
        self.kept_words: dict = {}  # id of such a command's words -> (the words, what expand_again keeps of each)
        self.defined: frozenset = frozenset()  # names given by the user (define): the script cannot change them
        self._status: int | None = 0  # of the last statement; None: known only at run time
        self._pending = None  # how to work out `_status` when it is asked for (_program_status: a command's parse)
        self.why: tuple = ()  # what an unknown status depends on
        self.forced: tuple = ()  # choices to take at the first decisions (replaying a path)
        self.trace: list = []  # the Decisions taken on this path
        self.exited = False
        self.exit_status: int | None = 0
        self.args = None  # the script's arguments ($1 ...) as Words, None when not given
        self.effects: dict = {}  # node id -> whether running it could matter (_has_effects)
        self.equality = None  # (Unknown, text, equal when true) of a test like `[ "$1" = start ]`
        self.query = False  # the unknown status is a recognised command's answer about the system
        self.excluded: dict = {}  # unknown_key -> texts a decision on this path found it is not
        self.failures: dict = {}  # (line, col, message) of what bash itself reports as it runs (bad arithmetic)
        self.current = None  # the statement being run, and its context: where a failure is placed
        self.current_ctx = None
        self.abandoned = False  # an expansion error abandoned the command line a `unit` is running
        self.model = None  # what iptables' queries find so far on this path (RULESET_MODEL)
        self.restore_input = None  # the here-document the command being run reads (`iptables-restore <<EOF`)
        self.plain_runs: dict = {}  # of the main text, which tree-sitter did not read (_plain_runs)
        self.lone_names: dict = {}  # word text -> the NAME of a lone `$NAME` / `${NAME}`, or None
        self.known_words: dict = {}  # word text -> (NAME, value) of known_variable's last shortcut
        self.substitutions: list = []  # the _Substitution states of the `$( )` being run, innermost last
        self.substituted: dict = {}  # source text -> output of a `$( )` of this statement that ended early
        self.substitution_status: int | None = None  # of the statement's last `$( )`; None: known at run time

    # -- driver: an explicit stack of generators instead of recursion

    def run(self, root) -> None:
        top = _Frame(None, None if self.args is None else _Params.of(self.args), 0, ())
        main = _Text(self.src, self.file, self.parsed, self.check, plain_runs=self.plain_runs)
        stack = [(self.unit(root.children, _Ctx((), False, top, text=main)), main)]
        while stack:
            generator, text = stack[-1]
            if text is not self.text:
                self.use(text)  # a generator reads the text its nodes come from
            try:
                node, ctx = next(generator)
            except StopIteration:
                stack.pop()
                continue
            except _Jump as jump:  # raised by a statement its generator ran itself: it is over
                stack.pop()
                if not self.land(stack, jump):
                    return
                continue
            self.steps += 1
            if ctx.text is not self.text:
                self.use(ctx.text)
            if self.steps > self.max_steps:
                self.diagnose(node, f"evaluation stopped after {self.max_steps} steps")
                return
            if len(self.commands) >= self.max_commands:
                self.diagnose(node, f"evaluation stopped after {self.max_commands} commands: the loops "
                                    "unroll to more than pyip follows")
                return
            self.frame = ctx.frame
            self.current, self.current_ctx = node, ctx
            try:
                sub = self.statement(node, ctx)
            except RecursionError:
                self.diagnose(node, "nesting too deep: statement skipped")
                sub = None
            except _Jump as jump:
                if not self.land(stack, jump):
                    return
                continue
            if sub is not None:
                stack.append((sub, ctx.text))

    def land(self, stack: list, jump: _Jump) -> bool:
        """Unwind the stack to where `jump` lands; False when it ends the script.  `exit`, `return` or
        an expansion error inside `$( )` ends the subshell only: the statement runs on with its output."""
        if jump.kind == "exit":
            targets = _SUBSHELLS
        elif jump.kind == "abandon":
            targets = _SUBSHELLS | {"unit"}
        elif jump.kind == "return":
            targets = _SUBSHELLS | {"_run_call"}
        else:
            targets = _LOOPS
        count = jump.count
        for k in range(len(stack) - 1, -1, -1):
            names = _chain_names(stack[k][0])
            if targets.isdisjoint(names):
                continue
            if not _LOOPS.isdisjoint(names) and count > 1:
                count -= 1
                continue
            keep = jump.kind == "continue" or (jump.kind == "abandon" and "unit" in names)
            if "_run_substitution" in names and not keep:
                if jump.kind == "return" and self.frame is not None and self.frame.name is None:
                    continue  # not in a function: bash refuses the `return`, below, and the subshell goes on
                _close(stack, k + 1)
                self.end_substitution(stack[k][0], jump)
                return True
            self.say_failure(jump, "bash stops the command line here (exit status 1) and goes on with the next line")
            _close(stack, k + 1 if keep else k)
            self.abandoned = jump.kind == "abandon" and keep
            self.set_status(0 if jump.kind in ("break", "continue") else jump.status, ("an exit status",))
            return True
        if jump.kind in ("break", "continue"):
            self.set_status(0)  # outside a loop bash only complains
            return True
        if jump.kind == "return" and self.frame is not None and self.frame.name is None:
            self.set_status(1)  # bash: "can only `return' from a function or sourced script"
            return True
        self.say_failure(jump, "bash stops the command line here (exit status 1) and goes on with the next line")
        _close(stack, 0)
        self.exited, self.exit_status = True, jump.status
        return False

    def end_substitution(self, generator, jump: _Jump) -> None:
        """Close the `$( )` that `generator` (a _substitutions_first) is running, as bash's subshell
        exits: the statement goes on with what it printed so far, known when nothing ran before
        that could print, and the status the jump gives."""
        state = self.substitutions[-1]
        self.say_failure(jump, "bash ends the command substitution here (exit status 1): the command it"
                               " stands in runs with what it printed so far")
        while generator.__name__ != "_run_substitution":
            generator = generator.gi_yieldfrom
        generator.close()  # restores the variables: a subshell's are its own
        if state.quiet:
            self.substituted[state.text] = ""
        self.substitution_status = jump.status
        self.set_status(jump.status, ("an exit status",))

    def say_failure(self, jump: _Jump, consequence: str) -> None:
        if jump.failure is not None:
            line, col, what = jump.failure
            self.failures[(line, col, f"{what}: {consequence}")] = None

    def substitution_output(self, src: str) -> str | None:
        return self.substituted.get(src)

    def decide(self, node, ctx, subject: str, labels: tuple, why) -> int | None:
        """Which alternative this path takes where a condition is known only at run time;
        None in a muted dry run, which must go through every alternative, and in a loop
        that runs an unknown number of times (its commands already stand for any of its
        passes, each with values known only then: all alternatives are read)."""
        if ctx.muted or ctx.conditional:
            return None
        k = len(self.trace)
        choice = self.forced[k] if k < len(self.forced) else 0
        line, col, _ = self.where(node, "")
        self.trace.append(Decision(line, col, subject, labels, choice, tuple(why)))
        return choice

    @property
    def status(self) -> int | None:
        if self._pending is not None:
            self._status, self._pending = self._pending(), None
        return self._status

    def set_status(self, status: int | None, why=(), equality=None, query=False) -> None:
        self._status, self._pending, self.why = status, None, tuple(why) if status is None else ()
        self.equality = equality if status is None else None
        self.query = query and status is None

    def decided(self, status: int) -> None:
        """A decision made the last status `status`: a test `"$1" = start` it came from now binds $1,
        or tells that $1 is not `start`."""
        if self.equality is not None:
            unknown, text, equal_when_true = self.equality
            if (status == 0) == equal_when_true:
                self.bind(unknown, text)
            else:
                self.exclude(unknown, text)
        self.set_status(status)

    def unknown_key(self, value) -> tuple | None:
        """What an unknown value names, for the facts decisions found: ("1", frame) or ("NAME", None)."""
        m = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9]+)\}?", value.name) if isinstance(value, Unknown) \
            else None
        if m is None:
            return None
        name = m.group(1)
        return (name, id(self.frame)) if name.isdigit() else (name, None)

    def exclude(self, value, text: str) -> None:
        key = self.unknown_key(value)
        if key is not None:
            self.excluded.setdefault(key, set()).add(text)

    def is_excluded(self, value, text: str) -> bool:
        key = self.unknown_key(value)
        return key is not None and text in self.excluded.get(key, ())

    def use(self, text: _Text) -> None:
        self.text = text
        self.src, self.file, self.parsed, self.check = text.src, text.file, text.parsed, text.check

    def statement(self, node, ctx):
        """Run one statement: simple ones at once, compound ones as a generator."""
        if type(node) is _PlainLine:  # a plain command: no substitution in it
            return _run_command(self, node, ctx)
        kind = node.type  # the binding makes a new string at each look
        handler = _HANDLERS.get(kind)
        if handler is None:
            return None
        if kind in _MAY_SUBSTITUTE and self.has_substitution(node):
            return _substitutions_first(self, node, ctx, handler)
        return handler(self, node, ctx)

    def has_substitution(self, node) -> bool:
        parsed, start, end = self.parsed, node.start_byte, node.end_byte
        if parsed.find(b"`", start, end) >= 0:
            return True
        return parsed.find(b"(", start, end) >= 0 and (  # $( ), <( ), >( )
            parsed.find(b"$(", start, end) >= 0 or parsed.find(b"<(", start, end) >= 0
            or parsed.find(b">(", start, end) >= 0)

    def program_of(self, word: Word) -> str | None:
        """The recognised program a command word names: by its text, or by what every value the
        script may have given its variable names (`IPT` set to /sbin/iptables or /usr/sbin/iptables)."""
        program = _program_name(word)
        if program is None and self.program_symbols and len(word.parts) == 1 and type(word.parts[0]) is Symbol:
            program = self.program_symbols.get(word.parts[0].name)
        return program

    def look_for_programs(self, words, node) -> None:
        """Remember the first command that may run a recognised program pyip cannot see run:
        `run iptables -F` with `run` defined nowhere, `$FW -A INPUT ...` with FW unknown."""
        if self.unresolved is not None or not words:
            return
        first = words[0][0]
        if first.startswith("$") and not _IS_OUTPUT.match(first):
            variable = _LONE_VARIABLE.fullmatch(first.strip('"'))
            how = f" (give it with -D {variable.group(1) or variable.group(2)}=PROGRAM)" if variable else ""
            self.unresolved = (*self.src.pos(node.start_byte), _one_line(self.src.text(node.start_byte, node.end_byte)),
                               "its program is known only when the script runs" + how)
        elif first.rsplit("/", 1)[-1] not in _NEVER_RUN_ARGUMENTS and any(
                raw[0].rsplit("/", 1)[-1] in PROGRAMS for raw in words[1:]):
            self.unresolved = (*self.src.pos(node.start_byte), _one_line(self.src.text(node.start_byte, node.end_byte)),
                               f"{first} is defined nowhere pyip can read")

    def define_names(self, kind: str, entries, replace: bool) -> None:
        written = [(kind, ident, name, replace and k == 0) for k, (ident, name) in enumerate(entries)]
        if replace and not entries:
            written = [(kind, None, None, True)]  # `> rt_tables` with nothing: only the built-in names are left
        self.names_written += tuple(written)

    # -- other texts: sourced files, eval'd strings

    def read_text(self, code: str, file: str, anchor, origin):
        """A string the script evaluates, parsed; every position in it is `anchor`."""
        source = _AnchoredSource(code, anchor)
        parsed, tree = _parse_repaired(_safe_for_tree_sitter(source.bytes))
        text = _Text(source, file, parsed, False, origin)
        self.text_errors(text, tree.root_node)
        return text, tree.root_node

    def read_file(self, path: str, origin):
        cached = self.sourced.get(path)
        if cached is None:
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                source = _Source(handle.read())
            parsed, tree = _parse_repaired(_safe_for_tree_sitter(source.bytes))
            cached = self.sourced[path] = (_Text(source, path, parsed, False, origin), tree.root_node)
            self.text_errors(cached[0], tree.root_node)
        return cached

    def text_errors(self, text: "_Text", root) -> None:
        """Syntax errors of a sourced file or eval'd string: placed where the script brings it in."""
        errors, unread = _judged_syntax_errors(root, text.src)
        for found, kind in ((errors, self.notes), (unread, self.warnings)):
            for line, col, message in found:
                where = text.origin or text.src.pos(0)
                if text.file != self.main_file:
                    message = f"{text.file}:{line}:{col}: {message}"
                kind[(*where, message)] = None

    def find_sourced(self, name: str) -> str | None:
        """Where a sourced file is: relative to the script's directory, or under a --source-path
        directory (an absolute name only there: this machine's /etc is not the script's)."""
        import os

        candidates = []
        if os.path.isabs(name):
            for directory in self.source_path:
                candidates += [os.path.join(directory, name.lstrip("/")), os.path.join(directory, os.path.basename(name))]
        else:
            script_dir = os.path.dirname(self.main_file) if self.main_file not in ("-", "") else "."
            candidates.append(os.path.join(script_dir or ".", name))
            candidates += [os.path.join(directory, name) for directory in self.source_path]
        return next((os.path.normpath(path) for path in candidates if os.path.isfile(path)), None)

    def block(self, nodes, ctx):
        for node in nodes:
            if node.is_named and node.type not in _SKIPPED_STATEMENTS:
                yield node, ctx

    def unit(self, nodes, ctx):
        """The statements of a text bash reads a command line at a time (the script, a sourced file,
        an eval'd string).  An expansion error (`$(( 1 + ))`) abandons the rest of its line's
        commands, even from inside a function or loop; bash goes on with the next line."""
        abandoned_to = -1  # byte offset: statements that start before it were on the abandoned line
        runs = ctx.text.plain_runs
        for node in nodes:
            if not node.is_named or node.type in _SKIPPED_STATEMENTS or node.start_byte < abandoned_to:
                if node.start_byte < abandoned_to:
                    abandoned_to = max(abandoned_to, self.line_end(ctx.text, node.end_byte))
                continue
            lines = runs.get(node.start_byte) if runs else None
            if lines is not None and node.type == "command" and node.end_byte == node.start_byte + 1:
                for start, end in lines:  # each a command line of its own, as the tree would have it
                    self.abandoned = False
                    yield _PlainLine(start, end), ctx
                self.abandoned = False
                continue
            self.abandoned = False
            yield node, ctx
            if self.abandoned:
                self.abandoned = False
                abandoned_to = self.line_end(ctx.text, node.end_byte)

    @staticmethod
    def line_end(text: "_Text", offset: int) -> int:
        end = text.parsed.find(b"\n", offset)
        return len(text.parsed) if end < 0 else end

    def bad_arithmetic(self, src: str, why: str) -> None:
        """bash refuses an arithmetic expansion: reported where it stands; on a path sure to reach
        it, the command line is abandoned (`_Jump` "abandon", status 1) as bash abandons it."""
        node, ctx = self.current, self.current_ctx
        if node is None or (ctx is not None and ctx.muted):
            return
        at = self.src.str.find(src, node.start_byte) if self.src.ascii else -1
        line, col, message = self.where(_At(at) if at >= 0 else node, "")
        if ctx is not None and ctx.conditional:  # a branch that may not run: its value stays unknown
            self.failures[(line, col, f"{_one_line(src)}: {why}: bash stops the command line here (exit status 1)"
                                      " and goes on with the next line")] = None
            return
        raise _Jump("abandon", 1, failure=(line, col, f"{_one_line(src)}: {why}"))

    def diagnose(self, node, message: str) -> None:
        self.notes[self.where(node, message)] = None

    def warn(self, node, message: str) -> None:
        self.warnings[self.where(node, message)] = None

    def where(self, node, message: str) -> tuple[int, int, str]:
        """(line, col, message) in the script; what a sourced file says is placed at its `.` line."""
        line, col = self.src.pos(node.start_byte)
        if self.text is None or self.text.origin is None:
            return line, col, message
        if self.text.file != self.main_file:
            message = f"{self.text.file}:{line}:{col}: {message}"
        return (*self.text.origin, message)

    # -- the scope seen by the lexer

    def lookup(self, name: str):
        if name[0] in "0123456789":
            return self.positional(_count(name))
        if name == "?":
            return (_UNKNOWN, ()) if self.status is None else (_SET, (Literal(str(self.status)),))
        if name == "#":
            params = self.params()
            if params is None or params.exact < len(params.words):
                return _UNKNOWN, ()
            return _SET, (Literal(str(len(params.words))),)
        value = self.env.get(name, _MISSING)
        if value is _MISSING:
            return _UNKNOWN, ()
        return (_UNSET, ()) if value is None else (_SET, value)

    def positional(self, n: int):
        if n == 0:
            if self.args is None:
                return _UNKNOWN, ()
            return _SET, (Literal(self.main_file),)
        frame = self.frame
        if frame is not None and n in frame.bound:
            return _SET, frame.bound[n]
        params = self.params()
        if params is None:
            return _UNKNOWN, ()
        if n <= params.exact:
            return _SET, params.words[n - 1].parts
        if params.exact == len(params.words):
            return _UNSET, ()
        return _UNKNOWN, ()

    def params(self):
        return self.frame.params if self.frame else None

    def define(self, defines: dict[str, str]) -> None:
        self.defined = frozenset(defines)
        self.env.update((name, (Literal(value),)) for name, value in defines.items())

    def assign(self, name: str, parts) -> None:
        if name not in self.defined:  # the user's value wins, as make's command-line variables do
            self.env[name] = tuple(parts)
            if self.program_symbols:
                self.program_symbols.pop("$" + name, None)
        self.assigned.add(name)

    def forget(self, name: str) -> None:
        if name not in self.defined:
            self.env.pop(name, None)
            if self.program_symbols:
                self.program_symbols.pop("$" + name, None)
        self.assigned.add(name)

    # -- words

    def spans(self, nodes) -> list[list]:
        """[start, end, first node] of each shell word.  Nodes that touch, or are
        joined only by line continuations, are one word the grammar split in two."""
        spans: list = []
        src = self.src.bytes
        last = None
        for node in nodes:
            start = node.start_byte
            if last is not None and _same_word(src, last[1], start):
                last[1] = node.end_byte
            else:
                last = [start, node.end_byte, node]
                spans.append(last)
        return spans

    def span_text(self, span) -> str:
        return self.src.text(span[0], span[1])

    def raw_words(self, spans) -> list[tuple]:
        """(source text, line, col) of each span."""
        src = self.src
        return [(src.text(start, end), *src.pos(start)) for start, end, _node in spans]

    def expand(self, raw_words) -> list[Word]:
        words: list = []
        literals, known = self.literals, self.known_words
        for text, line, col in raw_words:
            parts = literals.get(text)  # a plain word seen before: the hot path
            if parts is not None:
                words.append(Word(parts, line, col))
                continue
            seen = known.get(text)  # a `$NAME` that held one plain word (known_variable), still holding it
            if seen is not None and self.env.get(seen[0]) is seen[1] and "IFS" not in self.env:
                words.append(Word(seen[1], line, col))
            else:
                words.extend(self.expand_word(text, line, col))
        return words

    def expand_again(self, raw_words) -> list[Word]:
        """expand() of the words of a command that runs again (split_commands: a function's body, a
        loop's): the Words that come out the same at every run kept from the last one instead of made
        anew -- a plain word's, and a lone `$NAME`'s while NAME holds the very value it held (known_words'
        test).  The others (`"$1"`, `${A:=x}`) are expanded each time."""
        if not self.plain_path:  # the tests' reference: every word expanded at every run
            return self.expand(raw_words)
        entry = self.kept_words.get(id(raw_words))
        if entry is None or entry[0] is not raw_words:  # the words are held in split_commands: the id stays theirs
            entry = self.kept_words[id(raw_words)] = (raw_words, [None] * len(raw_words))
        kept = entry[1]
        words: list = []
        literals, known, env = self.literals, self.known_words, self.env
        for k, (text, line, col) in enumerate(raw_words):
            word = kept[k]
            if word is not None:
                if type(word) is Word:  # a plain word: a literal's parts never change
                    words.append(word)
                    continue
                name, value, word = word
                if env.get(name) is value and "IFS" not in env:
                    words.append(word)
                    continue
            parts = literals.get(text)  # then as expand() does
            if parts is not None:
                word = kept[k] = Word(parts, line, col)
                words.append(word)
                continue
            seen = known.get(text)
            if seen is not None and env.get(seen[0]) is seen[1] and "IFS" not in env:
                word = Word(seen[1], line, col)
                kept[k] = (seen[0], seen[1], word)
                words.append(word)
            else:
                kept[k] = None
                words.extend(self.expand_word(text, line, col))
        return words

    def expand_word(self, text: str, line: int, col: int) -> list[Word]:
        if _PLAIN.fullmatch(text):
            return [Word(self.literal_parts(text), line, col)]
        if not self.plain_path:  # the tests' reference: every word through the lexer
            return _fields(_Lexer(text, self).run(), self.ifs_split(), (line, col), text)
        if "$" not in text and "`" not in text:  # quoted or escaped text only: the same words at every use
            fields = self.constants.get(text)
            if fields is None:
                fields = self.constants[text] = _quoted_text_fields(text) or \
                    _field_parts(_Lexer(text, self).run(), _DEFAULT_SPLIT)
            base = (line, col)
            return [Word(parts, *_pos_in(base, text, off), quoted) for parts, off, quoted in fields]
        word = self.known_variable(text, line, col)
        if word is not None:
            return [word]
        quoted = _QUOTED_VARIABLE.fullmatch(text) if text[0] == '"' else None
        if quoted is not None:  # `"$1"`, `"$IF"`: one word, whatever the value holds
            state, parts = self.lookup(quoted.group(1) or quoted.group(2))
            return [Word((Symbol(text[1:-1]),) if state == _UNKNOWN else _merge(parts), line, col, True)]
        pieces = _Lexer(text, self).run()
        return _fields(pieces, self.ifs_split(), (line, col), text)

    def literal_parts(self, text: str) -> tuple:
        """``(Literal(text),)``, shared by every word with that text: fewer objects
        to build and for the garbage collector to scan."""
        parts = self.literals.get(text)
        if parts is None:
            parts = self.literals[text] = (Literal(text),)
        return parts

    def known_variable(self, text: str, line: int, col: int) -> Word | None:
        """Shortcut for a lone ``$NAME`` holding one plain word, the commonest case."""
        name = self.lone_names.get(text, _MISSING)
        if name is _MISSING:  # the same words come back on every line: the name read once
            m = _LONE_VARIABLE.fullmatch(text)
            name = self.lone_names[text] = m and (m.group(1) or m.group(2))
        if name is None or "IFS" in self.env:
            return None
        value = self.env.get(name)
        if value and len(value) == 1 and type(value[0]) is Literal and _PLAIN.fullmatch(value[0].text):
            self.known_words[text] = (name, value)  # values are tuples, never changed: the same one, the same word
            return Word(value, line, col)
        return None

    def ifs_split(self):
        value = self.env.get("IFS", _MISSING)
        if value is _MISSING or value is None:
            return _DEFAULT_SPLIT
        return _splitter(_joined_text(value))

    def value_of(self, text: str) -> tuple:
        if text.startswith("("):
            return None  # an array: not tracked
        return _value_parts(_Lexer(text, self).run())

    def assign_text(self, text: str, local: bool = False) -> None:
        """Carry out ``NAME=value`` or ``NAME+=value`` given as source text."""
        m = _ASSIGNMENT.match(text)
        if not m:
            element = _ELEMENT_ASSIGNMENT.match(text)
            if element:  # `a[2]=x`: the array's elements are not tracked one by one
                self.forget(element.group(1))
                self.forget_array(element.group(1))
            return
        name, op = m.groups()
        if local:
            self.make_local(name)
        if text.startswith("(", m.end()):
            self.assign_array(name, text[m.end() :], append=op == "+=")
            return
        value = self.value_of(text[m.end() :])
        if value is not None and op == "+=":
            state, old = self.lookup(name)
            value = None if state == _UNKNOWN else _merge(old + value)
        if value is None:
            self.forget(name)
        else:
            self.assign(name, value)

    def make_local(self, name: str) -> None:
        frame = self.frame
        if frame is not None and frame.name is not None and name not in frame.saved:
            frame.saved[name] = self.env.get(name, _MISSING)
            frame.saved[name + _ARRAY] = self.env.get(name + _ARRAY, _MISSING)

    # -- arrays: kept as _Params under "NAME[@]" in env, so branches and subshells treat them as variables

    def array(self, name: str):
        value = self.env.get(name + _ARRAY)
        return value if type(value) is _Params else None

    def assign_array(self, name: str, text: str, append: bool = False) -> None:
        """``NAME=(words...)`` or ``NAME+=(words...)``; ``$NAME`` is the first element."""
        elements = self.array_elements(text)
        if append and elements is not None:
            old = self.array(name)
            elements = None if old is None or old.exact < len(old.words) else list(old.words) + elements
        if elements is None or name in self.defined:
            self.forget_array(name)
            self.forget(name)
            return
        params = _Params.of(elements)
        self.env[name + _ARRAY] = params
        self.assigned.add(name)
        if params.exact:
            self.assign(name, params.words[0].parts)
        elif params.words:
            self.forget(name)
        else:
            self.assign(name, ())

    def forget_array(self, name: str) -> None:
        self.env.pop(name + _ARRAY, None)

    def array_elements(self, text: str) -> list | None:
        """The words of ``(a "b c" $d)``, expanded; None when the text does not read."""
        if not text.endswith(")"):
            return None
        inner, words, i = text[1:-1], [], 0
        while i < len(inner):
            m = _BLANKS.match(inner, i)
            if m:
                i = m.end()
            elif inner.startswith("\\\n", i):
                i += 2
            elif inner[i] == "#":
                newline = inner.find("\n", i)
                i = len(inner) if newline < 0 else newline
            else:
                try:
                    j = _word_end(inner, i, len(inner), self.file, 1)
                except ShellSyntaxError:
                    return None
                words.extend(self.expand_word(inner[i:j], 1, 1))
                i = j
        return words

    # -- values for conditions and arithmetic

    def single_value(self, text: str):
        """A word expanded without field splitting (a case subject, a [[ ]] operand): str or Unknown."""
        out = []
        for kind, piece, _quoted, _split, _off in _Lexer(text, self).run():
            if kind == _SYM:
                return Unknown(piece)
            out.append(" " if kind == _BREAK else piece)
        return "".join(out)

    def pattern(self, text: str):
        """A glob pattern (a case arm, the right of [[ == ]]) compiled, or Unknown."""
        parts = []
        for kind, piece, quoted, splittable, _off in _Lexer(text, self).run():
            if kind == _SYM:
                return Unknown(piece)
            parts.append((" " if kind == _BREAK else piece, quoted and not splittable))
        return glob_regex(parts)

    def regex(self, text: str):
        """The right of [[ =~ ]]: quoted parts match themselves."""
        out = []
        for kind, piece, quoted, splittable, _off in _Lexer(text, self).run():
            if kind == _SYM:
                return Unknown(piece)
            out.append(re.escape(piece) if quoted and not splittable else piece)
        try:
            return re.compile("".join(out))
        except re.error:
            return re.compile("(?!)")  # bash: status 2, false

    def bind(self, value, text: str) -> None:
        """A decision found that the unknown `value` is `text` on this path: later tests agree."""
        m = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9]+)\}?", value.name) if isinstance(value, Unknown) \
            else None
        if m is None:
            return
        name = m.group(1)
        if name.isdigit():
            if self.frame is not None:
                self.frame.bound[int(name)] = (Literal(text),)
        elif name not in self.defined:
            self.env[name] = (Literal(text),)

    def is_set(self, name: str) -> bool | None:
        state, _parts = self.lookup(name) if _PARAM.fullmatch(name) else (_UNKNOWN, ())
        return None if state == _UNKNOWN else state == _SET

    def lookup_text(self, name: str) -> str | None:
        """For arithmetic: a variable's text, None when unset; Unknowable when unknown."""
        state, parts = self.lookup(name)
        text = _joined_text(parts)
        if state == _UNKNOWN or text is None:
            raise Unknowable(f"${name}")
        return None if state == _UNSET else text

    def assign_number(self, name: str, value: int) -> None:
        self.assign(name, (Literal(str(value)),))

    def arithmetic(self, text: str):
        """The value of an arithmetic expression, or Unknown; what it would assign stays unknown
        when it cannot be computed.  One bash refuses is 0 (`(( 1 + ))` and `let` fail, and the
        script goes on)."""
        try:
            return evaluate(text, self)
        except BadArithmetic as refused:
            node = self.current
            if node is not None and not (self.current_ctx is not None and self.current_ctx.muted):
                self.failures[self.where(node, f"(( {_one_line(text.strip())} )): {refused.args[0]}")] = None
            return 0
        except (Unknowable, RecursionError, ValueError) as unknown:
            for name in _arithmetic_targets(text):
                self.forget(name)
            return Unknown(unknown.args[0] if unknown.args else f"$(({text}))")

    def arithmetic_operand(self, text: str):
        return self.arithmetic(text)

    def test_args(self, words, cond: Condition):
        """`test`'s arguments (str or Unknown); None when an unknown might split into several."""
        args = []
        for word in words:
            if _may_split(word):
                cond.unknown(str(word))
                return None
            text = word.text
            args.append(text if text is not None else Unknown(str(word)))
        return args

    def double_bracket_tokens(self, text: str) -> list:
        tokens: list = []
        i, end = 0, len(text)
        while i < end:
            m = _BLANKS.match(text, i)
            if m:
                i = m.end()
                continue
            if text.startswith("\\\n", i):
                i += 2
                continue
            regex_next = tokens and isinstance(tokens[-1], Operand) and tokens[-1].value == "=~"
            if not regex_next and text.startswith(("&&", "||"), i):
                tokens.append(text[i:i + 2])
                i += 2
                continue
            if not regex_next and text[i] in "()":
                tokens.append(text[i])
                i += 1
                continue
            try:
                j = _word_end(text, i, end, "-", 1)
            except ShellSyntaxError:
                j = end
            tokens.append(self.double_bracket_operand(text[i:j], tokens))
            i = j
        return tokens

    def double_bracket_operand(self, word: str, tokens: list):
        if word == "!":
            return "!"
        before = tokens[-1].value if tokens and isinstance(tokens[-1], Operand) else None
        if before in ("==", "=", "!="):
            return Operand(self.single_value(word), pattern=self.pattern(word))
        if before == "=~":
            return Operand(self.single_value(word), regex=self.regex(word))
        return Operand(self.single_value(word))


def _same_word(src: bytes, end: int, start: int) -> bool:
    # A gap of line continuations only starts with a backslash: test that first.
    return end == start or (src[end] == 0x5C and not src[end:start].replace(b"\\\n", b""))


# ------------------------------------------------------------ statement handlers


def _run_command(ev: _Evaluator, node, ctx: _Ctx):
    """Record a recognised program, call a function, or apply a builtin's effects."""
    if type(node) is _PlainLine:
        words = _plain_line_words(ev, node)
        if words is not None:
            return _run_words(ev, node, ctx, words)
    if ev.check and type(node) is not _PlainLine and _first_separator(node, ev.parsed) is not None:
        raise _Reparse
    if ctx.notes:  # in a function, loop, sourced file or eval: it may run again, split the same way
        key = (ev.src, node.start_byte, node.end_byte)
        parts = ev.split_commands.get(key)
        if parts is None:
            parts = ev.split_commands[key] = _command_parts(ev, node)
        assignments, words = parts
        expand = ev.expand_again
    else:
        assignments, words = _command_parts(ev, node)
        expand = ev.expand
    if not words:
        for raw in assignments:
            ev.assign_text(raw[0])
        _assignment_status(ev, assignments)
        return None
    first = words[0][0]
    if first in ev.aliases:
        words = [(ev.aliases[first], *words[0][1:])] + words[1:]  # expanded and split below
        first = ""
        expand = ev.expand  # a new list at each run: nothing to keep for it
    if _PLAIN.fullmatch(first) and first not in ev.funcs:
        if first.rsplit("/", 1)[-1] not in _INTERESTING:
            _expand_for_effects(ev, words[1:])
            ev.look_for_programs(words, node)
            _other_status(ev, node, first)
            return None
    return _run_words(ev, node, ctx, expand(words), assignments)


# Builtins whose status is known: everything else run by a script (grep, modprobe,
# which) succeeds or fails on the running system.
_STATUS = {"true": 0, ":": 0, "false": 1, "echo": 0, "printf": 0, "export": 0, "readonly": 0,
           "alias": 0, "trap": 0, "umask": 0, "set": 0, "shift": 0, "unset": 0, "local": 0, "declare": 0,
           "typeset": 0, "getopts": None}


def _other_status(ev: _Evaluator, node, name: str) -> None:
    status = _STATUS.get(name, _MISSING)
    if status is _MISSING or status is None:
        ev.set_status(None, (f"the exit status of `{_one_line(ev.src.text(node.start_byte, node.end_byte))}`",))
    else:
        ev.set_status(status)


def _assignment_status(ev: _Evaluator, assignments) -> None:
    # `A=$(cmd)` has the status of cmd.
    substituted = [raw[0] for raw in assignments if "$(" in raw[0] or "`" in raw[0]]
    if substituted and ev.substitution_status is not None:  # the last `$( )` ended early (end_substitution)
        ev.set_status(ev.substitution_status)
    elif substituted:
        ev.set_status(None, (f"the exit status of `{_one_line(substituted[-1])}`",))
    else:
        ev.set_status(0)


def _run_words(ev: _Evaluator, node, ctx: _Ctx, argv, assignments=(), netns=None):
    """What the expanded words run: a function, a recognised program (through any
    runners in front of it), a string to evaluate, a file to read, or a builtin."""
    if not argv:
        ev.set_status(0)
        return None
    head = argv[0].text  # built from its parts at each look: looked at once
    if head is None and len(argv) > 1 and _may_be_sudo(argv[0]):
        argv, head = argv[1:], argv[1].text  # `$SUDO iptables ...`: sudo or nothing, iptables runs
    if head in ev.funcs:
        ev.set_status(0)  # an empty body
        return _call(ev, node, ctx, argv, assignments)
    base = head.rsplit("/", 1)[-1] if head is not None else None  # the program's name, looked at thrice
    if base in RUNNERS:
        replaces_shell = head == "exec"
        argv0 = _exec_argv0(argv) if replaces_shell else None
        argv = strip_runners(argv, _words_at)
        if not argv:
            ev.set_status(0)
            return None
        if replaces_shell and not ctx.muted:  # `exec iptables ...`: the script ends with it
            if argv0 is not None and _multi_call_refuses(argv0, argv[0]):
                ev.warn(node, f"exec -a {argv0}: iptables picks what it does by the name it is run as, and"
                              " knows no such name: it fails, and so ends the shell")
                raise _Jump("exit", 1)
            return _then_exit(ev, _run_words(ev, node, ctx, argv, assignments, netns))
        head = argv[0].text
        base = head.rsplit("/", 1)[-1] if head is not None else None
    if head is not None:
        program = base if base in PROGRAMS else None
    else:
        program = ev.program_of(argv[0])
    if program == "ip" and len(argv) > 3 and (argv[1].text or "x")[:1] in ("-", "n"):
        inner, netns = ip_namespace(argv)
        if inner is not argv:  # `ip netns exec NS CMD...` runs CMD
            return _run_words(ev, node, ctx.note(f"ip netns exec {netns}", conditional=False), inner, (), netns)
    if program:
        if head is None:  # `$IPT`, `${IPT:-/sbin/iptables}`: the command readers take a program by name
            argv = [Word(ev.literal_parts(program), argv[0].line, argv[0].col), *argv[1:]]
        if not ctx.muted:
            ev.commands.append(_make_command(ev, node, ctx, argv, netns))
        _program_status(ev, node, program, argv)
        return None
    if base in _RESTORE_PROGRAMS:
        _restore(ev, node, ctx, argv)
        return None
    name = head
    if name in _RUNS_OTHERS and name not in ev.funcs:
        ev.set_status(0)  # what it runs sets it
        return _run_other(ev, node, ctx, name, argv)
    ev.look_for_programs([(str(w), w.line, w.col) for w in argv], node)
    _builtin_effects(ev, argv, node, ctx)
    return None


# A recognised command that changes something is taken to succeed (the translation is of a run
# where the commands work); one that asks the running system (`iptables -C`, `ip link show`) is not.
_IPTABLES_QUERIES = frozenset({"-C", "--check", "-L", "--list", "-S", "--list-rules"})
_QUERY_CLUSTER = re.compile(r"-[nvx]*[LCS][nvx]*")  # `-nL`, `-vnL`: getopt's clustered short options
_IP_CHANGES = frozenset({"add", "a", "del", "delete", "d", "change", "chg", "replace", "append", "prepend",
                         "flush", "set", "save", "restore", "exec"})


def _program_status(ev: _Evaluator, node, program: str, argv) -> None:
    if program in ("iptables", "ipchains"):
        asks = _asks_the_firewall(argv)
    elif program in ("ip", "pyip"):
        texts = {w.text for w in argv[1:]}
        asks = texts.isdisjoint(_IP_CHANGES) and "-batch" not in texts
    else:
        asks = False
    if not asks:
        judge = COMMAND_JUDGE.get()
        if judge is None:
            ev.set_status(0)
        else:  # iptables exits 2 on a rule its own reader refuses: `iptables -A INPUT -o ppp0 ... || ...`
            written = ev.names_written
            # set_status(0), then the status worked out only if it is read: a call less a command
            ev._status, ev.why, ev.equality, ev.query = 0, (), None, False
            ev._pending = lambda: 2 if judge(program, argv, written) else 0
        return
    status = _ruleset_answer(ev, program, argv)
    if status is not None:
        ev.set_status(status)
        return
    ev.set_status(None, (f"what `{_one_line(ev.src.text(node.start_byte, node.end_byte))}` finds on the "
                         "running system",), query=True)


# `$SUDO`, `${SUDO_CMD}`, `$(which sudo)`: a value known only at run time that is `sudo` or nothing
_SUDO_VALUE = re.compile(r"\$\{?[A-Za-z_0-9]*(?i:sudo|doas)[A-Za-z_0-9]*\}?"
                         r"|\$\((?:which|command -v|type -p) (?:sudo|doas)\)|`(?:which|command -v|type -p) (?:sudo|doas)`")


def _may_be_sudo(word: Word) -> bool:
    """An unquoted word (empty, it is no word at all) whose value names sudo by its variable."""
    return not word.quoted and len(word.parts) == 1 and type(word.parts[0]) is Symbol \
        and _SUDO_VALUE.fullmatch(word.parts[0].name) is not None


def _words_at(word: Word, texts: list) -> list:
    """Words read out of one word (`env -S 'iptables -A ...'`), each standing where it stood."""
    return [Word((Literal(text),), word.line, word.col, True) for text in texts]


def _exec_argv0(argv) -> str | None:
    """The NAME of `exec -a NAME CMD`: the argv[0] CMD is given."""
    for word, following in zip(argv[1:], argv[2:]):
        if word.text == "-a":
            return following.text
        if word.text is None or not word.text.startswith("-") or word.text == "--":
            return None
    return None


def _multi_call_refuses(argv0: str, command: Word) -> bool:
    """iptables is one multi-call binary (xtables-*-multi) that picks its applet by argv[0]:
    `exec -a fw iptables ...` runs none ("No valid subcommand given"), and fails."""
    return _program_name(command) == "iptables" and not argv0.rsplit("/", 1)[-1].startswith(("iptables", "ip6tables"))


def _then_exit(ev: _Evaluator, generator):
    """What `exec CMD` runs, then the end of the shell that ran it, with CMD's status."""
    if generator is not None:
        yield from generator
    raise _Jump("exit", ev.status)


def _asks_the_firewall(argv) -> bool:
    """Is this iptables or ipchains command a query (-L, -C, -S, or clustered as `-nL`)?"""
    for word in argv:  # argv[0] too (no list copy): the program's word, which no query starts
        text = word.text
        if text and text[0] == "-" and (text in _IPTABLES_QUERIES or (
                text[1:2] in _CLUSTER_STARTS and _QUERY_CLUSTER.fullmatch(text))):
            return True
    return False


_CLUSTER_STARTS = frozenset("nvxLCS")  # what a _QUERY_CLUSTER's second character can be: most options are not


def _ruleset_answer(ev: _Evaluator, program: str, argv) -> int | None:
    """`iptables -C RULE || iptables -A RULE`: whether the rule is there, from the rules this path
    added before it on the fresh system a translation starts from; None when that is not known."""
    if program != "iptables" or ev.current_ctx is None or ev.current_ctx.conditional:
        return None
    if ev.model is None:
        factory = RULESET_MODEL.get()
        if factory is None:
            return None
        ev.model = factory()
    return ev.model.status(ev.commands, argv, ev.names_written)


def _run_other(ev: _Evaluator, node, ctx: _Ctx, name: str, argv):
    if name == "eval":
        return _eval(ev, node, ctx, argv[1:], "eval")
    if name in (".", "source"):
        return _source(ev, node, ctx, argv)
    if name == "alias":
        _define_aliases(ev, argv[1:])
        return None
    if name == "action":  # Red Hat's /etc/init.d/functions: `action MESSAGE CMD...` runs CMD
        return _run_words(ev, node, ctx, argv[2:]) if len(argv) > 2 else None
    if len(argv) > 2 and argv[1].text == "-c":  # `sh -c 'STRING' [NAME ARG...]`
        return _run_subshell_of(ev, _eval(ev, node, ctx, argv[2:3], f"{name} -c"))
    return None


def _run_subshell_of(ev: _Evaluator, generator):
    if generator is None:
        return
    saved = dict(ev.env)
    try:
        yield from generator
    finally:  # also when `exit` ends the shell
        ev.env = saved


def _eval(ev: _Evaluator, node, ctx: _Ctx, words, note: str):
    """Read a string the script evaluates, when its every word is known; its commands are placed at the
    eval's own position."""
    texts = [w.text for w in words]
    if any(t is None for t in texts):
        ev.warn(node, f"{note} of a value known only when the script runs: the commands it runs are not read"
                      f" (give the value with -D NAME=VALUE)")
        return None
    code = " ".join(texts)
    if not code.strip():
        return None
    anchor = ev.src.pos(node.start_byte)
    text, root = ev.read_text(code, ev.file, anchor, ev.text.origin)
    return ev.unit(root.children, ctx.within(text, note))


def _source(ev: _Evaluator, node, ctx: _Ctx, argv):
    """`. FILE` / `source FILE`: read FILE (never run it) where --source-path or the script's directory has it."""
    if len(argv) < 2:
        return None
    name = argv[1].text
    if name is None:
        ev.warn(node, f"sourced file {argv[1]} is known only when the script runs: not read"
                      f" (give it with -D NAME=VALUE)")
        return None
    path = ev.find_sourced(name)
    if path is None:
        if name not in ev.missing_sources:
            ev.missing_sources.add(name)
            ev.warn(node, f"sourced file {name} not found: its functions and variables stay unknown"
                          f" (give the directory that holds it with --source-path DIR)")
        return None
    if sum(note.startswith("sourced ") for note in ctx.notes) >= MAX_SOURCE_DEPTH:
        ev.diagnose(node, f"{name} sourced {MAX_SOURCE_DEPTH} files deep: not read again")
        return None
    text, root = ev.read_file(path, ev.text.origin or ev.src.pos(node.start_byte))
    return ev.unit(root.children, ctx.within(text, f"sourced {name}"))


def _define_aliases(ev: _Evaluator, words) -> None:
    for word in words:
        text = word.text
        if text is None:
            continue
        name, equals, value = text.partition("=")
        if equals and name:
            ev.aliases[name] = value


# What keeps a command from being made of plain words only: quotes, redirections,
# operators, comments, expansions other than $NAME and ${NAME}, backslashes
# other than a blank-separated line continuation.  Most lines of a firewall
# script have none, and splitting them at blanks gives what the grammar would,
# only faster.
_NOT_PLAIN = re.compile(
    r"['\"`<>|&;()#]"
    r"|(?<!\\)\n"
    r"|\\(?!\n)|(?<![ \t])\\"
    r"|\$(?![A-Za-z_0-9@*?!$-]|\{[A-Za-z_][A-Za-z0-9_]*\})"
)
_PLAIN_TOKEN = re.compile(r"[^ \t\n\\]+")
# A double-quoted string whose end is plain to find: no backslash, backtick or newline in it, and
# `$` only as $NAME, ${NAME} or a special parameter (`-m comment --comment "host $N"`, `"$1"`).
# Inside it, blanks and operator characters are text; to the check above it is one plain character
# (`%`, which no `$` takes for a name: `$"..."` stays the grammar's).
_SIMPLE_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\`$\n]|\$(?:[A-Za-z_0-9@*?!$-]|\{[A-Za-z_][A-Za-z0-9_]*\}))*"')
_QUOTED_PLAIN_TOKEN = re.compile(r'(?:[^ \t\n\\"]+|"[^"]*")+')


def _command_parts(ev: _Evaluator, node):
    """A command's prefix assignments and its words, as (source text, line, col)."""
    text = ev.src.text(node.start_byte, node.end_byte)
    if type(node) is _PlainLine:  # plain by construction (_PLAIN_OR_NEUTRAL_LINE is the stricter test)
        return _plain_command_parts(ev, node, text, _QUOTED_PLAIN_TOKEN if '"' in text else _PLAIN_TOKEN)
    if ev.plain_path:
        if '"' not in text:
            if not _NOT_PLAIN.search(text):
                return _plain_command_parts(ev, node, text, _PLAIN_TOKEN)
        elif not _NOT_PLAIN.search(_SIMPLE_DOUBLE_QUOTED.sub("%", text)):
            return _plain_command_parts(ev, node, text, _QUOTED_PLAIN_TOKEN)
    parts = [c for c in node.children if c.type not in _REDIRECTS and c.type != "comment"]
    assignments, words = [], []
    for span in ev.spans(parts):
        raw = (ev.span_text(span), *ev.src.pos(span[0]))
        if not words and span[2].type == "variable_assignment" and _is_assignment(raw[0]):
            assignments.append(raw)
        else:
            words.append(raw)
    return assignments, words


def _is_assignment(text: str) -> bool:
    """Whether bash takes a command's leading word for an assignment: tree-sitter also takes
    `--dport=22` for one, where bash runs `--dport=22` as the command (not found)."""
    return _ASSIGNMENT.match(text) is not None or _ELEMENT_ASSIGNMENT.match(text) is not None


def _plain_line_words(ev: _Evaluator, node: _PlainLine) -> list[Word] | None:
    """The expanded words of a plain line (_PlainLine) that runs a program or a function: what
    _command_parts and `expand` give it, in one pass over the line without the list of (text, line,
    col) between them (a 10,000-line script is nearly all such lines).  None for what the general
    path does otherwise: a line continued on the next, an alias or an assignment in front, a
    program that is not of interest (whose words are looked at, not expanded)."""
    text = ev.src.text(node.start_byte, node.end_byte)
    if "\n" in text:
        return None
    tokens = (_QUOTED_PLAIN_TOKEN if '"' in text else _PLAIN_TOKEN).finditer(text)
    first = next(tokens)
    head = first.group()
    if "=" in head or head in ev.aliases or (_PLAIN.fullmatch(head) and head not in ev.funcs
                                              and head.rsplit("/", 1)[-1] not in _INTERESTING):
        return None
    line, col = node.line, node.col = ev.src.pos(node.start_byte)
    node.source = text  # for _make_command
    if "\t" not in text:  # words one blank apart: str.split finds them
        if '"' not in text:
            if "  " not in text:
                return _single_blank_words(ev, text, line, col)
        else:
            words = _quoted_blank_words(ev, text, line, col)
            if words is not None:
                return words
    literals, known, env = ev.literals, ev.known_words, ev.env
    words = []
    for m in itertools.chain((first,), tokens):  # expand(), a word at a time
        text = m.group()
        parts = literals.get(text)
        if parts is None and _PLAIN.fullmatch(text):  # expand_word's first case, met first here
            parts = literals[text] = (Literal(text),)
        if parts is not None:
            words.append(Word(parts, line, col + m.start()))
            continue
        if text[0] == '"' and _DOUBLE_QUOTED_TEXT.fullmatch(text):  # `"bad host 7"`: expand_word's constant
            words.append(Word((Literal(text[1:-1]),), line, col + m.start(), True))  # case, not kept: one a line
            continue
        seen = known.get(text)
        if seen is not None and env.get(seen[0]) is seen[1] and "IFS" not in env:
            words.append(Word(seen[1], line, col + m.start()))
        else:
            words.extend(ev.expand_word(text, line, col + m.start()))
    return words


def _single_blank_words(ev: _Evaluator, line_text: str, line: int, col: int) -> list[Word]:
    """_plain_line_words' loop for a line whose words stand one blank apart (no tab, no quote, no
    blank run): the words are text.split(" ") and each column the last one's plus its length and the
    blank, without a match object a word (what most lines of a large script are)."""
    literals, known, env = ev.literals, ev.known_words, ev.env
    words = []
    for text in line_text.split(" "):
        parts = literals.get(text)
        if parts is None and _PLAIN.fullmatch(text):
            parts = literals[text] = (Literal(text),)
        if parts is not None:
            words.append(Word(parts, line, col))
        else:
            seen = known.get(text)
            if seen is not None and env.get(seen[0]) is seen[1] and "IFS" not in env:
                words.append(Word(seen[1], line, col))
            else:
                words.extend(ev.expand_word(text, line, col))
        col += len(text) + 1
    return words


def _quoted_blank_words(ev: _Evaluator, line_text: str, line: int, col: int) -> list[Word] | None:
    """_single_blank_words for a line with `"..."` strings (`--comment "bad host 7"`), each a word of its
    own one blank from the words around it; None, before any word is expanded, for another line
    (`a"b c"`, `"a""b"`, two blanks between words, a quoted first word)."""
    pieces = line_text.split('"')  # outside the quotes at even places, a string's text at odd ones
    last = len(pieces) - 1
    for k in range(0, last + 1, 2):
        piece = pieces[k]
        if "  " in piece or (k > 0 and piece[:1] not in ("", " ")) or (k < last and piece[-1:] != " "):
            return None
    words: list = []
    at = 0  # where the piece starts in the line
    for k, piece in enumerate(pieces):
        if k % 2:  # a string's text; its opening quote at `at - 1`
            if piece and "$" not in piece:  # as expand_word reads it (_quoted_text_fields)
                words.append(Word((Literal(piece),), line, col + at - 1, True))
            else:
                words.extend(ev.expand_word(f'"{piece}"', line, col + at - 1))
        else:
            start, end = (1 if k > 0 else 0), (len(piece) - 1 if k < last else len(piece))
            if start < end:
                words += _single_blank_words(ev, piece[start:end], line, col + at + start)
        at += len(piece) + 1
    return words


def _plain_command_parts(ev: _Evaluator, node, text: str, token):
    line, col = ev.src.pos(node.start_byte)
    if "\n" in text:
        base = (line, col)
        words = [(m.group(), *_pos_in(base, text, m.start())) for m in token.finditer(text)]
    else:
        words = [(m.group(), line, col + m.start()) for m in token.finditer(text)]
    n = 0
    while n < len(words) and "=" in words[n][0] and _ASSIGNMENT.match(words[n][0]):
        n += 1
    return words[:n], words[n:]


def _expand_for_effects(ev: _Evaluator, raw_words) -> None:
    # Only `${A:=x}` and arithmetic (`$((i++))`, or `$(( 1 + ))`, which bash refuses) change anything;
    # `: ${IPT:=/sbin/iptables}` is common.
    for raw in raw_words:
        if ("${" in raw[0] and "=" in raw[0]) or "$((" in raw[0] or "$[" in raw[0]:
            ev.expand_word(*raw)


def _make_command(ev: _Evaluator, node, ctx: _Ctx, argv, netns=None) -> Command:
    src, start, end = ev.src, node.start_byte, node.end_byte
    if type(node) is _PlainLine and node.source is not None:  # _plain_line_words found these
        line, col, source = node.line, node.col, node.source
    else:
        line, col = src.pos(start)
        source = src.text(start, end)
    if type(src) is _Source and "\n" not in source:  # one line (nearly every command): where it ends, known
        end_line = line
    else:
        end_line = src.pos(max(start, end - 1))[0]
    return _new_tuple(Command, (tuple(argv), ev.file, line, col, end_line, ctx.notes, ctx.conditional, source,
                                netns, ev.names_written))


def _builtin_effects(ev: _Evaluator, argv, node, ctx: _Ctx) -> None:
    name = argv[0].text
    args = [w.text for w in argv[1:]]
    if name is None:
        ev.set_status(None, (f"the exit status of `{argv[0]}`",))
        return
    _other_status(ev, node, name.rsplit("/", 1)[-1])
    if name in ("test", "["):
        _test_builtin(ev, argv[1:] if name == "test" or not argv[-1].text == "]" else argv[1:-1])
    elif name in ("exit", "return", "break", "continue"):
        _jump(ev, name, argv[1:], ctx)
    elif name == "read":
        _read_effects(ev, args)
    elif name == "shift":
        _shift(ev, args)
    elif name == "set":
        _set_positionals(ev, argv[1:])
    elif name == "getopts":
        for target in (args[1:2] + ["OPTARG", "OPTIND"]):
            if target:
                ev.forget(target)
    elif name == "printf" and len(args) > 1 and args[0] == "-v" and args[1]:
        ev.forget(args[1])
    elif name in ("mapfile", "readarray"):
        names = [a for a in args if a and _NAME.fullmatch(a)]
        ev.forget(names[-1] if names else "MAPFILE")
    elif name == "let":
        value = 0
        for arg in argv[1:]:
            value = ev.arithmetic(arg.text) if arg.text is not None else Unknown(str(arg))
            if isinstance(value, Unknown):
                for target in _arithmetic_targets(str(arg)):
                    ev.forget(target)
        _arithmetic_status(ev, value)


def _arithmetic_status(ev: _Evaluator, value) -> None:
    if isinstance(value, Unknown):
        ev.set_status(None, (value.name,))
    else:
        ev.set_status(int(value == 0))


def _test_builtin(ev: _Evaluator, words) -> None:
    cond = Condition(is_set=ev.is_set)
    args = ev.test_args(words, cond)
    result = None if args is None else cond.test(args)
    if result is None and args is not None:
        _unknown_test_status(ev, cond, args)
    else:
        ev.set_status(None if result is None else int(not result), cond.why)


def _jump(ev: _Evaluator, name: str, words, ctx: _Ctx) -> None:
    """`exit N`, `return N`, `break N`, `continue N`; ignored in a dry run, which must see it all."""
    if ctx.muted:
        return
    text = words[0].text if words else None
    number = int(text) & 255 if text is not None and re.fullmatch(r"-?[0-9]+", text) else None
    if name in ("exit", "return"):
        status = number if words else ev.status
        raise _Jump(name, None if words and number is None else status)
    raise _Jump(name, 0, max(1, number or 1))


_READ_OPTION_ARGS = frozenset("dinNptu")


def _read_effects(ev: _Evaluator, args) -> None:
    names, k = [], 0
    while k < len(args):
        arg = args[k]
        if arg is None:
            k += 1
            continue
        if arg.startswith("-") and len(arg) > 1:
            if arg[1] == "a" and len(arg) == 2 and k + 1 < len(args):
                names.append(args[k + 1])
                k += 1
            elif arg[-1] in _READ_OPTION_ARGS:
                k += 1
        elif _NAME.fullmatch(arg):
            names.append(arg)
        k += 1
    for name in names or ["REPLY"]:
        if name:
            ev.forget(name)


def _shift(ev: _Evaluator, args) -> None:
    frame = ev.frame
    if frame is None or frame.params is None:
        return
    if not args:
        n = 1
    elif args[0] and _NUMBER.fullmatch(args[0]):
        n = _count(args[0])
    else:
        frame.params = None  # shifted by an unknown amount
        return
    params = frame.params
    if n > len(params.words):
        if params.exact == len(params.words):  # bash: a shift past $# fails and shifts nothing
            ev.set_status(1)
            return
        frame.params = None  # how many there are is known only when the script runs
        return
    frame.params = _Params(params.words[n:], max(0, params.exact - n))


def _set_positionals(ev: _Evaluator, words) -> None:
    texts = [w.text for w in words]
    if "--" in texts:
        words = words[texts.index("--") + 1 :]
    elif not words or texts[0] is None or texts[0][:1] in ("-", "+"):
        return  # `set -e` and the like
    if ev.frame is not None:
        ev.frame.params = _Params.of(words)


def _call(ev: _Evaluator, node, ctx: _Ctx, argv, assignments):
    """Run a function body with the call's arguments as $1...; a generator."""
    name = argv[0].text
    frame = ctx.frame
    line, col = ev.src.pos(node.start_byte)
    if name in frame.calls or frame.depth >= MAX_CALL_DEPTH:
        ev.warn(node, f"recursive call to {name} not followed")
        return None
    body, body_text = ev.funcs[name]
    callee = _Frame(name, _Params.of(argv[1:]), frame.depth + 1, frame.calls + (name,))
    for raw in assignments:  # `A=x f` sets A for the call only
        text = raw[0]
        m = _ASSIGNMENT.match(text)
        if m:
            callee.saved.setdefault(m.group(1), ev.env.get(m.group(1), _MISSING))
            ev.assign_text(text)
    return _run_call(ev, body, ctx.call(callee, f"function {name} called at {line}:{col}", body_text), callee)


def _run_call(ev: _Evaluator, body, ctx: _Ctx, callee: _Frame):
    try:
        yield body, ctx
    finally:  # also when `return` closes the call
        for name, value in callee.saved.items():
            if value is _MISSING:
                ev.env.pop(name, None)
            else:
                ev.env[name] = value


def _run_function_definition(ev: _Evaluator, node, ctx: _Ctx):
    name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
    if name is not None and body is not None:
        ev.funcs[ev.src.text(name.start_byte, name.end_byte)] = (body, ev.text)
    return None


def _run_assignments(ev: _Evaluator, node, ctx: _Ctx):
    nodes = [node] if node.type == "variable_assignment" else list(node.named_children)
    texts = [ev.span_text(span) for span in ev.spans(nodes)]
    for text in texts:
        ev.assign_text(text)
    _assignment_status(ev, [(text,) for text in texts])
    return None


def _run_declaration(ev: _Evaluator, node, ctx: _Ctx):
    keyword = node.children[0].type if node.children else ""
    parts = [c for c in node.named_children if c.type != "comment"]
    texts = [ev.span_text(span) for span in ev.spans(parts)]
    options = "".join(t[1:] for t in texts if t.startswith("-"))
    in_function = ctx.frame.name is not None
    local = keyword == "local" or (keyword in ("declare", "typeset") and in_function and "g" not in options)
    for text in texts:
        if text.startswith("-"):
            continue
        if "A" in options or ("a" in options and "=(" not in text):
            ev.forget(text.split("=", 1)[0].rstrip("+"))
            ev.forget_array(text.split("=", 1)[0].rstrip("+"))
        elif "a" in options:
            ev.assign_text(text, local=local)
        elif _ASSIGNMENT.match(text):
            ev.assign_text(text, local=local)
        elif local and _NAME.fullmatch(text):
            ev.make_local(text)
            ev.env[text] = None  # `local A` starts out unset
    return None


def _run_unset(ev: _Evaluator, node, ctx: _Ctx):
    texts = [ev.src.text(c.start_byte, c.end_byte) for c in node.named_children]
    functions = "-f" in texts
    for text in texts:
        if text.startswith("-"):
            continue
        if functions:
            ev.funcs.pop(text, None)
        elif _NAME.fullmatch(text):
            ev.env[text] = None
    return None


def _run_block(ev: _Evaluator, node, ctx: _Ctx):
    return ev.block(node.children, ctx)


def _run_compound(ev: _Evaluator, node, ctx: _Ctx):
    children = node.children
    if children and children[0].type == "((":  # (( i++ )) is arithmetic, not a group
        inner = ev.src.text(children[0].end_byte, children[-1].start_byte if len(children) > 1 else node.end_byte)
        expanded = _joined_text(_value_parts(_Lexer(inner, ev).run()))  # parameters first, as bash does
        value = ev.arithmetic(expanded) if expanded is not None else Unknown(f"(({_one_line(inner)}))")
        if isinstance(value, Unknown):
            for name in _arithmetic_targets(inner):
                ev.forget(name)
        _arithmetic_status(ev, value)
        return None
    return ev.block(children, ctx)



def _close(stack: list, k: int) -> None:
    """Close the generators from the top of the stack down to index k (their `finally` restores)."""
    while len(stack) > k:
        stack.pop()[0].close()


def _run_subshell(ev: _Evaluator, node, ctx: _Ctx):
    saved = dict(ev.env)
    try:
        yield from ev.block(node.children, ctx)
    finally:
        ev.env = saved


def _run_redirected(ev: _Evaluator, node, ctx: _Ctx):
    body = node.child_by_field_name("body")
    if body is not None and body.type == "command" and not ctx.muted:
        _record_name_files(ev, node, body)
    if body is not None:
        ev.restore_input = _restore_lines(ev, node) if _descendants(node, "heredoc_redirect") else None
        yield body, ctx
        ev.restore_input = None
    for child in node.children:
        if child.type == "heredoc_redirect":  # `cat <<EOF | ip -batch -` keeps the pipe here
            for inner in child.named_children:
                if inner.type in _HANDLERS:
                    yield inner, ctx


# ------------------------------------------------- iptables-restore <<EOF
# A ruleset given in the script itself is read as the iptables commands it amounts to: each table
# it names flushed and its user chains deleted (unless --noflush), its `:CHAIN POLICY` lines as -P
# (built-in chains) or -N, its rule lines with `-t TABLE` in front.  From a file or a pipe, what
# is loaded is not in the script: an error says the translation leaves it out.

_BUILTIN_CHAINS = frozenset({"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"})
_COUNTERS = re.compile(r"^\[\d+:\d+\]\s*")


def _restore_lines(ev: _Evaluator, node):
    """[(line, text)] of a here-document, as the command reads it (`<<-` strips leading tabs);
    None when a line holds a value known only at run time."""
    for heredoc in _descendants(node, "heredoc_redirect"):
        body = next((c for c in heredoc.children if c.type == "heredoc_body"), None)
        start = next((c for c in heredoc.children if c.type == "heredoc_start"), None)
        if body is None:
            return []
        opener = ev.src.text(heredoc.start_byte, start.end_byte if start is not None else heredoc.end_byte)
        quoted = start is not None and any(q in ev.src.text(start.start_byte, start.end_byte) for q in "'\"\\")
        first_line = ev.src.pos(body.start_byte)[0]
        lines = []
        for k, line in enumerate(ev.src.text(body.start_byte, body.end_byte).split("\n")):
            line = line.lstrip("\t") if opener.startswith("<<-") else line
            if not quoted and ("$" in line or "`" in line):
                line = _heredoc_line(ev, line)
                if line is None:
                    return None
            lines.append((first_line + k, line))
        return lines
    return None


# In a here-document only expansions are special: its quotes are text (`--comment "two words"`).
_HEREDOC_EXPANSION = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]|\$\(\([^)]*\)\)|\$\([^)]*\)|`[^`]*`")


def _heredoc_line(ev: _Evaluator, line: str) -> str | None:
    """A here-document's line with its expansions done; None when one is known only at run time."""
    out, at = [], 0
    for m in _HEREDOC_EXPANSION.finditer(line):
        lexer = _Lexer(m.group(), ev)
        lexer.word(0, len(m.group()), True)
        if any(kind == _SYM for kind, *_ in lexer.out):
            return None
        out += [line[at:m.start()], *(piece for kind, piece, *_ in lexer.out if kind == _LIT)]
        at = m.end()
    return "".join(out) + line[at:]


def _restore(ev: _Evaluator, node, ctx: _Ctx, argv) -> None:
    lines, ev.restore_input = ev.restore_input, None
    ev.set_status(0)
    if ctx.muted:
        return
    options = [w.text for w in argv[1:]]
    if any(o in ("-t", "--test") for o in options):
        return  # only checks
    if lines is None or None in options or any(o and not o.startswith("-") for o in options):
        ev.diagnose(node, f"{argv[0]} loads rules pyip does not read here (from a file, a pipe, or with values"
                          " known only at run time): the translation leaves them out")
        return
    flush = not any(o in ("-n", "--noflush") for o in options)
    for line, argv_texts in _restore_commands(lines, flush):
        words = tuple(Word((Literal(text),), line, 1, True) for text in ("iptables", *argv_texts))
        ev.commands.append(_make_command(ev, node, ctx, words))


def _restore_commands(lines, flush: bool):
    """(line, iptables arguments) of each command a restore file amounts to."""
    import shlex

    table = None
    for line, text in lines:
        text = _COUNTERS.sub("", text.strip())
        if not text or text.startswith("#"):
            continue
        if text.startswith("*"):
            table = text[1:].strip()
            if flush:
                yield line, ["-t", table, "-F"]
                yield line, ["-t", table, "-X"]
        elif text == "COMMIT":
            table = None
        elif text.startswith(":") and table is not None:
            fields = text[1:].split()
            if fields and fields[0] in _BUILTIN_CHAINS and len(fields) > 1 and fields[1] != "-":
                yield line, ["-t", table, "-P", fields[0], fields[1]]
            elif fields and fields[0] not in _BUILTIN_CHAINS:
                yield line, ["-t", table, "-N", fields[0]]
        else:
            try:
                words = shlex.split(text, comments=False)
            except ValueError:
                words = text.split()
            yield line, ["-t", table or "filter", *words]


# ------------------------------------------------- names the script writes into iproute2's files
# `echo 200 isp1 >> /etc/iproute2/rt_tables` before `ip route add ... table isp1`: the
# name is known to the commands after it, as it is to ip when the script runs.

NAME_FILES = re.compile(r"/etc/iproute2/(rt_tables|rt_realms)(?:\.d/[^/]+\.conf)?")
_NAME_LINE = re.compile(r"\s*(0x[0-9a-fA-F]+|[0-9]+)\s+([^\s#]+)\s*(?:#.*)?")
_PRINTF_DIRECTIVE = re.compile(r"%[-+ #0-9.]*([sdiux%])")


def _record_name_files(ev: _Evaluator, node, body) -> None:
    targets = _name_file_targets(ev, node)
    if not targets:
        return
    assignments, words = _command_parts(ev, body)
    argv = ev.expand(words)
    program = argv[0].text.rsplit("/", 1)[-1] if argv and argv[0].text else None
    text = None
    if program == "echo":
        text = _echo_text(argv[1:])
    elif program == "printf":
        text = _printf_text(argv[1:])
    elif program == "cat" and len(argv) == 1:
        text = _heredoc_text(ev, node)
    if text is None:
        return
    for kind, replace in targets:
        entries = []
        for line in text.splitlines():
            m = _NAME_LINE.fullmatch(line)
            if m:
                entries.append((int(m.group(1), 0), m.group(2)))
        ev.define_names(kind, entries, replace)


def _name_file_targets(ev: _Evaluator, node) -> list:
    """(database, replaces the file) of each name file the statement writes to."""
    targets = []
    for redirect in _descendants(node, "file_redirect"):
        destination = redirect.child_by_field_name("destination")
        operator = next((c.type for c in redirect.children if not c.is_named), "")
        if destination is None or operator not in (">", ">>", ">|"):
            continue
        words = ev.expand([(ev.src.text(destination.start_byte, destination.end_byte),
                            *ev.src.pos(destination.start_byte))])
        path = words[0].text if len(words) == 1 else None
        m = NAME_FILES.fullmatch(path or "")
        if m:
            targets.append((m.group(1), operator != ">>" and ".d/" not in path))
    return targets


def _descendants(node, kind: str) -> list:
    found = []
    for child in node.children:
        if child.type == kind:
            found.append(child)
        elif child.child_count and child.type != "command":
            found.extend(_descendants(child, kind))
    return found


def _echo_text(words) -> str | None:
    texts = [w.text for w in words]
    if any(t is None for t in texts):
        return None
    escapes = False
    while texts and texts[0] in ("-e", "-n", "-en", "-ne", "-E"):
        escapes = escapes or "e" in texts.pop(0)
    text = " ".join(texts)
    return _ANSI_ESCAPE.sub(_ansi_char, text) if escapes or "\\n" in text else text


def _printf_text(words) -> str | None:
    """printf FORMAT ARGS...: %s and %d take the arguments in turn, the format repeats while some are left."""
    texts = [w.text for w in words]
    if not texts or any(t is None for t in texts):
        return None
    form, args = _ANSI_ESCAPE.sub(_ansi_char, texts[0]), texts[1:]
    out = []
    while True:
        used = 0

        def fill(m):
            nonlocal used
            if m.group(1) == "%":
                return "%"
            used += 1
            return args[used - 1] if used <= len(args) else ""

        out.append(_PRINTF_DIRECTIVE.sub(fill, form))
        args = args[used:]
        if not args or not used:
            return "".join(out)


def _heredoc_text(ev: _Evaluator, node) -> str | None:
    """The text of `cat <<EOF` (variables in it substituted where known; an unknown one drops its line)."""
    for heredoc in _descendants(node, "heredoc_redirect"):
        body = next((c for c in heredoc.children if c.type == "heredoc_body"), None)
        start = next((c for c in heredoc.children if c.type == "heredoc_start"), None)
        if body is None:
            return ""
        text = ev.src.text(body.start_byte, body.end_byte)
        quoted = start is not None and any(q in ev.src.text(start.start_byte, start.end_byte) for q in "'\"\\")
        if quoted or "$" not in text:
            return text
        lines = []
        for line in text.splitlines():
            lexer = _Lexer(line, ev)
            lexer.word(0, len(line), True)  # as in double quotes: blanks stay
            if all(kind != _SYM for kind, *_ in lexer.out):
                lines.append("".join(piece for kind, piece, *_ in lexer.out if kind == _LIT))
        return "\n".join(lines)
    return None


def _run_pipeline(ev: _Evaluator, node, ctx: _Ctx):
    # Each element runs in a subshell in bash and dash, the last one not in
    # ksh and zsh: what an element assigns is unknown afterwards.  The status
    # is the last element's (no pipefail).
    before = dict(ev.env)
    changed: set = set()
    try:
        for k, child in enumerate(node.named_children):
            if child.type in _SKIPPED_STATEMENTS:
                continue
            if k and _reads_commands_from_input(ev, child):
                ev.warn(child, f"commands piped into {_one_line(ev.src.text(child.start_byte, child.end_byte))} are"
                               " made when the script runs: not read")
            ev.env = dict(before)
            yield child, ctx
            changed |= _changed(before, ev.env)
    finally:
        ev.env = before
        _forget_all(ev, changed)


def _reads_commands_from_input(ev: _Evaluator, node) -> bool:
    """`... | sh`, `... | bash -s`, `... | sudo sh -x`: a shell that runs what comes down the pipe."""
    if node.type != "command":
        return False
    words = ev.src.text(node.start_byte, node.end_byte).split()
    while words and words[0].rsplit("/", 1)[-1] in ("sudo", "doas", "env", "exec", "command"):
        words = words[1:]
    return bool(words) and words[0].rsplit("/", 1)[-1] in _SHELLS and all(w.startswith("-") for w in words[1:])


def _run_list(ev: _Evaluator, node, ctx: _Ctx):
    children = [c for c in node.children if c.type != "comment"]
    if len(children) < 3:
        yield from ev.block(children, ctx)
        return
    left, op, right = children[0], children[1].type, children[-1]
    yield left, ctx
    lhs = _one_line(ev.src.text(left.start_byte, left.end_byte))
    note = f"after {lhs} {op}"
    status = ev.status
    if status is None:
        if not _has_effects(ev, [right]):
            yield from _branches(ev, [(note, [right])], ctx)
            return
        choice = _decide_status(ev, left, ctx, lhs, ("succeeds", "fails"))
        if choice is None:
            yield from _branches(ev, [(note, [right])], ctx)
            return
        status = choice
    if (status == 0) == (op == "&&"):
        yield right, ctx.note(note, conditional=False)
    else:
        ev.set_status(status)


def _decide_status(ev: _Evaluator, node, ctx: _Ctx, subject: str, labels: tuple) -> int | None:
    """The status an unknown condition has on this path (None: read every branch).  A query of
    the running system (`iptables -C`) fails first: the path followed is that of a fresh system,
    the one a translation starts from."""
    if ev.query:
        choice = ev.decide(node, ctx, subject, labels[::-1], ev.why)
        status = None if choice is None else 1 - choice
    else:
        status = ev.decide(node, ctx, subject, labels, ev.why)
    if status is not None:
        ev.decided(status)
    return status


def _run_negated(ev: _Evaluator, node, ctx: _Ctx):
    yield from ev.block(node.children, ctx)
    if ev.status is not None:
        ev.set_status(int(ev.status == 0))


def _branches(ev: _Evaluator, branches, ctx: _Ctx, exhaustive: bool = False):
    """Run alternative branches, each from the same variables; whatever any of
    them assigns is unknown afterwards (the conservative rule, for branches
    that run no command and change nothing that matters, and for dry runs).
    `exhaustive`: one of them surely runs (an else, a `*)` arm); else the path
    past them all counts too."""
    before = dict(ev.env)
    changed: set = set()
    why = ev.why
    ends = [] if exhaustive else [dict(before)]
    for note, nodes in branches:
        ev.env = dict(before)
        yield from ev.block(nodes, ctx.note(note))
        changed |= _changed(before, ev.env)
        ends.append(ev.env)
    ev.env = before
    _forget_all(ev, changed)
    _keep_agreed_programs(ev, changed, ends)
    ev.set_status(None, why)


def _keep_agreed_programs(ev: _Evaluator, names, ends) -> None:
    """`if [ -x /sbin/iptables ]; then IPT=/sbin/iptables; else IPT=/usr/sbin/iptables; fi`: IPT is
    unknown afterwards, but whichever way the script went, `$IPT` runs iptables."""
    for name in names:
        programs = {_program_of_value(end.get(name)) for end in ends}
        if len(programs) == 1 and None not in programs and name not in ev.defined:
            symbol = "$" + name
            ev.env[name] = (Symbol(symbol),)
            ev.program_symbols[symbol] = programs.pop()


def _program_of_value(value) -> str | None:
    if type(value) is not tuple or len(value) != 1:  # unset, unknown, several parts, or an array
        return None
    part = value[0]
    if type(part) is Literal:
        base = part.text.rsplit("/", 1)[-1]
        return base if base in PROGRAMS else None
    return _program_name(Word((part,), 0, 0))




def _changed(before: dict, after: dict) -> set:
    keys = before.keys() | after.keys()
    return {k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING)}


def _forget_all(ev: _Evaluator, names) -> None:
    for name in names:
        ev.env.pop(name, None)
    if ev.program_symbols:
        for name in names:
            ev.program_symbols.pop("$" + name, None)




# What a statement must not hold for an unknown condition around it to be run
# without exploring both ways: a recognised program, a function, anything that
# sets variables, changes the arguments or ends the path.
_EFFECT_NODES = frozenset({"variable_assignment", "variable_assignments", "declaration_command",
                           "unset_command", "function_definition"})
_EFFECT_WORDS = frozenset({"exit", "return", "break", "continue", "eval", "source", ".", "set", "shift",
                           "read", "getopts", "mapfile", "readarray", "let", "printf", "alias", "export",
                           "local", "readonly", "declare", "typeset"})
_ASSIGNING_EXPANSION = re.compile(r"\$\{[^}]*?=|\(\(|\$\[")


def _has_effects(ev: _Evaluator, nodes) -> bool:
    for node in nodes:
        if node is None:
            continue
        known = ev.effects.get(node.id)
        if known is None:
            known = ev.effects[node.id] = _node_has_effects(ev, node)
        if known:
            return True
    return False


def _node_has_effects(ev: _Evaluator, node) -> bool:
    if _ASSIGNING_EXPANSION.search(ev.src.text(node.start_byte, node.end_byte)):
        return True
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in _EFFECT_NODES:
            return True
        if n.type == "command":
            name = n.child_by_field_name("name")
            text = ev.src.text(name.start_byte, name.end_byte) if name is not None else ""
            if not _PLAIN.fullmatch(text) or text in ev.funcs or text in _EFFECT_WORDS:
                return True
            base = text.rsplit("/", 1)[-1]
            if base in PROGRAMS or base in RUNNERS or base in _RUNS_OTHERS or base in _RESTORE_PROGRAMS \
                    or text in ev.aliases:
                return True
        stack.extend(n.children)
    return False


def _run_if(ev: _Evaluator, node, ctx: _Ctx):
    condition, body, clauses = _split_at(node.children, "then")
    cond_text = _text_of(ev, condition)
    yield from ev.block(condition, ctx.note(f"if {cond_text} (condition)", conditional=False))
    arms = [(f"if {cond_text}", condition, body)]
    otherwise = None
    for clause in clauses:
        if clause.type == "elif_clause":
            elif_cond, elif_body, _ = _split_at(clause.children, "then")
            arms.append((f"elif {_text_of(ev, elif_cond)}", elif_cond, elif_body))
        else:
            otherwise = [c for c in clause.children if c.is_named]
    for k, (text, cond, arm_body) in enumerate(arms):
        if k:
            yield from ev.block(cond, ctx.note(f"{text} (condition)", conditional=False))
        status = ev.status
        if status is None:
            rest = arms[k + 1:]
            later = [n for _t, c, b in rest for n in c + b] + (otherwise or [])
            choice = None
            if _has_effects(ev, arm_body) or _has_effects(ev, later):
                choice = _decide_status(ev, cond[0] if cond else node, ctx, text, ("is true", "is false"))
            if choice is None:
                branches = [(f"{text} (then)", arm_body)] + [(f"{t} (then)", c + b) for t, c, b in rest]
                if otherwise is not None:
                    branches.append((f"if {cond_text} (else)", otherwise))
                yield from _branches(ev, branches, ctx, exhaustive=otherwise is not None)
                return
            status = choice
        if status == 0:
            yield from ev.block(arm_body, ctx.note(f"{text} (then)", conditional=False))
            return
    if otherwise is not None:
        yield from ev.block(otherwise, ctx.note(f"if {cond_text} (else)", conditional=False))
    else:
        ev.set_status(0)


def _split_at(children, divider: str):
    """Named children before `divider` (the condition), after it (the body), and
    elif/else clauses."""
    condition, body, clauses = [], [], []
    target = condition
    for child in children:
        if child.type == divider:
            target = body
        elif child.type in ("elif_clause", "else_clause"):
            clauses.append(child)
        elif child.is_named and child.type != "comment":
            target.append(child)  # `block` skips what is not a statement
    return condition, body, clauses


def _text_of(ev: _Evaluator, nodes) -> str:
    if not nodes:
        return ""
    return _one_line(ev.src.text(nodes[0].start_byte, nodes[-1].end_byte))


_CASE_ENDS = frozenset({";;", ";&", ";;&"})


def _case_items(ev: _Evaluator, node):
    """(item node, pattern spans, body nodes, terminator) of each arm."""
    items = []
    for item in node.named_children:
        if item.type != "case_item":
            continue
        patterns, body, seen_paren, end = [], [], False, ";;"
        for child in item.children:
            if child.type == ")" and not seen_paren:
                seen_paren = True
            elif child.type in _CASE_ENDS:
                end = child.type
            elif child.is_named and child.type not in _SKIPPED_STATEMENTS:
                (body if seen_paren else patterns).append(child)
        items.append((item, ev.spans(patterns), body, end))
    return items


def _run_case(ev: _Evaluator, node, ctx: _Ctx):
    subject = node.child_by_field_name("value")
    subject_text = _text_of(ev, [subject]) if subject is not None else ""
    value = ev.single_value(subject_text) if subject is not None else ""
    items = _case_items(ev, node)
    ev.set_status(0)
    falling = False
    for k, (item, spans, body, end) in enumerate(items):
        note = f"case {subject_text} in {_pattern_text(ev, item, spans)})"
        if not falling:
            matched, why, literal = _case_match(ev, value, spans)
            if matched is None:
                later = [n for _i, _s, b, _e in items[k:] for n in b]
                choice = ev.decide(item, ctx, note,
                                   ("matches", "does not match"), why) if _has_effects(ev, later) else None
                if choice is None:
                    catch_all = any(ev.span_text(p) == "*" for _i, sp, _b, _e in items[k:] for p in sp)
                    yield from _branches(ev, [(f"case {subject_text} in {_pattern_text(ev, i, sp)})", b)
                                              for i, sp, b, _e in items[k:]], ctx, exhaustive=catch_all)
                    return
                matched = choice == 0
                if literal is not None:
                    (ev.bind if matched else ev.exclude)(value, literal)
            if not matched:
                continue
        yield from ev.block(body, ctx.note(note, conditional=False))
        if end == ";;":
            return
        falling = end == ";&"


def _pattern_text(ev: _Evaluator, item, spans) -> str:
    return _one_line(ev.src.text(item.start_byte, spans[-1][1])) if spans else ""


def _case_match(ev: _Evaluator, value, spans):
    """Does `value` match one of the patterns: (True/False/None, why, the one plain word the
    value must then be, when the only pattern left to decide is plain text)."""
    why, undecided = [], []
    for span in spans:
        pattern = ev.pattern(ev.span_text(span))
        if isinstance(pattern, Unknown):
            why.append(pattern.name)
            undecided.append(None)
            continue
        if isinstance(value, Unknown):
            if pattern.pattern == ".*":
                return True, (), None
            plain = _plain_pattern(pattern)
            if plain is None or not ev.is_excluded(value, plain):
                undecided.append(pattern)
            continue
        if pattern.fullmatch(value):
            return True, (), None
    if not undecided:
        return False, (), None
    if isinstance(value, Unknown):
        why.insert(0, value.name)
    literal = None
    if len(undecided) == 1 and undecided[0] is not None:
        literal = _plain_pattern(undecided[0])
    return None, why, literal


def _plain_pattern(regex) -> str | None:
    """The text a compiled glob matches when it matches one text only."""
    text = regex.pattern
    unescaped = re.sub(r"\\(.)", r"\1", text)
    return unescaped if re.escape(unescaped) == text else None


def _run_test(ev: _Evaluator, node, ctx: _Ctx):
    """`[ ... ]` and `[[ ... ]]` as bash decides them."""
    children = node.children
    if len(children) < 2:
        ev.set_status(None, ())
        return None
    inner = ev.src.text(children[0].end_byte, children[-1].start_byte)
    base = ev.src.pos(children[0].end_byte)
    double = children[0].type == "[["
    cond = Condition(is_set=ev.is_set, arithmetic=ev.arithmetic_operand if double else None)
    if double:
        result = DoubleBracket(cond, ev.double_bracket_tokens(inner)).evaluate()
    else:
        args = ev.test_args(ev.expand(_raw_split(inner, base)), cond)
        result = None if args is None else cond.test(args)
        if result is None and args is not None:
            _unknown_test_status(ev, cond, args)
            return None
    ev.set_status(None if result is None else int(not result), cond.why)
    return None


def _unknown_test_status(ev: _Evaluator, cond: Condition, args) -> None:
    equality = _equality(args)
    if equality is not None and ev.is_excluded(equality[0], equality[1]):
        ev.set_status(int(equality[2]))  # `"$1" = start` where this path found $1 is not start
    else:
        ev.set_status(None, cond.why, equality)


def _equality(args) -> tuple | None:
    """`X = text`, `X == text`, `X != text` (either way round) with X unknown: what deciding it tells."""
    if len(args) != 3 or args[1] not in ("=", "==", "!="):
        return None
    left, right = args[0], args[2]
    if isinstance(right, Unknown):
        left, right = right, left
    if not isinstance(left, Unknown) or isinstance(right, Unknown):
        return None
    return left, right, args[1] != "!="


def _raw_split(text: str, base) -> list:
    """(word text, line, col) of each blank-separated shell word of `text`."""
    out, i, end = [], 0, len(text)
    while i < end:
        m = _BLANKS.match(text, i)
        if m:
            i = m.end()
            continue
        if text.startswith("\\\n", i):
            i += 2
            continue
        try:
            j = _word_end(text, i, end, "-", 1)
        except ShellSyntaxError:
            j = end
        out.append((text[i:j], *_pos_in(base, text, i)))
        i = j
    return out


def _run_while(ev: _Evaluator, node, ctx: _Ctx):
    keyword = node.children[0].type if node.children else "while"
    body = node.child_by_field_name("body")
    condition = [c for c in node.children if c.is_named and c.type not in ("comment", "do_group")]
    cond_text = _text_of(ev, condition)
    body_nodes = [body] if body is not None else []
    # `while ip route del default; do :; done`: the command is taken to succeed (see _program_status),
    # which is true once; how often it does depends on the running system
    changing = _changes_the_system(cond_text)
    passes = 0
    while True:
        yield from ev.block(condition, ctx.note(f"{keyword} {cond_text} (condition)", conditional=passes > 0))
        status = ev.status
        if status is None or ctx.muted or changing:
            break
        if (status == 0) != (keyword == "while"):
            ev.set_status(0)
            return
        if passes >= MAX_LOOP_PASSES:
            ev.diagnose(node, f"loop stopped after {MAX_LOOP_PASSES} passes")
            return
        yield from ev.block(body_nodes, ctx.note(f"{keyword} {cond_text} (pass {passes + 1})", conditional=False))
        passes += 1
    # A condition known only at run time: the body once, with what it changes unknown.
    yield from _loop_once(
        ev,
        [(f"{keyword} {cond_text} (body)", body_nodes, True),
         (f"{keyword} {cond_text} (condition)", condition, True)],
        ctx,
    )
    ev.set_status(0)


_CHANGING_PROGRAM = re.compile(r"^(?:!\s*)?(?:sudo\s+)?(?:\S*/)?(ip|pyip|iptables|ip6tables|ipchains)\s")


def _changes_the_system(condition: str) -> bool:
    """Is a loop's condition an ip, iptables or ipchains command that changes something (not a query)?"""
    match = _CHANGING_PROGRAM.match(condition.strip())
    if match is None:
        return False
    words = condition.split()
    if match.group(1) in ("ip", "pyip"):
        return not _IP_CHANGES.isdisjoint(words)
    return not any(word in _IPTABLES_QUERIES or _QUERY_CLUSTER.fullmatch(word) for word in words)


def _loop_once(ev: _Evaluator, stages, ctx: _Ctx, loop_vars=()):
    """Run a loop of unknown length once.  A dry run, muted, first finds the
    variables the loop changes: their values differ from one pass to the next,
    so they are unknown inside the loop and after it."""
    if not ctx.muted:
        before = dict(ev.env)
        for _note, nodes, _cond in stages:
            yield from ev.block(nodes, ctx.mute())
        changed = _changed(before, ev.env)
        ev.env = before
        _forget_all(ev, changed)
    _forget_all(ev, loop_vars)
    before = dict(ev.env)
    try:
        for note, nodes, conditional in stages:
            yield from ev.block(nodes, ctx.note(note, conditional))
    finally:
        _forget_all(ev, _changed(before, ev.env))


def _run_for(ev: _Evaluator, node, ctx: _Ctx):
    keyword = node.children[0].type if node.children else "for"
    variable = node.child_by_field_name("variable")
    body = node.child_by_field_name("body")
    if variable is None or body is None:
        return
    name = ev.src.text(variable.start_byte, variable.end_byte)
    ev.assigned.add(name)  # set by the loop, even when its words are known only at run time
    values = node.children_by_field_name("value")
    items = _for_items(ev, values)
    ev.set_status(0)
    if keyword == "for" and items is not None:
        for word in items:
            ev.assign(name, word.parts)
            yield body, ctx.note(f"for {name}={word}", conditional=False)
        return
    list_text = _text_of(ev, values) if values else '"$@"'
    note = f"{keyword} {name} in {list_text}"
    yield from _loop_once(ev, [(note, [body], True)], ctx, loop_vars=(name,))


def _for_items(ev: _Evaluator, values) -> list | None:
    """The loop's words when all are known, else None.  No `in`: "$@"."""
    if not values:
        params = ev.params()
        if params is None or params.exact < len(params.words):
            return None
        return list(params.words)
    words = ev.expand(ev.raw_words(ev.spans(values)))
    if any(w.text is None for w in words):
        return None
    return words


def _run_c_for(ev: _Evaluator, node, ctx: _Ctx):
    body = node.child_by_field_name("body")
    header = [c for c in node.named_children if c.type != "do_group" and c.type != "comment"]
    names = set()
    for part in header:
        names.update(_NAME.findall(ev.src.text(part.start_byte, part.end_byte)))
    ev.assigned.update(names)
    note = f"for (({_one_line(ev.src.text(header[0].start_byte, header[-1].end_byte)) if header else ''}))"
    yield from _loop_once(ev, [(note, [body] if body is not None else [], True)], ctx, loop_vars=names)
    ev.set_status(0)


def _chain_names(generator) -> set:
    """The function names of a generator and of those it delegates to (`yield from`); a
    statement still running its `$( )` is a subshell to `exit`."""
    names = set()
    while generator is not None:
        names.add(getattr(generator, "__name__", ""))
        generator = getattr(generator, "gi_yieldfrom", None)
    return names


_MAY_SUBSTITUTE = frozenset({"command", "variable_assignment", "variable_assignments", "declaration_command"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})


def _substitutions_first(ev: _Evaluator, node, ctx: _Ctx, handler):
    """`x=$(ip route add ...)`: the commands inside $( ), backticks and <( ) run (in a subshell)
    before the statement that uses their output."""
    ev.substituted, ev.substitution_status = {}, None
    for substitution in _substitutions(node):
        yield from _run_substitution(ev, substitution, ctx)
    ev.use(ctx.text)
    try:
        sub = handler(ev, node, ctx)
    finally:
        ev.substituted = {}
    if sub is not None:
        yield from sub


class _Substitution:
    """A `$( )` being run: its source text, and whether nothing it ran so far can have printed."""

    __slots__ = ("text", "quiet")

    def __init__(self, text: str):
        self.text, self.quiet = text, True


# Statements that print nothing: what a `$( )` ended early printed is known when only these ran before.
_QUIET_STATEMENTS = frozenset({"variable_assignment", "variable_assignments"})


def _run_substitution(ev: _Evaluator, substitution, ctx: _Ctx):
    """The statements of one `$( )` in a subshell (Evaluator.end_substitution ends it early)."""
    saved = dict(ev.env)
    state = _Substitution(ev.src.text(substitution.start_byte, substitution.end_byte))
    ev.substitutions.append(state)
    try:
        for statement in ev.block(substitution.children, ctx):
            yield statement
            state.quiet = state.quiet and statement[0].type in _QUIET_STATEMENTS
        ev.substitution_status = None  # it ran to its end: its status is the running system's
    finally:
        ev.env = saved
        ev.substitutions.remove(state)


def _substitutions(node) -> list:
    """The outermost substitutions in a statement, in order (an inner one runs with its outer one)."""
    found = []
    for child in node.children:
        if child.type in _SUBSTITUTIONS:
            found.append(child)
        elif child.child_count:
            found.extend(_substitutions(child))
    return found


_HANDLERS = {
    "program": _run_block,
    "compound_statement": _run_compound,
    "do_group": _run_block,
    "subshell": _run_subshell,
    "command": _run_command,
    "variable_assignment": _run_assignments,
    "variable_assignments": _run_assignments,
    "declaration_command": _run_declaration,
    "unset_command": _run_unset,
    "function_definition": _run_function_definition,
    "redirected_statement": _run_redirected,
    "pipeline": _run_pipeline,
    "list": _run_list,
    "negated_command": _run_negated,
    "if_statement": _run_if,
    "case_statement": _run_case,
    "while_statement": _run_while,
    "test_command": _run_test,
    "for_statement": _run_for,
    "c_style_for_statement": _run_c_for,
}


# -------------------------------------------------------------------- public API


# Directories where `.`/`source` look for files (the CLI's --source-path, like shellcheck's -P),
# after the script's own directory.  A context variable, so that every caller between the CLI and
# this module need not pass it along; read_script's `source_path` overrides it.
SOURCE_PATH: contextvars.ContextVar[tuple] = contextvars.ContextVar("SOURCE_PATH", default=())
# The script's arguments when a caller gives none (`pyip lint -a ARG`); None: unknown.
# Whether the command's own reader refuses a recognised command (it then fails when the script runs,
# and `... || fallback` takes the fallback).  The command layer sets it (pyip.script), which keeps the
# parsers out of this module.
COMMAND_JUDGE: contextvars.ContextVar = contextvars.ContextVar("COMMAND_JUDGE", default=None)
SCRIPT_ARGS: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("SCRIPT_ARGS", default=None)
# What `iptables -C RULE` / `-L CHAIN` find where the script stands: a class whose objects (one a path)
# answer `status(commands so far, words)` with 0, 1 or None (pyip.script.RulesetSoFar).
RULESET_MODEL: contextvars.ContextVar = contextvars.ContextVar("RULESET_MODEL", default=None)


def read_script(text: str, file: str = "-", defines: dict[str, str] | None = None, source_path=None,
                args: list[str] | tuple[str, ...] | None = None, all_paths: bool = False) -> Script:
    """Every ip / ipchains / iptables / pyip command the script runs, in order, and
    the positions of the regions tree-sitter could not parse (those are skipped).
    Files the script sources are read (never run) from the script's directory
    or `source_path` (default: SOURCE_PATH); `warnings` say what may run but
    could not be read.

    `defines` gives variables their values wherever the script reads them, over
    whatever the script assigns: for what it computes only when it runs
    (`EXTIP=`ifconfig ...``), which would otherwise stay a symbol.  `args` are
    the script's arguments ($1 ...), as in `sh FILE ARG...`; None: unknown.

    Where the path taken depends on a value known only when the script runs,
    each way is explored (`Script.paths`, at most MAX_PATHS); when they run
    different commands, `Script.undecided` says where and on what.  Exploring
    stops at the first difference found, unless `all_paths` (lint reads them all).
    """
    return _read_script(text, file, plain_path=True, defines=defines, source_path=source_path, args=args,
                        all_paths=all_paths)


def _read_script(text: str, file: str, plain_path: bool, defines: dict[str, str] | None = None,
                 source_path=None, args=None, all_paths: bool = True) -> Script:
    """`read_script`; with `plain_path` False every command goes through the tree,
    which the tests use to check the plain-command shortcut against it."""
    source = _Source(text)
    parsed = _safe_for_tree_sitter(source.bytes)
    runs, masked, tree = _parsed_without_plain_runs(parsed) if plain_path else ({}, parsed, None)
    if tree is None:
        tree = _parser().parse(parsed)
    else:
        parsed = masked
    skipped: list = []  # syntax errors of the lines left out to read the rest
    bash_reads_rest = False  # bash accepts the script once those lines are left out
    if tree.root_node.has_error:
        parsed, tree = _masked(parsed, tree)
        if tree.root_node.has_error and not _bash_accepts(source.bytes):
            parsed, tree, skipped, bash_reads_rest = _recovered(parsed, tree, source)
    elif _redirect_at_line_end(parsed):
        parsed, tree, skipped = _redirects_without_target(parsed, tree, source)
    repairs = 0
    args = SCRIPT_ARGS.get() if args is None else args
    setup = {"defines": defines or {}, "plain_path": plain_path,
             "source_path": tuple(SOURCE_PATH.get() if source_path is None else source_path),
             "args": None if args is None else [Word((Literal(a),), 1, 1, True) for a in args],
             "plain_runs": runs}
    while True:
        try:
            runs, capped = _explore(source, file, parsed, tree, repairs < MAX_REPAIRS, setup, all_paths)
            break
        except _Reparse:
            if setup["plain_runs"]:  # patching newlines: on the whole text, as tree-sitter reads it
                setup["plain_runs"], parsed = {}, _safe_for_tree_sitter(source.bytes)
                tree = _parser().parse(parsed)
                continue
            repaired = _repair(tree, parsed)
            if repaired is None:
                repairs = MAX_REPAIRS  # nothing to patch after all: read the tree as it is
            else:
                parsed, tree = repaired
                repairs += 1
    syntax, unread = _judged_syntax_errors(tree.root_node, source, bash_reads_rest) \
        if not skipped or bash_reads_rest else (_syntax_errors(tree.root_node, source), [])
    paths = [path for path, _evaluator in runs]
    considered = _considered(paths)
    followed = runs[paths.index(considered[0])][1]
    notes, warnings, failures, assigned = {}, {}, {}, set()
    for _path, evaluator in runs:
        notes.update(evaluator.notes)
        warnings.update(evaluator.warnings)
        failures.update(evaluator.failures)
        assigned |= evaluator.assigned
    errors = sorted(set(skipped + syntax)) + list(notes)
    if capped:
        errors.append((1, 1, f"stopped exploring after {len(paths)} paths through the script: "
                             "give its arguments or -D NAME=VALUE to decide more of its conditions"))
    warnings = unread + list(warnings)
    if not any(p.commands for p in paths) and followed.unresolved is not None:
        line, col, command, why = followed.unresolved
        warnings.append((line, col, f"no ip, ipchains or iptables command found; `{command}` may run one,"
                                    f" but {why}"))
    return Script(considered[0].commands, tuple(errors), frozenset(assigned), tuple(warnings), tuple(paths),
                  tuple(_undecided(considered)), tuple(sorted(failures)))


def _explore(source, file, parsed, tree, check, setup, all_paths):
    """Run the script once per path: the first run takes the first alternative at every
    decision, each later run replays a prefix of decisions and then takes another, the
    earliest decisions' alternatives first.  [(Path, its evaluator)], and whether the
    bound on paths cut the exploring short."""
    runs = []
    pending = collections.deque([()])
    steps = budget = 0
    results, compared = set(), []  # what the working paths compared so far do
    while pending:
        if len(runs) >= MAX_PATHS or (budget and steps > budget):
            return runs, True
        if not all_paths and len(results) > 1:
            break
        forced = pending.popleft()
        evaluator = _Evaluator(source, file, parsed, check, setup["plain_path"])
        evaluator.define(setup["defines"])
        evaluator.source_path = setup["source_path"]
        evaluator.args = setup["args"]
        evaluator.forced = forced
        evaluator.plain_runs = setup["plain_runs"]
        evaluator.run(tree.root_node)
        steps += evaluator.steps
        # A large script with many open conditions: a bounded number of full runs.
        budget = budget or min(MAX_TOTAL_STEPS, max(MIN_EXPLORE_STEPS, EXPLORE_RUNS * evaluator.steps))
        trace = evaluator.trace
        path = Path(tuple(trace), tuple(evaluator.commands), evaluator.exit_status, evaluator.exited)
        runs.append((path, evaluator))
        taken = tuple(d.choice for d in trace)
        for j in range(len(forced), len(trace)):
            for alternative in range(1, len(trace[j].labels)):
                pending.append(taken[:j] + (alternative,))
        if pending and not all_paths:  # comparing costs a pass over every command: only when another path may run
            for earlier, _evaluator in runs[len(compared):]:
                compared.append(earlier)
                if not (earlier.exited and (earlier.exit_status != 0 or not earlier.commands)):
                    results.add(_result(earlier))
    return runs, False


def _considered(paths: list) -> list:
    """The paths a translation describes: a path that ends in `exit` with a failure status
    (a usage message, a missing tool), or in `exit` before any command (`test -x
    /sbin/iptables || exit 0`), is not a run of the script's work, unless all are."""
    working = [p for p in paths if not (p.exited and (p.exit_status != 0 or not p.commands))]
    return working or paths


def _result(path: Path) -> tuple:
    """What a path does, for comparing paths: the commands' words, the program by base name
    (`/sbin/iptables` or `/usr/sbin/iptables`, chosen by a test of the running system)."""
    return tuple((c.program,) + tuple(_word_key(w) for w in c.words[1:]) for c in path.commands)


def _word_key(word: Word) -> str:
    parts = word.parts
    if len(parts) == 1:  # most words: no join needed
        part = parts[0]
        return part.text if type(part) is Literal else part.name
    return str(word)


def _undecided(paths: list) -> list:
    """(line, col, message) of each decision whose alternatives lead to different commands."""
    if len(paths) <= 1:  # one way through: nothing to tell apart (and no pass over its commands)
        return []
    numbers: dict = {}  # result -> a small number, so that sets below hold ints, not long tuples
    results = [numbers.setdefault(_result(p), len(numbers)) for p in paths]
    if len(numbers) <= 1:
        return []
    outcomes: dict = {}  # (node of the tree of choices, position) -> {choice: set of results}
    where: dict = {}
    nodes: dict = {}  # (parent node, choice) -> node: the choices before a decision, as one int
    for path, result in zip(paths, results):
        node = 0
        for decision in path.decisions:
            key = (node, decision.line, decision.col)
            outcomes.setdefault(key, {}).setdefault(decision.choice, set()).add(result)
            where.setdefault(key, decision)
            node = nodes.setdefault((node, decision.choice), len(nodes) + 1)
    followed = {(d.line, d.col): d for d in paths[0].decisions}
    reports: dict = {}
    for key, by_choice in outcomes.items():
        # Deciding: two ways from here share no result (whatever comes later).  Ways that share
        # some leave the difference to a later decision, which is the one reported; and when
        # exploring stopped at the first difference, one way may not be explored in full yet.
        sets = list(by_choice.values())
        if any(a.isdisjoint(b) for i, a in enumerate(sets) for b in sets[i + 1:]):
            decision = where[key]
            position = (decision.line, decision.col)
            if position not in reports:
                reports[position] = _undecided_message(decision, followed.get(position))
    return [(line, col, message) for (line, col), message in sorted(reports.items())]


_NAMED = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|#|@|\*)")


def _undecided_message(decision: Decision, followed: Decision | None) -> str:
    why = ", ".join(decision.why) or "the running system"
    ways = []
    for name in dict.fromkeys(m.group(1) for item in decision.why for m in _NAMED.finditer(item)):
        if name.isdigit() or name in "#@*":
            ways.append("the script's arguments after FILE (FILE ARG...)")
        else:
            ways.append(f"-D {name}=VALUE")
    how = "give " + " or ".join(dict.fromkeys(ways)) if ways else "nothing pyip reads can decide it"
    path = f"the output follows the path where {followed.taken}" if followed else \
        "the output follows a path that does not reach it"
    return (f"which commands run depends on {why}, known only when the script runs "
            f"({decision.subject}): {how}; {path}")





# ------------------------------------------------- plain lines tree-sitter need not read
# A 10,000-line firewall script is mostly lines like `$IPT -A INPUT -s 10.0.0.1 -j DROP`: one simple
# command a line, whose words the evaluator splits itself (_command_parts' plain path).  Runs of
# such lines are hidden from tree-sitter (a `:` placeholder, then newlines: the offsets stay) and
# the evaluator runs each line where the placeholder stands.  Only where that is what the tree of
# the whole text would give: the masked text parses without error and each placeholder is a
# top-level command of its own (not in a here-document, string, list or pipeline); otherwise the
# whole text is parsed as it is.  tests/test_fast_path.py holds the two ways equal.

MIN_PLAIN_RUN = 16  # plain command lines in a run worth hiding

_PLAIN_PARAMETER = rb"\$(?:[A-Za-z_][A-Za-z0-9_]*+|[0-9@*?!$-]|\{[A-Za-z_][A-Za-z0-9_]*+\})"
_PLAIN_QUOTED = rb'"(?:[^"\\`$\x00-\x1f\x7f-\xff]++|' + _PLAIN_PARAMETER + rb')*+"'
_PLAIN_WORD = rb"(?:[A-Za-z0-9_./:,+%@=!-]++|" + _PLAIN_PARAMETER + rb"|" + _PLAIN_QUOTED + rb")++"
# The first word: no `=` (an assignment), no `!` (negation); nothing tree-sitter reads as another
# statement than a command, or takes apart (`declare`, `[`, `if` ...: none of these characters).
_PLAIN_FIRST = rb"(?:[A-Za-z0-9_./:,+%@-]++|" + _PLAIN_PARAMETER + rb"|" + _PLAIN_QUOTED + rb")++"
_NOT_A_COMMAND = (rb"(?:if|then|else|elif|fi|case|esac|for|select|while|until|do|done|in|function|time|coproc"
                  rb"|declare|typeset|export|readonly|local|unset|unsetenv|test)(?![^ \t\n])")
# One line: a plain command (group 1), a comment alone, or nothing.
_PLAIN_OR_NEUTRAL_LINE = re.compile(
    rb"(?m)^[ \t]*+(?:(?!" + _NOT_A_COMMAND + rb")(" + _PLAIN_FIRST + rb"(?:[ \t]++" + _PLAIN_WORD + rb")*+)"
    rb"|#[^\n]*+)?+[ \t]*+$")
_TO_NEWLINES = bytes.maketrans(bytes(range(256)), b"\n" * 256)


class _PlainLine:
    """A plain command line of a hidden run: what the evaluator asks of a command node."""

    __slots__ = ("start_byte", "end_byte", "line", "col", "source")
    type = "command"
    is_named = True
    children = named_children = ()
    child_count = 0

    def __init__(self, start: int, end: int):
        self.start_byte, self.end_byte = start, end
        self.source = None  # its text and position, once _plain_line_words has worked them out


def _plain_runs(parsed: bytes) -> dict:
    """{offset of a run's first command: [(start, end) of each command line]} of the runs of at
    least MIN_PLAIN_RUN plain command lines (blank and comment lines between them count for nothing)."""
    runs, lines, expected = {}, [], 0
    for line in _PLAIN_OR_NEUTRAL_LINE.finditer(parsed):
        start, end = line.span()
        if start != expected:  # a line that is not plain between: the run ends there
            if len(lines) >= MIN_PLAIN_RUN:
                runs[lines[0][0]] = lines
            lines = []
        expected = end + 1
        command = line.span(1)
        if command[0] >= 0:  # (-1, -1): a comment or blank line
            lines.append(command)
    if len(lines) >= MIN_PLAIN_RUN:
        runs[lines[0][0]] = lines
    return runs


def _parsed_without_plain_runs(parsed: bytes):
    """(runs, the text tree-sitter read, its tree) with the runs hidden; ({}, parsed, None) where
    hiding them would not give the same program."""
    if parsed.count(b"\n") < MIN_PLAIN_RUN:
        return {}, parsed, None
    runs = _plain_runs(parsed)
    if not runs:
        return {}, parsed, None
    pieces, at = [], 0
    for start, lines in runs.items():
        end = lines[-1][1]
        pieces += [parsed[at:start], b":", parsed[start + 1:end].translate(_TO_NEWLINES)]
        at = end
    pieces.append(parsed[at:])
    masked = b"".join(pieces)
    tree = _parser().parse(masked)
    root = tree.root_node
    if root.has_error or _redirect_at_line_end(masked):
        return {}, parsed, None
    standing = {child.start_byte for child in root.children
                if child.type == "command" and child.end_byte == child.start_byte + 1}
    if not standing.issuperset(runs):
        return {}, parsed, None
    return runs, masked, tree


def _parse_repaired(parsed: bytes):
    """Parse a sourced file or eval'd string, patching the newlines the grammar swallows (see _Reparse)
    at once: such texts are small, and a restart of the whole evaluation is not theirs to ask for."""
    tree = _parser().parse(parsed)
    if tree.root_node.has_error:
        parsed, tree = _masked(parsed, tree)
    for _ in range(MAX_REPAIRS):
        repaired = _repair(tree, parsed)
        if repaired is None:
            break
        parsed, tree = repaired
    return parsed, tree


# ------------------------------------------------- what tree-sitter-bash cannot read, and bash can
# Some valid shell defeats the grammar: `for NAME do` (no `;` or newline before
# `do`), `\(` and `\)` in `[ ... ]`, and more (backslashes inside backticks, `'|'`
# in a case arm, `[ -d / ]`, `cmd ==`).  The first two are masked in the copy
# tree-sitter reads, byte for byte the same length (words are read from the real
# text).  For the rest, bash is asked: when `bash -n` accepts the script (it
# parses, never runs), what the grammar could not read is not a syntax error:
# it is skipped, with a warning where it holds an ip, ipchains or iptables word.

_FOR_WITHOUT_SEPARATOR = re.compile(rb"(\bfor[ \t]+[A-Za-z_][A-Za-z0-9_]*)[ \t]+(do\b)")
_TEST_LINE_WITH_PARENTHESIS = re.compile(rb"^.*(?:\[|\btest)[ \t].*\\[()].*$", re.MULTILINE)
_ESCAPED_PARENTHESIS = re.compile(rb"(?<=[ \t])\\([()])(?=[ \t])")
_LINE_WITHOUT_TEST = re.compile(rb"^(?![^\n]*(?:\[|\btest\b|\(\())[^\n]*[ \t][=!]=?[=~][^\n]*$", re.MULTILINE)
_LONE_OPERATOR = re.compile(rb"(?<=[ \t])(?:==|=~|!=)(?=[ \t]|$)")
_HASH_IN_LEADING_WORD = re.compile(rb"(?m)^([ \t]*[A-Za-z0-9_./:+-]+)#")
_PROGRAM_WORD = re.compile(r"(?<![\w.-])(?:ip|iptables|ipchains)(?![\w.-])")


def _masked(parsed: bytes, tree):
    masked = _FOR_WITHOUT_SEPARATOR.sub(lambda m: m.group(1) + b";" + b" " * (len(m.group(0)) - len(m.group(1)) - 3)
                                        + m.group(2), parsed)
    # `[ \( -n "$A" \) ]`: the grammar reads `[ ( -n "$A" ) ]`
    masked = _TEST_LINE_WITH_PARENTHESIS.sub(
        lambda line: _ESCAPED_PARENTHESIS.sub(lambda m: b" (" if m.group(1) == b"(" else b") ", line.group(0)), masked)
    # `ip ==`, `echo a != b`: outside a test these are words, which the grammar takes for operators
    masked = _LINE_WITHOUT_TEST.sub(lambda line: _LONE_OPERATOR.sub(b"__", line.group(0)), masked)
    masked = _masked_arithmetic(masked)
    # `a#b` leading a line: one word to bash (a `#` inside a word begins no comment), a name and a comment to
    # the grammar, which then makes an ERROR of the line and the one before
    masked = _HASH_IN_LEADING_WORD.sub(lambda m: m.group(1) + b"_", masked)
    if masked == parsed:
        return parsed, tree
    return masked, _parser().parse(masked)


# `$(( 1 + ))`, `(( x y ))`: arithmetic bash refuses only when it runs it (`bash -n` accepts it) defeats
# the grammar.  Its body is read from the real text, so the grammar is shown `0` and blanks instead;
# not a body holding a substitution, whose commands the tree must show, nor a c-style for's.
_ARITHMETIC_OPENING = re.compile(rb"\$\(\(|\$\[|(?<![\w$])(?<!\bfor )(?<!\bfor)\(\(")


def _masked_arithmetic(parsed: bytes) -> bytes:
    out, done = bytearray(parsed), 0
    for m in _ARITHMETIC_OPENING.finditer(parsed):
        if m.start() < done:
            continue
        end = _arithmetic_end(parsed, m.end(), b"]" if m.group() == b"$[" else b"))")
        if end is None:
            continue
        body = parsed[m.end():end]
        if b"$(" in body or b"`" in body or b"\n" in body:
            continue
        out[m.end():end] = (b"0" + b" " * (len(body) - 1)) if body else body
        done = end
    return bytes(out)


def _arithmetic_end(parsed: bytes, start: int, closer: bytes) -> int | None:
    """Offset of the closer of an arithmetic body starting at `start`; None when it is not one
    (`$((cmd) | other)` is a command substitution)."""
    depth = 0
    for i in range(start, min(len(parsed), start + 4096)):
        c = parsed[i:i + 1]
        if closer == b"]":
            if c == b"]":
                return i
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            if depth:
                depth -= 1
            elif parsed[i + 1:i + 2] == b")":
                return i
            else:
                return None
        elif c == b"\n":
            return None
    return None


MAX_RECOVERIES = 64

# `cmd >` with nothing after it on its line: the grammar takes the next line's first word for the
# target (`%>` closing an ERB template swallows the `echo` after it); bash stops at a syntax error.
_REDIRECT_AT_LINE_END = re.compile(rb"(?<![<>&|\\])(?:>>?|<|>&|&>>?)[ \t]*\n")
_REDIRECT_CHARACTER = re.compile(rb"[<>&]")  # where a match of it can start


def _redirect_at_line_end(data: bytes):
    """_REDIRECT_AT_LINE_END.search(data), tried only where a `<`, `>` or `&` stands: the search
    itself tries its look-behind at every byte, 9 ms for the 600,000 bytes of a 10,000-line script
    (its plain lines hidden, newlines), twice a reading; this finds the few places in 1 ms."""
    for candidate in _REDIRECT_CHARACTER.finditer(data):
        found = _REDIRECT_AT_LINE_END.match(data, candidate.start())  # the look-behind sees what precedes
        if found is not None:
            return found
    return None
def _redirects_without_target(parsed: bytes, tree, source: "_Source"):
    """The lines bash -n says are syntax errors, left out (blanked) as _recovered leaves them out."""
    errors = []
    for _ in range(MAX_RECOVERIES):
        lines = _bash_error_lines(parsed)
        if not lines or min(lines) > len(source.line_starts) - 1:
            break
        line = min(lines)
        start = source.line_starts[line - 1]
        end = parsed.find(b"\n", start)
        end = len(parsed) if end < 0 else end
        text = parsed[start:end]
        snippet = _shorten(" ".join(text.decode("utf-8", "replace").split()), 40)
        errors.append((line, len(text) - len(text.lstrip()) + 1, f"syntax error near {snippet!r}"))
        parsed = parsed[:start] + bytes(c if c == 0x0A else 0x20 for c in text) + parsed[end:]
        tree = _parser().parse(parsed)
    return parsed, tree, errors


def _recovered(parsed: bytes, tree, source: "_Source"):
    """A script with a real syntax error: tree-sitter's own recovery may swallow
    everything after it into one ERROR.  The line where the parse went wrong is
    left out (blanked in the copy tree-sitter reads), and the rest parsed again,
    until it reads: each left-out line is one error, and the rest is read."""
    by_bash = _left_out_where_bash_fails(parsed, source)
    if by_bash is not None:
        return by_bash
    errors = []
    for _ in range(MAX_RECOVERIES):
        if not tree.root_node.has_error:
            break
        offset = _where_parsing_failed(tree.root_node)
        start = parsed.rfind(b"\n", 0, offset) + 1
        end = parsed.find(b"\n", offset)
        end = len(parsed) if end < 0 else end
        if start == end:  # an empty line: nothing left to take out
            break
        line, col = source.pos(offset)
        said = [error for error in _syntax_errors(tree.root_node, source) if error[0] == line]
        snippet = _shorten(" ".join(source.text(offset, end).split()), 40)
        errors.append(said[0] if said else (line, col, f"syntax error near {snippet!r}"))
        parsed = parsed[:start] + bytes(c if c == 0x0A else 0x20 for c in parsed[start:end]) + parsed[end:]
        tree = _parser().parse(parsed)
    return parsed, tree, errors, False


def _left_out_where_bash_fails(parsed: bytes, source: "_Source"):
    """Where bash names the lines it cannot parse (`bash -n`: "line 138: syntax error ...") and
    reads the rest once they are left out, those lines are the errors: tree-sitter's recovery
    from a late error can flag earlier lines bash reads (`root@host:~# cat FILE` in a file of
    notes).  The rest is then read as a script bash accepts: what the grammar cannot place there
    is skipped with a warning (_judged_syntax_errors).  None when bash does not say so much."""
    lines = _bash_error_lines(source.bytes)
    if not lines:
        return None
    blanked = source.bytes.split(b"\n")
    copy = parsed.split(b"\n")
    if max(lines) > len(blanked):
        return None
    errors = []
    for line in sorted(lines):
        text = blanked[line - 1]
        if not text.strip():
            return None  # bash names an empty line (end of file): the error began earlier
        blanked[line - 1] = copy[line - 1] = bytes(c if c in b"\t" else 0x20 for c in text)
        col = len(text) - len(text.lstrip()) + 1
        snippet = _shorten(" ".join(text.decode("utf-8", "replace").split()), 40)
        errors.append((line, col, f"syntax error near {snippet!r}"))
    if not _bash_accepts(b"\n".join(blanked)):
        return None
    parsed = b"\n".join(copy)
    return parsed, _parser().parse(parsed), errors, True


_BASH_ERROR_LINE = re.compile(rb"line (\d+): syntax error")


def _bash_error_lines(data: bytes) -> set[int]:
    """The lines `bash -n` reports syntax errors on; empty without bash or when it reports none."""
    import subprocess

    try:
        result = subprocess.run(["bash", "-n"], input=data, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {int(number) for number in _BASH_ERROR_LINE.findall(result.stderr)} if result.returncode else set()


def _where_parsing_failed(node) -> int:
    """Byte offset of the first token the grammar could not place: inside an ERROR, the first
    child that is not a whole statement; a MISSING node's place."""
    while True:
        if node.is_missing:
            return node.start_byte
        children = node.children
        if node.is_error:
            for child in children:
                if child.is_error or child.has_error or child.is_missing or not child.is_named:
                    node = child
                    break
            else:
                return node.start_byte
            if not node.has_error and not node.is_error and not node.is_missing:
                return node.start_byte  # an unexpected keyword or operator
            continue
        following = next((c for c in children if c.has_error or c.is_error or c.is_missing), None)
        if following is None:
            return node.start_byte
        node = following


def _judged_syntax_errors(root, source: "_Source", bash_reads: bool = False) -> tuple[list, list]:
    """(errors, warnings): the grammar's syntax errors, unless bash reads the text (`bash_reads`:
    known already)."""
    errors = _syntax_errors(root, source)
    if not errors or not (bash_reads or _bash_accepts(source.bytes)):
        return errors, []
    warnings = []
    for first_line, last_line, line, col in _unread_regions(root, source):
        lines = source.str.splitlines()[first_line - 1 : last_line]
        if any(_PROGRAM_WORD.search(text.split("#", 1)[0]) for text in lines):
            span = f"line {first_line}" if first_line == last_line else f"lines {first_line}-{last_line}"
            warnings.append((line, col, f"pyip cannot read {span}, which bash reads: commands there are skipped"))
    return [], warnings


def _unread_regions(root, source: "_Source") -> list:
    """(first line, last line, line, col) of each outermost ERROR or MISSING node."""
    regions, stack = [], [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.is_missing or node.is_error:
            line, col = source.pos(node.start_byte)
            regions.append((line, node.end_point.row + 1, line, col))
        else:
            stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return regions


def _bash_accepts(data: bytes) -> bool:
    """Does `bash -n` (parse only, never run) accept the text?  False without bash."""
    import subprocess

    try:
        return subprocess.run(["bash", "-n"], input=data, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


# tree-sitter-bash's scanner can crash the whole process (SIGSEGV) on a 4-byte
# UTF-8 character somewhere after a `{` (its open issue 337, seen on Linux).
# Tree-sitter therefore gets a copy in which each such character is four `_`
# bytes: the same length, so every node offset still points into the real
# text, from which all words and positions are taken; and `_` is, like the
# character it stands for, an ordinary word character to the shell.
_FOUR_BYTE_CHARACTER = re.compile(rb"[\xf0-\xf7][\x80-\xbf]{3}")


def _safe_for_tree_sitter(data: bytes) -> bytes:
    return data if data.isascii() else _FOUR_BYTE_CHARACTER.sub(b"____", data)


def split_line(text: str, file: str = "-", line: int = 1) -> list[Word]:
    """Split one command line into words the way the shell would, without running
    anything: quotes and backslashes are removed, every expansion (``$A``,
    ``$(cmd)``) is an unknown Symbol, ``#`` starts a comment.  Operators such as
    ``;`` and ``|`` are ordinary text here.  Raises ShellSyntaxError on an
    unterminated quote or expansion."""
    try:
        return _split_words(text, file, line)
    except RecursionError:
        raise ShellSyntaxError(file, line, 1, "expansions nested too deep") from None


def _split_words(text: str, file: str, line: int) -> list[Word]:
    words: list = []
    i, end = 0, len(text)
    while i < end:
        m = _BLANKS.match(text, i)
        if m:
            i = m.end()
            continue
        if text.startswith("\\\n", i):
            i += 2
            continue
        if text[i] == "#":
            break
        j = _word_end(text, i, end, file, line)
        base = _pos_in((line, 1), text, i)
        pieces = _Lexer(text[i:j], _NoScope()).run()
        words.extend(_fields(pieces, _DEFAULT_SPLIT, base, text[i:j]))
        i = j
    return words


_OPENERS = {"'": "single quote", '"': "double quote", "`": "backquote",
            "$(": "$( substitution", "${": "${ expansion", "$'": "$' string"}


def _word_end(text: str, i: int, end: int, file: str, line: int) -> int:
    start = i
    while i < end and text[i] not in " \t\n":
        c, nxt = text[i], text[i + 1 : i + 2]
        if c == "\\":
            j = min(i + 2, end)
        elif c == "'":
            j = _after_single(text, i + 1, end)
        elif c == '"':
            j = _after_double(text, i + 1, end)
        elif c == "`":
            j = _after_backtick(text, i + 1, end)
        elif c == "$" and nxt in ("(", "{") and nxt:
            j = _after_group(text, i + 2, end, nxt)
        elif c == "$" and nxt == "'":
            j = _after_ansi(text, i + 2, end)
        else:
            j = i + 1
        if j < 0:
            err_line, err_col = _pos_in((line, 1), text, i)
            what = _OPENERS.get(text[i : i + 2], _OPENERS.get(c))
            raise ShellSyntaxError(file, err_line, err_col, f"unterminated {what}")
        i = j
    return max(i, start + 1)
