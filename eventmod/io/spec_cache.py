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
from functools import lru_cache
from pathlib import Path

from eventmod.codegen.black_cache import cache_dir, code_fingerprint
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


@lru_cache(maxsize=1)
def spec_cache() -> SpecCache:
    """The process's spec cache (off under EVENTMOD_NO_CACHE=1)."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return SpecCache(None, "")
    return SpecCache(cache_dir() / "specs-v1.pickle", code_fingerprint())
