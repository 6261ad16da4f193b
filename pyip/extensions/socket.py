"""socket (libxt_socket.c, revision 3): a local socket for the packet, optionally transparent, marking."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt

FLAGS = ("transparent", "nowildcard", "restore-skmark")


class SocketMatch(metaclass=records.frozen):
    name: ClassVar[str] = "socket"
    limits: ClassVar[tuple] = (None, {"PREROUTING", "INPUT"}, None)  # xt_socket: PRE_ROUTING and LOCAL_IN
    flags: tuple = ()  # of FLAGS, in that order


class Match(Extension):
    name = "socket"
    options = tuple(Opt(flag, flag, arity=0) for flag in FLAGS)

    def finish(self):
        return SocketMatch(tuple(flag for flag in FLAGS if flag in self.given))


def match_nft(match: SocketMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the socket match (nft's socket expression tests one key of a socket, not that a "
                         "matching one exists, nor restores its mark)")


SAVE = {SocketMatch: lambda match: [f"--{flag}" for flag in match.flags]}
NFT = {SocketMatch: match_nft}
MATCH = Match
