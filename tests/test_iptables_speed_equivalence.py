"""The iptables pipeline's fast paths give exactly what the plain ones give.

- Commands of a known shape (pyip.parser.getopt.Shapes: the readers replayed
  on the trees the grammar made for an earlier command, without getopt or
  the grammar) against the full path (getopt, the LALR automaton, the
  readers as each option is reduced): the same command, every field of it,
  or the same error at the same place with the same status.  Over the sample
  commands of the iptables tests, the corpus, the ruleset tests' scripts,
  random scripts, and generated commands (hypothesis), in both dialects, with
  a trie that is learning and one that replays.
- Whole translations (nft, nft JSON, iptables-restore) of scripts and save
  files with the fast paths and with the full path only.
- The restore reader's word splitting, and the ruleset's undo of a refused
  command (a journal, no longer a copy of the tables).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyip.compat import legacy
from pyip.errors import Location, PyipError, escape, printable
from pyip.parser import getopt, iptables, templates
from pyip.parser.iptables import is_iptables_command, parse_iptables, parse_new_shape
from pyip.parser import restore
from pyip.parser.restore import TABLE_OPTION, add_line_words, table_word, split_line, split_quoted, split_whole_quotes
from pyip.parser.words import Word
from pyip.ast.base import Symbol
from pyip.render.iptables_save import Text, restore_file, save_word, saved_line
from pyip.ruleset import Ruleset
from pyip.script import script_commands
from pyip.translators.pipeline import to_iptables_restore
from pyip.translators.pipeline import to_nft

from .test_iptables_parse import sample_commands
from .test_ruleset import SCRIPTS, random_script


def outcome(parse, words: list[Word], dialect: str):
    """Everything a parse gives: the command (repr shows every field, location and notes included), or the
    error's class, message, status and place."""
    try:
        command = parse(words, dialect)
    except PyipError as error:
        return ("error", type(error).__name__, error.message, error.exit_status, tuple(error.location), str(error))
    return ("command", repr(command), str(command))


def full_path(words: list[Word], dialect: str):
    """getopt and the grammar, always: a trie of its own that has learnt nothing."""
    return parse_new_shape(words, dialect, words[-1].location if words else Location(), getopt.Shapes())


@pytest.fixture
def fresh_shapes(monkeypatch):
    """parse_iptables() with tries that know no shape yet."""
    shapes = {dialect: getopt.Shapes() for dialect in legacy.DIALECTS}
    monkeypatch.setattr(iptables, "SHAPES", shapes)
    return shapes


@pytest.fixture
def full_path_only(monkeypatch):
    """parse_iptables() as it was: no shape is ever known."""
    monkeypatch.setattr(getopt.Shapes, "plan", lambda self, words: None)
    monkeypatch.setattr(getopt.Shapes, "learn", lambda self, *args: None)


def command_words(text: str) -> list[list[Word]]:
    return [words for words in script_commands(text, "t.sh")
            if not isinstance(words, PyipError) and is_iptables_command(words)]


def corpus_texts(corpus) -> list[str]:
    return [path.read_text(encoding="utf-8", errors="surrogateescape") for path in sorted(corpus.glob("*/*"))]


def all_commands(corpus) -> list[list[Word]]:
    texts = ["\n".join(sample_commands()), *SCRIPTS.values(), *corpus_texts(corpus)]
    texts += ["\n".join(random_script(seed, 120)) for seed in range(8)]
    return [words for text in texts for words in command_words(text)]


def assert_same_as_full_path(commands: list[list[Word]], shapes: dict) -> int:
    """Each command through parse_iptables() equals the full path; returns how many took a known shape."""
    replayed = 0
    for dialect in legacy.DIALECTS:
        for words in commands:
            replayed += shapes[dialect].plan(words) is not None
            assert outcome(parse_iptables, words, dialect) == outcome(full_path, words, dialect), \
                " ".join(word.text for word in words)
    return replayed


def test_known_shapes_parse_as_the_full_path(corpus, fresh_shapes):
    commands = all_commands(corpus)
    assert assert_same_as_full_path(commands, fresh_shapes) > len(commands) // 3  # learning, some replays
    assert assert_same_as_full_path(commands, fresh_shapes) > len(commands)  # warm: every learnt shape replays


def test_known_shapes_with_other_values(fresh_shapes):
    """A shape learnt from one command, replayed on commands whose values differ, bad values included."""
    base = "iptables -A {chain} -s {addr} -i {iface} -p tcp -m state --state {state} -m tcp --dport {port} -j ACCEPT"
    values = {"chain": ["INPUT", "OUTPUT", "x" * 29, "-x", "!"], "addr": ["10.0.0.1/32", "1.2.3.400", "", "!", "a b"],
              "iface": ["eth0", "+", "", "1234567890123456", "eth0/1"], "state": ["NEW", "new,bogus", "", "!"],
              "port": ["22", "70000", "ssh", "1:2:3", "!", "-5"]}
    rng = random.Random(5)
    commands = [base.format(**{key: repr(rng.choice(options)) for key, options in values.items()})
                for _ in range(400)]
    words = [w for command in commands for w in command_words(command)]
    assert assert_same_as_full_path(words, fresh_shapes) > len(words)


def test_one_shape_serves_every_user_chain(fresh_shapes):
    """-j's value is matched by text only when it loads a target: a shape learnt with one user chain
    replays for the others (and for ACCEPT), never for a target extension or `!`."""
    template = "iptables -A INPUT -s 10.0.0.1 -j {}"
    chains = ["svc0", "svc1", "ACCEPT", "web-in", "x" * 29, "-x", "LOGX", "log", "ULOGX", "a b", ""]
    targets = ["LOG", "REJECT", "MASQUERADE", "CT", "SET", "!"]  # SET: pyip reads it since ca7efe0
    shapes = fresh_shapes[legacy.MODERN]
    for name in chains + targets:
        [words] = command_words(template.format(repr(name)))
        assert (shapes.plan(words) is not None) == (name in chains[1:]), name
        assert outcome(parse_iptables, words, legacy.MODERN) == outcome(full_path, words, legacy.MODERN), name
    for name in targets:
        [words] = command_words(template.format(repr(name)))
        assert outcome(parse_iptables, words, legacy.MODERN) == outcome(full_path, words, legacy.MODERN), name


OPTIONS = ["-A {chain}", "-I {chain}", "-I {chain} {num}", "-D {chain} {num}", "-R {chain} {num}", "-N {chain}",
           "-P {chain} {word}", "-s {addr}", "! -s {addr}", "-s ! {addr}", "-d {addr}", "-p {proto}", "-p ! {proto}",
           "-i {word}", "! -o {word}", "-m {match}", "--state {word}", "--dport {word}", "! --sport {word}",
           "--dport ! {word}", "--syn", "--tcp-flags {word} {word}", "-m multiport --dports {word}",
           "-m limit --limit {word}", "-j {target}", "-g {chain}", "-j LOG --log-prefix {word}",
           "-j REJECT --reject-with {word}", "-t {table}", "-c {num} {num}", "-w", "-n", "-v", "-f", "!", "--",
           "{word}", "-L", "-F {chain}", "-X", "-Z {chain} {num}", "-j DNAT --to-destination {word}",
           "--dport={word}", "-vn", "-AINPUT"]
VALUES = {
    "chain": ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING", "web", "-x", "!", "ACCEPT", ""],
    "num": ["1", "2", "0", "x", "-1", "!"],
    "addr": ["10.0.0.1", "10.0.0.0/8", "1.2.3.4,5.6.7.8", "0/0", "localhost", "1.2.3.400", "", "!", "-s"],
    "proto": ["tcp", "udp", "icmp", "all", "0", "TCP", "foo", "!"],
    "match": ["state", "tcp", "udp", "limit", "multiport", "mac", "nosuch", "connlimit", "!"],
    "target": ["ACCEPT", "DROP", "RETURN", "LOG", "REJECT", "MASQUERADE", "DNAT", "web", "CT", "!", "", "svc1",
               "LO", "log", "LOGX", "SET", "x" * 29, "-x", "a b", "--log-prefix"],
    "table": ["filter", "nat", "mangle", "raw", "foo", "!"],
    "word": ["NEW", "ESTABLISHED,RELATED", "22", "ssh", "1024:65535", "eth0", "eth+", "+", "SYN,ACK", "SYN", "ALL",
             "1/s", "5/minute", "x", "", "!", "-", "--", "-n", "--dport", "1.2.3.4:80", "tcp-reset", "a b", "0x10"],
}


@st.composite
def generated_command(draw) -> str:
    parts = draw(st.lists(st.sampled_from(OPTIONS), min_size=0, max_size=7))
    words = ["iptables"]
    for part in parts:
        for piece in part.split():
            if piece.startswith("{"):
                words.append(draw(st.sampled_from(VALUES[piece.strip("{}")])))
            elif "{" in piece:
                words.append(piece.split("{")[0] + draw(st.sampled_from(VALUES["word"])))
            else:
                words.append(piece)
    return " ".join(repr(word) for word in words)


# One trie per dialect for all examples: later examples meet shapes earlier ones taught it.
LEARNING = {dialect: getopt.Shapes() for dialect in legacy.DIALECTS}


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(generated_command(), st.sampled_from(legacy.DIALECTS))
def test_generated_commands_parse_as_the_full_path(monkeypatch_module, command, dialect):
    for words in command_words(command):
        assert outcome(parse_iptables, words, dialect) == outcome(full_path, words, dialect), command
        assert outcome(parse_iptables, words, dialect) == outcome(full_path, words, dialect), command


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(iptables, "SHAPES", LEARNING)
        yield patch


def save_file(corpus) -> str:
    """An iptables-save file of the sample rules, in every table, with good and bad lines."""
    lines = []
    rng = random.Random(3)
    rules = [command.split(None, 1)[1] for command in sample_commands() if " -A " in f" {command} "]
    for table in ("filter", "nat", "mangle", "raw"):
        lines += [f"*{table}", ":INPUT DROP [0:0]", ":mychain - [0:0]", ":web - [0:0]"]
        lines += [rule for rule in rules if rng.random() < 0.6]
        lines += ['-A INPUT -m comment --comment "a \\"quoted\\" b" -j ACCEPT', "COMMIT"]
    lines += [f"-A INPUT -s 10.0.{n // 256}.{n % 256} -p tcp --dport {n} -j ACCEPT" for n in range(300)]
    return "\n".join(["*filter", *lines[-300:], "COMMIT", *lines[:-300]]) + "\n"


def translations(corpus) -> dict:
    texts = {"save": save_file(corpus), **SCRIPTS, "random": "\n".join(random_script(1, 200))}
    texts.update({f"corpus{n}": text for n, text in enumerate(corpus_texts(corpus))})
    out = {}
    for name, text in texts.items():
        for dialect in legacy.DIALECTS:
            out[name, dialect, "nft"] = to_nft(text, "t", dialect)
            out[name, dialect, "json"] = to_nft(text, "t", dialect, as_json=True)
            out[name, dialect, "restore"] = to_iptables_restore(text, "t", dialect)
    return {key: (output, [(type(p).__name__, str(p), p.exit_status) for p in problems])
            for key, (output, problems) in out.items()}


def test_translations_are_the_full_paths(corpus, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(iptables, "SHAPES", {dialect: getopt.Shapes() for dialect in legacy.DIALECTS})
        fast = translations(corpus)
    with monkeypatch.context() as patch:
        patch.setattr(getopt.Shapes, "plan", lambda self, words: None)
        patch.setattr(getopt.Shapes, "learn", lambda self, *args: None)
        full = translations(corpus)
    assert fast == full


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=' \t\n\r\x0b"\\ab-!', max_size=30))
def test_restore_lines_split_as_the_character_loop_splits(line):
    """split_line()'s shortcuts (blanks only; regular expressions for quotes) against add_param_to_argv()'s loop."""
    assert split_line(line) == split_quoted(line)


@st.composite
def quoted_save_line(draw) -> str:
    """A line like iptables-save's with quoted words, and now and then what breaks the shortcut (a quote
    inside a word, two quoted strings side by side, an escape, a tab, an unterminated quote)."""
    word = st.text(alphabet='ab -"\\\t!', max_size=6)
    pieces = draw(st.lists(st.tuples(word, st.booleans()), max_size=8))
    words = [f'"{text}"' if quoted else text for text, quoted in pieces]
    return draw(st.sampled_from([" ", "  "])).join(words) + draw(st.sampled_from(["", " ", '"', "\\"]))


@settings(max_examples=3000, deadline=None)
@given(quoted_save_line())
def test_quoted_save_lines_split_as_the_character_loop_splits(line):
    assert split_line(line) == split_quoted(line)
    if split_whole_quotes(line) is not None:
        assert split_whole_quotes(line) == split_quoted(line)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(quoted_save_line(), st.text(alphabet=' \t\n\r\x0b"\\ab-!', max_size=30)))
def test_whole_quotes_texts_are_the_words_of_split_whole_quotes(line):
    placed = split_whole_quotes(line)
    assert restore.whole_quotes_texts(line) == (None if placed is None else [text for text, _ in placed])


def test_the_quoted_shortcut_takes_iptables_save_lines():
    line = '-A INPUT -m comment --comment "rule 5" -j LOG --log-prefix "in: " -m comment --comment ""'
    assert split_whole_quotes(line) == split_quoted(line)
    assert split_whole_quotes('-A INPUT -m comment --comment "a \\"b\\"" -j ACCEPT') is None


@pytest.mark.parametrize("seed", range(6))
def test_a_refused_command_leaves_the_ruleset_as_it_was(seed):
    ruleset = Ruleset()
    refused = 0
    for words in command_words("\n".join(random_script(seed, 150))):
        try:
            command = parse_iptables(words)
        except PyipError:
            continue
        before = restore_file(ruleset), {name: list(table.chains) for name, table in ruleset.tables.items()}
        try:
            ruleset.apply(command)
        except PyipError:
            refused += 1
            after = restore_file(ruleset), {name: list(table.chains) for name, table in ruleset.tables.items()}
            assert after == before, str(command)
    assert refused > 5


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=' \t\n\r\x0b"\\ab-!', max_size=30))
def test_restore_words_are_split_lines_words(line):
    words: list = []
    add_line_words(words, line, "f.rules", 7)
    assert words == [Word(text, Location("f.rules", 7, col)) for text, col in split_quoted(line)]
    assert all(type(word) is Word and type(word.location) is Location for word in words)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(alphabet=' \t\n\r\x0b"\\ab-!', max_size=30), quoted_save_line()))
def test_placed_words_are_rule_lines_words(line):
    """A template's words (their texts, and their places found when asked) are those rule_line() gives the
    full path."""
    words = [Word("iptables", Location("f.rules", 7, 1)), TABLE_OPTION, table_word("nat")]
    add_line_words(words, line, "f.rules", 7)
    placed: list = []
    monkeypatched = restore.parse_templated
    try:
        restore.parse_templated = lambda texts, locate: placed.append((texts, locate))
        restore.templated_line("nat", line, "f.rules", 7)
    finally:
        restore.parse_templated = monkeypatched
    if placed:  # lines the shortcut takes
        [(texts, locate)] = placed
        assert texts == [word.text for word in words]
        locations = [locate(index) for index in reversed(range(len(words)))][::-1]
        assert locations == [word.location for word in words]
        assert all(type(location) is Location for location in locations)
    else:
        assert '"' in line or "\t" in line or "\n" in line or "" in line.split(" ")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from("\t\n\x7f\udcff\u200b ab"))))
def test_printable_shortcut_is_the_character_loop(text):
    """printable() returns a text with nothing to escape as it is: the same as escaping each character."""
    assert printable(text) == "".join(c if c.isprintable() or c == "\t" else escape(c) for c in text)


def icmp_outcome(parse, text: str):
    try:
        return ("type", parse(text))
    except PyipError as error:
        return ("error", error.message, error.exit_status)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.sampled_from(["echo-request", "e", "ECHO", "8", "3/4", "3/300", "300", "any", "ping", "r", "",
                                  "bogus", "Bogus", "BOGUS"]),
                 st.text(alphabet="0123456789/xaeErp-", max_size=8)))
def test_remembered_icmp_types_are_what_reading_gives(text):
    """parse_icmp_type() remembers what it read: asked again, the same type, or the same error raised anew."""
    from pyip.extensions.icmp import parse_icmp_type

    first, again = icmp_outcome(parse_icmp_type, text), icmp_outcome(parse_icmp_type, text)
    assert first == again == icmp_outcome(parse_icmp_type.__wrapped__, text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=5), st.integers(), st.builds(Text, st.text(max_size=5)),
                          st.builds(Text, st.text(max_size=5), st.sampled_from(["string", "quoted"])),
                          st.builds(Symbol, st.sampled_from(["$A", "${B}"]))), max_size=6))
def test_saved_lines_are_their_words_saved(words):
    """saved_line()'s shortcut (a plain str is its own text) against save_word() on every word."""
    assert saved_line(words) == " ".join(save_word(word) for word in words)


# Rule templates (pyip.parser.templates): rules of one shape and the same fixed words, made from the first.
TEMPLATED = [
    "iptables -t {table} -A {chain} {not_s}-s {addr} -i eth0 -p tcp -m state --state {state} -m tcp {not_port}--dport {port} "
    "-m comment --comment {comment} -j ACCEPT",
    "iptables -A web-in -s {addr} -i eth0 -p tcp -m multiport --dports {ports} -m comment --comment {comment} -j {chain}",
    "iptables -I dns-fwd {not_s}-d {addr} -i eth1 -o eth0 -p udp -m udp --dport {port} -j ACCEPT",
    "iptables -R INPUT 2 -s {addr} -d {addr} -p tcp --sport {port} -j LOG --log-prefix {comment} --log-level {level}",
    "iptables -A OUTPUT -d {addr} -o eth0 -p icmp -m icmp --icmp-type {icmp} -m comment --comment {comment} -j ACCEPT",
    "iptables -t nat -A PREROUTING -i eth0 -p tcp --dport {port} -j DNAT --to-destination {addr}",
    "iptables -A INPUT -s {addr} -m limit --limit {limit} -j REJECT --reject-with {reject}",
]
TEMPLATE_VALUES = {
    "table": ["filter", "filter", "mangle", "nat", "nosuch"], "chain": ["INPUT", "INPUT", "FORWARD", "web", "x" * 29],
    "not_s": ["", "", "! "], "not_port": ["", "", "! "],
    "addr": ["10.0.0.1/32", "10.1.2.3", "10.0.0.0/8", "0/0", "0.0.0.0/0", "1.2.3.400", "10.0.0.1,10.0.0.2", "",
             "10.0.0.1/33", "192.168.1.10:80", "1.2.3.4-1.2.3.9"],
    "state": ["NEW", "NEW", "ESTABLISHED,RELATED", "new,bogus", ""],
    "port": ["22", "53", "1024", "65535", "70000", "ssh", "1:2:3", "-5", "1024:65535", "", "0x10"],
    "ports": ["80,443", "80,443", "22", "1:1024,3000", ",".join(map(str, range(1, 17))), "80,,443", "http,https"],
    "comment": ['"rule 1"', '"rule 2"', "blocked-3", '"x"', repr("y" * 256), repr("z" * 300), '""', repr('a"b')],
    "level": ["4", "warning", "9", "debug"], "icmp": ["8", "echo-request", "0", "300", "any", "3/4", "3/300"],
    "limit": ["5/min", "5/minute", "1/s", "0/s", "x"], "reject": ["icmp-port-unreachable", "tcp-reset", "bogus"],
}


def templated_commands(seed: int, count: int) -> list[list[Word]]:
    rng = random.Random(seed)
    texts = [rng.choice(TEMPLATED).format_map({key: rng.choice(options) for key, options in TEMPLATE_VALUES.items()})
             for _ in range(count)]
    return [words for text in texts for words in command_words(text)]


@pytest.fixture
def built(monkeypatch) -> list:
    """For each template asked to build a command: whether it did (else the full path read the command)."""
    made = []
    build = templates.Template.build

    def counting(self, texts, locate):
        command = build(self, texts, locate)
        made.append(command is not None)
        return command

    monkeypatch.setattr(templates.Template, "build", counting)
    return made


@pytest.mark.parametrize("seed", range(3))
def test_rule_templates_build_as_the_full_path(fresh_shapes, built, seed):
    """Commands of a few shapes whose free values (addresses, extension options) vary, bad ones included,
    and some fixed words too (table, chain, `!`): each is what the full path gives, every field and
    location, or the same error; most of them were made from a template."""
    commands = templated_commands(seed, 1500)
    for words in commands:
        assert outcome(parse_iptables, words, legacy.MODERN) == outcome(full_path, words, legacy.MODERN), \
            " ".join(word.text for word in words)
    assert sum(built) > 200, (sum(built), len(built))  # templates served
    assert built.count(False) > 20  # and values they could not take went the full path


def quoted(text: str) -> str:
    """A word as iptables-save writes it: in double quotes (`\\` escaping) when it has blanks or is empty."""
    if text and not any(char in text for char in ' "\\'):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_templates_and_the_full_path_translate_a_save_file_alike(monkeypatch):
    """The benchmark's kind of save file, with bad lines among the good: nft and restore output and the errors."""
    lines = ["*filter", ":ssh-in - [0:0]", ":web-in - [0:0]"]
    for words in templated_commands(7, 600):
        text = " ".join(quoted(word.text) for word in words[1:])
        if text.startswith(("-A", "-I")) and " -t " not in f" {text}":
            lines.append(text)
    text = "\n".join([*lines, "COMMIT"]) + "\n"

    def results():
        return [to_nft(text, "t"), to_iptables_restore(text, "t")]

    with monkeypatch.context() as patch:
        patch.setattr(iptables, "SHAPES", {dialect: getopt.Shapes() for dialect in legacy.DIALECTS})
        fast = [(output, [str(p) for p in problems]) for output, problems in results()]
    with monkeypatch.context() as patch:
        patch.setattr(getopt.Shapes, "plan", lambda self, words: None)
        full = [(output, [str(p) for p in problems]) for output, problems in results()]
    assert fast == full
    assert fast[0][0].count("\n") > 300 and len(fast[0][1]) > 20  # rules, and errors


def test_caches_by_chain_name_are_bounded():
    """A long-running process meets ever new -j names (user chains): the caches keyed by them stay bounded."""
    from pyip import extensions

    for n in range(getopt.NAME_CACHE_SIZE + 500):
        [words] = command_words(f"iptables -A INPUT -j chain{n}")
        parse_iptables(words)
        extensions.parser("target", f"chain{n}")
    for cache in (getopt.names_target, extensions.extension_module, extensions.parser):
        assert cache.cache_info().currsize <= getopt.NAME_CACHE_SIZE, cache
    assert getopt.names_target.cache_info().currsize == getopt.NAME_CACHE_SIZE


def test_a_save_file_is_translated_without_the_shell(tmp_path):
    """-P's callback imports the shell only when -P is given (80 ms of a save file's translation); a -P of an
    earlier command in the same process is forgotten by the next one without it."""
    import subprocess
    import sys

    rules = tmp_path / "fw.rules"
    rules.write_text("*filter\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n")
    probe = ("import sys, pyip.cli\nsys.argv = ['pyip', 'translate', '--to', 'nft', sys.argv[1]]\n"
             "try:\n    pyip.cli.main()\nexcept SystemExit:\n    pass\nprint('pyip.shell' in sys.modules, file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(rules)], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "False" and "ip filter" in result.stdout

    from click.testing import CliRunner

    from pyip import shell
    from pyip.cli.group import cli

    assert CliRunner().invoke(cli, ["translate", "--to", "nft", "-P", str(tmp_path), str(rules)]).exit_code == 0
    assert shell.SOURCE_PATH.get() == (str(tmp_path),)
    assert CliRunner().invoke(cli, ["translate", "--to", "nft", str(rules)]).exit_code == 0
    assert shell.SOURCE_PATH.get() == ()


def test_templates_are_bounded_per_trie(fresh_shapes, monkeypatch):
    """A long-running process meets ever new fixed words (chains, interfaces): a trie keeps at most
    MAX_TEMPLATES templates, all its plans together, and the commands past it still parse as the full path."""
    monkeypatch.setattr(templates, "MAX_TEMPLATES", 40)
    commands = [words for n in range(60) for shape in ("-A c{n} -s 10.0.0.{n} -j ACCEPT", "-I c{n} -p tcp --dport {n} -j DROP")
                for words in command_words("iptables " + shape.format(n=n)) * 2]
    for words in commands:
        assert outcome(parse_iptables, words, legacy.MODERN) == outcome(full_path, words, legacy.MODERN)
    memory = fresh_shapes[legacy.MODERN].memory
    learnt = sum(len(plan.by_key) for key, plan in memory.items() if not isinstance(key, str))
    assert learnt == memory[templates.LEARNT] == 40


def test_a_template_is_learnt_the_second_time_its_key_is_met(fresh_shapes, monkeypatch):
    """Rules of user chains name their chain, a fixed word: most keys are met once, and learning a template
    costs more than reading the rule.  A key met once is only noted (at most MAX_NOTED per trie)."""
    monkeypatch.setattr(templates, "MAX_NOTED", 30)
    once = [command_words(f"iptables -A c{n} -s 10.0.0.{n} -j ACCEPT")[0] for n in range(50)]
    twice = [command_words(f"iptables -A d{n} -s 10.1.0.{n} -j ACCEPT")[0] for n in range(3)] * 2
    for words in once + twice:
        assert outcome(parse_iptables, words, legacy.MODERN) == outcome(full_path, words, legacy.MODERN)
    memory = fresh_shapes[legacy.MODERN].memory
    assert memory[templates.NOTED] == 30  # the first 30 keys; past the bound, none noted
    assert memory.get(templates.LEARNT, 0) == 0  # d0..d2 were met past the bound: never noted, never learnt
    monkeypatch.setattr(templates, "MAX_NOTED", 1000)
    for words in twice:
        parse_iptables(words, legacy.MODERN)
    assert memory[templates.LEARNT] == 3  # met twice now that there is room: learnt


def test_every_peer_rule_reads_through_templates_as_the_full_path(fresh_shapes, built):
    """Every rule of iptables' own .t suite (each extension with its options, FAIL rules too), twice in one
    trie: within a file rules of one shape with other values, then again with the same values, are read
    through the template and replay paths; each equals the full path, every field and location, or the same
    error.  The templates rely on extensions seeing nothing of a command but their own options (and
    protocol_now()): an extension that reads more would differ here."""
    from .peer_iptables import TCase, t_files, t_steps

    cases = [step for path in t_files() for step in t_steps(path) if isinstance(step, TCase)]
    commands = [command_words(case.command) for case in cases]
    assert sum(len(words) == 1 for words in commands) > 0.98 * len(cases)  # the shell reads them as one command
    commands = [words[0] for words in commands if len(words) == 1]
    for words in commands + commands:
        assert outcome(parse_iptables, words, legacy.MODERN) == outcome(full_path, words, legacy.MODERN), \
            " ".join(word.text for word in words)
    assert len(cases) > 1900 and sum(built) > 200, (len(cases), sum(built))


# -- save files read through the rule templates (pyip.parser.restore.templated_line) -----------------------


def restore_outcomes(text: str) -> list:
    """Everything restore_commands() gives for a save file: each command (every field, locations and notes
    included) or each error (class, message, status, place)."""
    out = []
    for item in restore.restore_commands(text, "t.rules"):
        if isinstance(item, PyipError):
            out.append(("error", type(item).__name__, item.message, item.exit_status, tuple(item.location), str(item)))
        else:
            out.append(("command", repr(item), str(item)))
    return out


def full_restore_outcomes(text: str) -> list:
    """restore_outcomes() with every command through getopt and the grammar: no shape, no template."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(getopt.Shapes, "plan", lambda self, words: None)
        patch.setattr(getopt.Shapes, "plan_texts", lambda self, texts: None)
        patch.setattr(getopt.Shapes, "learn", lambda self, *args: None)
        return restore_outcomes(text)


def save_line(texts: list[str]) -> str:
    return " ".join(quoted(text) for text in texts)


def peer_save_file() -> str:
    """Every rule of iptables' .t suite as save-file lines, by table, each table's lines four times over (the
    first time teaches the shape, the second notes the key, the third learns its template: the fourth time
    at least, each rule that can be is made from a template)."""
    from .peer_iptables import TCase, t_files, t_steps

    by_table: dict = {}
    for step in (step for path in t_files() for step in t_steps(path) if isinstance(step, TCase)):
        commands = command_words(step.command)
        if len(commands) == 1 and [word.text for word in commands[0][1:3]] == ["-t", step.table]:
            by_table.setdefault(step.table, []).append(save_line([word.text for word in commands[0][3:]]))
    return "".join(f"*{table}\n" + "\n".join(lines * 4) + "\nCOMMIT\n" for table, lines in by_table.items())


def test_every_peer_rule_as_a_save_line_reads_as_the_full_path(fresh_shapes, built):
    """The .t suite's rules (every extension, FAIL rules too) as an iptables-save file: each line made from its
    template (values taken by the address reader, the remembered nodes, the direct constructors) equals what
    getopt and the grammar give it, every field and place, or the same error."""
    text = peer_save_file()
    assert restore_outcomes(text) == full_restore_outcomes(text)
    assert text.count("\n") > 8000 and sum(built) > 900, sum(built)  # FAIL rules and notes take the full path


def test_the_benchmark_save_file_reads_as_the_full_path(fresh_shapes, built):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    try:
        from translate_nft import save_file as benchmark_save_file
    finally:
        sys.path.pop(0)
    text = benchmark_save_file(3000)
    assert restore_outcomes(text) == full_restore_outcomes(text)
    assert sum(built) > 2900


SAVE_SHAPES = [
    "-A {chain} {not_s}-s {addr} -i eth0 -p tcp -m state --state {state} -m tcp {not_port}--dport {port} "
    "-m comment --comment {comment} -j ACCEPT",
    "-A web-in -s {addr} -i eth0 -p tcp -m multiport --dports {ports} -m comment --comment {comment} -j {chain}",
    "-I dns-fwd {not_s}-d {addr} -i eth1 -o eth0 -p udp -m udp --dport {port} -j ACCEPT",
    "-A OUTPUT -d {addr} -o eth0 -p icmp -m icmp --icmp-type {icmp} -m comment --comment {comment} -j ACCEPT",
    "-A INPUT -s {addr} -m comment --comment {comment} -m comment --comment {comment} -j LOG --log-prefix {comment}",
    "-m comment --comment {comment} -A INPUT -s {addr} -j DROP",
    "-A INPUT {not_c}-m comment --comment {comment} -j REJECT --reject-with {reject}",
]
SAVE_VALUES = {**TEMPLATE_VALUES, "not_c": ["", "", "! "],
               "comment": TEMPLATE_VALUES["comment"] + ['"a \\"b\\" c"', '" spaced  out "', '"tab\there"', '"',
                                                        '"x"y', 'x"y"', '""""', "-", "!"]}
BLANKS = ["", "", "", " ", "  ", "\t"]


@st.composite
def generated_save_file(draw) -> str:
    """A save file of rules of a few shapes, with values good and bad (quotes, escapes, blanks, long and empty
    comments), lines repeated (a template is learnt from a key's second line), blanks now and then doubled."""
    lines = ["*" + draw(st.sampled_from(["filter", "filter", "nat", "mangle"]))]
    for _ in range(draw(st.integers(1, 12))):
        values = {key: draw(st.sampled_from(options)) for key, options in SAVE_VALUES.items()}
        values["comment"] = draw(st.one_of(st.sampled_from(SAVE_VALUES["comment"]),
                                           st.text(alphabet='ab "\\\t-!\u00e9', max_size=8).map(quoted)))
        line = draw(st.sampled_from(SAVE_SHAPES)).format(**values)
        if draw(st.integers(0, 5)) == 0:
            line = draw(st.sampled_from(BLANKS)) + line.replace(" -", draw(st.sampled_from(BLANKS)) + " -", 1)
        lines += [line] * draw(st.integers(1, 3))
    return "\n".join([*lines, "COMMIT"]) + "\n"


SAVE_LEARNING = {dialect: getopt.Shapes() for dialect in legacy.DIALECTS}  # one trie for all examples


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(generated_save_file())
def test_generated_save_files_read_as_the_full_path(text):
    """Generated save files read through the templates (a trie that learns across examples) and through the
    full path (templates off): the same commands, every field and place, and the same errors."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(iptables, "SHAPES", SAVE_LEARNING)
        fast = restore_outcomes(text)
    assert fast == full_restore_outcomes(text)


def test_save_files_of_those_shapes_are_made_from_templates(fresh_shapes, built):
    """Lines of those shapes and values, chosen at random: most are made from a template (the test above
    would pass without them), and they read as the full path."""
    rng = random.Random(11)
    lines = ["*filter"]
    for _ in range(1500):
        values = {key: rng.choice(options) for key, options in SAVE_VALUES.items()}
        lines.append(rng.choice(SAVE_SHAPES).format(**values))
    text = "\n".join([*lines, "COMMIT"]) + "\n"
    assert restore_outcomes(text) == full_restore_outcomes(text)
    assert sum(built) > 300 and built.count(False) > 20, (sum(built), len(built))


# -- the shortcuts a template's build takes: records made without __init__, the one-address reader, direct nodes


def attrs_records(value) -> list:
    """The attrs instances in a parsed command: the command, its rule, tests, addresses, nodes."""
    import attrs

    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack += item
        elif attrs.has(type(item)):
            found.append(item)
            stack += [getattr(item, field.name) for field in attrs.fields(type(item))]
    return found


def test_slot_made_records_are_what_init_makes():
    """slot_maker(cls)(*fields) for every record of every sample and .t suite command (the rule commands, Rule,
    Test, Address, each extension's nodes): the same class, every field (eq=False ones too) the same object."""
    import attrs

    from pyip.parser.slots import slot_maker

    from .peer_iptables import TCase, t_files, t_steps

    texts = [*sample_commands(), *(step.command for path in t_files() for step in t_steps(path)
                                   if isinstance(step, TCase))]
    seen: set = set()
    for words in command_words("\n".join(texts)):
        try:
            command = full_path(words, legacy.MODERN)
        except PyipError:
            continue
        for record in attrs_records(command):
            names = [field.name for field in attrs.fields(type(record))]
            made = slot_maker(type(record))(*[getattr(record, name) for name in names])
            assert type(made) is type(record) and made == record and repr(made) == repr(record)
            assert all(getattr(made, name) is getattr(record, name) for name in names), record
            seen.add(type(record).__name__)
    assert {"Append", "Insert", "Rule", "Test", "Address", "CommentMatch", "TcpMatch"} <= seen and len(seen) > 60


def address_outcome(parse, text: str):
    try:
        addresses = parse(text)
    except PyipError as error:
        return ("error", error.message, error.exit_status)
    return ("addresses", repr(addresses), [type(address.address) for address in addresses if hasattr(address, "address")])


ADDRESS_TEXTS = ["10.0.0.1", "10.0.0.1/32", "10.1.2.3/8", "10.1.2.3/255.255.0.0", "10.1.2.3/255.0.255.0",
                 "1.2.3.4/0", "0.0.0.0/0", "255.255.255.255/31", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/8/9", "1.2.3.4/-1",
                 "1.2.3.4/08", "1.2.3.4/0x10", "01.2.3.4", "1.2.3", "256.1.1.1", "1.2.3.4,5.6.7.8/24", "localhost",
                 "1.2.3.4/" + "1" * 300, "1.2.3.\u0663", " 1.2.3.4", "1.2.3.4 ", "", "/", ","]


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.sampled_from(ADDRESS_TEXTS), st.text(alphabet="0123456789./,x ", max_size=22),
                 st.builds("{}.{}.{}.{}/{}".format, *[st.integers(0, 300)] * 4, st.integers(0, 40))))
def test_one_address_reads_as_the_item_loop_reads_it(text):
    """parse_addresses()'s shortcut for one dotted quad (with a mask or none) against the item loop."""
    from pyip.parser.xtables import address_list, parse_addresses

    assert address_outcome(parse_addresses, text) == address_outcome(address_list, text)


def direct_parts() -> list:
    """The template parts with a direct constructor, from templates learnt of the .t suite's rules."""
    shapes = getopt.Shapes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(iptables, "SHAPES", {legacy.MODERN: shapes, legacy.LEGACY: getopt.Shapes()})
        restore_outcomes(peer_save_file())
    learnt = [template for key, plan in shapes.memory.items() if not isinstance(key, str)
              for template in plan.by_key.values()]
    return [part for template in learnt for part in (*template.parts, template.target)
            if part is not None and part.direct is not None] + synthetic_direct_parts()


def synthetic_direct_parts() -> list:
    """Parts no learnt template has (a template is learnt from a rule that read well): every one or two
    options of each extension with a direct constructor, `!` or not, the same option twice too."""
    import itertools

    from pyip import extensions
    from pyip.parser.xtables import OPTIONAL, Extension

    classes = [extensions.parser(kind, name) for name in sorted(extensions.module_names())
               for kind in ("match", "target") for name in (name, name.upper())]
    classes = [cls for cls in dict.fromkeys(classes) if cls is not None and cls.direct.__func__ is not Extension.direct.__func__]
    parts = []
    for cls in classes:
        for options in [*([option] for option in cls.options), *itertools.product(cls.options, repeat=2)]:
            for negated in itertools.product((False, True), repeat=len(options)):
                takes, at = [], 0
                for option, no in zip(options, negated):
                    count = {0: 0, OPTIONAL: 1}.get(option.arity, option.arity)
                    takes.append(templates.Take(option, tuple(range(at, at + count)), no, False, (6, False)))
                    at += count
                part = templates.Part(cls, tuple(takes), (6, False))
                if part.direct is not None:
                    parts.append(part)
    assert {part.extension.name for part in parts} >= {"comment", "tcp"}
    return parts


DIRECT_PARTS = []  # filled once, by the first example


def node_outcome(make, part, texts: list):
    try:
        node = make(part, texts)
    except PyipError:
        return ("refused",)
    return ("refused",) if node is None else ("node", type(node), repr(node))


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_direct_nodes_are_what_take_and_finish_make(data):
    """Each extension's direct constructor (Extension.direct()) of each part the .t suite's templates have,
    on generated values: the node take() and finish() make, or a refusal (None, PyipError) where they make
    a note or raise."""
    if not DIRECT_PARTS:
        DIRECT_PARTS.extend(direct_parts())
        assert {part.extension.name for part in DIRECT_PARTS} >= {"comment", "tcp"}
    part = data.draw(st.sampled_from(DIRECT_PARTS))
    texts = [""] * (1 + max(at for take in part.takes for at in take.values))
    for take in part.takes:
        for at in take.values:
            texts[at] = data.draw(st.one_of(st.text(max_size=300), st.sampled_from(
                ["", "!", "22", "ssh", "1:2", "0:65535", ":", "0:", ":65535", "2:1", "x" * 255 + "\u00e9"])))
    direct = node_outcome(lambda part, texts: part.direct(texts), part, texts)
    assert direct == node_outcome(templates.read_node, part, texts)


def test_corpus_rules_as_save_lines_read_as_the_full_path(corpus, fresh_shapes, built):
    """The corpus scripts' iptables commands whose words are all known, and the sample commands, as save-file
    lines of their table, four times over: through the templates as through the full path."""
    by_table: dict = {}
    texts = ["\n".join(sample_commands()), *corpus_texts(corpus)]
    for words in (words for text in texts for words in command_words(text)):
        if any(word.symbol is not None for word in words):
            continue
        line = [word.text for word in words[1:]]
        table = "filter"
        if line[:1] == ["-t"] and len(line) > 1:
            table, line = line[1], line[2:]
        by_table.setdefault(table, []).append(save_line(line))
    text = "".join(f"*{table}\n" + "\n".join(lines * 4) + "\nCOMMIT\n" for table, lines in by_table.items())
    assert restore_outcomes(text) == full_restore_outcomes(text)
    assert sum(built) > 200, sum(built)
