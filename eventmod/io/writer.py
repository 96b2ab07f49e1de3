"""Writing results: staged, atomic replacement of every file (the only module that writes)."""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from eventmod.model.record import record


class WriteError(Exception):
    """Writing stopped at `path`; `written` of `total` files had already been replaced.
    `stale`: the file changed on disk since the run planned from it."""

    def __init__(self, path: Path, reason: str, written: int, total: int, stale: bool = False):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.written, self.total, self.stale = path, reason, written, total, stale


@record
class WriteItem:
    """One file to replace: its new bytes and, when known, the bytes the new content was planned
    from (the file must still hold exactly those when it is replaced)."""

    path: Path
    data: bytes
    expected: bytes | None = None


def write_files(items: Iterable[WriteItem | tuple[Path, bytes]], *,
                after_replace: Callable[[int], None] | None = None) -> None:
    """Replace every file, all or nothing as far as the OS allows.

    1. Pre-flight: each target must be openable for writing (catches read-only and immutable
       files, even as root) before anything is touched. A symlink is written through to the
       file it points to (the link stays a link).
    2. Stage: write every new content to a temporary file beside its (real) target, with the
       target's mode, owner and group, and fsync it; a failure here (disk full, read-only
       directory, an owner that cannot be kept) removes the temporaries: nothing changed.
    3. Check: every target still holds the bytes it was planned from; one that changed since
       (another run, an editor) stops everything before the first rename.
    4. Commit: os.replace each temporary over its target (atomic per file). Only a crash or an
       error between two renames leaves some files new and some old; every file is then wholly
       one or the other, and running again finishes the work.

    `after_replace(n)` is called after the n-th rename (tests use it to simulate a crash)."""
    planned = [item if isinstance(item, WriteItem) else WriteItem(item[0], item[1]) for item in items]
    total = len(planned)
    targets: list[Path] = []
    for item in planned:
        try:
            target = Path(os.path.realpath(item.path)) if item.path.is_symlink() else item.path
            if target.exists():
                with open(target, "r+b"):
                    pass
            elif not os.access(target.parent, os.W_OK):
                raise PermissionError(13, os.strerror(13), str(target.parent))
        except OSError as exc:
            raise WriteError(item.path, exc.strerror or str(exc), 0, total) from exc
        targets.append(target)
    for target in targets:
        # Temporaries a crashed run staged but never renamed: they are never a file's content.
        _discard(str(p) for p in target.parent.glob(f".{glob.escape(target.name)}.*.eventmod"))
    staged: list[str] = []
    try:
        for item, target in zip(planned, targets):
            staged.append(_stage(target, item.data))
    except OSError as exc:
        _discard(staged)
        failed = planned[len(staged)].path
        raise WriteError(failed, exc.strerror or str(exc), 0, total) from exc
    for item, target in zip(planned, targets):
        if item.expected is None:
            continue
        try:
            current = target.read_bytes()
        except OSError:
            current = None
        if current != item.expected:
            _discard(staged)
            raise WriteError(item.path, "the file changed on disk since this run read it (another eventmod run or an editor); "
                             "run the command again", 0, total, stale=True)
    for done, (tmp, item, target) in enumerate(zip(staged, planned, targets)):
        try:
            os.replace(tmp, target)
        except OSError as exc:
            _discard(staged[done:])
            raise WriteError(item.path, exc.strerror or str(exc), done, total) from exc
        if after_replace is not None:
            after_replace(done + 1)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace one file atomically (see write_files)."""
    write_files([WriteItem(path, data)])


def _stage(path: Path, data: bytes) -> str:
    info = path.stat() if path.exists() else None
    mode = stat.S_IMODE(info.st_mode) if info is not None else _new_file_mode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".eventmod")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is not None and hasattr(os, "chown"):
            created = os.stat(tmp)
            if (created.st_uid, created.st_gid) != (info.st_uid, info.st_gid):
                try:
                    os.chown(tmp, info.st_uid, info.st_gid)
                except PermissionError as exc:
                    raise PermissionError(exc.errno, f"cannot keep the file's owner and group ({info.st_uid}:{info.st_gid}): {exc.strerror}", str(path)) from exc
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
