"""pyip.records: classes that behave as attrs makes them, and a compiled module that is up to date."""

from __future__ import annotations

import copy
import pickle
import weakref
from pathlib import Path

import attrs
import pytest

from pyip import records

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("compiled", records.COMPILED)
def test_the_compiled_methods_are_up_to_date(compiled):
    """records_compiled*.py are the methods' source as the classes declare them now: regenerate them
    with `python -m pyip.records` after changing a record's fields."""
    assert (REPO / "pyip" / f"{compiled}.py").read_text(encoding="utf-8") == records.compiled_module_text(compiled)


@pytest.mark.parametrize("compiled, example", [("records_compiled", "pyip.ast.route.Route"),
                                               ("records_compiled_firewall", "pyip.ast.firewall.Append"),
                                               ("records_compiled_show", "pyip.show.common.ShowOptions")])
def test_every_record_uses_its_compiled_methods(compiled, example):
    import importlib

    generated = importlib.import_module(f"pyip.{compiled}")
    text = records.compiled_module_text(compiled)
    for key, spec in generated.SPECS.items():
        assert records._factory(key, spec) is generated.MAKERS[key]
    assert example in generated.SPECS
    assert text.count("MAKERS[") == len(generated.MAKERS)


def test_the_drop_in_records_leave_the_firewall_out():
    """The drop-in loads records_compiled only: the firewall's records are in their own module."""
    from pyip import records_compiled, records_compiled_firewall

    assert not any(key.startswith(("pyip.ast.firewall", "pyip.ast.nft", "pyip.ast.ipchains"))
                   for key in records_compiled.SPECS)
    assert "pyip.ast.nft.Rule" in records_compiled_firewall.SPECS


def test_the_show_records_are_apart():
    """The drop-in's `OBJECT show` shortcut loads records_compiled_show only: the names' and the
    printers' records, none of the syntax tree's."""
    from pyip import records_compiled, records_compiled_show

    assert all(key.startswith(("pyip.names.", "pyip.show.")) for key in records_compiled_show.SPECS)
    assert not any(key.startswith(("pyip.names.", "pyip.show.")) for key in records_compiled.SPECS)
    assert {"pyip.names.Databases", "pyip.show.rule.RuleFilter"} <= set(records_compiled_show.SPECS)


def twins(decorate_attrs, decorate_records, field_attrs, field_records):
    """The same class declared for attrs and for records."""
    made = []
    for decorate, field in ((decorate_attrs, field_attrs), (decorate_records, field_records)):
        @decorate
        class Sample:
            a: int
            b: str = "x"
            c: list = field(factory=list, eq=False)
            d: int | None = field(default=None, converter=lambda v: v if v is None else int(v))
            e: tuple = field(default=(), repr=False)
            f: int = field(init=False, default=7)

            def __attrs_post_init__(self):
                self.c.append("post")

            def twice(self) -> int:
                return self.a * 2

        made.append(Sample)
    return made


FROZEN = twins(attrs.frozen, records.frozen, attrs.field, records.field)
MUTABLE = twins(attrs.define, records.define, attrs.field, records.field)


def as_metaclass(kind):
    """records.frozen or define used as `class X(metaclass=...)`, through a decorator's signature."""
    def decorate(cls):
        namespace = {key: value for key, value in cls.__dict__.items() if key not in ("__dict__", "__weakref__")}
        return kind(cls.__name__, cls.__bases__, {**namespace, "__qualname__": cls.__qualname__})

    return decorate


FROZEN_ONCE = twins(attrs.frozen, as_metaclass(records.frozen), attrs.field, records.field)
MUTABLE_ONCE = twins(attrs.define, as_metaclass(records.define), attrs.field, records.field)


def test_a_record_declared_with_the_metaclass_is_made_once():
    """`class X(metaclass=records.frozen)`: the class statement makes the record itself (one class,
    whose methods' zero-argument super() works), the same as the decorated one."""
    class Base:
        __slots__ = ()

        def hello(self) -> str:
            return "base"

    class Declared(Base, metaclass=records.frozen):
        a: int
        b: str = "x"

        def hello(self) -> str:
            return "declared " + super().hello()

    assert type(Declared) is type and Declared.__qualname__.endswith("<locals>.Declared")
    assert Declared.__slots__ == ("a", "b", "__weakref__") and not hasattr(Declared(1), "__dict__")
    assert Declared(1).hello() == "declared base" and Declared(1) == Declared(1, "x") != Declared(2)
    assert repr(Declared(1)) == "Declared(a=1, b='x')" and Declared.__init__.__qualname__.endswith("Declared.__init__")
    from pyip.ast import Route

    assert type(Route) is type and Route.__qualname__ == "Route" and Route.__module__ == "pyip.ast.route"


@pytest.mark.parametrize("pair", [FROZEN, MUTABLE, FROZEN_ONCE, MUTABLE_ONCE],
                         ids=["frozen", "define", "frozen metaclass", "define metaclass"])
def test_records_behave_as_attrs_classes(pair):
    made_by_attrs, made_by_records = pair
    for arguments in [(1,), (1, "y"), (1, "y", ["z"]), (1, "y", [], "5"), (2, "x", [], None, (1, 2))]:
        ours, theirs = made_by_records(*arguments), made_by_attrs(*arguments)
        assert repr(ours) == repr(theirs)
        assert (ours.a, ours.b, ours.c, ours.d, ours.e, ours.f) == (theirs.a, theirs.b, theirs.c, theirs.d, theirs.e,
                                                                     theirs.f)
        assert ours == made_by_records(*arguments) and not ours != made_by_records(*arguments)
        assert (ours == made_by_records(*arguments[:1], "other")) == (theirs == made_by_attrs(*arguments[:1], "other"))
        assert ours.twice() == theirs.twice()
        assert ours != theirs  # another class: NotImplemented both ways, as attrs
        assert not hasattr(ours, "__dict__")
        assert type(ours).__match_args__ == type(theirs).__match_args__
        assert copy.deepcopy(ours) == ours and repr(copy.copy(ours)) == repr(ours)
    hashable = made_by_attrs.__hash__ is not None
    assert (made_by_records.__hash__ is not None) == hashable
    ours = made_by_records(1, "y", ["not compared"])
    if hashable:
        assert hash(ours) == hash(made_by_records(1, "y", ["other"]))
        with pytest.raises(AttributeError):
            ours.a = 2
        with pytest.raises(AttributeError):
            del ours.a
    else:
        ours.a = 2
        assert ours.a == 2
    assert made_by_records(a=3).d is None and made_by_records(a=3, d=4.0).d == 4


def hierarchy(frozen, field):
    """Command -> Append as pyip.ast.firewall declares them (kw_only, a record base, a mixin, a ClassVar),
    for attrs (frozen: attrs.frozen) or for records (frozen: records.frozen, as the metaclass)."""
    def declare(name, bases, namespace, kw_only):
        if frozen is records.frozen:
            return frozen(name, bases, namespace, kw_only=kw_only)
        return frozen(kw_only=kw_only)(type(name, bases, namespace))

    class Mixin:
        __slots__ = ()

        def hello(self) -> str:
            return f"hello {self.rule}"

    command = declare("Command", (), {"__module__": __name__, "__qualname__": "Command",
                                      "__annotations__": {"program": "str", "notes": "tuple", "kind": "ClassVar[str]"},
                                      "program": field(default="iptables", eq=False), "notes": field(default=(), eq=False),
                                      "kind": "command"}, kw_only=True)
    append = declare("Append", (Mixin, command), {"__module__": __name__, "__qualname__": "Append",
                                                  "__annotations__": {"rule": "str", "position": "int"},
                                                  "position": 1}, kw_only=True)
    plain = declare("Plain", (), {"__module__": __name__, "__qualname__": "Plain",
                                  "__annotations__": {"address": "int", "mask": "int"}, "mask": 32}, kw_only=False)
    texted = declare("Texted", (plain,), {"__module__": __name__, "__qualname__": "Texted",
                                          "__annotations__": {"text": "str"}, "text": field(default=None, eq=False)},
                     kw_only=False)
    return command, append, plain, texted


def test_inherited_and_keyword_only_fields_as_attrs():
    """Base fields first, own fields keyword-only with kw_only (left out of __match_args__), ClassVars no fields,
    one __weakref__ slot: repr, equality, hashing, evolve, pickling and the errors as attrs gives them."""
    theirs, ours = hierarchy(attrs.frozen, attrs.field), hierarchy(records.frozen, records.field)
    for made_by_attrs, made_by_records in zip(theirs, ours):
        assert [f.name for f in attrs.fields(made_by_records)] == [f.name for f in attrs.fields(made_by_attrs)]
        assert made_by_records.__match_args__ == made_by_attrs.__match_args__
    _, append_attrs, _, texted_attrs = theirs
    _, append, _, texted = ours
    for arguments in [{"rule": "r"}, {"rule": "r", "position": 3}, {"rule": "r", "program": "ip6tables", "notes": (1,)}]:
        mine, other = append(**arguments), append_attrs(**arguments)
        assert repr(mine).replace("Append(", "") == repr(other).replace("Append(", "")
        assert mine == append(**{**arguments, "program": "x"}) and hash(mine) == hash(append(**{**arguments, "notes": (2,)}))
        assert mine != append(**{**arguments, "rule": "s"}) and mine.hello() == "hello r" and mine.kind == "command"
        assert attrs.evolve(mine, position=9) == records.evolve(mine, position=9) == append(**{**arguments, "position": 9})
        assert copy.deepcopy(mine) == mine and repr(copy.deepcopy(mine)) == repr(mine)
        assert not hasattr(mine, "__dict__") and weakref.ref(mine)() is mine
    for made in (append, append_attrs):
        with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
            made("r")
        with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'rule'"):
            made()
        with pytest.raises(AttributeError):
            made(rule="r").position = 2
    assert repr(texted(1, 8, "x")) == repr(texted_attrs(1, 8, "x")) and texted(1, 8, "x") == texted(1, 8, "y")


def test_firewall_commands_pickle_and_evolve():
    from pyip.ast import firewall as fw, ipchains

    rule = fw.Rule("INPUT", source=fw.Test((fw.Address(fw.ZERO, 0),), legacy=True), target=fw.Verdict("ACCEPT"))
    for command in (fw.Insert(rule=rule, position=2, notes=("n",)), ipchains.CheckPacket(rule=rule, bidirectional=True),
                    fw.List(chain="X", verbose=True), ipchains.Address(fw.ZERO, 0, text="0/0")):
        again = pickle.loads(pickle.dumps(command))
        assert again == command and repr(again) == repr(command) and hash(again) == hash(command)
        assert attrs.evolve(command) == command and type(command).__match_args__ == (
            ("address", "mask", "text") if isinstance(command, ipchains.Address) else ())


def test_attrs_functions_take_records():
    """render/json, the linter and netlink call attrs.fields/has/evolve: they work on records too."""
    from pyip.ast import Named, Route

    route = Route(dst="10.0.0.0/8", table=5)
    assert attrs.has(Route) and records.has(Route)
    assert [f.name for f in attrs.fields(Route)][:3] == ["dst", "type", "src_prefix"]
    assert attrs.evolve(route, table=Named(7)) == records.evolve(route, table=Named(7)) == Route(dst="10.0.0.0/8",
                                                                                                   table=7)
    assert records.evolve(route) == route
    assert pickle.loads(pickle.dumps(route)) == route and hash(pickle.loads(pickle.dumps(route))) == hash(route)


def test_a_changed_class_compiles_its_own_methods():
    """A record whose source is not in records_compiled.py still works (it compiles at import)."""
    @records.frozen
    class NotCompiled:
        x: int

    assert NotCompiled(1) == NotCompiled(1) and repr(NotCompiled(2)) == "NotCompiled(x=2)"


@pytest.mark.parametrize("change", ["field added", "field's default", "field not compared", "converter", "keyword-only",
                                    "thawed"])
def test_a_stale_compiled_class_is_not_used(change):
    """The start-up check compares specs, not sources: any change to what the methods are made
    from must still miss the compiled methods, and the methods compiled instead must be right."""
    from pyip import records_compiled

    key = "pyip.ast.route.Gateway"
    class_name, is_frozen, post_init, fields_spec = records_compiled.SPECS[key]
    first, *others = fields_spec
    name, init, default, converted, eq, shown, kw_only = first
    changed_first = {"field's default": (name, init, "value", converted, eq, shown, kw_only),
                     "field not compared": (name, init, default, converted, not eq, shown, kw_only),
                     "converter": (name, init, default, not converted, eq, shown, kw_only),
                     "keyword-only": (name, init, default, converted, eq, shown, not kw_only)}.get(change, first)
    extra = (("added", True, "value", False, True, True, False),) if change == "field added" else ()
    stale = (class_name, is_frozen if change != "thawed" else not is_frozen, post_init,
             (changed_first, *others, *extra))
    made = records._factory(key, stale)
    assert made is not records_compiled.MAKERS[key]
    namespace = {"NOTHING": records.NOTHING, "FrozenInstanceError": records.FrozenInstanceError}
    exec(records.method_source(stale), namespace)
    assert made.__code__.co_code == namespace["make"].__code__.co_code
    assert records.method_source(stale) != records.method_source(records_compiled.SPECS[key])
