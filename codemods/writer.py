"""Writing results: atomic per-file replacement and the git dirty-tree guard."""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader (or a crash) sees the old or the new file,
    never a mix; the file's mode is kept."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".eventmod")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
