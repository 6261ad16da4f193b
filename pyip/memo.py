"""Results of pure functions of frozen AST nodes, remembered by the nodes' identity, bounded.

A 50,000-rule file names a few interfaces, protocols, states and targets
tens of thousands of times, and the parser hands out one node for each of
them (its rule templates), so translating or printing a rule is mostly
translating nodes met before.  Keying by identity costs one id() and a dict
look-up, where hashing a frozen attrs node hashes every field again.  An
entry keeps its nodes alive, so no other object can take their id while
the entry stands; nodes are frozen, so what was computed from them holds.

Only functions whose result depends on the key's nodes (and the key's
plain values) alone go through a memo; each memo's user says what it
reads.  `memos_off()` turns every memo off (the full path), for the tests
that check both paths give the same results.
"""

from __future__ import annotations

# Entries a memo holds before it starts again empty: a long-running process meeting ever new nodes
# keeps at most this many (and their nodes) per memo.
MEMO_SIZE = 8192

enabled = True


class IdentityMemo:
    """`memo.get(key)` -> the result remembered for `key` (a tuple of ids, see key_of()), or None;
    `memo.keep(key, pinned, result)`: remember it, `pinned` the objects whose ids the key holds."""

    __slots__ = ("found", "size")

    def __init__(self, size: int = MEMO_SIZE):
        self.found: dict = {}
        self.size = size

    def get(self, key):
        entry = self.found.get(key)
        return entry[1] if entry is not None else None

    def keep(self, key, pinned, result) -> None:
        if not enabled:
            return
        found = self.found
        if len(found) >= self.size:
            found.clear()  # bounded: simpler and cheaper than least-recently-used order, and enough here
        found[key] = (pinned, result)

    def clear(self) -> None:
        self.found.clear()


MEMOS: list[IdentityMemo] = []


def memo(size: int = MEMO_SIZE) -> IdentityMemo:
    """A new memo, which memos_off() empties and turns off with the others."""
    made = IdentityMemo(size)
    MEMOS.append(made)
    return made


class memos_off:
    """`with memos_off():` every result computed in full (nothing remembered, nothing found) while inside.
    (A class, not contextlib.contextmanager, as pyip.script.collector_paused: contextlib costs start-up time.)"""

    def __enter__(self) -> None:
        global enabled
        self.was = enabled
        enabled = False
        for each in MEMOS:
            each.clear()

    def __exit__(self, *exception) -> bool:
        global enabled
        enabled = self.was
        return False
