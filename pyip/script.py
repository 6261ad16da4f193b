"""From the shell layer's commands to the parsers' positioned words."""

from __future__ import annotations

import gc

from .ast.base import Symbol
from .errors import Location, PyipError, PyipWarning, ScriptError
from .fieldtuple import FieldTuple, field
from .parser.words import Word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (nor re, which it imports)
if TYPE_CHECKING:
    from collections.abc import Iterator


# Anything that makes the shell do more than split words: expansions,
# substitutions, redirections, pipes, groups, globs, assignments, and the
# words that open compound commands.  As a regex (tests/test_regex_free.py holds
# shell_syntax_in() to it); read without one, since `import re` costs `pyip parse -`
# more start-up time than the reading takes.
SHELL_SYNTAX = (
    r"[$`(){}<>|&*?\[\]~=!]"
    r"|^\s*(?:for|while|until|if|case|select|function|do|done|then|else|elif|fi|esac)(?:\s|$)"
    r"|;\s*(?:for|while|until|if|case|select|function|do|done|then|else|elif|fi|esac)(?:\s|$)")
_SHELL_CHARACTERS = frozenset("$`(){}<>|&*?[]~=!")
_COMPOUND_WORDS = frozenset(("for", "while", "until", "if", "case", "select", "function", "do", "done", "then",
                             "else", "elif", "fi", "esac"))


def shell_syntax_in(text: str) -> bool:
    """Does SHELL_SYNTAX (re.MULTILINE) match somewhere in TEXT?"""
    if not _SHELL_CHARACTERS.isdisjoint(text):
        return True
    if any(line.split(None, 1)[:1] and line.split(None, 1)[0] in _COMPOUND_WORDS for line in text.split("\n")):
        return True  # `^\s*WORD(\s|$)`: the first word of a line (\s* may span lines, each line is tried)
    at = text.find(";")
    while at >= 0:  # `;\s*WORD(\s|$)`: the first word after a `;`, up to a blank or the end of a line
        start = at + 1
        while start < len(text) and text[start].isspace():
            start += 1
        for word in _COMPOUND_WORDS:
            end = start + len(word)
            if text.startswith(word, start) and (end == len(text) or text[end].isspace()):
                return True
        at = text.find(";", at + 1)
    return False


_new_tuple = tuple.__new__  # a Word, Location or Entry without NamedTuple's Python-level __new__ (one a word)


class Entry(FieldTuple):
    """One command as the shell would run it, and under what conditions."""

    __slots__ = ()
    _fields = __match_args__ = ("words", "conditional", "context", "netns", "names")
    words: list[Word] = field(0)
    conditional: bool = field(1)  # in an if/case branch, a loop body that may not run, after && or ||
    context: tuple = field(2)  # the shell's notes, outermost first ("for service=ftp", ...)
    netns: str | None = field(3)  # the network namespace it runs in (`ip netns exec NS ...`, `ip -n NS ...`)
    names: tuple = field(4)  # what the script wrote into rt_tables / rt_realms before it (Databases.with_written)

    def __new__(cls, words: list[Word], conditional: bool = False, context: tuple = (), netns: str | None = None,
                names: tuple = ()):
        return tuple.__new__(cls, (words, conditional, context, netns, names))


class CommandWords(list):
    """A command's words, with what the script wrote into rt_tables / rt_realms before it (`names`),
    which the readers of names take into account (`iptables -m realm --realm lab`)."""

    __slots__ = ("names",)

    def __init__(self, words, names: tuple):
        super().__init__(words)
        self.names = names


def entry_words(entry: Entry) -> list[Word]:
    return CommandWords(entry.words, entry.names) if entry.names else entry.words


def script_commands(text: str, file: str = "-", defines: dict[str, str] | None = None, args=None
                    ) -> Iterator[list[Word] | PyipError]:
    """Each command of a shell script as words, in run order; shell syntax errors as PyipError.
    `defines`: values of variables the script computes when it runs; `args`: its arguments
    (pyip.shell.read_script)."""
    # One list made in one pass, then handed on: not a generator a level for each command (a script's
    # 10,000 commands went through three).
    yield from [entry if isinstance(entry, PyipError) else
                (CommandWords(entry.words, entry.names) if entry.names else entry.words)  # entry_words()
                for entry in _entries(text, file, defines, args)]


def script_entries(text: str, file: str = "-", defines: dict[str, str] | None = None, args=None
                   ) -> Iterator[Entry | PyipError]:
    """Each command of a shell script, in run order; shell syntax errors as PyipError."""
    yield from _entries(text, file, defines, args)


def _entries(text: str, file: str, defines: dict[str, str] | None, args) -> list[Entry | PyipError]:
    """script_entries(), as a list."""
    if is_binary(text):
        return [binary_file(file)]
    if not has_shell_syntax(text):  # then no variable is read, and defines change nothing
        simple = simple_commands(text, file)
        if simple is not None:
            plain = (False, (), None, ())  # Entry's defaults: an Entry a command, without NamedTuple's __new__
            return [_new_tuple(Entry, (words, *plain)) for words in simple]
    return read_shell(text, file, defines, args)[0]


def is_binary(text: str) -> bool:
    """A NUL byte: no shell script holds one (bash: "cannot execute binary file")."""
    return "\0" in text


class NotText(PyipError):
    """One error for the whole file, not one per line its bytes happen to break."""


def binary_file(file: str) -> PyipError:
    return NotText("not a text file (it holds NUL bytes): nothing read", Location(file, 1, 1), 1)


_OTHER_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines' breaks but \n; no regex: start-up


def has_other_line_breaks(text: str) -> bool:
    return any(brk in text for brk in _OTHER_LINE_BREAKS)


def has_shell_syntax(text: str) -> bool:
    """Conservatively: does the text use more of the shell than words and comments?

    A comment is cut off only where no quote or backslash precedes it on its
    line, since inside quotes `#` is text.
    """
    if not shell_syntax_in(text) and not has_other_line_breaks(text):
        # Cutting comments off only takes text away, so no line can match: one pass over the
        # text instead of one a line.  (Where a line may also start after \r, \f, \x85 ...,
        # str.splitlines' line breaks that `^` does not know, the lines are looked at one by one.)
        return False
    return lines_have_shell_syntax(text)


def lines_have_shell_syntax(text: str) -> bool:
    """has_shell_syntax, a line at a time."""
    for line in text.splitlines():
        comment = comment_start(line)
        if comment >= 0 and not any(c in "'\"\\" for c in line[:comment]):
            line = line[:comment]
        if shell_syntax_in(line):
            return True
    return False


def comment_start(line: str) -> int:
    """Where `(?:^|[ \t])#` first matches in LINE (the blank before the `#`, if any); -1 if nowhere."""
    at = line.find("#")
    while at >= 0:
        if at == 0:
            return 0
        if line[at - 1] in " \t":
            return at - 1
        at = line.find("#", at + 1)
    return -1


def simple_commands(text: str, file: str) -> list[list[Word]] | None:
    """A script of simple commands only runs as the plain reader splits it:
    the same words, without the shell evaluator's cost (a 100,000-line file
    of ip commands).  None when the reader balks; the shell then says why."""
    from .reader import read_commands

    try:
        commands = list(read_commands(text, file))
    except PyipError:
        return None
    return None if _needs_the_evaluator(commands) else commands


def _needs_the_evaluator(commands: list[list[Word]]) -> bool:
    """`sudo iptables ...`, `. ./functions`, `exit`: words that change what runs, which only the
    shell evaluator reads (the fast path must give what it gives)."""
    return any(words[0].text.rsplit("/", 1)[-1] in EVALUATOR_WORDS for words in commands)


# pyip.shell.SHELL_WORDS, written out: importing the shell layer costs more than a short script's
# whole parse (tests/test_shell_commands.py holds the two equal).
EVALUATOR_WORDS = frozenset({
    ".", ":", "[", "action", "alias", "bash", "break", "builtin", "command", "continue", "dash", "doas", "env",
    "eval", "exec", "exit", "getopts", "ionice", "iptables-legacy-restore", "iptables-nft-restore", "iptables-restore",
    "let", "mapfile", "nice", "nohup", "printf", "read", "readarray", "return", "set", "setsid", "sh", "shift",
    "source", "stdbuf", "sudo", "test", "time", "timeout"})


def shell_commands(text: str, file: str, defines: dict[str, str] | None = None, args=None
                   ) -> Iterator[Entry | PyipError]:
    yield from read_shell(text, file, defines, args)[0]


def read_shell(text: str, file: str, defines: dict[str, str] | None = None, args=None
               ) -> tuple[list[Entry | PyipError], frozenset]:
    """The commands of the path the script takes (shell syntax errors, and conditions the path
    depends on that only the run decides, as PyipError) and the variables the script sets."""
    from .shell import read_script

    if is_binary(text):
        return [binary_file(file)], frozenset()
    with commands_judged(), collector_paused():  # the evaluator's words and commands: many, long-lived
        script = read_script(text, file, defines, args=args)
        return shell_entries(script, file, script.commands, script.undecided), script.variables


def shell_entries(script, file: str, commands, undecided=()) -> list[Entry | PyipError]:
    """`commands` of a read script as Entries, after its errors (pyip.shell.Script)."""
    out: list[Entry | PyipError] = []
    broken_lines = set()
    for line, col, message in script.errors:
        broken_lines.add(line)
        out.append(PyipError(f"shell: {message}", Location(file, line, col), 1))
    out += [PyipWarning(f"shell: {message}", Location(file, line, col)) for line, col, message in script.warnings]
    # What bash itself reports when it runs the script: an error, but the commands stay as bash runs them.
    out += [ScriptError(f"shell: {message}", Location(file, line, col), 1) for line, col, message in script.failures]
    for line, col, message in undecided:
        out.append(ScriptError(message, Location(file, line, col), 1))
    for command in commands:
        # What the shell could not read is reported once, above, not again as a bad command.
        if not broken_lines or command.file != file or not broken_lines.intersection(range(command.line, command.end_line + 1)):
            out.append(_new_tuple(Entry, (parser_words(command.words, command.file), command.conditional,
                                          command.context, command.netns, command.names)))
    return out


def parser_words(words, file: str) -> list[Word]:
    """parser_word of each word, written out for the words whose text is known (nearly all: one
    function call less a word, and there is a word for every word of every command read)."""
    return [_new_tuple(Word, (word.text, _new_tuple(Location, (file, word.line, word.col)), None))
            if word.text is not None else parser_word(word, file) for word in words]


def parser_word(word, file: str, literal: type = None) -> Word:
    """The shell's word as the parsers' Word.  (`literal`, pyip.shell.Literal, is no longer
    needed: the shell's Word knows its text.)"""
    location = _new_tuple(Location, (file, word.line, word.col))
    text = word.text
    if text is None:
        text = str(word)
        return _new_tuple(Word, (text, location, Symbol(text)))
    return _new_tuple(Word, (text, location, None))


class collector_paused:
    """`with collector_paused():` no cyclic garbage collection during bulk work over a script
    (translate, lint).

    Reading a large script or ruleset makes objects by the hundred thousand
    that live until the work is done, and each full collection walks them
    all: a third of lint's time, a fifth of translate's.  The collector is
    back afterwards as it was; callers let the bulk go before, so that the
    collection the pause put off does not walk it either.  (A class, not
    contextlib.contextmanager: contextlib costs `pyip parse -` start-up time.)
    """

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exception) -> bool:
        if self.enabled:
            gc.enable()
        return False


def refused_by_iptables(program: str, words, written: tuple = ()) -> bool:
    """Does iptables refuse this command before it reaches the kernel (`-o` in INPUT, a bad
    option)?  Only a command whose words are all known can be judged.  `written`: what the script
    wrote into rt_realms & co before it (a realm name it defines)."""
    if program != "iptables":
        return False
    texts = tuple(word.text for word in words)
    if None in texts:
        return False
    key = (texts, written) if written else texts
    verdict = _IPTABLES_VERDICTS.get(key)
    if verdict is None:
        verdict = _IPTABLES_VERDICTS[key] = _iptables_refuses(words, written)
    return verdict


_IPTABLES_VERDICTS: dict[tuple, bool] = {}


def _iptables_refuses(words, written: tuple) -> bool:
    from .parser.iptables import parse_iptables

    try:
        parse_iptables(CommandWords((parser_word(word, "-") for word in words), written))
    except PyipError:
        return True
    return False


class RulesetSoFar:
    """What `iptables -C RULE`, `-L CHAIN` and `-S CHAIN` find where the script stands: the iptables
    commands the path ran before them, applied to the empty ruleset a translation starts from (as
    translate applies them: a command iptables refuses changes nothing).  One per path
    (pyip.shell.RULESET_MODEL); None where that is not known: a rule added on a branch that may not
    run, in another namespace, or with a value known only at run time."""

    def __init__(self):
        from .ruleset import Ruleset

        self.ruleset = Ruleset()
        self.applied = 0  # commands of the path taken in so far
        self.unsure = False

    def status(self, commands: list, words, written: tuple = ()) -> int | None:
        for command in commands[self.applied:]:
            self.take(command)
        self.applied = len(commands)
        query = None if self.unsure else self.parsed(words, written)
        if query is None:
            return None
        try:
            self.ruleset.apply(query)
        except PyipError:
            return 1
        return 0

    def take(self, command) -> None:
        if self.unsure or command.program != "iptables":
            return
        if command.conditional or command.netns is not None:
            self.unsure = True
            return
        parsed = self.parsed(command.words, command.names)
        if parsed is None:
            return  # iptables refuses it: nothing changes
        try:
            self.ruleset.apply(parsed)
        except PyipError:
            pass

    def parsed(self, words, written: tuple):
        from .parser.iptables import parse_iptables

        if any(word.text is None for word in words):
            self.unsure = True  # `-s $NET`: which rule it is, is known only at run time
            return None
        try:
            return parse_iptables(CommandWords((parser_word(word, "-") for word in words), written))
        except PyipError:
            return None


def commands_judged():
    """Read scripts knowing which commands iptables itself refuses (pyip.shell.COMMAND_JUDGE), and
    what iptables' queries find in the ruleset the script built so far (pyip.shell.RULESET_MODEL)."""
    from .shell import COMMAND_JUDGE, RULESET_MODEL

    import contextlib  # lint's, not at start-up

    @contextlib.contextmanager
    def judged():
        token = COMMAND_JUDGE.set(refused_by_iptables)
        model = RULESET_MODEL.set(RulesetSoFar)
        try:
            yield
        finally:
            RULESET_MODEL.reset(model)
            COMMAND_JUDGE.reset(token)

    return judged()

