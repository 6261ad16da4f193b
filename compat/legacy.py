"""What the Linux 2.2-era `ip` (iproute2 ss990417 .. ss001007) accepted and meant.

The documents' scripts were written for it; three of its readings differ
silently or loudly from today's `ip`:

- `ip rule ... fwmark 10` was hexadecimal (0x10 = 16).  Today `10` is
  decimal, so the rule stops matching the mark the script sets.
- `ip rule ... reject` was listed in the usage text but never parsed;
  `prohibit` is the word (today: `Failed to parse rule type`).
- `ip route ... equalize` was accepted; the kernel never implemented it,
  and today's `ip` calls it garbage.

`ip route flush cache` needs no shim: today's `cache` abbreviates `cached`.
The legacy dialect reads these with their 2.2 meaning, and every such
reading leaves a note, so the drop-in can warn and the linter can report.
"""

from __future__ import annotations

MODERN = "modern"
LEGACY = "legacy"
DIALECTS = (MODERN, LEGACY)


def fwmark_base(dialect: str) -> int:
    """The base `ip rule fwmark N` is read in: 16 for 2.2, C rules today."""
    return 16 if dialect == LEGACY else 0


def fwmark_note(word: str, value: int) -> str:
    return f'legacy "fwmark {word}" is hexadecimal: fwmark 0x{value:x} ({value})'


REJECT_NOTE = 'legacy rule type "reject" is "prohibit" today'
EQUALIZE_NOTE = 'legacy "equalize" ignored: the kernel never implemented it'
