"""ipchains-save files: `:CHAIN POLICY` lines and `-A CHAIN <ipchains options>` rules.

The format was never documented; Red Hat's /etc/sysconfig/ipchains held
lines like `:input ACCEPT` and `-A input -s 0/0 -d 0/0 80 -p tcp -y -j
ACCEPT`.  Each line becomes the ipchains command that has its effect,
parsed by pyip.parser.ipchains with ipchains' own checks and messages:
`:input DENY` is `ipchains -P input DENY`, `:name -` (a user chain) is
`ipchains -N name`, and a rule line is `ipchains -A ...`.  Blank lines and
`#` comments are skipped; words are split on blanks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..ast import firewall as fw
from ..ast import ipchains as ch
from ..errors import Location, PyipError
from .ipchains import parse_ipchains
from .words import Word

_WORD = re.compile(r"\S+")


def save_commands(text: str, file: str = "-") -> Iterator[fw.Command | PyipError]:
    """Each command a saved ruleset amounts to, or the PyipError of a line that does not read."""
    for number, line in enumerate(text.splitlines(), 1):
        words = [Word(match.group(), Location(file, number, match.start() + 1)) for match in _WORD.finditer(line)]
        if not words or words[0].text.startswith("#"):
            continue
        yield line_command(words, Location(file, number, 1))


def line_command(words: list[Word], location: Location) -> fw.Command | PyipError:
    first = words[0]
    if first.text.startswith(":"):
        return chain_command(words, location)
    if first.text != "-A":
        return PyipError(f"ipchains-save: line {location.line}: a rule line starts with -A", first.location, 1)
    return parse(words, location)


def chain_command(words: list[Word], location: Location) -> fw.Command | PyipError:
    """`:CHAIN POLICY`: the policy of a built-in chain, or `-` for a user chain to create."""
    name = Word(words[0].text[1:], Location(location.file, location.line, 2))
    if not name.text or len(words) < 2:
        return PyipError(f"ipchains-save: line {location.line}: a chain line is `:CHAIN POLICY'", location, 1)
    policy = words[1]
    if policy.text == "-" and name.text not in ch.BUILTIN_CHAINS:
        return parse([Word("-N", location), name], location)
    return parse([Word("-P", location), name, policy], location)


def parse(words: list[Word], location: Location) -> fw.Command | PyipError:
    try:
        return parse_ipchains([Word("ipchains", location), *words])
    except PyipError as error:
        return error
