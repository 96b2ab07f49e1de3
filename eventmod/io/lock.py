"""One writing run per root at a time: an exclusive advisory lock on the root directory.

`apply` and `revert` hold it from planning to the last write, so two runs on one tree never
plan from the same bytes (the second would overwrite the first one's enum members). The lock
is `flock` on the root directory itself: nothing is created in the tree, and the kernel drops
it when the process ends, however it ends. On systems without `fcntl` it is a no-op; the
stale-file check before each replace (io.writer) still refuses to overwrite a changed file.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class LockTimeout(Exception):
    """Another run held the lock on root for longer than the timeout."""


@contextmanager
def root_lock(root: Path, timeout: float) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another eventmod run has been writing in {root} for over {timeout:g} s") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
