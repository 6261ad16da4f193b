"""Frozen (and plain mutable) record classes as attrs makes them, without importing attrs.

The drop-in runs once per line of a legacy script, and importing attrs and
building its classes cost more than the command itself.  The classes the
drop-in and `pyip parse` meet (pyip.ast's ip nodes, the name databases, the
parser's context) are declared as for attrs, with `@frozen` / `@define`
and `field(...)` from here, and get what attrs would give them: slots,
`__init__` (defaults, factories, converters, `__attrs_post_init__`),
`__eq__` and `__hash__` over the fields with eq=True, `__repr__`,
immutability, pickling, `__match_args__`.  `__attrs_attrs__` holds Field
objects with the names attrs.fields() and attrs.evolve() read, so code
written for attrs (render/json, the linter, netlink) handles both kinds.

The methods are Python source made from the fields.  Compiling it at every
start would cost about as much as attrs; pyip/records_compiled.py holds
the same source, generated (`python -m pyip.records`), so it comes compiled
from its .pyc.  A class whose source is not there, or not the same (a field
changed and the file was not regenerated), compiles its own:
tests/test_records.py fails until the file is regenerated.
"""

from __future__ import annotations

class _Nothing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING = _Nothing()


class Field:
    """One field; the attribute names are attrs.Attribute's that attrs' functions read."""

    __slots__ = ("name", "default", "factory", "eq", "init", "repr", "converter", "alias", "hash")

    def __init__(self, default=NOTHING, factory=None, eq=True, init=True, repr=True, converter=None):
        self.name = self.alias = None
        self.default, self.factory, self.eq, self.init = default, factory, eq, init
        self.repr, self.converter, self.hash = repr, converter, eq
        if factory is not None:
            self.default = Factory(factory)

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, eq={self.eq!r}, init={self.init!r})"


class Factory:
    """attrs.Factory: a default made anew for each instance."""

    __slots__ = ("factory", "takes_self")

    def __init__(self, factory):
        self.factory, self.takes_self = factory, False

    def __repr__(self) -> str:
        return f"Factory({self.factory!r})"


def field(*, default=NOTHING, factory=None, eq: bool = True, init: bool = True, repr: bool = True,
          converter=None) -> Field:
    return Field(default, factory, eq, init, repr, converter)


def frozen(cls):
    """attrs.frozen: slots, immutable, equal and hashed by the eq fields."""
    return _build(cls, is_frozen=True)


def define(cls):
    """attrs.define: slots, mutable, equal by the fields, unhashable."""
    return _build(cls, is_frozen=False)


def fields(cls) -> tuple:
    """attrs.fields() for records and attrs classes alike."""
    found = getattr(cls, "__attrs_attrs__", None)
    if found is None:
        raise TypeError(f"{cls!r} is not a record class")
    return found


def has(cls) -> bool:
    return getattr(cls, "__attrs_attrs__", None) is not None


def evolve(instance, **changes):
    """attrs.evolve(): a copy with some fields changed (each init field passed to __init__ again)."""
    cls = instance.__class__
    for each in fields(cls):
        if each.init and each.alias not in changes:
            changes[each.alias] = getattr(instance, each.name)
    return cls(**changes)


# -- building a class ---------------------------------------------------------------------------

def _build(cls, is_frozen: bool):
    declared = _fields(cls)
    body = {key: value for key, value in cls.__dict__.items()
            if key not in ("__dict__", "__weakref__") and key not in {each.name for each in declared}}
    body["__slots__"] = (*(each.name for each in declared), "__weakref__")
    body["__attrs_attrs__"] = declared
    body["__match_args__"] = tuple(each.name for each in declared if each.init)
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    source = method_source(cls.__name__, declared, is_frozen, "__attrs_post_init__" in body)
    methods = _factory(f"{cls.__module__}.{cls.__qualname__}", source)(
        made, tuple(each.default for each in declared), tuple(each.converter for each in declared))
    for name, method in methods.items():
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(made, name, method)
    if not is_frozen:
        made.__hash__ = None
    return made


def _fields(cls) -> tuple:
    if any(has(base) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: a record does not inherit fields (not needed so far)")
    declared = []
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, NOTHING)
        each = value if isinstance(value, Field) else Field(factory=value.factory) if isinstance(value, Factory) \
            else Field(default=value)
        each.name = each.alias = name
        declared.append(each)
    return tuple(declared)


def method_source(class_name: str, declared: tuple, is_frozen: bool, post_init: bool) -> str:
    """The source of a function `make(cls, _defaults, _converters)` returning the class's methods
    (by field: the defaults, the converters)."""
    assign = "_setattr(self, {name!r}, {value})" if is_frozen else "self.{name} = {value}"
    parameters, lines = ["self"], []
    for i, each in enumerate(declared):
        if not each.init:
            if each.default is not NOTHING:
                lines.append(assign.format(name=each.name, value=_default_value(each, i)))
            continue
        if each.default is NOTHING:
            parameters.append(each.name)
            value = each.name
        elif isinstance(each.default, Factory):
            parameters.append(f"{each.name}=NOTHING")
            lines.append(f"if {each.name} is NOTHING:")
            lines.append(f"    {each.name} = _defaults[{i}].factory()")
            value = each.name
        else:
            parameters.append(f"{each.name}=_default{i}")
            value = each.name
        if each.converter is not None:
            value = f"_converters[{i}]({value})"
        lines.append(assign.format(name=each.name, value=value))
    if post_init:
        lines.append("self.__attrs_post_init__()")
    compared = [each.name for each in declared if each.eq]
    mine = "".join(f"self.{name}, " for name in compared)
    theirs = "".join(f"other.{name}, " for name in compared)
    shown = [each.name for each in declared if each.repr]
    text = ", ".join(f"{name}={{self.{name}!r}}" for name in shown)
    defaults = "".join(f"    _default{i} = _defaults[{i}]\n" for i, each in enumerate(declared)
                       if each.init and each.default is not NOTHING and not isinstance(each.default, Factory))
    source = [
        "def make(cls, _defaults, _converters):",
        "    _setattr = object.__setattr__",
        defaults.rstrip("\n"),
        f"    def __init__({', '.join(parameters)}):",
        *(f"        {line}" for line in lines or ["pass"]),
        "    def __eq__(self, other):",
        "        if other.__class__ is not self.__class__:",
        "            return NotImplemented",
        f"        return ({mine}) == ({theirs})",
        "    def __repr__(self):",
        f"        return f\"{class_name}({text})\"",
        "    def __getstate__(self):",
        f"        return tuple(getattr(self, name) for name in {tuple(each.name for each in declared)!r})",
        "    def __setstate__(self, state):",
        f"        for name, value in zip({tuple(each.name for each in declared)!r}, state):",
        "            _setattr(self, name, value)",
        "    methods = {'__init__': __init__, '__eq__': __eq__, '__repr__': __repr__,",
        "               '__getstate__': __getstate__, '__setstate__': __setstate__}",
    ]
    if is_frozen:
        source += [
            "    def __hash__(self):",
            f"        return hash(({class_name!r}, {mine}))",
            "    def __setattr__(self, name, value):",
            "        raise FrozenInstanceError()",
            "    def __delattr__(self, name):",
            "        raise FrozenInstanceError()",
            "    methods.update(__hash__=__hash__, __setattr__=__setattr__, __delattr__=__delattr__)",
        ]
    source.append("    return methods")
    return "\n".join(line for line in source if line) + "\n"


def _default_value(each: Field, i: int) -> str:
    return f"_defaults[{i}].factory()" if isinstance(each.default, Factory) else f"_defaults[{i}]"


class FrozenInstanceError(AttributeError):
    """attrs.exceptions.FrozenInstanceError's message and base class."""

    msg = "can't set attribute"
    args = ["can't set attribute"]


def _factory(key: str, source: str):
    """The compiled `make` for this source: from records_compiled if it holds the same, else compiled now."""
    from . import records_compiled

    compiled = records_compiled.MAKERS.get(key)
    if compiled is not None and records_compiled.SOURCES.get(key) == source:
        return compiled
    namespace = {"NOTHING": NOTHING, "FrozenInstanceError": FrozenInstanceError}
    exec(compile(source, f"<record {key}>", "exec"), namespace)
    return namespace["make"]


# -- pyip/records_compiled.py -----------------------------------------------------------------------

# Every module that declares records: their classes go into records_compiled.py.
MODULES = ("pyip.ast.base", "pyip.ast", "pyip.ast.route", "pyip.ast.rule", "pyip.ast.address", "pyip.names",
           "pyip.prefix", "pyip.parser.ip", "pyip.netlink.common", "pyip.show.common", "pyip.show.address",
           "pyip.show.route", "pyip.show.rule")


def compiled_module_text() -> str:
    """records_compiled.py as it must read for the records declared now."""
    import importlib

    sources = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module_name and "__attrs_attrs__" in value.__dict__ \
                    and all(isinstance(each, Field) for each in value.__attrs_attrs__):
                declared = value.__attrs_attrs__
                key = f"{module_name}.{value.__qualname__}"
                sources[key] = method_source(value.__name__, declared, value.__hash__ is not None,
                                             "__attrs_post_init__" in value.__dict__)
    out = ['"""Generated by `python -m pyip.records` from the record classes (pyip.records): do not edit."""',
           "# flake8: noqa", "", "from .records import NOTHING, FrozenInstanceError", "", "MAKERS = {}", "SOURCES = {}",
           ""]
    for key in sorted(sources):
        out += ["", sources[key].rstrip("\n"), "", "", f"MAKERS[{key!r}] = make", f"SOURCES[{key!r}] = {sources[key]!r}"]
    out += ["del make", ""]
    return "\n".join(out)


def write_compiled_module() -> None:
    """`python -m pyip.records`: (re)write pyip/records_compiled.py (temporary file, then rename)."""
    import os

    text = compiled_module_text()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "records_compiled.py")
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


if __name__ == "__main__":
    from pyip import records  # this module's classes, not __main__'s copies

    records.write_compiled_module()
