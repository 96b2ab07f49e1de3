"""git: which files have uncommitted changes, and committing what a run wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git failed for another reason than "not a git repository" (dubious ownership, a corrupt
    index, ...): whether the files have uncommitted changes is unknown."""


def dirty_files(root: Path, rel_paths: list[str]) -> list[str] | None:
    """Which of `rel_paths` have uncommitted changes, or None when root is not in a git work tree
    (or git is not installed). Raises GitError when git fails in any other way."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, check=False,
        )
    except FileNotFoundError:
        return None
    if inside.returncode != 0:
        if "not a git repository" in inside.stderr.lower():
            return None
        raise GitError(_first_line(inside.stderr) or f"git rev-parse exited with {inside.returncode}")
    if inside.stdout.strip() != "true":
        return None  # inside the .git directory itself, or a bare repository
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "-z", "--", *rel_paths],
        capture_output=True, text=True, check=False,
    )
    if status.returncode != 0:
        raise GitError(_first_line(status.stderr) or f"git status exited with {status.returncode}")
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


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def commit(root: Path, paths: list[str], subject: str, body: str) -> tuple[bool, str]:
    """Stage and commit `paths` (relative to root); (ok, git's message)."""
    git = ["git", "-C", str(root)]
    added = subprocess.run([*git, "add", "--", *paths], capture_output=True, text=True)
    if added.returncode != 0:
        return False, added.stderr.strip()
    result = subprocess.run([*git, "commit", "-q", "-m", subject, "-m", body, "--", *paths], capture_output=True, text=True)
    return result.returncode == 0, (result.stderr or result.stdout).strip()
