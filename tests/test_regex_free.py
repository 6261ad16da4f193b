"""What pyip reads without the standard library's heavier modules (issue 13: `import re`, typing,
collections cost the drop-in and `pyip parse -` more start-up time than their work) says what the
regexes and classes it stands for say."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from pyip import cnumbers, prefix, reader, script
from pyip.errors import Location
from pyip.parser.words import Word
from pyip.render import iproute2

# Texts made of what the patterns look at: blanks of every kind, line breaks, the shell's
# characters, quotes, `;`, `#` and the words that open compound commands.
PIECES = st.sampled_from([" ", "\t", "\n", "\r", "\x0b", "\x1c", "\u2028", "\xa0", ";", "#", "'", '"', "\\", "$",
                          "|", "=", "!", "x", "ip", "route", "for", "do", "done", "fi", "if", "esac", "forx",
                          "xfor", "é", "-", "_", "0"])
TEXTS = st.lists(PIECES, max_size=14).map("".join)


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_shell_syntax_in_is_the_regex(text):
    assert script.shell_syntax_in(text) == (re.search(script.SHELL_SYNTAX, text, re.MULTILINE) is not None)


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_comment_start_is_the_regex(text):
    found = re.search(r"(?:^|[ \t])#", text)
    assert script.comment_start(text) == (found.start() if found else -1)


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_a_simple_line_is_the_regex(text):
    assert reader._NOT_SIMPLE.isdisjoint(text) == (re.fullmatch(r"[^'\"\\;]*", text) is not None)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2030), max_size=8))
def test_safe_words_are_shlex_s(word):
    import shlex

    assert (bool(word) and iproute2._SAFE.issuperset(word)) == (shlex.quote(word) == word and word != "")
    assert iproute2._SAFE_LINE.issuperset(word) == (re.fullmatch(r"[\w@%+=:,./ -]*", word, re.ASCII) is not None)


def test_the_readings_see_what_the_regexes_see():
    """A few by hand, so that a change of the generators cannot leave them out."""
    assert script.shell_syntax_in("ip route add 10.0.0.0/8 dev lo\n  for x in a") is True
    assert script.shell_syntax_in("ip route add 1.2.3.4 dev eth0; done") is True
    assert script.shell_syntax_in("ip route add 1.2.3.4 dev eth0; donex\nforward") is False
    assert script.shell_syntax_in("iptables -A INPUT -j DROP") is False
    assert script.comment_start("ip x #y") == 4 and script.comment_start("a#b #c") == 3


QUADS = st.lists(st.sampled_from(["0", "1", "9", "10", "01", "00", "99", "100", "199", "200", "249", "250", "255",
                                  "256", "260", "300", "999", "1000", "0x1", "", "٣", "1 ", "/", "/0", "/8", "/32",
                                  "/33", "/08", "/", "."]), max_size=9).map(".".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(QUADS, QUADS.map(lambda text: text.replace("./", "/"))))
def test_plain_prefix_is_the_regex(word):
    """prefix.plain_prefix() and plain_quad() read what _PLAIN_PREFIX fullmatches (pyip.netlink.fast uses it)."""
    match = prefix._PLAIN_PREFIX.fullmatch(word)
    expected = None if match is None else (list(match.groups()[:4]), match.group(5))
    assert prefix.plain_prefix(word) == expected
    assert prefix.plain_quad(word) == (None if "/" in word or match is None else list(match.groups()[:4]))


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="0123456789abcdefABCDEFxX+- \t8", max_size=8), st.integers(0, 8))
def test_digit_runs_are_the_regex(text, at):
    for base, digits in ((8, "01234567"), (10, "0123456789"), (16, "0-9a-fA-F")):
        assert cnumbers._digit_run(text, at, base) == re.compile(f"[{digits}]*").match(text, at).group()


def test_the_named_tuples_are_namedtuples():
    """Location and Word behave as the typing.NamedTuple classes they replace."""
    from typing import NamedTuple

    class OldLocation(NamedTuple):
        file: str = "-"
        line: int = 1
        col: int = 1

    import copy
    import pickle

    new, old = Location("f", 2), OldLocation("f", 2)
    assert new == old and hash(new) == hash(old) and tuple(new) == ("f", 2, 1)
    assert repr(new) == repr(old).replace("OldLocation", "Location")
    assert (new.file, new.line, new.col) == (old.file, old.line, old.col)
    assert new._replace(col=7) == old._replace(col=7) and type(new._replace(col=7)) is Location
    assert new._asdict() == old._asdict() and Location._fields == OldLocation._fields
    assert Location._make(["a", 1, 2]) == ("a", 1, 2) and pickle.loads(pickle.dumps(new)) == new
    assert copy.deepcopy(new) == new and type(copy.copy(new)) is Location
    assert Location() == OldLocation() and Location(col=3) == ("-", 1, 3)
    match Word("x", new):
        case Word(text, Location(file, line, col), None):
            assert (text, file, line, col) == ("x", "f", 2, 1)
        case _:
            raise AssertionError("no match")
    try:
        new.line = 5
    except AttributeError:
        pass
    else:
        raise AssertionError("a Location changed")
