"""Located problems: the one currency for everything that is wrong with the input.

Every check returns problems instead of raising, so a run can collect and print all of them
together (exit 2) before anything touches the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from eventmod.model.record import record


@record(order=True)
class Problem:
    """One thing wrong with the input, located at a path and line (0: no line), about one event when
    `event_id` is set."""

    path: str
    line: int
    message: str
    event_id: str | None = None
    severity: str = "error"  # "error" | "warning"

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        who = f" event {self.event_id}:" if self.event_id else ""
        tag = "" if self.severity == "error" else f" {self.severity}:"
        return f"{where}:{tag}{who} {self.message}"


class InputError(Exception):
    """Raised by the pipeline entry points when the input has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems


def did_you_mean(word: str, choices, n: int = 3) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def display_path(path: Path | str, cwd: Path | None = None) -> str:
    """How a path is printed: relative to the current directory when it lies under it (so
    `path:line:` is clickable from there), else absolute."""
    base = (cwd or Path.cwd()).resolve()
    full = Path(path)
    full = (full if full.is_absolute() else base / full).resolve()
    try:
        return full.relative_to(base).as_posix() or "."
    except ValueError:
        return str(full) if os.sep == "/" else full.as_posix()
