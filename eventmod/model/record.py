"""`record`: the frozen dataclass every eventmod model type is, built at a third less cost.

`@record` is `@dataclass(frozen=True)` in everything a caller can see: the same `__init__`,
`fields()`, `replace()`, `asdict()`, pickling, `FrozenInstanceError` on assignment, and the same
`==`, `hash()` and `repr()`. The difference is how the last three are made. `dataclass` writes
each of them as source text and compiles it, once per class, every time the module is imported;
a command imports about ninety model classes before it does any work, and those compilations were
about a third of `eventmod validate`'s whole run. A record's `==`, `hash()` and `repr()` are three
functions shared by every record, which read the class's fields through one `attrgetter` made
when the class is.

What `dataclass` still compiles per class is what cannot be shared without changing behaviour:
`__init__`, and the frozen `__setattr__`/`__delattr__`. `tests/test_record.py` proves a record
and a `dataclass(frozen=True)` twin agree on every operation, for generated classes and values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from reprlib import recursive_repr
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)



def record(cls: T) -> T:
    """`@dataclass(frozen=True)`, with `==`, `hash()` and `repr()` shared instead of compiled.

    A class that defines one of the three itself keeps its own, as with `dataclass`."""
    own = set(vars(cls))
    cls = dataclass(frozen=True, eq=False, repr=False)(cls)
    every = fields(cls)
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
