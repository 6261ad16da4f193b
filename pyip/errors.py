"""Positioned errors: every failure the user sees names FILE:LINE:COL."""

from __future__ import annotations

from .fieldtuple import FieldTuple, field


class Location(FieldTuple):
    """Where a word or command stands in its source (1-based line and column).

    A named tuple, not an attrs class: one is made for every word read, and
    tuples are the cheapest immutable records Python has.
    """

    __slots__ = ()
    _fields = __match_args__ = ("file", "line", "col")
    file: str = field(0)
    line: int = field(1)
    col: int = field(2)

    def __new__(cls, file: str = "-", line: int = 1, col: int = 1):
        return tuple.__new__(cls, (file, line, col))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def printable(text: str) -> str:
    """One line whatever the input held: control characters as escapes, and bytes that are not
    UTF-8 (read with surrogateescape) as the bytes' own escapes, `\\xff`, wherever pyip prints them."""
    if text.isprintable():
        return text  # the usual message: nothing to escape, no loop over its characters
    return "".join(c if c.isprintable() or c == "\t" else escape(c) for c in text)


def json_bytes(dumped: str) -> str:
    """JSON text (json.dumps(..., ensure_ascii=False)) with each byte that was not UTF-8 as the text
    `\\xff`, as printable() says it, so the stream stays UTF-8."""
    if not any(0xDC80 <= ord(c) <= 0xDCFF for c in dumped):
        return dumped
    return "".join(f"\\\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in dumped)


def ansi_c_quoted(text: str) -> str | None:
    """TEXT as bash's $'...' when it holds bytes that are not UTF-8 (read with surrogateescape): the
    bytes as \\xNN, so a printed command line is plain text and the shell reads the same bytes back.
    None for text without such bytes."""
    if not any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        return None
    out = []
    for c in text:
        code = ord(c)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif c in "\\'":
            out.append("\\" + c)
        elif not c.isprintable():
            out.append("".join(f"\\x{b:02x}" for b in c.encode()))
        else:
            out.append(c)
    return "$'" + "".join(out) + "'"


def escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return repr(character)[1:-1]


class PyipError(Exception):
    """An error in the user's input, reported as `FILE:LINE:COL: error: MESSAGE`.

    `message` is the text iproute2 (or iptables) would print for the same
    mistake, so the drop-in can print exactly that; `exit_status` is the real
    tool's exit status for it.
    """

    def __init__(self, message: str, location: Location | None = None, exit_status: int = 1):
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.exit_status = exit_status

    def __str__(self) -> str:
        # iproute2 starts many messages with "Error: "; the position line says it already.
        text = self.message[7:] if self.message.startswith("Error: ") else self.message
        return f"{self.location}: error: {printable(text)}"

    def at(self, location: Location) -> PyipError:
        """The same error, placed (used when a value is checked after lexing)."""
        self.location = location
        return self


class PyipWarning(PyipError):
    """Something the user should know that is not a failure: printed as `FILE:LINE:COL: warning: ...`,
    never makes the exit status 1 (the shell layer's "commands piped into sh are not read")."""

    severity = "warning"

    def __str__(self) -> str:
        return f"{self.location}: warning: {printable(self.message)}"


def is_error(problem: PyipError) -> bool:
    return getattr(problem, "severity", "error") == "error"


class IncompleteCommand(PyipError):
    """The words ran out where iproute2 wanted one more (NEXT_ARG)."""

    def __init__(self, location: Location | None = None):
        super().__init__('Command line is not complete. Try option "help"', location, 255)


def invalid_argument(word: str, why: str, location: Location | None = None) -> PyipError:
    """iproute2's invarg(): `Error: argument "X" is wrong: MSG`, exit 255."""
    return PyipError(f'Error: argument "{word}" is wrong: {why}', location, 255)


USAGE_FIRST_LINES = {
    "route": "Usage: ip route { list | flush } SELECTOR",
    "rule": "Usage: ip rule { add | del } SELECTOR ACTION",
    "address": "Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]",
}


class UsageError(PyipError):
    """iproute2 gave up and printed its usage text (exit 255); `object` says whose."""

    def __init__(self, object_name: str, location: Location | None = None):
        super().__init__(USAGE_FIRST_LINES[object_name], location, 255)
        self.object = object_name


class ScriptError(PyipError):
    """What the shell layer finds wrong with a script's path rather than with one command (a
    condition known only when it runs, arithmetic bash refuses): no command is left out for it."""


class NotRead(PyipError):
    """Input the real tool takes but pyip cannot read (an iptables extension it has no model of).

    An error for whatever needs the meaning (translate, the ruleset), but not
    a mistake in the script: lint does not report it.
    """


class UnknownValue(NotRead):
    """A value the script knows only when it runs, where pyip must compute with it
    (`-j MARK --set-mark $MARK`): no translation, and no mistake either."""


def check_api_input(text, dialect: str, file="-") -> None:
    """The library's entry points take a script as str and a known dialect: say so at once,
    not with an AttributeError deep inside the reader."""
    from .compat.legacy import DIALECTS

    if isinstance(text, (bytes, bytearray, memoryview)):
        raise TypeError("the script must be str, not bytes: decode it first "
                        "(text.decode('utf-8', 'surrogateescape') keeps any byte)")
    if not isinstance(text, str):
        raise TypeError(f"the script must be str, not {type(text).__name__}")
    if not isinstance(file, str):
        raise TypeError(f"file must be str (a name for messages), not {type(file).__name__}")
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: one of {', '.join(map(repr, DIALECTS))}")
