"""`record`: the frozen dataclass every eventmod model type is, built without compiling anything.

`@record` is `@dataclass(frozen=True)` in everything a caller can see: the same `__init__`
signature (names, order, defaults, `<factory>` defaults, annotations), `fields()`, `replace()`,
`asdict()`, `__match_args__`, pickling and copying, `FrozenInstanceError` on any assignment or
deletion, and the same `==`, `hash()` and `repr()`. The difference is how the methods are made.
`dataclass` writes each one as source text and compiles it, per class, every time the module
is imported: six methods for a frozen class. A command imports about ninety model classes
before it does any work, and those compilations were about a third of `eventmod validate`'s
whole run. A record's `==`, `hash()`, `repr()` and frozen `__setattr__`/`__delattr__` are five
functions shared by every record, which read the class's fields through getters made when the
class is; its `__init__` is made from a template compiled once per shape (how many fields,
which have a `default_factory`) with the class's field names put into the template's code.

What a record does not take (each refused when the class is made): `init=False` fields, an
`__init__` or `__post_init__` of its own, `InitVar` pseudo-fields, a `__setattr__`/`__delattr__`
of its own, and with `order=True` a comparison method of its own. `tests/test_record.py` proves
a record and a `dataclass(frozen=True)` twin agree on every operation, for generated classes,
calls and values.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, Field, FrozenInstanceError, InitVar, dataclass, fields
from functools import lru_cache
from operator import attrgetter
from reprlib import recursive_repr
from types import CellType, CodeType, FunctionType
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)


def record(cls: T | None = None, /, *, order: bool = False) -> Any:
    """`@dataclass(frozen=True)`, its methods shared or made from a template, not compiled;
    `@record(order=True)` is `@dataclass(frozen=True, order=True)`.

    A class that defines `__eq__`, `__hash__` or `__repr__` itself keeps its own, as with
    `dataclass`; one that defines `__setattr__` or `__delattr__` is refused, as `dataclass`
    refuses it for a frozen class, and so is one with an `__init__` or a `__post_init__` (or,
    with `order`, a comparison method of its own)."""
    if cls is None:
        return lambda cls: record(cls, order=order)
    if "__setattr__" in vars(cls) or "__delattr__" in vars(cls):
        raise TypeError(f"Cannot overwrite attribute __setattr__/__delattr__ in class {cls.__name__}")
    if hasattr(cls, "__post_init__") or "__init__" in vars(cls):
        raise TypeError(f"{cls.__name__}: a record's __init__ is its fields' (no __init__ or __post_init__ of its own)")
    own = set(vars(cls))
    if order:
        for name in _ORDER:
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}. Consider using functools.total_ordering")
    cls = _dataclass(cls)
    every = fields(cls)
    named = {f.name for f in every}
    passed = [name for name, f in cls.__dict__["__dataclass_fields__"].items() if name not in named and _initvar(f.type)]
    if passed:
        raise TypeError(f"{cls.__name__}: a record takes no InitVar pseudo-field (it has no __post_init__): {', '.join(passed)}")
    unset = [f.name for f in every if not f.init]
    if unset:
        raise TypeError(f"{cls.__name__}: a record sets every field in __init__ (init=False: {', '.join(unset)})")
    cls.__init__ = _init_function(cls, every)
    compared = tuple(f.name for f in every if f.compare)
    hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
    # per class: what == compares and hash() hashes, each as one getter, and the names repr() shows
    cls.__record_eq_key__ = _getter(compared)
    cls.__record_hash_key__ = _getter(hashed)
    cls.__record_shown__ = tuple(f.name for f in every if f.repr)
    if "__eq__" not in own:
        cls.__eq__ = _eq
    if "__hash__" not in own:
        cls.__hash__ = _hash
    if "__repr__" not in own:
        cls.__repr__ = _repr
    if order:
        for name, method in _ORDER.items():
            setattr(cls, name, method)
    cls.__setattr__ = _setattr
    cls.__delattr__ = _delattr
    return cls


# An annotation that may declare a pseudo-field (`ClassVar`, `InitVar`, `KW_ONLY`, under any
# spelling): `dataclass` reads such a string itself.
_PSEUDO_FIELD = re.compile(r"ClassVar|InitVar|KW_ONLY")


def _dataclass(cls: T) -> T:
    """`dataclass(init=False, eq=False, repr=False)(cls)`: it compiles nothing. A string
    annotation (every model module has `from __future__ import annotations`) costs `dataclass`
    three pattern matches and module lookups a field, to learn whether it names `ClassVar`,
    `InitVar` or `KW_ONLY`; the annotations that cannot are shown to it as `object` meanwhile,
    and each field's `type` is its annotation as written afterwards."""
    annotations = cls.__dict__.get("__annotations__")
    plain: dict[str, str] = {}
    if isinstance(annotations, dict):
        plain = {name: a for name, a in annotations.items() if isinstance(a, str) and not _PSEUDO_FIELD.search(a)}
        annotations.update(dict.fromkeys(plain, object))
    try:
        cls = dataclass(init=False, eq=False, repr=False)(cls)
    finally:
        if plain:
            annotations.update(plain)
    declared = cls.__dict__["__dataclass_fields__"]
    for name in plain:
        declared[name].type = plain[name]
    return cls


def _initvar(annotation: Any) -> bool:
    return annotation is InitVar or isinstance(annotation, InitVar) or (isinstance(annotation, str) and "InitVar" in annotation)


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple]:
    """The named attributes of an instance as a tuple (what `dataclass` compares and hashes)."""
    if not names:
        return _nothing
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _nothing(obj: Any) -> tuple:
    return ()


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_eq_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_hash_key__(self))


@recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__class__.__record_shown__)
    return f"{self.__class__.__qualname__}({shown})"


def _lt(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_eq_key__
        return key(self) < key(other)
    return NotImplemented


def _le(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_eq_key__
        return key(self) <= key(other)
    return NotImplemented


def _gt(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_eq_key__
        return key(self) > key(other)
    return NotImplemented


def _ge(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_eq_key__
        return key(self) >= key(other)
    return NotImplemented


# what `order=True` adds: the fields `==` compares, compared as tuples (as `dataclass` orders)
_ORDER = {"__lt__": _lt, "__le__": _le, "__gt__": _gt, "__ge__": _ge}


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


# -- __init__ ----------------------------------------------------------------------------------------
class _Factory:
    """The default a signature shows for a field whose value a `default_factory` makes (as
    `dataclass` shows it: `<factory>`)."""

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _Factory()
_RESERVED = frozenset({"__record_self__", "__record_own__", "__record_factories__"})


def _init_function(cls: type, every: tuple[Field, ...]) -> FunctionType:
    """The `__init__` `dataclass` writes for `every` field of a frozen class: the same
    parameters (names, order, defaults, annotations), each field stored once, a
    `default_factory` called for each instance that does not pass the field. It is made from a
    template compiled once per shape (how many fields, which have a factory), with the field
    names put into the template's code: no class compiles anything of its own."""
    names = tuple(f.name for f in every)
    clash = _RESERVED.intersection(names)
    if clash:
        raise TypeError(f"{cls.__name__}: {', '.join(sorted(clash))} cannot be a record's field")
    defaults: list[Any] = []
    for f in every:
        if f.default_factory is not MISSING:
            defaults.append(_HAS_FACTORY)
        elif f.default is not MISSING:
            defaults.append(f.default)
        elif defaults:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    factories = tuple(f.default_factory if f.default_factory is not MISSING else None for f in every)
    template = _template(len(names), tuple(f is not None for f in factories))
    placeholder = {f"p{i}": name for i, name in enumerate(names)}
    code = template.replace(
        co_varnames=tuple(placeholder.get(n, n) for n in template.co_varnames),
        co_consts=tuple(placeholder.get(c, c) if isinstance(c, str) else c for c in template.co_consts),
        co_name="__init__",
        **({"co_qualname": f"{cls.__qualname__}.__init__"} if hasattr(template, "co_qualname") else {}),
    )
    closure = (CellType(factories),) if code.co_freevars else None  # the factories, when the shape calls one
    init = FunctionType(code, globals(), "__init__", tuple(defaults) or None, closure)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{f.name: f.type for f in every}, "return": None}
    return init


@lru_cache(maxsize=None)
def _template(count: int, factories: tuple[bool, ...]) -> CodeType:
    """The code of an `__init__` with `count` fields named p0, p1, ... (stored into the
    instance's dict, as a frozen dataclass's `__init__` stores them past its `__setattr__`),
    those marked in `factories` made by their factory when not passed."""
    lines = ["def __record_make__(__record_factories__):",
             f"    def __init__(__record_self__{''.join(f', p{i}' for i in range(count))}):",
             "        __record_own__ = __record_self__.__dict__"]
    for i, factory in enumerate(factories):
        value = f"__record_factories__[{i}]() if p{i} is _HAS_FACTORY else p{i}" if factory else f"p{i}"
        lines.append(f"        __record_own__['p{i}'] = {value}")
    lines += ["    return __init__"]
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), globals(), namespace)  # compiled once per shape, for every record of that shape
    return namespace["__record_make__"](()).__code__
