"""state (libxt_state.c, in libxt_conntrack.c today): the connection tracking state."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..parser.xtables import Extension, Opt
from .conntrack import STATES, parse_states
from ..render.iptables_save import names_text, negatable


class StateMatch(metaclass=records.frozen):
    name: ClassVar[str] = "state"
    states: fw.Test  # tuple of INVALID NEW RELATED ESTABLISHED UNTRACKED, in that order


class Match(Extension):
    name = "state"
    options = (Opt("state", "state", invert=True),)

    def read_state(self, given):
        return parse_states(given.value, STATES, "state", "Bad state")

    def finish(self):
        self.require("state")
        return StateMatch(self.values["state"])


def state_words(match: StateMatch) -> list:
    words: list = []
    negatable(words, match.states, "--state", names_text)
    return words


def state_matches(match: StateMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import ct_state_match

    # a connection has exactly one state, so a set of states is exact (`ct state` is one bit)
    return [ct_state_match(match.states.value, match.states.negated)]


SAVE = {StateMatch: state_words}
NFT = {StateMatch: state_matches}
MATCH = Match
