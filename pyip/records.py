"""Frozen (and plain mutable) record classes as attrs makes them, without importing attrs.

The drop-in runs once per line of a legacy script, and importing attrs and
building its classes cost more than the command itself.  The classes the
drop-in and `pyip parse` meet (pyip.ast's ip nodes, the name databases, the
parser's context) are declared as for attrs, with `field(...)` from here
and `frozen` / `define` as their metaclass (`class X(metaclass=frozen)`:
the record is made once, from the class statement's namespace; as a
decorator, as attrs has it, the statement's class is made again with
slots), and get what attrs would give them: slots,
`__init__` (defaults, factories, converters, `__attrs_post_init__`),
`__eq__` and `__hash__` over the fields with eq=True, `__repr__`,
immutability, pickling, `__match_args__`.  `__attrs_attrs__` holds Field
objects with the names attrs.fields() and attrs.evolve() read, so code
written for attrs (render/json, the linter, netlink) handles both kinds.

The methods are Python source made from the fields.  Compiling it at every
start would cost about as much as attrs; pyip/records_compiled.py holds
the same source, generated (`python -m pyip.records`), so it comes compiled
from its .pyc.  Beside each class's methods it keeps their spec (method_spec():
the fields' names and kinds, a tuple of constants), which is all the source is
made from: a class whose spec is not there, or not the same (a field changed
and the file was not regenerated), compiles its own source, and
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

    __slots__ = ("name", "default", "factory", "eq", "init", "repr", "converter", "alias", "hash", "kw_only")

    validator = None  # attrs.Attribute has one; records take none (pyip.parser.slots reads it)

    def __init__(self, default=NOTHING, factory=None, eq=True, init=True, repr=True, converter=None, kw_only=False):
        self.name = self.alias = None
        self.default, self.factory, self.eq, self.init = default, factory, eq, init
        self.repr, self.converter, self.hash, self.kw_only = repr, converter, eq, kw_only
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
          converter=None, kw_only: bool = False) -> Field:
    return Field(default, factory, eq, init, repr, converter, kw_only)


def frozen(cls, bases: tuple | None = None, namespace: dict | None = None, kw_only: bool = False):
    """attrs.frozen: slots, immutable, equal and hashed by the eq fields.

    A decorator (`@records.frozen`), as attrs', or the class's metaclass (`class X(metaclass=
    records.frozen)`), which makes the class once: decorated, the class statement's class is
    made again with slots, and making a class is most of a record's start-up cost.

    kw_only, as attrs': the class's own fields are keyword-only in __init__ and left out of
    __match_args__ (`class X(Base, metaclass=records.frozen, kw_only=True)`); the fields of a
    record base come first, as attrs orders them."""
    if bases is not None:
        return _make(cls, bases, namespace, is_frozen=True, kw_only=kw_only)
    return _build(cls, is_frozen=True, kw_only=kw_only)


def define(cls, bases: tuple | None = None, namespace: dict | None = None, kw_only: bool = False):
    """attrs.define: slots, mutable, equal by the fields, unhashable (a decorator or a metaclass, as frozen)."""
    if bases is not None:
        return _make(cls, bases, namespace, is_frozen=False, kw_only=kw_only)
    return _build(cls, is_frozen=False, kw_only=kw_only)


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

def _build(cls, is_frozen: bool, kw_only: bool = False):
    """The decorator's record: the class made again, from its namespace, with slots."""
    namespace = {key: value for key, value in cls.__dict__.items() if key not in ("__dict__", "__weakref__")}
    namespace["__qualname__"] = cls.__qualname__  # the class statement's, kept by the class, not in its __dict__
    return type(cls)(cls.__name__, cls.__bases__, _body(cls.__name__, cls.__bases__, namespace, is_frozen, kw_only))


def _make(name: str, bases: tuple, namespace: dict, is_frozen: bool, kw_only: bool = False):
    """The metaclass's record: made once, from the class statement's namespace."""
    return type(name, bases, _body(name, bases, namespace, is_frozen, kw_only))


def _body(name: str, bases: tuple, namespace: dict, is_frozen: bool, kw_only: bool = False) -> dict:
    """The record's namespace: the declared one with slots for the fields and the generated methods."""
    own = _fields(namespace, kw_only)
    declared = (*_inherited(bases, {each.name for each in own}), *own)
    names = {each.name for each in own}
    qualname = namespace.get("__qualname__", name)
    body = {key: value for key, value in namespace.items() if key not in names}
    # a base's fields have their slots in the base; one __weakref__ slot in the hierarchy
    weakref = () if any(hasattr(base, "__weakref__") for base in bases) else ("__weakref__",)
    body["__slots__"] = (*(each.name for each in own), *weakref)
    body["__attrs_attrs__"] = declared
    body["__match_args__"] = tuple(each.name for each in declared if each.init and not each.kw_only)
    spec = method_spec(name, declared, is_frozen, "__attrs_post_init__" in body)
    methods = _factory(f"{namespace['__module__']}.{qualname}", spec)(
        None, tuple(each.default for each in declared), tuple(each.converter for each in declared))
    for method_name, method in methods.items():
        method.__qualname__ = f"{qualname}.{method_name}"
    # The methods go into the class as it is made: set on the class afterwards, each dunder
    # method made the interpreter update the type's slots again (about half of a record's cost).
    body.update(methods)
    if not is_frozen:
        body["__hash__"] = None
    return body


def _fields(namespace: dict, kw_only: bool) -> tuple:
    """The class statement's own fields: its annotated names but ClassVars, in order."""
    declared = []
    for field_name, annotation in namespace.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = namespace.get(field_name, NOTHING)
        each = value if isinstance(value, Field) else Field(factory=value.factory) if isinstance(value, Factory) \
            else Field(default=value)
        each.name = each.alias = field_name
        each.kw_only = each.kw_only or kw_only
        declared.append(each)
    return tuple(declared)


def _is_class_var(annotation) -> bool:
    """attrs' test: the annotation (a string under `from __future__ import annotations`) says ClassVar."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar", "typing_extensions.ClassVar"))


def _inherited(bases: tuple, own_names: set) -> list:
    """The record bases' fields, base classes' first (as attrs collects them by MRO), but those the
    class declares again."""
    found, seen = [], set(own_names)
    for base in bases:
        for klass in reversed(base.__mro__):
            for each in klass.__dict__.get("__attrs_attrs__", ()):
                if each.name not in seen:
                    seen.add(each.name)
                    found.append(each)
    return found


def method_spec(class_name: str, declared: tuple, is_frozen: bool, post_init: bool) -> tuple:
    """All that the methods' source depends on, as a tuple of constants: records_compiled.py keeps
    it beside each class's compiled methods, and comparing it at start-up is far cheaper than
    building the source again."""
    fields_spec = tuple(
        (each.name, each.init,
         "required" if each.default is NOTHING else "factory" if isinstance(each.default, Factory) else "value",
         each.converter is not None, each.eq, each.repr, each.kw_only)
        for each in declared)
    return class_name, is_frozen, post_init, fields_spec


def method_source(spec: tuple) -> str:
    """The source of a function `make(cls, _defaults, _converters)` returning the class's methods
    (by field: the defaults, the converters), made from the spec alone.  `cls` is not used (the
    methods are made before their class; _build() passes None); it stays in the signature so
    that records_compiled.py, generated with it, needs no regenerating."""
    class_name, is_frozen, post_init, fields_spec = spec
    assign = "_setattr(self, {name!r}, {value})" if is_frozen else "self.{name} = {value}"
    parameters, keywords, lines = ["self"], [], []
    for i, (name, init, default, converted, _, _, kw_only) in enumerate(fields_spec):
        if not init:
            if default != "required":
                lines.append(assign.format(name=name, value=_default_value(default, i)))
            continue
        said = keywords if kw_only else parameters
        if default == "required":
            said.append(name)
        elif default == "factory":
            said.append(f"{name}=NOTHING")
            lines.append(f"if {name} is NOTHING:")
            lines.append(f"    {name} = _defaults[{i}].factory()")
        else:
            said.append(f"{name}=_default{i}")
        value = f"_converters[{i}]({name})" if converted else name
        lines.append(assign.format(name=name, value=value))
    if post_init:
        lines.append("self.__attrs_post_init__()")
    names = tuple(name for name, *_ in fields_spec)
    if keywords:
        parameters += ["*", *keywords]
    compared = [name for name, _, _, _, eq, _, _ in fields_spec if eq]
    mine = "".join(f"self.{name}, " for name in compared)
    theirs = "".join(f"other.{name}, " for name in compared)
    shown = [name for name, _, _, _, _, shown, _ in fields_spec if shown]
    text = ", ".join(f"{name}={{self.{name}!r}}" for name in shown)
    defaults = "".join(f"    _default{i} = _defaults[{i}]\n" for i, (_, init, default, *_) in enumerate(fields_spec)
                       if init and default == "value")
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
        f"        return tuple(getattr(self, name) for name in {names!r})",
        "    def __setstate__(self, state):",
        f"        for name, value in zip({names!r}, state):",
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


def _default_value(default: str, i: int) -> str:
    return f"_defaults[{i}].factory()" if default == "factory" else f"_defaults[{i}]"


class FrozenInstanceError(AttributeError):
    """attrs.exceptions.FrozenInstanceError's message and base class."""

    msg = "can't set attribute"
    args = ["can't set attribute"]


def _factory(key: str, spec: tuple):
    """The compiled `make` for this spec: from records_compiled (or records_compiled_firewall, or
    records_compiled_show) if it was generated from the same spec (a stale one is not used), else
    compiled now."""
    try:
        if key.startswith(_FIREWALL_PREFIXES):
            from . import records_compiled_firewall as generated
        elif key.startswith(_SHOW_PREFIXES):
            from . import records_compiled_show as generated
        else:
            from . import records_compiled as generated
    except ImportError:  # not generated yet (`python -m pyip.records` imports the classes to write it)
        generated = None
    compiled = generated.MAKERS.get(key) if generated is not None else None
    if compiled is not None and generated.SPECS.get(key) == spec:
        return compiled
    namespace = {"NOTHING": NOTHING, "FrozenInstanceError": FrozenInstanceError}
    exec(compile(method_source(spec), f"<record {key}>", "exec"), namespace)
    return namespace["make"]


# -- pyip/records_compiled.py -----------------------------------------------------------------------

# Every module that declares records: their classes go into records_compiled.py; the firewall's
# (translate, lint) into records_compiled_firewall.py, which the drop-in does not load; the names'
# and the printers' into records_compiled_show.py, all the drop-in's `OBJECT show` shortcut loads
# (records_compiled.py's 90 KB of methods cost it 0.6 ms).
MODULES = ("pyip.ast.base", "pyip.ast", "pyip.ast.route", "pyip.ast.rule", "pyip.ast.address",
           "pyip.prefix", "pyip.parser.ip", "pyip.netlink.common")
SHOW_MODULES = ("pyip.names", "pyip.show.common", "pyip.show.address", "pyip.show.route", "pyip.show.rule")
FIREWALL_MODULES = ("pyip.ast.nft", "pyip.ast.firewall", "pyip.ast.ipchains", "pyip.parser.getopt",
                    "pyip.parser.iptables", "pyip.parser.xtables", "pyip.render.iptables_save", "pyip.ruleset",
                    "pyip.fileio", "pyip.shell", "pyip.shell_conditions", "pyip.parser.ipchains",
                    "pyip.ruleset_ipchains", "pyip.translators.ipchains_iptables", "pyip.lint.config",
                    "pyip.lint.model", "pyip.lint.script")
FIREWALL_PACKAGES = ("pyip.extensions",)  # and each module in these
COMPILED = {"records_compiled": MODULES, "records_compiled_firewall": FIREWALL_MODULES,
            "records_compiled_show": SHOW_MODULES}
_FIREWALL_PREFIXES = tuple(f"{name}." for name in (*FIREWALL_MODULES, *FIREWALL_PACKAGES))
_SHOW_PREFIXES = tuple(f"{name}." for name in SHOW_MODULES)


def _modules(compiled: str) -> list:
    """The modules whose records go into pyip/{compiled}.py: COMPILED's, and the firewall packages' modules."""
    import importlib
    import pkgutil

    found = list(COMPILED[compiled])
    if compiled == "records_compiled_firewall":
        for package in FIREWALL_PACKAGES:
            path = importlib.import_module(package).__path__
            found += sorted(f"{package}.{info.name}" for info in pkgutil.iter_modules(path))
    return found


def compiled_module_text(compiled: str = "records_compiled") -> str:
    """pyip/records_compiled.py (or another of COMPILED) as it must read for the records declared now."""
    import importlib

    specs = {}
    for module_name in _modules(compiled):
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module_name and "__attrs_attrs__" in value.__dict__ \
                    and all(isinstance(each, Field) for each in value.__attrs_attrs__):
                declared = value.__attrs_attrs__
                key = f"{module_name}.{value.__qualname__}"
                specs[key] = method_spec(value.__name__, declared, value.__hash__ is not None,
                                         "__attrs_post_init__" in value.__dict__)
    out = ['"""Generated by `python -m pyip.records` from the record classes (pyip.records): do not edit."""',
           "# flake8: noqa", "", "from .records import NOTHING, FrozenInstanceError", "", "MAKERS = {}", "SPECS = {}",
           ""]
    for key in sorted(specs):
        out += ["", method_source(specs[key]).rstrip("\n"), "", "", f"MAKERS[{key!r}] = make",
                f"SPECS[{key!r}] = {specs[key]!r}"]
    out += ["del make", ""]
    return "\n".join(out)


def write_compiled_module() -> None:
    """`python -m pyip.records`: (re)write pyip/records_compiled*.py (temporary file, then rename)."""
    import os

    for compiled in COMPILED:
        text = compiled_module_text(compiled)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{compiled}.py")
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)


if __name__ == "__main__":
    from pyip import records  # this module's classes, not __main__'s copies

    records.write_compiled_module()
