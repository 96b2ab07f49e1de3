"""What spec files read as, remembered between runs (the `SpecMemo` of `spec.loader`).

Reading a spec (YAML, then every check of its events) costs far more than the file's bytes
(about a third of a millisecond an event); a repeated run (pre-commit, CI, the next dry-run)
reads the same bytes again. Entries are keyed by the file's bytes, the name it is shown
under, and a fingerprint of eventmod's own code (every module's size and mtime, the Python
version): a changed file, a moved one or another eventmod reads it again. Only files that read
without any problem are kept, and the loader checks a remembered file's target again. One
pickle file per entry in `specs-v1/` of the cache directory (`codegen.black_cache.cache_dir`),
each written atomically at exit when the run read a spec it did not know, the least recently
used removed past `MAX_ENTRIES`; EVENTMOD_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from eventmod.codegen.black_cache import cache_dir, code_fingerprint, keep_recent, put_pickle
from eventmod.model.spec import ComponentSpec

# the cache keeps at most this many spec files (the most recently used)
MAX_ENTRIES = 5_000


class SpecCache:
    """One small pickle file per remembered spec file, in one directory: a run reads only the
    entries of its own spec files (the cache may hold other projects' too)."""

    def __init__(self, path: Path | None, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self._new: dict[str, ComponentSpec] = {}

    def _key(self, raw: bytes, shown: str) -> str:
        return hashlib.sha256(b"\x00".join((self.fingerprint.encode(), shown.encode("utf-8", "surrogatepass"), raw))).hexdigest()

    def get(self, raw: bytes, shown: str) -> ComponentSpec | None:
        if self.path is None:
            return None
        entry = self.path / f"{self._key(raw, shown)}.pickle"
        try:
            with open(entry, "rb") as handle:
                found = pickle.load(handle)
            os.utime(entry)  # recently used: kept when the cache is pruned
        except Exception:  # missing, damaged or foreign: read the spec again
            return None
        if not isinstance(found, ComponentSpec) or found.spec_file != shown:
            return None
        return found

    def put(self, raw: bytes, shown: str, spec: ComponentSpec) -> None:
        if self.path is None:
            return
        if not self._new:
            atexit.register(self.save)
        self._new[self._key(raw, shown)] = spec

    def save(self) -> None:
        if not self._new or self.path is None:
            return
        if all(put_pickle(self.path, f"{key}.pickle", spec) for key, spec in self._new.items()):
            keep_recent(self.path, MAX_ENTRIES)
            try:
                os.unlink(self.path.with_suffix(".pickle"))  # the single-file cache of earlier versions
            except OSError:
                pass
        self._new = {}


@lru_cache(maxsize=1)
def spec_cache() -> SpecCache:
    """The process's spec cache (off under EVENTMOD_NO_CACHE=1)."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return SpecCache(None, "")
    return SpecCache(cache_dir() / "specs-v1", code_fingerprint())
