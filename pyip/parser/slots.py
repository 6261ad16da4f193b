"""Frozen attrs records made without their __init__, where a parse makes one for every line of a file.

attrs' generated __init__ of a frozen class sets each field through
object.__setattr__ and looks at defaults and factories: for a rule (thirteen
fields) that is half the cost of making it.  slot_maker() sets the slots
through their own descriptors instead, which gives an equal object (the same
class, every field set, eq=False ones too; tests/test_iptables_speed_equivalence.py
compares them field by field).
"""

from __future__ import annotations

from functools import lru_cache
from types import MemberDescriptorType

from .. import records


@lru_cache(maxsize=None)  # a class or two of each extension's, and the rule commands'
def slot_maker(cls):
    """A function making a `cls` (an attrs class) from the values of all its fields, given in records.fields()
    order or by name, equal to what cls(...) makes.  Slots set directly only where __init__ does nothing
    else (slots, no validator, converter, alias or __attrs_pre/post_init__); any other class gets its own
    __init__, called with the same values."""
    fields = records.fields(cls)
    names = [field.name for field in fields]
    if (any(field.validator or field.converter or not field.init or field.alias != field.name for field in fields)
            or hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "__attrs_post_init__")
            or not all(isinstance(getattr(cls, name, None), MemberDescriptorType) for name in names)):
        aliases = [field.alias for field in fields]
        return lambda *values, **named: cls(**dict(zip(aliases, values)), **named)
    # the function's own names begin with `_slot_`: a field may be called `new` or `cls` (CLUSTERIP's --new)
    setters = {f"_slot_set_{name}": getattr(cls, name).__set__ for name in names}  # the slots' own descriptors
    source = (f"def make({', '.join(names)}):\n    _slot_made = _slot_new(_slot_cls)\n"
              + "".join(f"    _slot_set_{name}(_slot_made, {name})\n" for name in names) + "    return _slot_made\n")
    namespace = {"_slot_new": object.__new__, "_slot_cls": cls, **setters}
    exec(compile(source, f"<slot maker {cls.__qualname__}>", "exec"), namespace)
    return namespace["make"]
