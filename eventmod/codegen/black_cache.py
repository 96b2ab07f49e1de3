"""A persistent cache of black's answers, like black's own cache: a repeated run (pre-commit,
CI, the next dry-run) neither imports nor calls black for blocks it has laid out before.

Keys hash everything black's output depends on (the input, the depth, the mode, black's
version); values are black's output, so a hit returns exactly what black would. Set
EVENTMOD_NO_CACHE=1 to bypass it, EVENTMOD_CACHE_DIR to move it (default:
$XDG_CACHE_HOME/eventmod or ~/.cache/eventmod). Only the process that planned in-process
saves new entries; worker processes just read it.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path


class FormatCache:
    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, str] | None = None
        self._dirty = False

    def _load(self) -> dict[str, str]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                try:
                    self._entries = json.loads(self.path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self._entries = {}
        return self._entries

    def get(self, key: str) -> str | None:
        return self._load().get(key)

    def put(self, key: str, value: str) -> None:
        if self.path is None:
            return
        entries = self._load()
        if entries.get(key) != value:
            entries[key] = value
            if not self._dirty:
                self._dirty = True
                atexit.register(self.save)

    def save(self) -> None:
        if not self._dirty or self.path is None or self._entries is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".black-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._entries, handle)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
        self._dirty = False


def key_of(*parts: object) -> str:
    return hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=1)
def black_cache() -> FormatCache:
    """The process's cache of black output (one per black version)."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return FormatCache(None)
    try:
        version = metadata.version("black")
    except metadata.PackageNotFoundError:
        return FormatCache(None)
    base = os.environ.get("EVENTMOD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "eventmod"
    )
    return FormatCache(Path(base) / f"black-{version}.json")


@lru_cache(maxsize=1)
def style_cache() -> FormatCache:
    """The process's cache of what was learned about the house style of each file, keyed by
    the file's content hash (`transform.house`); same directory and switches as black's."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return FormatCache(None)
    base = os.environ.get("EVENTMOD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "eventmod"
    )
    return FormatCache(Path(base) / "style-v1.json")
