"""The batch/simple-script reader: shell word splitting with positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyip.errors import PyipError
from pyip.reader import read_commands, read_complex


def texts(commands):
    return [[w.text for w in command] for command in commands]


def slow_only(text: str):
    """The character-level reader over the whole text, no fast path."""
    i, line, out = 0, 1, []
    while i <= len(text):
        commands, i, line = read_complex(text, i, line, "f")
        out += commands
    return out


def test_words_positions_quotes_comments_continuations():
    text = ("ip route add default equalize \\\n    nexthop via 63.89.102.1 dev eth1  # c\n"
            "ip rule add from 'a b' ; ip r  \"x y\"z\n#!/bin/sh\nip a#b $X \"$Y\" '$Z'\n")
    commands = list(read_commands(text, "f"))
    assert texts(commands) == [
        ["ip", "route", "add", "default", "equalize", "nexthop", "via", "63.89.102.1", "dev", "eth1"],
        ["ip", "rule", "add", "from", "a b"], ["ip", "r", "x yz"], ["ip", "a#b", "$X", "$Y", "$Z"]]
    assert [(w.location.line, w.location.col) for w in commands[0][4:7]] == [(1, 22), (2, 5), (2, 13)]
    assert commands[2][2].location.col == 32
    last = commands[3]
    assert [w.symbol is not None for w in last] == [False, False, True, True, False]


def test_unterminated_quote():
    with pytest.raises(PyipError) as info:
        list(read_commands("ip route add 'x\n"))
    assert str(info.value) == "-:1:14: error: unterminated ' quote"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["ip", " ", "  ", "\t", "\n", "'", '"', "\\", "\\\n", ";", "#", "a", "$b",
                                 "10.0.0.0/8", "é", "\r"]), max_size=30).map("".join))
def test_the_fast_path_reads_as_the_character_reader(text):
    try:
        fast = list(read_commands(text, "f"))
    except PyipError as error:
        with pytest.raises(PyipError) as again:
            slow_only(text)
        assert str(again.value) == str(error)
        return
    assert fast == slow_only(text)
