"""Start-up shortcuts (issue 13) read as the regular expressions they replace.

String methods instead of a compiled pattern where the pattern's compiling
cost start-up time; each is checked here against the pattern it replaced, on
generated text and on the cases at the edges.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pyip.netlink.common import invarg_reason
from pyip.prefix import plain_quad
from pyip.script import has_other_line_breaks

INVARG = re.compile(r'Error: argument ".*" is wrong: (.*)', re.DOTALL)
OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
PLAIN_QUAD = re.compile(r"\.".join([OCTET] * 4))
OTHER_LINE_BREAKS = re.compile(r"[\r\v\f\x1c-\x1e\x85\u2028\u2029]")

# Text made mostly of the pieces the patterns look for, so that matches are common.
PIECES = st.sampled_from(['Error: argument "', '" is wrong: ', '"', "dev", "x", "\n", " ", ":", "is wrong"])
MESSAGES = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=8).map("".join)
QUADS = st.lists(st.one_of(st.sampled_from(["0", "00", "1", "25", "255", "256", "249", "199", "300", "010",
                                            ".", "/", "8", "\u0661", "²", " ", "1.2.3.4", ""]),
                           st.text(alphabet="0123456789./", max_size=4)), max_size=9).map("".join)
BREAK_TEXT = st.text(alphabet=st.sampled_from(list("ab \n\t\r\v\f\x1b\x1c\x1d\x1e\x1f\x84\x85\x86\u2027\u2028\u2029"
                                                  "\u202a")), max_size=12)


@settings(max_examples=2000, deadline=None)
@given(MESSAGES)
@example('Error: argument "eth0" is wrong: "dev" not a valid ifname')
@example('Error: argument "a" is wrong: b" is wrong: c')
@example('Error: argument "" is wrong: ')
@example('Error: argument " is wrong: x')
@example('Error: argument "x" is wrong: line\nnext')
@example('Warning: Error: argument "x" is wrong: y')
def test_invarg_reason_is_the_patterns_group(message):
    match = INVARG.fullmatch(message)
    assert invarg_reason(message) == (match.group(1) if match else None)


@settings(max_examples=2000, deadline=None)
@given(QUADS)
@example("1.2.3.4")
@example("255.255.255.255")
@example("1.2.3.4/8")
@example("01.2.3.4")
@example("1.2.3.\u0661")
@example("1.2.3")
@example("1.2.3.4.5")
@example("256.1.1.1")
def test_plain_quad_is_the_quad_pattern(word):
    octets, theirs = plain_quad(word), PLAIN_QUAD.fullmatch(word)
    assert (octets is None) == (theirs is None)
    if octets:
        assert octets == list(theirs.groups())


@settings(max_examples=2000, deadline=None)
@given(BREAK_TEXT)
def test_other_line_breaks_are_the_patterns(text):
    assert has_other_line_breaks(text) == (OTHER_LINE_BREAKS.search(text) is not None)
