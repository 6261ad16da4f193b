"""Named tuples as typing.NamedTuple makes them, without importing typing or collections.

`from typing import NamedTuple` costs a drop-in start more than the command's
own work (typing imports re, enum, functools and collections).  A class here
declares its fields with field(), writes its own `__new__` (the defaults),
and gets what namedtuple gives: attribute access by C accessors, `_fields`,
`_replace`, `_asdict`, `repr`, pickling, `__match_args__`.
tests/test_regex_free.py holds them to the NamedTuple they replace.
"""

from __future__ import annotations

try:
    from _collections import _tuplegetter  # namedtuple's own accessor, in C
except ImportError:  # another Python: a property reading the item, as namedtuple does there
    from operator import itemgetter as _itemgetter

    def _tuplegetter(index: int, doc: str | None):
        return property(_itemgetter(index), doc=doc)


def field(index: int):
    """The accessor of the field at INDEX."""
    return _tuplegetter(index, f"Alias for field number {index}")


class FieldTuple(tuple):
    """The methods namedtuple adds; a subclass sets `_fields`, `__match_args__` and `__new__`."""

    __slots__ = ()
    _fields: tuple = ()

    def __repr__(self) -> str:
        pairs = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"{type(self).__name__}({pairs})"

    def __getnewargs__(self) -> tuple:
        return tuple(self)

    def _replace(self, **changes):
        made = tuple.__new__(type(self), [changes.pop(name, value) for name, value in zip(self._fields, self)])
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return made

    def _asdict(self) -> dict:
        return dict(zip(self._fields, self))

    @classmethod
    def _make(cls, iterable):
        made = tuple.__new__(cls, iterable)
        if len(made) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(made)}")
        return made
