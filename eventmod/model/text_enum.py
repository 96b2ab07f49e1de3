"""`TextEnum`: a string enum whose `str()` is its value (what the reports and JSON print)."""

from __future__ import annotations

from enum import Enum


class TextEnum(str, Enum):
    """A `str` enum that prints as its value (`enum.StrEnum` is Python 3.11+)."""

    def __str__(self) -> str:
        return self.value
