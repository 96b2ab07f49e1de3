"""What spec files read as, remembered between runs (the `SpecMemo` of `spec.loader`).

Reading a spec (YAML, then every check of its events) costs far more than the file's bytes
(about a third of a millisecond an event); a repeated run (pre-commit, CI, the next dry-run)
reads the same bytes again. Entries are keyed by the file's bytes, the name it is shown
under, and a fingerprint of eventmod's own code (every module's size and mtime, the Python
version): a changed file, a moved one or another eventmod reads it again. Only files that read
without any problem are kept, and the loader checks a remembered file's target again. One
pickle file in the cache directory (`codegen.black_cache.cache_dir`), written atomically at exit
when the run read a spec it did not know; EVENTMOD_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path

from eventmod.codegen.black_cache import cache_dir
from eventmod.model.spec import ComponentSpec

# the cache keeps at most this many entries: those this run used, then the newest of the others
MAX_ENTRIES = 2_000


class SpecCache:
    def __init__(self, path: Path | None, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self._entries: dict[str, ComponentSpec] | None = None
        self._used: set[str] = set()
        self._dirty = False

    def _key(self, raw: bytes, shown: str) -> str:
        return hashlib.sha256(b"\x00".join((self.fingerprint.encode(), shown.encode("utf-8", "surrogatepass"), raw))).hexdigest()

    def _load(self) -> dict[str, ComponentSpec]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                try:
                    with open(self.path, "rb") as handle:
                        data = pickle.load(handle)
                    if isinstance(data, dict):
                        self._entries = data
                except Exception:  # a missing, damaged or foreign file: read the specs again
                    self._entries = {}
        return self._entries

    def get(self, raw: bytes, shown: str) -> ComponentSpec | None:
        if self.path is None:
            return None
        key = self._key(raw, shown)
        found = self._load().get(key)
        if not isinstance(found, ComponentSpec) or found.spec_file != shown:
            return None
        self._used.add(key)
        return found

    def put(self, raw: bytes, shown: str, spec: ComponentSpec) -> None:
        if self.path is None:
            return
        key = self._key(raw, shown)
        self._load()[key] = spec
        self._used.add(key)
        if not self._dirty:
            self._dirty = True
            atexit.register(self.save)

    def save(self) -> None:
        if not self._dirty or self.path is None or self._entries is None:
            return
        import tempfile

        entries = {k: v for k, v in self._entries.items() if k in self._used}
        for key in reversed(list(self._entries)):  # the newest others, up to the bound
            if len(entries) >= MAX_ENTRIES:
                break
            entries.setdefault(key, self._entries[key])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".specs-", suffix=".pickle")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
        self._dirty = False


def code_fingerprint() -> str:
    """eventmod's own code, as a key: the version of Python and each module's path, size and
    mtime (a changed or reinstalled eventmod reads every spec again)."""
    package = Path(__file__).resolve().parent.parent
    parts = [sys.version]
    for directory, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                parts.append(f"{os.path.relpath(path, package)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=1)
def spec_cache() -> SpecCache:
    """The process's spec cache (off under EVENTMOD_NO_CACHE=1)."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return SpecCache(None, "")
    return SpecCache(cache_dir() / "specs-v1.pickle", code_fingerprint())
