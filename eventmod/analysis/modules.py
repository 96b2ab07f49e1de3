"""Whether a dotted name is a module: a file or package under root or in the standard library.
The scope checks ask it of a from-import (`from . import utils` imports a module, `from .utils
import limit` a value); the plan cache asks it again before trusting a remembered plan."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath


@lru_cache(maxsize=1)
def _stdlib() -> Path:
    """Where the standard library lives: the directory of `os.py` (what `sysconfig`'s "stdlib"
    path names, without importing sysconfig and reading the build's configuration: ~2.5 ms)."""
    return Path(os.__file__).parent


def names_a_module(dotted: str, root: str, source_path: str) -> bool:
    """Whether `dotted` (relative to `source_path` when it starts with dots) is a module or
    package under `root` or in the standard library: stats, never a read."""
    if dotted == "os.path":
        return True
    level = len(dotted) - len(dotted.lstrip("."))
    parts = [p for p in dotted.lstrip(".").split(".") if p]
    if not parts:
        return False
    bases: list[Path] = []
    if level:
        package = PurePosixPath(source_path).parent
        for _ in range(level - 1):
            package = package.parent
        if root:
            bases.append(Path(root) / package)
    else:
        if root:
            bases.append(Path(root))
        bases.append(_stdlib())
    for base in bases:
        target = base.joinpath(*parts)
        if target.with_suffix(".py").is_file() or target.is_dir():
            return True
    return False
