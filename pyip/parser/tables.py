"""Compiled grammars: Lark builds the LALR tables once, pyip runs them.

Importing Lark and loading a grammar costs more than a whole `ip` command,
and the drop-in runs once per line of a legacy script.  So Lark compiles
each grammar/NAME.lark into plain data (terminals in file order, the parse
table, the rules), cached as a marshal file keyed by the grammar's checksum and
Lark's version; later runs load the data and never import Lark.  Each
state's actions are kept as marshal bytes of their own, read when the parser
first stands in that state (States): a command visits a few dozen of ip_route's
230 states, and reading them all cost a drop-in 0.4 ms.  Only a cache
file and directory of the process's own user, writable by no one else, are
loaded (see is_trusted_directory()).  The parse
trees are the ones Lark would build (tests/test_tables.py checks it).
"""

from __future__ import annotations

import marshal
import os
import stat
# importlib.machinery.PathFinder, the finder of sys.path's directories, as the interpreter loaded it:
# importlib.util would cost the drop-in more time than reading lark's version does.
from _frozen_importlib_external import PathFinder as _PathFinder

FORMAT = 5  # 5: each state's actions marshalled on their own (States)
# Patterns used only when Lark compiles a grammar, so compiled then (re caches them), not at start-up.
_ABBREV = r'abbrev\("([^"]+)"\)'
_TERMINAL_DEF = r"(?m)^([A-Z_][A-Z_0-9]*)(?:\.-?\d+)?\s*:"


def abbrev_regex(word: str) -> str:
    """`/t(?:a(?:b(?:l(?:e)?)?)?)?/` for abbrev("table"): iproute2's matches()."""
    import re  # here and below: only where Lark compiles a grammar, not at start-up

    pattern = re.escape(word[-1])
    for char in reversed(word[:-1]):
        pattern = f"{re.escape(char)}(?:{pattern})?"
    return "/" + pattern + "/"


def expand_grammar(text: str) -> str:
    import re

    return re.sub(_ABBREV, lambda m: abbrev_regex(m.group(1)), text)


def grammar_source(name: str) -> str:
    """The text of grammar/NAME.lark as installed (os.path: pathlib costs start-up time)."""
    from .. import grammar as package

    with open(os.path.join(os.path.dirname(package.__file__), f"{name}.lark"), encoding="utf-8") as file:
        return file.read()


def compile_tables(source: str) -> dict:
    """Run Lark on the grammar; keep only what the runtime needs, as plain data."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    import re

    lark = Lark(expand_grammar(source), parser="lalr", lexer="basic")
    order = {term: i for i, term in enumerate(re.findall(_TERMINAL_DEF, source))}
    terminals = sorted((order.get(t.name, len(order)), t.name, t.pattern.to_regexp()) for t in lark.terminals)
    table = lark.parser.parser.parser.parse_table
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    states = {}
    for state, actions in table.states.items():
        # Lark hands out Token (a str subclass) for names; marshal wants str
        states[state] = marshal.dumps({str(symbol): (1, arg) if action is Shift else (0, rule_index[arg])
                                       for symbol, (action, arg) in actions.items()})
    # (origin, alias, size, splices): splices when a child is a `_rule` to inline
    rule_list = [(str(rule.origin.name), None if rule.alias is None else str(rule.alias), len(rule.expansion),
                  any(not symbol.is_term and symbol.name.startswith("_") for symbol in rule.expansion))
                 for rule in lark.rules]
    return {
        "format": FORMAT,
        "terminals": [(str(name), regex) for _, name, regex in terminals],
        "first_characters": {str(name): first_characters(regex) for _, name, regex in terminals},
        "languages": {str(name): language(regex) for _, name, regex in terminals},
        "states": states,
        "rules": rule_list,
        "start": table.start_states["start"],
        "end": table.end_states["start"],
    }


class States(dict):
    """state -> {terminal or rule name: (1, state to shift to) or (0, rule to reduce)}, each state's
    actions read from the tables' marshal bytes when first asked for (compile_tables())."""

    __slots__ = ("encoded",)

    def __init__(self, encoded: dict):
        super().__init__()
        self.encoded = encoded  # state -> marshal bytes of its actions

    def __missing__(self, state: int) -> dict:
        actions = self[state] = marshal.loads(self.encoded[state])
        return actions

    def every(self) -> dict:
        """All the states, each read (for tests and tools, not the parser)."""
        return {state: self[state] for state in self.encoded}


def language(regex: str):
    """What the runtime needs to know whether a word is this terminal, without compiling the regex
    (the drop-in's start-up): every word it matches, sorted, when there are few (keywords and their
    abbreviations); "any" for any non-empty word; ("program", NAMES) for `(?:\\S*\\/)?(?:ip|pyip)`,
    a path without blanks ending in one of the names; None otherwise (the regex is used)."""
    import re

    if regex == ANY_WORD:
        return "any"
    program = re.fullmatch(r"\(\?:\\S\*\\/\)\?(?:\(\?:([\w|]+)\)|(\w+))", regex)
    if program:
        return ("program", tuple((program.group(1) or program.group(2)).split("|")))
    parsed = re._parser.parse(regex)
    if parsed.state.flags & ~re.UNICODE:
        return None
    words = _words_of_sequence(parsed.data)
    return None if words is None else sorted(words)


ANY_WORD = r"[\s\S]+"  # a VALUE terminal that takes every non-empty word (pyip.parser.words uses it too)
LANGUAGE_LIMIT = 4096  # more words than this: the regex is cheaper than the list


def _words_of_sequence(items) -> set | None:
    words = {""}
    for op, argument in items:
        part = _words_of_item(op, argument)
        if part is None:
            return None
        words = {a + b for a in words for b in part}
        if len(words) > LANGUAGE_LIMIT:
            return None
    return words


def _words_of_item(op, argument) -> set | None:
    import re

    codes = re._parser
    if op == codes.LITERAL:
        return {chr(argument)}
    if op == codes.IN and all(kind in (codes.LITERAL, codes.RANGE) for kind, _ in argument):
        ranges = [(value, value) if kind == codes.LITERAL else value for kind, value in argument]
        if sum(high - low + 1 for low, high in ranges) > LANGUAGE_LIMIT:
            return None
        return {chr(c) for low, high in ranges for c in range(low, high + 1)}
    if op == codes.BRANCH:
        branches = [_words_of_sequence(branch) for branch in argument[1]]
        return None if None in branches else set().union(*branches)
    if op == codes.SUBPATTERN and not argument[1] and not argument[2]:
        return _words_of_sequence(argument[3])
    if op in (codes.MAX_REPEAT, codes.MIN_REPEAT) and argument[1] != codes.MAXREPEAT:
        low, high, body = argument
        once = _words_of_sequence(body)
        if once is None:
            return None
        words, repeated = (set() if low else {""}), {""}
        for count in range(1, high + 1):
            repeated = {a + b for a in repeated for b in once}
            if len(repeated) > LANGUAGE_LIMIT:
                return None
            if count >= low:
                words |= repeated
        return words
    return None


def first_characters(regex: str) -> str | None:
    """The characters a match of the regex can begin with (sorted); None when not simply known.

    Read from the regex's parse (the re module's own parser) for the few
    constructs keyword terminals are made of: literals, character sets,
    alternatives, groups and repeats.  The word lexer knows from them that
    a word no keyword can begin like is a VALUE, without running a regex.
    """
    import re

    parsed = re._parser.parse(regex)
    if parsed.state.flags & ~re.UNICODE:  # IGNORECASE and the like change what a literal matches
        return None
    first = _first_of_sequence(parsed.data)
    return None if first is None else "".join(sorted(first[0]))


def _first_of_sequence(items) -> tuple[frozenset, bool] | None:
    """(first characters, can match empty) of a sequence of regex items."""
    found: frozenset = frozenset()
    for op, argument in items:
        first = _first_of_item(op, argument)
        if first is None:
            return None
        found |= first[0]
        if not first[1]:  # this item cannot match empty: what follows cannot come first
            return found, False
    return found, True


def _first_of_item(op, argument) -> tuple[frozenset, bool] | None:
    import re

    codes = re._parser
    if op == codes.LITERAL:
        return frozenset(chr(argument)), False
    if op == codes.IN and all(kind in (codes.LITERAL, codes.RANGE) for kind, _ in argument):
        ranges = [(value, value) if kind == codes.LITERAL else value for kind, value in argument]
        if sum(high - low for low, high in ranges) > 1000:
            return None  # a set that wide is no keyword's
        return frozenset(chr(c) for low, high in ranges for c in range(low, high + 1)), False
    if op == codes.BRANCH:
        branches = [_first_of_sequence(branch) for branch in argument[1]]
        if None in branches:
            return None
        return frozenset().union(*(chars for chars, _ in branches)), any(empty for _, empty in branches)
    if op == codes.SUBPATTERN and not argument[1] and not argument[2]:  # a group without flags
        return _first_of_sequence(argument[3])
    if op in (codes.MAX_REPEAT, codes.MIN_REPEAT):
        first = _first_of_sequence(argument[2])
        return None if first is None else (first[0], first[1] or argument[0] == 0)
    return None


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pyip")


def load_tables(name: str) -> dict:
    """The compiled tables of grammar/NAME.lark, from the cache or freshly compiled."""
    source = grammar_source(name)
    key = cache_key(f"{FORMAT}\0{_lark_version()}\0{source}".encode())
    directory = cache_dir()
    path = os.path.join(directory, f"{name}-{key}.marshal")
    trusted_directory = is_trusted_directory(directory)
    if trusted_directory:
        cached = read_trusted(path)
        if cached is not None:
            return cached
    tables = compile_tables(source)
    # No directory yet: made, ours, unless it would be ours inside another user's (root under sudo -E):
    # a root-owned directory there would leave that user compiling every time.
    if trusted_directory or trusted_directory is None and is_own(os.path.dirname(directory)):
        write_atomically(path, marshal.dumps(tables))
    return tables


# The tables steer every parse, and the drop-in runs as root: a cache file that someone else could
# have written (sudo keeping the user's HOME, a shared XDG_CACHE_HOME) is not loaded, only compiled over.
UNSAFE_MODE = 0o022  # group- or other-writable


def is_trusted_directory(directory: str) -> bool | None:
    """True if only this process's user can change what is in the directory, None if it does not exist."""
    try:
        status = os.lstat(directory)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid():
        return False
    if status.st_mode & UNSAFE_MODE:  # ours, made under umask 002 by an older pyip: close it
        try:
            os.chmod(directory, stat.S_IMODE(status.st_mode) & ~UNSAFE_MODE)
        except OSError:
            return False
    return True


def is_own(path: str) -> bool:
    """The path, or its nearest existing parent, belongs to this process's user."""
    while True:
        try:
            return os.stat(path).st_uid == os.geteuid()
        except FileNotFoundError:
            parent = os.path.dirname(path)
            if parent == path:
                return False
            path = parent
        except OSError:
            return False


def read_trusted(path: str) -> dict | None:
    """The cached tables, if the file is ours, writable by no one else and not a link; else None."""
    data = read_trusted_bytes(path)
    if data is None:
        return None
    try:
        tables = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    return tables if isinstance(tables, dict) else None


def read_trusted_bytes(path: str) -> bytes | None:
    """The file's bytes, if it is ours, writable by no one else and not a link; else None
    (the tables' cache and pyip.codecache's)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        if status.st_uid != os.geteuid() or status.st_mode & UNSAFE_MODE:
            return None
        try:
            return file.read()
        except OSError:
            return None


def cache_key(data: bytes) -> str:
    """A name that changes with the data: the interpreter's own keyed SipHash of it (what hash-based
    .pyc files are checked with), not a cryptographic hash, whose library (OpenSSL behind hashlib)
    would cost every start a few milliseconds, nor zlib's checksums (loading zlib: 0.2 ms)."""
    try:
        from _imp import source_hash
    except ImportError:  # another Python
        import zlib

        return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return source_hash(CACHE_KEY_SEED, data).hex()


CACHE_KEY_SEED = 0x50594950  # any fixed number: the same data gives the same name in every process


def _lark_version() -> str:
    """Lark's version, read from its __init__.py without importing it (fast)."""
    spec = _PathFinder.find_spec("lark") or _find_spec("lark")
    if spec is None or spec.origin is None:
        return "none"
    with open(spec.origin, encoding="utf-8") as file:
        return version_in(file.read()) or "unknown"


def _find_spec(name: str):
    from importlib.util import find_spec  # sys.meta_path's other finders too: an unusual install of lark

    return find_spec(name)


def version_in(text: str) -> str | None:
    """The first `__version__ = "X"` (or `__version__: str = "X"`) value in a module's text:
    the regex `__version__\\s*(?::\\s*str)?\\s*=\\s*['"]([^'"]+)`, read without compiling it."""
    at = text.find("__version__")
    while at >= 0:
        rest = text[at + len("__version__"):].lstrip()
        if rest.startswith(":"):
            rest = rest[1:].lstrip()
            rest = rest[3:].lstrip() if rest.startswith("str") else ""
        if rest.startswith("="):
            rest = rest[1:].lstrip()
            if rest[:1] in ("'", '"'):
                ends = [i for i in (rest.find("'", 1), rest.find('"', 1)) if i >= 0]
                value = rest[1:min(ends)] if ends else rest[1:]
                if value:
                    return value
        at = text.find("__version__", at + 1)
    return None


def write_atomically(path: str, data: bytes) -> None:
    """Best effort: a read-only home just means compiling again next time."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        pass
