"""The LALR runtime over cached tables builds exactly the trees Lark builds."""

from __future__ import annotations

import re

import pytest
from lark import Lark
from lark.lexer import Token as LarkToken
from lark.parsers.lalr_parser_state import ParseConf, ParserState

from pyip.errors import Location, PyipError
from pyip.parser.tables import States, compile_tables, expand_grammar, grammar_source, load_tables
from pyip.parser.words import Tree, Word, grammar
from pyip.reader import read_commands

from .test_real_ip_parse import sample_commands

OBJECT_GRAMMARS = {"route": "ip_route", "r": "ip_route", "rule": "ip_rule", "ru": "ip_rule",
                   "addr": "ip_addr", "a": "ip_addr"}


@pytest.fixture(scope="module")
def lark_parsers():
    parsers = {}
    for name in ("ip_route", "ip_rule", "ip_addr"):
        lark = Lark(expand_grammar(grammar_source(name)), parser="lalr", lexer="basic")
        parsers[name] = lark
    return parsers


def lark_tree(lark: Lark, mine, words: list[Word]):
    """Lark's own tree for the same words, classified the same way."""
    table = lark.parser.parser.parser
    state = ParserState(ParseConf(table.parse_table, table.callbacks, "start"), None)
    for index, word in enumerate(words):
        acceptable = table.parse_table.states[state.position]
        kind = next(name for name, regex in mine.terminals
                    if name in acceptable and re.fullmatch(regex, word.text))
        state.feed_token(LarkToken(kind, word.text, index))
    return state.feed_token(LarkToken("$END", "", len(words)), True)


def same(a, b) -> bool:
    if isinstance(a, Tree):
        return (a.data == b.data and len(a.children) == len(b.children)
                and all(same(x, y) for x, y in zip(a.children, b.children)))
    return a.type == b.type and str(a) == str(b) and a.start_pos == b.start_pos


def test_trees_equal_larks(lark_parsers):
    compared = 0
    for command in sample_commands():
        words = next(read_commands(command))
        if len(words) < 3 or words[1].text not in OBJECT_GRAMMARS:
            continue
        name = OBJECT_GRAMMARS[words[1].text]
        mine = grammar(name)
        try:
            ours = mine.parse(words[2:], Location())
        except PyipError:
            continue
        theirs = lark_tree(lark_parsers[name], mine, words[2:])
        assert same(ours, theirs), command
        compared += 1
    assert compared > 500


def test_cache_holds_what_lark_compiles():
    """State numbers vary between runs of Lark (hash seeds); all else must not."""
    for name in ("ip", "ip_route", "ip_rule", "ip_addr"):
        cached, fresh = load_tables(name), compile_tables(grammar_source(name))
        assert cached["terminals"] == fresh["terminals"]
        assert cached["rules"] == fresh["rules"]
        cached_states, fresh_states = States(cached["states"]).every(), States(fresh["states"]).every()
        assert len(cached_states) == len(fresh_states) > 10
        assert sorted(map(sorted, cached_states.values())) == sorted(map(sorted, fresh_states.values()))


def test_states_read_when_asked_for_equal_the_compiled_actions():
    """States: each state's actions read from its own marshal bytes on first use, the same
    actions every time, and only the states asked for are read."""
    import marshal

    tables = compile_tables(grammar_source("ip_rule"))
    states = States(tables["states"])
    some = sorted(tables["states"])[:3]
    for state in some:
        assert states[state] == marshal.loads(tables["states"][state]) and states[state] is states[state]
    assert sorted(dict.keys(states)) == some
    assert states.every() == {state: marshal.loads(data) for state, data in tables["states"].items()}
    with pytest.raises(KeyError):
        states[max(tables["states"]) + 1]


def test_a_corrupt_cache_file_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = load_tables("ip_rule")
    [path] = (tmp_path / "pyip").iterdir()
    path.write_bytes(b"garbage")
    again = load_tables("ip_rule")
    assert again["rules"] == first["rules"] and again["terminals"] == first["terminals"]
    assert path.read_bytes() != b"garbage"


@pytest.mark.parametrize("text", ['__version__ = "1.1.9"\n', "__version__: str = '1.2.2'", "__version__='x'", "x = 1",
                                  '__version__ = ""\n__version__ = "2"', "__version__ : str='3\n4'", '__version__ = "5',
                                  "__version__: int = '6'", "__version__ == '7'", '__version__=\n"8"'])
def test_lark_version_read_as_the_regex_reads_it(text):
    """The cache key's Lark version, read without compiling a regex at every start."""
    import re

    from pyip.parser.tables import version_in

    match = re.search(r"__version__\s*(?::\s*str)?\s*=\s*['\"]([^'\"]+)", text)
    assert version_in(text) == (match.group(1) if match else None)
