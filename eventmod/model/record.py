"""`record`: the frozen dataclass every eventmod model type is, built at a fraction of the cost.

`@record` is `@dataclass(frozen=True)` in everything a caller can see: the same `__init__`,
`fields()`, `replace()`, `asdict()`, pickling and copying, `FrozenInstanceError` on any
assignment or deletion once the instance is made, and the same `==`, `hash()` and `repr()`. The
difference is how those are made. `dataclass` writes each method as source text and compiles
it, once per class, every time the module is imported: six methods for a frozen class. A command
imports about ninety model classes before it does any work, and those compilations were about a
third of `eventmod validate`'s whole run. A record compiles only its `__init__` (what cannot be
shared: its signature is the class's own); `==`, `hash()`, `repr()`, and the frozen
`__setattr__`/`__delattr__` are five functions shared by every record, which read the class's
fields through getters made when the class is.

Frozen, precisely: `__init__` assigns each field once; after that every assignment and deletion
raises `FrozenInstanceError`, as does assigning a name that is not a field. (`dataclass` decides
that by the class of the instance; a record by whether the field is set yet, which is the same
thing for a class without `init=False` fields, and eventmod's model has none: a test keeps it so.)
`tests/test_record.py` proves a record and a `dataclass(frozen=True)` twin agree on every
operation, for generated classes and values.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, fields
from operator import attrgetter
from reprlib import recursive_repr
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)


def record(cls: T) -> T:
    """`@dataclass(frozen=True)`, with all but `__init__` shared instead of compiled.

    A class that defines `__eq__`, `__hash__` or `__repr__` itself keeps its own, as with
    `dataclass`; one that defines `__setattr__` or `__delattr__` is refused, as `dataclass`
    refuses it for a frozen class."""
    if "__setattr__" in vars(cls) or "__delattr__" in vars(cls):
        raise TypeError(f"Cannot overwrite attribute __setattr__/__delattr__ in class {cls.__name__}")
    own = set(vars(cls))
    cls = dataclass(eq=False, repr=False)(cls)  # compiles __init__ only
    every = fields(cls)
    unset = [f.name for f in every if not f.init]
    if unset:
        raise TypeError(f"{cls.__name__}: a record sets every field in __init__ (init=False: {', '.join(unset)})")
    compared = tuple(f.name for f in every if f.compare)
    hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
    # per class: what == compares and hash() hashes, each as one getter, and the names repr() shows
    cls.__record_eq_key__ = _getter(compared)
    cls.__record_hash_key__ = _getter(hashed)
    cls.__record_shown__ = tuple(f.name for f in every if f.repr)
    cls.__record_fields__ = frozenset(f.name for f in every)  # what __init__ may assign (no ClassVar)
    if "__eq__" not in own:
        cls.__eq__ = _eq
    if "__hash__" not in own:
        cls.__hash__ = _hash
    if "__repr__" not in own:
        cls.__repr__ = _repr
    cls.__setattr__ = _setattr
    cls.__delattr__ = _delattr
    return cls


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


def _setattr(self: Any, name: str, value: Any) -> None:
    """Each field once, by `__init__`; nothing after. (Called for every field of every record
    made, so it does the least it can: a record's fields are plain instance attributes.)"""
    own = self.__dict__
    if name in own or name not in self.__record_fields__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    own[name] = value


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
