"""The parser's fast paths give exactly what the plain ones give.

parse_memoised() (a trie over terminal kinds, generated tree builders)
against the plain LALR automaton parse(): the same trees, the same on_reduce
calls in the same order, the same errors, on the sample commands, generated
commands and fuzzed words, with a grammar that is learning (cold) and one
that replays what it learnt (warm).  Then the whole of parse_ip() over both,
and the value readers' fast paths against their general rules.
"""

from __future__ import annotations

import os
import sys
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyip.ast.base import Symbol
from pyip.errors import Location, PyipError
from pyip.names import Databases
from pyip.parser import ip as ip_parser
from pyip.parser import words as words_module
from pyip.parser.tables import first_characters
from pyip.parser.words import Token, Tree, Word, WordGrammar, grammar
from pyip.prefix import parse_address, read_address, read_any_prefix, read_prefix
from pyip.reader import read_commands

from .test_properties import any_command, words as fuzzed_words
from .test_real_ip_parse import sample_commands

OBJECT_GRAMMARS = ("ip_route", "ip_rule", "ip_addr")
END = Location("end", 9, 9)


def shown(node):
    """A tree as plain data: every field the builders and readers may look at."""
    if isinstance(node, Tree):
        return ("tree", node.data, tuple(shown(child) for child in node.children))
    assert type(node) is Token
    return ("token", node.type, str(node), node.start_pos)


def outcome(parse, words: list[Word]):
    """What a parse does: its tree and on_reduce calls, or its error with the calls before it."""
    calls = []

    def on_reduce(tree):
        calls.append(shown(tree))
        return tree

    try:
        tree = parse(words, END, on_reduce)
    except PyipError as error:
        word = getattr(error, "word", None)
        return ("error", type(error), error.message, error.location, error.exit_status,
                getattr(error, "expected", None), word, calls)
    return ("tree", shown(tree), calls)


def assert_same_as_plain(name: str, words: list[Word], memoised: WordGrammar) -> None:
    expected = outcome(grammar(name).parse, words)
    assert outcome(memoised.parse_memoised, words) == expected, [w.text for w in words]


@pytest.fixture(scope="module")
def warm():
    """Grammars that have learnt from every sample command."""
    return {name: WordGrammar(name) for name in OBJECT_GRAMMARS}


def sample_words() -> list[list[Word]]:
    return [next(read_commands(command))[2:] for command in sample_commands()]


def test_sample_commands_cold_then_warm(warm):
    for name in OBJECT_GRAMMARS:
        for words in sample_words():
            assert_same_as_plain(name, words, warm[name])  # learns the shape
            assert_same_as_plain(name, words, warm[name])  # replays it


def with_symbols(words: list[Word], which: list[bool]) -> list[Word]:
    """Some words made unknown shell values, as `$X` is."""
    return [Word(w.text, w.location, Symbol(w.text)) if unknown else w for w, unknown in zip(words, which)]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(any_command, st.lists(st.booleans(), max_size=20))
def test_generated_commands(warm, text, unknown):
    words = next(read_commands(text))[2:]
    for name in OBJECT_GRAMMARS:
        for variant in (words, with_symbols(words, unknown)):
            assert_same_as_plain(name, variant, WordGrammar(name))
            assert_same_as_plain(name, variant, warm[name])
            assert_same_as_plain(name, variant, warm[name])


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(fuzzed_words, st.lists(st.booleans(), max_size=12))
def test_fuzzed_words(warm, parts, unknown):
    words = [Word(text, Location("f", 1, column)) for column, text in enumerate(parts, 1)]
    for name in OBJECT_GRAMMARS:
        for variant in (words, with_symbols(words, unknown)):
            assert_same_as_plain(name, variant, warm[name])
            assert_same_as_plain(name, variant, warm[name])


def test_too_many_shapes_falls_back_to_the_plain_automaton(monkeypatch):
    full = WordGrammar("ip_route")
    monkeypatch.setattr(words_module, "MAX_SHAPES", 3)
    for words in sample_words()[:80]:
        assert_same_as_plain("ip_route", words, full)
    assert full._shapes <= 3


def test_a_known_shape_builds_new_trees_each_time():
    """Keyword tokens are shared between lines of a shape; trees and their child lists are not."""
    route = WordGrammar("ip_route")
    words = next(read_commands("ip route add 10.0.0.0/8 via 10.0.0.1 table 5"))[2:]
    first, second = (route.parse_memoised(words, END, lambda tree: tree) for _ in range(2))
    assert first is not second and first.children is not second.children
    assert shown(first) == shown(second)


# -- parse_ip() as a whole ----------------------------------------------------------------

def parse_ip_outcome(words: list[Word], names: Databases, dialect: str):
    try:
        command = ip_parser.parse_ip(words, dialect, names)
    except PyipError as error:
        return ("error", type(error), error.message, error.location, error.exit_status)
    return ("command", command, str(command), command.notes, command.location, command.program)


def assert_parse_ip_same_as_plain(words: list[Word], monkeypatch) -> None:
    names = Databases.builtin()
    for dialect in ("modern", "legacy"):
        fast = parse_ip_outcome(words, names, dialect)
        with monkeypatch.context() as patch:
            patch.setattr(WordGrammar, "parse_memoised", WordGrammar.parse)
            patch.setattr(ip_parser, "DIRECT", False)
            plain = parse_ip_outcome(words, names, dialect)
        assert fast == plain, [w.text for w in words]


def test_parse_ip_of_sample_commands(monkeypatch):
    for command in sample_commands():
        words = next(read_commands(command))
        assert_parse_ip_same_as_plain(words, monkeypatch)
        assert_parse_ip_same_as_plain(words, monkeypatch)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(any_command)
def test_parse_ip_of_generated_commands(monkeypatch, text):
    assert_parse_ip_same_as_plain(next(read_commands(text)), monkeypatch)


# -- the lexer's shortcut: where no keyword can begin so, a word is a VALUE ----------------------

TERMINALS = sorted({(name, regex) for g in ("ip", *OBJECT_GRAMMARS) for name, regex in grammar(g).terminals})


@pytest.mark.parametrize("name, regex", TERMINALS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_first_characters_cover_every_match(name, regex, data):
    first = first_characters(regex)
    if first is None:
        return  # unknown: the lexer then always asks the regex
    text = data.draw(st.from_regex(regex, fullmatch=True))
    assert not text or text[0] in first


@pytest.mark.parametrize("regex, first", [
    ("t(?:a(?:b)?)?", "t"), ("(?:a?|b)c", "abc"), ("[a-c]x", "abc"), ("x*y", "xy"), ("(?:a|)b", "ab"),
    ("(?i:abc)", None), ("(?i)abc", None), (r"[\s\S]+", None), ("[^a]", None), (".b", None),
])
def test_first_characters(regex, first):
    assert first_characters(regex) == first


# -- the value readers' fast paths ------------------------------------------------------------

part = st.sampled_from(["0", "00", "01", "1", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256",
                        "300", "0x1f", "\u0663", "-1", "+1", "", " 1", "1_0", "default"])
length = st.sampled_from(["0", "8", "9", "10", "19", "20", "29", "30", "32", "33", "08", "0x10", "255.255.0.0",
                          "255.0.255.0", "\u0663", "", "-1", "+8", "1_0"])
prefix_word = st.builds(lambda parts, slash, bits: ".".join(parts) + (f"/{bits}" if slash else ""),
                        st.lists(part, min_size=1, max_size=5), st.booleans(), length)
family = st.sampled_from([None, 4, 6, 0])


def result_of(read, *args) -> str:
    try:
        return repr(read(*args))
    except Exception as error:  # noqa: BLE001  (`default` in family 0 is a KeyError either way)
        return repr(error)


@settings(max_examples=2000, deadline=None)
@given(prefix_word, family)
def test_plain_prefixes_read_as_the_general_rules_read_them(word, family):
    assert result_of(read_prefix, word, family) == result_of(read_any_prefix, word, family)


@settings(max_examples=500, deadline=None)
@given(st.one_of(prefix_word, st.sampled_from(["::1", "fe80::1", "1.2.3.4", "default", "any"])), family)
def test_remembered_addresses_are_what_reading_gives(word, family):
    first, again = result_of(parse_address, word, family), result_of(parse_address, word, family)
    assert first == again
    address = read_address(word, family)
    if word not in ("default", "all", "any") and address is not None:
        assert first == repr(address)


def test_named_values_are_remembered_as_looked_up(tmp_path):
    tables = tmp_path / "rt_tables"
    tables.write_text("1 10\n200 uplink\n0x20 hex\n")
    for db in (Databases.builtin().tables, Databases.load(tmp_path, rt_tables=tables).tables,
               Databases.builtin().dsfield):
        for word in ["main", "10", "1", "uplink", "hex", "0x20", "32", "040", "bogus", "", "4294967296", "-1"]:
            for _ in range(2):
                found = db.named(word)
                ident = db.lookup(word)
                assert (found is None) == (ident is None)
                if found is not None:
                    assert (found.number, found.name) == (ident, word if db.has_name(word) else None)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["ip", " ", "  ", "\t", "\r", "\v", "\f", "\xa0", "\x1c", "#", "a", "$b",
                                 "10.0.0.0/8", "é"]), max_size=30).map("".join))
def test_simple_lines_split_as_the_blank_regex_splits(line):
    """The reader's str.split fast path against the regex it replaced."""
    [words] = list(read_commands(line + "\n", "f")) or [[]]
    expected = []
    for match in re.finditer(r"[^ \t\r]+", line):
        if match.group()[0] == "#":
            break
        expected.append(Word(match.group(), Location("f", 1, match.start() + 1),
                             Symbol(match.group()) if "$" in match.group() else None))
    assert words == expected


# -- the batch's direct route path (pyip.netlink.fast) ----------------------------------------

ROUTE_VALUES = {
    "dst": ["10.0.0.1/32", "10.1.2.0/24", "0.0.0.0/0", "10.0.0.0/8", "1.2.3.4", "10/8", "010.0.0.0/8",
            "10.0.0.0/08", "10.0.0.0/33", "10.0.0.0/255.0.0.0", "default", "all", "any", "::1", "2001:db8::/32",
            "1.2.3.\u0663", "1.2.3.4/\u0662", "x", "256.0.0.0/8"],
    "address": ["10.255.0.1", "192.168.1.254", "0.0.0.0", "010.0.0.1", "10.1", "::1", "default", "1.2.3.\u0663",
                "300.1.1.1", "inet"],
    "table": ["5", "main", "local", "default", "300", "0x10", "010", "0", "4294967295", "4294967296", "-1",
              "bogus", "all", "\u0663"],
    "protocol": ["static", "boot", "kernel", "99", "255", "256", "0x10", "bogus", "-1"],
    "scope": ["link", "host", "global", "200", "255", "256", "bogus"],
    "metric": ["0", "5", "0x10", "010", "4294967295", "4294967296", "-1", "+1", "x"],
    "dev": ["lo", "nosuch", "if1", "if0", "lo0"],
}
ROUTE_ARGUMENTS = [
    (("via",), "address"), (("src",), "address"), (("table", "t", "tab"), "table"),
    (("proto", "protocol", "pro"), "protocol"), (("scope", "sc"), "scope"), (("metric", "preference", "pref", "priority"), "metric"),
    (("dev", "oif"), "dev"), (("mtu",), "metric"), (("realm", "realms"), "table"), (("onlink",), None),
    (("to",), "dst"), (("via", "inet"), "address"), (("unicast", "local", "blackhole"), "dst"), (("nexthop",), None),
]
VERB_WORDS = ["add", "a", "append", "change", "chg", "replace", "prepend", "test", "delete", "del", "d", "show",
              "get", "flush", "help", "list"]


@st.composite
def route_lines(draw):
    """Batch lines `route VERB ...`: mostly what the direct path takes, and around it."""
    words = [draw(st.sampled_from(["route", "r", "ro", "rule"])), draw(st.sampled_from(VERB_WORDS))]
    if draw(st.booleans()):
        words.append(draw(st.sampled_from(ROUTE_VALUES["dst"])))
    for _ in range(draw(st.integers(0, 5))):
        keywords, values = draw(st.sampled_from(ROUTE_ARGUMENTS))
        words += list(keywords[:1]) if len(keywords) == 2 and keywords[1] == "inet" else [draw(st.sampled_from(keywords))]
        if len(keywords) == 2 and keywords[1] == "inet":
            words.append("inet")
        if values is not None:
            words.append(draw(st.sampled_from(ROUTE_VALUES[values])))
    return words


SIMPLE_ARGUMENTS = [(("via",), "address"), (("src",), "address"), (("table", "t"), "table"),
                    (("proto", "protocol"), "protocol"), (("scope",), "scope"), (("metric",), "metric"),
                    (("dev",), "dev"), (("onlink",), None)]


@st.composite
def simple_route_lines(draw):
    """Lines the direct path mostly takes: plain values for the arguments it knows, each at most once."""
    words = [draw(st.sampled_from(["route", "r", "ro"])),
             draw(st.sampled_from(["add", "a", "append", "change", "replace", "prepend", "test", "del"]))]
    words += draw(st.sampled_from([[], ["to"]])) + [draw(st.sampled_from(ROUTE_VALUES["dst"][:6]))]
    arguments = draw(st.lists(st.sampled_from(SIMPLE_ARGUMENTS), max_size=5, unique=True))
    for keywords, values in arguments:
        words.append(draw(st.sampled_from(keywords)))
        if values is not None:
            words.append(draw(st.sampled_from(ROUTE_VALUES[values])))
    return words


@pytest.fixture(scope="module")
def route_session():
    """A netlink session in a namespace of the test's own (`dev NAME` reads its links)."""
    from pyip.netlink.common import Session, inside

    from .netns import namespace

    if os.geteuid() != 0:
        pytest.skip("needs root for a network namespace")
    with namespace("pyipfast") as ns:
        with inside(ns):
            session = Session(Databases.builtin())
            session.links  # read now: its dump would take a sequence number mid-test
        yield session
        session.close()


def general_request(texts: list[str], prefix: list[str], session) -> bytes | None:
    """What the batch's general path sends for the line: route.request() of parse_ip(), or None."""
    from pyip.netlink import route
    from pyip.netlink.common import CommandFailed

    words = [Word(text, Location("b", 1, 1)) for text in [*prefix, *texts]]
    try:
        command = ip_parser.parse_ip(words, "modern", session.names)
        if command.object != "route" or command.verb not in route.MODIFY_VERBS:
            return None
        return route.request(command, session).message
    except (PyipError, CommandFailed):
        return None


def without_seq(message: bytes) -> bytes:
    return message[:8] + message[12:]


def assert_direct_same_as_general(texts: list[str], prefix: list[str], session) -> bytes | None:
    from pyip.netlink.fast import FastRoutes

    fast = FastRoutes(session, [Word(text) for text in prefix], "modern", {"-4": 4, "-6": 6, "-0": 0}.get(prefix[-1]))
    for _ in range(2):  # learning the shape, then replaying it
        seq = session.rtnl.seq
        direct = fast.message(texts)
        assert session.rtnl.seq == seq + (direct is not None), "a sequence number only for a request sent"
        if direct is not None:
            general = general_request(texts, prefix, session)
            assert general is not None and without_seq(direct) == without_seq(general), texts
    return direct


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.one_of(route_lines(), simple_route_lines()),
       st.sampled_from([["ip"], ["ip", "-4"], ["ip", "-6"], ["ip", "-0"]]))
def test_direct_route_requests_are_the_general_ones(route_session, texts, prefix):
    assert_direct_same_as_general(texts, prefix, route_session)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.lists(simple_route_lines(), min_size=1, max_size=4),
       st.lists(st.sampled_from(ROUTE_VALUES["dst"]), min_size=1, max_size=8))
def test_remembered_rests_of_requests_fit_every_destination(route_session, templates, destinations):
    """One batch's FastRoutes over lines that differ in their destination alone: what a plan
    remembers for the other words must give the general path's bytes for each new one."""
    from pyip.netlink.fast import FastRoutes

    fast = FastRoutes(route_session, [Word("ip")], "modern", None)
    for template in templates:
        at = 3 if template[2] == "to" else 2
        for destination in destinations:
            texts = template[:at] + [destination] + template[at + 1:]
            direct = fast.message(texts)
            if direct is not None:
                general = general_request(texts, ["ip"], route_session)
                assert general is not None and without_seq(direct) == without_seq(general), texts


@pytest.mark.parametrize("line", [
    "route add 10.0.0.1/32 via 10.255.0.1 table 7 proto static",
    "ro a 10.0.0.0/8 t 300 pro 99 scope host metric 0x10 dev lo",
    "route replace to 10.0.0.0/8 src 127.0.0.1 onlink via 10.0.0.1 priority 5",
    "r del 10.0.0.0/8",
    "route prepend 10.0.0.0/8 table main protocol boot scope link",
])
def test_the_direct_path_takes_simple_route_lines(route_session, line):
    assert assert_direct_same_as_general(line.split(), ["ip"], route_session) is not None


@pytest.mark.parametrize("line", [
    "route add 10.0.0.0/8 table 5 table 6", "route add default via 10.0.0.1", "route add 10/8 dev lo",
    "route add 10.0.0.0/8 via 10.0.0.1 via 10.0.0.2", "route add local 10.0.0.1 dev lo",
    "route add 10.0.0.0/8 dev nosuch", "route add 10.0.0.0/8 mtu 1400 dev lo", "route show table 5",
    "route add 1.2.3.\u0663 dev lo", "route add 10.0.0.0/8 via inet 10.0.0.1",
])
def test_anything_else_takes_the_general_path(route_session, line):
    assert assert_direct_same_as_general(line.split(), ["ip"], route_session) is None


# -- rendering: quoting a whole line at once ------------------------------------------------

@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["ip", "route", "", " ", "a b", "10.0.0.0/8", "$X", "${X} y", "'", '"', "é",
                                 "x\ty", "é1", "@%+=:,./-", "_", "\u0663", "a*", "~"]), max_size=8))
def test_a_line_is_quoted_as_its_words_are(texts):
    from pyip.render.iproute2 import join_quoted, quote

    assert join_quoted(texts) == " ".join(quote(text) for text in texts)


# -- parse_ip()'s direct path (readers' twins, no trees) --------------------------------------

@st.composite
def simple_rule_lines(draw):
    words = ["rule", draw(st.sampled_from(["add", "a", "delete", "show"]))]
    arguments = [(("from", "to"), "dst"), (("table", "lookup", "t"), "table"), (("pref", "priority", "order"), "metric"),
                 (("fwmark",), "fwmark"), (("tos", "dsfield"), "table"), (("iif", "oif"), "dev"), (("not",), None),
                 (("protocol",), "protocol"), (("goto",), "metric"), (("nat",), "address"), (("prohibit",), None)]
    for keywords, values in draw(st.lists(st.sampled_from(arguments), max_size=4)):
        words.append(draw(st.sampled_from(keywords)))
        if values == "fwmark":
            words.append(draw(st.sampled_from(["0x10", "16", "0x10/0xff", "0x10/", "/0xff", "x", "-1", "010/8"])))
        elif values is not None:
            words.append(draw(st.sampled_from(ROUTE_VALUES[values])))
    return words


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.one_of(route_lines(), simple_route_lines(), simple_rule_lines()),
       st.sampled_from([["ip"], ["ip", "-4"], ["ip", "-6"], ["ip", "-0"], ["/sbin/ip", "-6"]]))
def test_parse_ip_direct_path_is_the_trees_path(monkeypatch, texts, prefix):
    words = [Word(text, Location("f", 3, column)) for column, text in enumerate([*prefix, *texts], 1)]
    assert_parse_ip_same_as_plain(words, monkeypatch)


@pytest.mark.parametrize("line", [
    "ip route add 10.0.0.1/32 via 10.255.0.1 table 7 proto static",
    "ip rule add from 10.0.0.1/32 lookup 7 pref 1000", "ip rule add fwmark 0x10 table 5 pref 1001",
    "ip -4 route replace to 10.0.0.0/8 dev eth0 metric 5 onlink",
])
def test_bulk_shapes_take_the_direct_path(monkeypatch, line):
    words = [Word(text) for text in line.split()]
    with monkeypatch.context() as patch:
        patch.setattr(ip_parser, "DIRECT", False)
        expected = parse_ip_outcome(words, Databases.builtin(), "modern")
    monkeypatch.setattr(WordGrammar, "parse_memoised", lambda *args: pytest.fail("the trees' path ran"))
    assert parse_ip_outcome(words, Databases.builtin(), "modern") == expected
    assert expected[0] == "command"


# Words are classified without compiling the grammars' regexes (start-up): keywords by their
# words (tables.language()), VALUE and PROGRAM by code.  Both must answer as the regexes do.
EXTRA_WORDS = ["", " ", "\t", "x", "ip", "pyip", "/sbin/ip", "/usr/bin/pyip", "./ip", "a b/ip", "\x1c/ip", "a\u2028/ip",
               "ip/", "//ip", "iptables", "/sbin/iptables", "ipchains", "10.0.0.0/8", "-", "--", "---", "--dport",
               "--dport=22", "-4", "-6", "!", "-j", "ACCEPT", "é", "0x10", "default", "tablex", "t", "ta"]


@pytest.mark.parametrize("name", ["ip", *OBJECT_GRAMMARS, "iptables", "ipchains"])
def test_words_are_classified_as_the_regexes_classify_them(name):
    from pyip.parser.tables import language

    grammar_ = WordGrammar(name)
    texts = set(EXTRA_WORDS)
    for terminal, regex in grammar_.terminals:
        for word in language(regex) if type(language(regex)) is list else ():
            texts.update((word, word[:-1], word + "x", word.upper()))
    assert any(type(grammar_.languages.get(t)) is list for t, _ in grammar_.terminals)
    every_state = grammar_.states.every()  # each state's actions, read (they load as the parser needs them)
    assert len(every_state) > 10
    for state, acceptable in every_state.items():
        groups = [f"(?P<{t}>{r})" for t, r in grammar_.terminals if t in acceptable]
        regex = re.compile("|".join(groups)) if groups else None
        for text in texts:
            match = regex.fullmatch(text) if regex is not None else None
            assert grammar_.classify(state, text) == (match.lastgroup if match else None), (state, text)
    for text in texts:
        for prefix in ("", "OPT_", "PROGRAM"):
            expected = next((t for t, r in grammar_.terminals if t.startswith(prefix) and re.fullmatch(r, text)), None)
            assert grammar_.first_match(text, prefix) == expected, (text, prefix)


# -- the batch's line reader: getcmdline()'s fast path ---------------------------------------

def reference_command_lines(text: str):
    """getcmdline() as the batch read it before its shortcuts: split on "\\n" alone, every line
    through continued(); yields what command_lines() yields, and the complaint last."""
    from pyip.netlink.batch import continued

    pieces = text.split("\n")
    raws = iter([piece + "\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else []))
    number = 0
    for raw in raws:
        line, joined = continued(raw)
        number += 1
        while joined:
            raw = next(raws, None)
            if raw is None:
                yield "Missing continuation line\n"
                return
            more, joined = continued(raw)
            line = line[:-1] + more
            number += 1
        yield number, line


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["route", " ", "\t", "#", "\\", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c",
                                 "\x85", "\u2028", "\udcff", "'", '"', "a#b", "\\\n", "é", ""]), max_size=30))
def test_batch_lines_read_as_the_reference_reads_them(pieces):
    from pyip.netlink.batch import command_lines

    text = "".join(pieces)
    got = []
    assert [*command_lines(text, got.append), *got] == list(reference_command_lines(text)), repr(text)
    arriving = []  # `-batch -`: the same lines arriving one by one
    lines = [line + "\n" for line in text.split("\n")[:-1]] + ([text.split("\n")[-1]] if text.split("\n")[-1] else [])
    assert [*command_lines(iter(lines), arriving.append), *arriving] == list(reference_command_lines(text))


DESTINATION_EDGES = ["0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "0x1.2.3.4",
                     "1.2.3.4/", "1.2.3.4/0", "1.2.3.4/32", "1.2.3.4/33", "1.2.3.4/08", "1.2.3.4/+8", "1.2.3.4/-1",
                     "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\x00", "1.2.3.\u0663", "1..2.3", "1.2.3.4/8/8", "10/8", "", "/8"]


@settings(max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.one_of(st.sampled_from(DESTINATION_EDGES),
                 st.text(alphabet="0123456789./x -+", max_size=20),
                 st.builds(lambda octets, length: ".".join(octets) + length,
                           st.lists(st.sampled_from(["0", "00", "1", "9", "10", "010", "99", "100", "199", "200",
                                                     "249", "250", "255", "256", "300", "0x10"]), min_size=3, max_size=5),
                           st.sampled_from(["", "/", "/0", "/9", "/24", "/32", "/33", "/007", "/1x"]))))
def test_the_direct_path_takes_the_plain_destinations_alone(route_session, word):
    """FastRoutes reads a destination with inet_aton() and the check that inet_ntoa() writes it
    back: it takes exactly the words _PLAIN_PREFIX matches (the general path takes the rest)."""
    from pyip.netlink.fast import FastRoutes
    from pyip.prefix import _PLAIN_PREFIX

    fast = FastRoutes(route_session, [Word("ip")], "modern", None)
    direct = fast.message(["route", "add", word, "table", "5"])
    assert (direct is not None) == (_PLAIN_PREFIX.fullmatch(word) is not None), word


# -- the drop-in's route changes through the direct path (pyip.cli.dropin.fast_route_change) -----

DROP_IN_DRIVER = """
import io, json, sys
from pyip.cli import dropin
dropin.FAST_ROUTES = sys.argv[1] == "fast"
taken = 0
fast_route_change = dropin.fast_route_change
def counted(*args):
    global taken
    result = fast_route_change(*args)
    taken += result is not None
    return result
dropin.fast_route_change = counted
results = []
for argv in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    status = dropin.drop_in(argv, out, err)
    results.append([status, out.getvalue(), err.getvalue()])
print(json.dumps([taken, results]))
"""


def drop_in_runs(mode: str, commands: list[list[str]]):
    """The drop-in's (status, stdout, stderr) for each command, one after the other in a namespace
    of their own (veth if1, up), the direct path on or off; how many took it; the routes left."""
    import json

    from .netns import namespace, run

    with namespace("pyipdfast", veths=("if1",)) as ns:
        result = run("ip", "netns", "exec", ns, sys.executable, "-c", DROP_IN_DRIVER, mode, stdin=json.dumps(commands))
        assert result.returncode == 0, result.stderr
        taken, outcomes = json.loads(result.stdout)
        # IPv6's own routes (fe80::/64, multicast, local) come as the link's addresses do, whenever
        # that is: the kernel's (proto kernel) are left out
        routes = run("ip", "-n", ns, "-4", "route", "show", "table", "all").stdout + "".join(
            line for line in run("ip", "-n", ns, "-6", "route", "show", "table", "all").stdout.splitlines(True)
            if "proto kernel" not in line)
    return taken, outcomes, routes


def assert_drop_in_same_either_way(commands: list[list[str]]) -> int:
    fast_taken, fast, fast_routes = drop_in_runs("fast", commands)
    general_taken, general, general_routes = drop_in_runs("general", commands)
    assert general_taken == 0
    for command, one, other in zip(commands, fast, general):
        assert one == other, command
    assert fast_routes == general_routes
    return fast_taken


DROP_IN_SAMPLES = [
    "route add 10.0.0.1/32 via 10.255.0.1 dev if1 table 7 proto static", "route add 10.0.0.1/32 dev if1",
    "route add 10.0.0.1/32 dev if1",  # File exists
    "ro a 10.2.0.0/16 t 300 pro 99 scope host metric 0x10 dev lo", "route replace to 10.3.0.0/16 dev if1 onlink",
    "r del 10.2.0.0/16 t 300", "r del 10.2.0.0/16 t 300",  # No such process
    "route prepend 10.4.0.0/16 table main protocol boot scope link dev lo", "route add 10.5.0.0/16 dev nosuch",
    "route add 10.6.0.0/16 via 10.9.9.9", "route test 10.7.0.0/16 dev lo", "route add 10.0.0.0/33 dev lo",
    "route add 010.0.0.0/8 dev lo", "route change 10.4.0.0/16 dev if1", "route append 10.8.0.0/16 dev lo metric 4",
    "route add 10.9.0.0/16 table 5 table 6 dev lo", "route add default via 10.0.0.1 dev if1",
    "route add 10.10.0.0/16 dev lo proto bogus", "route delete 10.0.0.1/32 via 10.255.0.1 table 7",
    "route add 10.11.0.1/16 dev lo",  # host bits: the kernel's refusal
    "route add 10.12.0.0/16 via 10.99.0.1",  # no route to the gateway: the kernel's refusal
]


@pytest.mark.parametrize("options", [[], ["-4"], ["-6"], ["-d", "-s"]])
def test_the_drop_ins_route_changes_are_the_general_paths(options):
    """The same output, exit status and routes in the kernel with the direct path and without;
    most of these take it."""
    if os.geteuid() != 0:
        pytest.skip("needs root for a network namespace")
    commands = [[*options, *line.split()]
                for line in DROP_IN_SAMPLES]
    taken = assert_drop_in_same_either_way(commands)
    assert taken >= (0 if options == ["-6"] else 10)


@settings(max_examples=int(os.environ.get("PYIP_FUZZ_EXAMPLES", "150")) // 10 or 1, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(route_lines(), simple_route_lines()), min_size=5, max_size=25),
       st.sampled_from([[], ["-4"]]))
def test_generated_drop_in_route_changes_are_the_general_paths(lines, options):
    if os.geteuid() != 0:
        pytest.skip("needs root for a network namespace")
    assert_drop_in_same_either_way([[*options, *texts] for texts in lines])


# -- `ip OBJECT show` alone (pyip.parser.ip.PLAIN_LISTING) ---------------------------------------

@pytest.mark.parametrize("dialect", ["modern", "legacy"])
@pytest.mark.parametrize("front", [["ip"], ["ip", "-4"], ["ip", "-6"], ["ip", "-s", "-d"], ["/sbin/ip", "-o"]])
def test_a_plain_listing_reads_as_the_grammar_reads_it(monkeypatch, dialect, front):
    """`ip route show`, `ip rule list`, ...: the default selector, as the object's grammar and
    readers make it (the same command, equal and printed the same), or the same error."""
    names = Databases.builtin()
    listings, checked = ip_parser.PLAIN_LISTING, 0
    assert listings
    for object_word in ["route", "r", "rule", "ru", "address", "addr", "a"]:
        for rest in (["show"], ["list"], ["show", "dev", "lo"], ["lst"], ["s"], ["show", "show"]):
            words = [Word(text, Location("-", 1, i)) for i, text in enumerate([*front, object_word, *rest])]
            monkeypatch.setattr(ip_parser, "PLAIN_LISTING", listings)
            short = parse_ip_outcome(words, names, dialect)
            monkeypatch.setattr(ip_parser, "PLAIN_LISTING", frozenset())
            full = parse_ip_outcome(words, names, dialect)
            assert short == full and repr(short) == repr(full), words  # the outcome holds str(command)
            checked += 1
    assert checked == 42
