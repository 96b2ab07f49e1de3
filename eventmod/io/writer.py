"""Writing results: staged, atomic replacement of every file (the only module that writes)."""

from __future__ import annotations

import glob
import os
import signal
import stat
import tempfile
from pathlib import Path


class WriteError(Exception):
    """Writing stopped at `path`; `written` of `total` files had already been replaced."""

    def __init__(self, path: Path, reason: str, written: int, total: int):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.written, self.total = path, reason, written, total


def write_files(items: list[tuple[Path, bytes]]) -> None:
    """Replace every file, all or nothing as far as the OS allows.

    1. Pre-flight: each target must be openable for writing (catches read-only and immutable
       files, even as root) before anything is touched.
    2. Stage: write every new content to a temporary file beside its target and fsync it; a
       failure here (disk full, read-only directory) removes the temporaries: nothing changed.
    3. Commit: os.replace each temporary over its target (atomic per file, mode kept). Only a
       crash or an error between two renames leaves some files new and some old; every file is
       then wholly one or the other, and running again finishes the work.
    """
    for path, _ in items:
        try:
            if path.exists() or path.is_symlink():
                with open(path, "r+b"):
                    pass
            elif not os.access(path.parent, os.W_OK):
                raise PermissionError(13, os.strerror(13), str(path.parent))
        except OSError as exc:
            raise WriteError(path, exc.strerror or str(exc), 0, len(items)) from exc
    for path, _ in items:
        # Temporaries a crashed run staged but never renamed: they are never a file's content.
        _discard(str(p) for p in path.parent.glob(f".{glob.escape(path.name)}.*.eventmod"))
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            staged.append((_stage(path, data), path))
    except OSError as exc:
        _discard(tmp for tmp, _ in staged)
        failed = items[len(staged)][0]
        raise WriteError(failed, exc.strerror or str(exc), 0, len(items)) from exc
    kill_after = os.environ.get("EVENTMOD_TEST_KILL_AFTER_WRITES")
    for done, (tmp, path) in enumerate(staged):
        try:
            os.replace(tmp, path)
        except OSError as exc:
            _discard(t for t, _ in staged[done:])
            raise WriteError(path, exc.strerror or str(exc), done, len(items)) from exc
        if kill_after == str(done + 1):
            # Test hook (tests/test_all_or_nothing.py): simulate a crash between two renames.
            os.kill(os.getpid(), signal.SIGKILL)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace one file atomically (see write_files)."""
    write_files([(path, data)])


def _stage(path: Path, data: bytes) -> str:
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _new_file_mode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".eventmod")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _discard([tmp])
        raise
    return tmp


def _new_file_mode() -> int:
    """The mode `open()` would give a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _discard(paths) -> None:
    for tmp in paths:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
