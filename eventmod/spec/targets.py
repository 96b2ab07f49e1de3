"""Whether a spec's `file:` can be a target: relative to root, inside it, an existing file.
Asked when a spec is read and again when a remembered one is used (the file may have moved)."""

from __future__ import annotations

import os
from pathlib import Path


def target_problem(root: Path, rel: str) -> str | None:
    """Why `file: rel` cannot be a target under root, or None."""
    if os.path.isabs(rel):
        return f"file '{rel}' must be relative to root ({root})"
    resolved = root.resolve()
    target = (resolved / rel).resolve()
    if not target.is_relative_to(resolved):
        return f"file '{rel}' resolves outside root {resolved} (via '..' or a symlink); specs may only target code under root"
    if not target.is_file():
        return f"file '{rel}' not found under root {resolved}{_close_files(resolved, rel)}"
    return None


def _close_files(root: Path, rel: str) -> str:
    import difflib

    name = Path(rel).name
    candidates = [p.relative_to(root).as_posix() for p in root.rglob("*.py") if p.name == name][:3]
    if not candidates:
        all_files = [p.relative_to(root).as_posix() for p in root.rglob("*.py")]
        candidates = difflib.get_close_matches(rel, all_files, n=3, cutoff=0.5)
    return (" (did you mean " + " or ".join(f"'{c}'" for c in candidates) + "?)") if candidates else ""
