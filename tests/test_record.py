"""`record` is `dataclass(frozen=True)` in everything a caller sees; only how `==`, `hash()` and
`repr()` are made differs (shared functions instead of per-class compiled ones). Each test builds
a record and its `dataclass(frozen=True)` twin from the same class body and checks they agree."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import keyword
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventmod.model.record import record

PACKAGE = Path(__file__).resolve().parents[1] / "eventmod"

# -- generated classes and values -------------------------------------------------------------------
NAMES = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: not keyword.iskeyword(n) and n != "self"),
                 min_size=0, max_size=6, unique=True)
FIELD_OPTIONS = st.fixed_dictionaries({"compare": st.booleans(), "repr": st.booleans(),
                                       "hash": st.sampled_from([None, True, False])})
VALUES = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3) | st.floats(allow_nan=False),
                      lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=2), max_leaves=4)


ANNOTATIONS = ["object", "int | None", "tuple[str, ...]", "'Twin'", "ClassVar[int]", "dataclasses.InitVar[int]"]


def twins(names: list[str], options: list[dict], order: bool = False, annotations: list[str] | None = None) -> tuple[type, type]:
    """A record and a `dataclass(frozen=True)` class with the same name, fields and options."""
    written = annotations or ["object"] * len(names)

    def body() -> dict:
        return {"__annotations__": dict(zip(names, written)),
                **{n: field(**o) for n, o in zip(names, options)},
                "__qualname__": "Twin", "__module__": __name__}
    return record(type("Twin", (), body()), order=order), dataclass(frozen=True, order=order)(type("Twin", (), body()))


DEFAULTS = st.sampled_from(["none", "value", "list", "tuple"])  # no default, a default, a default_factory


def defaulted(names: list[str], kinds: list[str], options: list[dict]) -> list[dict]:
    """The field options with each field's default: the fields with one come last, as Python
    requires of parameters."""
    out = []
    for name, kind, option in zip(names, kinds, options):
        extra = {"default": (name, 1)} if kind == "value" else {"default_factory": list} if kind == "list" else \
            {"default_factory": tuple} if kind == "tuple" else {}
        out.append({**option, **extra})
    return out


@st.composite
def signatures_and_calls(draw):
    names = draw(NAMES)
    kinds = sorted((draw(DEFAULTS) for _ in names), key=lambda k: k != "none")
    options = defaulted(names, kinds, [draw(FIELD_OPTIONS) for _ in names])
    required = sum(k == "none" for k in kinds)
    given_count = draw(st.integers(0, len(names) + 1))
    as_keywords = draw(st.integers(0, given_count))
    values = draw(st.lists(VALUES, min_size=given_count, max_size=given_count))
    return names, options, required, values, as_keywords


@settings(max_examples=300, deadline=None)
@given(signatures_and_calls())
def test_a_records_init_takes_what_the_dataclass_init_takes(case):
    """Same signature (names, order, defaults, annotations), the same calls accepted or refused,
    the same fields set; a factory's value is made anew for each instance."""
    names, options, required, values, as_keywords = case
    ours, theirs = twins(names, options)
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
    assert ours.__match_args__ == theirs.__match_args__
    positional = values[:len(values) - as_keywords]
    keywords = dict(zip(names[len(positional):], values[len(positional):])) if len(values) <= len(names) else {"extra": 1}
    outcomes = []
    for cls in (ours, theirs):
        try:
            made = cls(*positional, **keywords)
        except TypeError:
            outcomes.append(None)
        else:
            outcomes.append(dataclasses.astuple(made))
            fresh = cls(*positional, **keywords)
            for f in dataclasses.fields(made):
                if f.default_factory is list and f.name not in keywords and names.index(f.name) >= len(positional):
                    assert getattr(made, f.name) == [] and getattr(made, f.name) is not getattr(fresh, f.name)
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] is None) == (len(values) < required or len(values) > len(names))


def test_a_field_without_a_default_after_one_with_is_refused_like_dataclass():
    with pytest.raises(TypeError, match="non-default argument 'late' follows default argument"):
        @record
        class Late:
            """Not a record."""

            early: int = 0
            late: int


@st.composite
def classes_and_values(draw):
    names = draw(NAMES)
    options = [draw(FIELD_OPTIONS) for _ in names]
    rows = draw(st.lists(st.lists(VALUES, min_size=len(names), max_size=len(names)), min_size=2, max_size=4))
    return names, options, rows


@settings(max_examples=300, deadline=None)
@given(classes_and_values())
def test_record_agrees_with_frozen_dataclass(case):
    names, options, rows = case
    ours, theirs = twins(names, options)
    mine = [ours(*row) for row in rows]
    twin = [theirs(*row) for row in rows]
    for i, (a, b) in enumerate(zip(mine, twin)):
        assert repr(a) == repr(b)
        assert hash(a) == hash(b)
        assert dataclasses.astuple(a) == dataclasses.astuple(b)
        assert [(f.name, f.type) for f in dataclasses.fields(a)] == [(f.name, f.type) for f in dataclasses.fields(b)]
        for j in range(len(rows)):
            assert (a == mine[j]) == (b == twin[j])
            assert (a != mine[j]) == (b != twin[j])
        assert a.__eq__(object()) is NotImplemented and b.__eq__(object()) is NotImplemented
        if names:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(a, names[0], 1)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(a, names[0])
            changed = dataclasses.replace(a, **{names[0]: "x"})
            assert type(changed) is ours and getattr(changed, names[0]) == "x"
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.not_a_field = 1


@settings(max_examples=200, deadline=None)
@given(classes_and_values(), st.data())
def test_an_ordered_record_orders_like_an_ordered_frozen_dataclass(case, data):
    """`record(order=True)`: `<`, `<=`, `>`, `>=` give what `dataclass(frozen=True, order=True)`
    gives (the compared fields as a tuple), or raise the same TypeError."""
    names, options, rows = case
    ours, theirs = twins(names, options, order=True)
    mine = [ours(*row) for row in rows]
    twin = [theirs(*row) for row in rows]

    def outcome(compare, a, b):
        try:
            return compare(a, b)
        except TypeError as exc:
            return type(exc)

    for i in range(len(rows)):
        for j in range(len(rows)):
            for compare in (lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b):
                assert outcome(compare, mine[i], mine[j]) == outcome(compare, twin[i], twin[j])
        assert mine[i].__lt__(twin[i]) is NotImplemented and mine[i].__ge__(object()) is NotImplemented
        with pytest.raises(TypeError):
            mine[i] < twin[i]  # noqa: B015 (another class, even with the same fields)


@settings(max_examples=200, deadline=None)
@given(NAMES.flatmap(lambda names: st.tuples(st.just(names), st.lists(st.sampled_from(ANNOTATIONS), min_size=len(names),
                                                                         max_size=len(names)))))
def test_a_records_fields_and_annotations_are_the_dataclasses(case):
    """Whatever a field's annotation says (a plain type, a forward reference, `ClassVar`,
    `InitVar`, as the strings `from __future__ import annotations` makes), a record has the
    fields, field types and class annotations its `dataclass` twin has."""
    names, annotations = case
    options = [{} for _ in names]
    try:
        ours, theirs = twins(names, options, annotations=annotations)
    except TypeError:  # InitVar: a record refuses what it does not do (and nothing is half made)
        assert any("InitVar" in a for a in annotations)
        return
    assert [(f.name, f.type) for f in dataclasses.fields(ours)] == [(f.name, f.type) for f in dataclasses.fields(theirs)]
    assert ours.__annotations__ == theirs.__annotations__ == dict(zip(names, annotations))
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))


def test_an_ordered_record_cannot_bring_its_own_comparison():
    with pytest.raises(TypeError, match="Cannot overwrite attribute __lt__"):
        @record(order=True)
        class Ordered:
            """Not a record."""

            value: int

            def __lt__(self, other):
                return True


# -- fixed classes: pickling, inheritance, what a class defines itself ------------------------------
@record
class Point:
    """A plain record."""

    x: int
    y: int = 0
    label: str = field(default="", compare=False, repr=False)


@record
class Point3(Point):
    """A record that extends another."""

    z: int = 0


@record
class Shown:
    """A record that keeps its own repr and equality."""

    value: int

    def __repr__(self) -> str:
        return f"<{self.value}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shown) and other.value % 10 == self.value % 10

    __hash__ = None  # type: ignore[assignment]


def test_pickle_round_trip_keeps_equality_and_hash():
    point = Point3(1, 2, label="a", z=3)
    again = pickle.loads(pickle.dumps(point))
    assert again == point and hash(again) == hash(point) and again.label == "a"


def test_subclass_compares_its_own_fields_and_never_equals_its_base():
    assert Point3(1, 2, z=3) != Point3(1, 2, z=4)
    assert Point3(1, 2) != Point(1, 2)  # like dataclass: other.__class__ must be the same class
    assert repr(Point3(1, 2, label="hidden", z=3)) == "Point3(x=1, y=2, z=3)"
    assert Point(1, 2, label="a") == Point(1, 2, label="b")  # compare=False


def test_a_class_keeps_what_it_defines_itself():
    assert repr(Shown(3)) == "<3>"
    assert Shown(3) == Shown(13)
    assert Shown.__hash__ is None


def test_recursive_repr_stops_like_dataclass():
    box = Point([])
    box.x.append(box)
    assert repr(box) == "Point(x=[...], y=0)"


def test_every_frozen_model_type_is_a_record():
    """A new frozen dataclass in the package is a record (it would pay the per-class compile
    cost that `record` saves at every start)."""
    plain = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for decorator in node.decorator_list:
                    text = ast.unparse(decorator)
                    if text.startswith("dataclass(") and "frozen=True" in text:
                        plain.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    assert plain == []


def test_a_field_left_out_of_init_is_refused():
    """Frozen means each field is set once, by `__init__`; a field it does not set could be
    assigned later, so a record refuses one."""
    with pytest.raises(TypeError, match="init=False: late"):
        @record
        class Late:
            """Not a record."""

            early: int
            late: int = field(default=0, init=False)


def test_a_class_cannot_bring_its_own_init_or_post_init():
    for extra in ("def __init__(self, value):\n    pass\n", "def __post_init__(self):\n    pass\n"):
        namespace: dict = {}
        exec(extra, namespace)
        body = {"__annotations__": {"value": "int"}, "__doc__": "Not a record.", **{k: v for k, v in namespace.items() if k.startswith("__") and k != "__builtins__"}}
        with pytest.raises(TypeError, match="__init__ or __post_init__"):
            record(type("Own", (), body))


def test_a_class_cannot_bring_its_own_setattr():
    with pytest.raises(TypeError, match="__setattr__"):
        @record
        class Mutable:
            """Not a record."""

            value: int

            def __setattr__(self, name, value):
                object.__setattr__(self, name, value)


def test_a_class_variable_cannot_be_assigned_on_an_instance():
    @record
    class Counted:
        """A record with a class variable."""

        limit: ClassVar[int] = 3
        value: int

    item = Counted(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.limit = 4
    assert [f.name for f in dataclasses.fields(item)] == ["value"] and Counted.limit == 3


def test_copies_stay_frozen():
    import copy

    point = Point(1, 2)
    for clone in (copy.copy(point), copy.deepcopy(point), pickle.loads(pickle.dumps(point))):
        assert clone == point
        with pytest.raises(dataclasses.FrozenInstanceError):
            clone.x = 5
