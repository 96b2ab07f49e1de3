"""git: which files have uncommitted changes, and committing what a run wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path


def dirty_files(root: Path, rel_paths: list[str]) -> list[str] | None:
    """Which of `rel_paths` have uncommitted changes, or None when root is not in a git work tree."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, check=False,
        )
    except FileNotFoundError:
        return None
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "-z", "--", *rel_paths],
        capture_output=True, text=True, check=False,
    )
    if status.returncode != 0:
        return None
    top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = []
    for entry in status.stdout.split("\0"):
        if len(entry) > 3:
            full = Path(top) / entry[3:]
            try:
                dirty.append(full.resolve().relative_to(root.resolve()).as_posix())
            except ValueError:
                dirty.append(entry[3:])
    return dirty


def commit(root: Path, paths: list[str], subject: str, body: str) -> tuple[bool, str]:
    """Stage and commit `paths` (relative to root); (ok, git's message)."""
    git = ["git", "-C", str(root)]
    added = subprocess.run([*git, "add", "--", *paths], capture_output=True, text=True)
    if added.returncode != 0:
        return False, added.stderr.strip()
    result = subprocess.run([*git, "commit", "-q", "-m", subject, "-m", body, "--", *paths], capture_output=True, text=True)
    return result.returncode == 0, (result.stderr or result.stdout).strip()
