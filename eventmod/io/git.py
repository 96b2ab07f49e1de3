"""git: which files have uncommitted changes, where the work tree's top level is, and
committing what a run wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path

from eventmod.model.record import record


class GitError(Exception):
    """git failed for another reason than "not a git repository" (dubious ownership, a corrupt
    index, ...): whether the files have uncommitted changes is unknown."""


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except (FileNotFoundError, NotADirectoryError):
        return None


def toplevel(root: Path) -> Path | None:
    """The top level of the git work tree `root` is in, or None (not in a work tree, no git)."""
    found = _git(root, "rev-parse", "--show-toplevel")
    if found is None or found.returncode != 0 or not found.stdout.strip():
        return None
    return Path(found.stdout.strip())


def dirty_files(root: Path, rel_paths: list[str]) -> list[str] | None:
    """Which of `rel_paths` have uncommitted changes, or None when root is not in a git work tree
    (or git is not installed). Raises GitError when git fails in any other way."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside is None:
        return None  # git is not installed
    if inside.returncode != 0:
        if "not a git repository" in inside.stderr.lower():
            return None
        raise GitError(_first_line(inside.stderr) or f"git rev-parse exited with {inside.returncode}")
    if inside.stdout.strip() != "true":
        return None  # inside the .git directory itself, or a bare repository
    status = _git(root, "status", "--porcelain", "-z", "--", *rel_paths)
    if status is None or status.returncode != 0:
        raise GitError(_first_line(status.stderr if status else "") or "git status failed")
    top = toplevel(root) or root
    dirty = []
    for entry in status.stdout.split("\0"):
        if len(entry) > 3:
            full = top / entry[3:]
            try:
                dirty.append(full.resolve().relative_to(root.resolve()).as_posix())
            except ValueError:
                dirty.append(entry[3:])
    return dirty


@record
class CommitResult:
    """What `commit` did: committed, found nothing to commit (the files equal HEAD), or failed
    (`error`: git's reason)."""

    committed: bool
    nothing_to_commit: bool = False
    error: str = ""


def commit(root: Path, paths: list[str], subject: str, body: str) -> CommitResult:
    """Stage and commit `paths` (relative to root)."""
    added = _git(root, "add", "--", *paths)
    if added is None or added.returncode != 0:
        return CommitResult(False, error=_reason(added, "git add"))
    staged = _git(root, "diff", "--cached", "--quiet", "--", *paths)
    if staged is not None and staged.returncode == 0:
        return CommitResult(False, nothing_to_commit=True)
    result = _git(root, "commit", "-q", "-m", subject, "-m", body, "--", *paths)
    if result is None or result.returncode != 0:
        return CommitResult(False, error=_reason(result, "git commit"))
    return CommitResult(True)


def _reason(result: subprocess.CompletedProcess | None, what: str) -> str:
    if result is None:
        return "git is not installed"
    text = (result.stderr or result.stdout).strip()
    return text or f"{what} exited with status {result.returncode}"
