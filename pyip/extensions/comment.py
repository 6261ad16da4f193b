"""comment (libxt_comment.c): a note on the rule (nft: the rule's comment, see translate_rule)."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast.base import Symbol
from ..parser.slots import slot_maker
from ..parser.xtables import Extension, Opt
from ..render.iptables_save import Text


class CommentMatch(metaclass=records.frozen):
    name: ClassVar[str] = "comment"
    comment: str | Symbol


class Match(Extension):
    name = "comment"
    options = (Opt("comment", "comment"),)
    remembered = False  # each rule has a comment of its own

    def read_comment(self, given):
        return given.value[:255]  # XT_MAX_COMMENT_LEN, with its terminating NUL

    def finish(self):
        self.require("comment")
        return CommentMatch(self.values["comment"].value)

    @classmethod
    def direct(cls, takes: tuple):
        """`--comment TEXT` once, without `!` (which take() refuses): CommentMatch(TEXT[:255])."""
        if len(takes) != 1 or takes[0].negated:
            return None
        make, [at] = slot_maker(CommentMatch), takes[0].values
        return lambda texts: make(texts[at][:255])


def comment_words(match: CommentMatch) -> list:
    return ["--comment", match.comment if isinstance(match.comment, Symbol) else Text(match.comment)]


SAVE = {CommentMatch: comment_words}
MATCH = Match
