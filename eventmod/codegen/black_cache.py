"""A persistent cache of black's answers, like black's own cache: a repeated run (pre-commit,
CI, the next dry-run) neither imports nor calls black for blocks it has laid out before.

Keys hash everything black's output depends on (the input, the depth, the mode, black's
version); values are black's output, so a hit returns exactly what black would. Set
EVENTMOD_NO_CACHE=1 to bypass it, EVENTMOD_CACHE_DIR to move it (default:
$XDG_CACHE_HOME/eventmod or ~/.cache/eventmod). Each cache is a directory of bucket files (see
`FormatCache`): a run reads the buckets of the keys it looks up, so a cache that has grown over
months of runs costs a run little more than a fresh one. Only the process that runs the command saves
the cache; a worker process hands what it learned back with each result (`new_entries`,
`keep_entries`), so a pooled run fills the cache as an in-process one does.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
from functools import lru_cache
import sys
from pathlib import Path


# the cache keeps at most this many entries (the newest of each bucket): its size stays bounded
MAX_ENTRIES = 100_000
# entries are spread over this many files by their key's first two hex digits: a run reads the
# files of the keys it looks up, never the whole cache (which grows with every file state seen)
BUCKETS = 256


class FormatCache:
    """Text answers keyed by hex digests, in one directory of `BUCKETS` JSON files (`00.json` to
    `ff.json`, by the key's first two hex digits). A lookup reads its key's bucket once a run, so
    what a run pays for the cache grows with the keys it looks up, not with all the cache holds.
    New entries are written at exit, each bucket merged with what is on disk then (another
    run's entries are kept) and replaced atomically."""

    def __init__(self, path: Path | None, legacy: Path | None = None):
        self.path = path
        self.legacy = legacy  # the single-file cache this one replaces: removed at the first save
        self._buckets: dict[str, dict[str, str]] = {}
        self._unsaved: dict[str, dict[str, str]] = {}  # bucket -> entries put since the last save
        self._new: dict[str, str] = {}  # put since the last `take_new` (what a worker hands back)

    def _bucket(self, key: str) -> tuple[str, dict[str, str]]:
        name = _bucket_name(key)
        entries = self._buckets.get(name)
        if entries is None:
            entries = self._buckets[name] = self._read(name)
        return name, entries

    def _read(self, name: str) -> dict[str, str]:
        if self.path is None:
            return {}
        try:
            found = json.loads((self.path / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    @property
    def enabled(self) -> bool:
        """False for the cache of a run without caches (`EVENTMOD_NO_CACHE`): it keeps nothing,
        so a caller need not even make a key."""
        return self.path is not None

    def get(self, key: str) -> str | None:
        found = self._bucket(key)[1].get(key)
        return found if isinstance(found, str) else None

    def put(self, key: str, value: str) -> None:
        if self.path is None:
            return
        name, entries = self._bucket(key)
        if entries.get(key) != value:
            entries[key] = value
            self._new[key] = value
            if not self._unsaved:
                atexit.register(self.save)
            self._unsaved.setdefault(name, {})[key] = value

    def take_new(self) -> dict[str, str]:
        """The entries put since the last call (a worker process saves nothing itself: it hands
        these to the process that planned the run, which saves them)."""
        new, self._new = self._new, {}
        return new

    def save(self) -> None:
        if not self._unsaved or self.path is None:
            return
        import tempfile  # (and shutil, bz2, lzma, random through it) only for a run that saves something

        keep = max(1, MAX_ENTRIES // BUCKETS)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            for name, added in self._unsaved.items():
                entries = self._read(name)  # what is on disk now: another run may have saved since
                for key in added:
                    entries.pop(key, None)  # re-put: newest again
                entries.update(added)
                if len(entries) > keep:  # the oldest go first (a dict keeps insertion order)
                    entries = dict(list(entries.items())[-keep:])
                fd, tmp = tempfile.mkstemp(dir=self.path, prefix=f".{name}-", suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(entries, handle)
                os.replace(tmp, self.path / f"{name}.json")
            if self.legacy is not None:
                try:
                    os.unlink(self.legacy)
                except OSError:
                    pass
        except OSError:
            pass  # a cache that cannot be written only costs time
        self._unsaved = {}


def _bucket_name(key: str) -> str:
    head = key[:2].lower()
    return head if len(head) == 2 and all(c in "0123456789abcdef" for c in head) else "00"


def key_of(*parts: object) -> str:
    return hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()


def installed_version(distribution: str) -> str | None:
    """The version `importlib.metadata.version(distribution)` reports, read the way it finds it
    (the first `<name>-<version>.dist-info` on sys.path, its METADATA's `Version:`) without
    importing importlib.metadata (and the email parser it pulls in) on every run; that module
    answers any other layout (eggs, zips)."""
    prefix = distribution.lower().replace("-", "_") + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            lowered = name.lower()
            if lowered.startswith(prefix) and lowered.endswith((".dist-info", ".egg-info")):
                if not lowered.endswith(".dist-info"):
                    return _metadata_version(distribution)
                try:
                    with open(os.path.join(entry or ".", name, "METADATA"), encoding="utf-8") as handle:
                        for line in handle:
                            if line.startswith("Version:"):
                                return line.partition(":")[2].strip()
                            if not line.strip():
                                break
                except OSError:
                    pass
                return _metadata_version(distribution)
    return _metadata_version(distribution)


def _metadata_version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def black_cache() -> FormatCache:
    """The process's cache of black output (one per black version)."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return FormatCache(None)
    version = installed_version("black")
    if version is None:
        return FormatCache(None)
    return FormatCache(cache_dir() / f"black-{version}", legacy=cache_dir() / f"black-{version}.json")


def new_entries() -> tuple[dict[str, str], dict[str, str]]:
    """What this process put in its black and style caches since the last call."""
    return black_cache().take_new(), style_cache().take_new()


def keep_entries(entries: tuple[dict[str, str], dict[str, str]]) -> None:
    """Entries a worker learned (`new_entries`), put in this process's caches, saved at its exit."""
    for cache, found in zip((black_cache(), style_cache()), entries):
        for key, value in found.items():
            cache.put(key, value)


@lru_cache(maxsize=1)
def style_cache() -> FormatCache:
    """The process's cache of what was learned about the house style of each file, keyed by
    the file's content hash (`transform.house`); same directory and switches as black's."""
    if os.environ.get("EVENTMOD_NO_CACHE"):
        return FormatCache(None)
    return FormatCache(cache_dir() / "style-v2", legacy=cache_dir() / "style-v1.json")


def cache_dir() -> Path:
    """Where eventmod keeps its caches: EVENTMOD_CACHE_DIR, else $XDG_CACHE_HOME/eventmod or
    ~/.cache/eventmod (EVENTMOD_NO_CACHE=1 turns every cache off)."""
    base = os.environ.get("EVENTMOD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "eventmod"
    )
    return Path(base)


def put_pickle(directory: Path, name: str, value: object) -> bool:
    """`value` pickled into `directory/name`, atomically (written to a temporary file, then
    renamed over the entry); False when it cannot be written (a cache that cannot be written
    only costs time), and no temporary file is left behind."""
    import pickle
    import tempfile  # (and shutil, bz2, lzma, random through it) only for a run that writes an entry

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".entry-", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, directory / name)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True


def keep_recent(directory: Path, limit: int, suffix: str = ".pickle") -> None:
    """At most `limit` entries (files ending in `suffix`) in `directory`: the least recently
    modified go (a cache marks an entry it uses with `os.utime`)."""
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(suffix)]
        if len(entries) <= limit:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for stale in entries[: len(entries) - limit]:
            os.unlink(stale.path)
    except OSError:
        pass


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """eventmod's own code, as a cache key: the version of Python and each module's path, size
    and mtime. An answer cached by an eventmod whose code differs (another version, a fix being
    worked on) is computed again."""
    root = str(Path(__file__).resolve().parent.parent)
    parts = [sys.version]
    pending = [root]  # depth first, each directory's entries by name (one scandir, no relpath)
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except OSError:
            continue
        below = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    below.append(entry.path)
            elif entry.name.endswith(".py"):
                try:
                    info = entry.stat()
                except OSError:
                    continue
                parts.append(f"{entry.path[len(root) + 1:]}:{info.st_size}:{info.st_mtime_ns}")
        pending.extend(reversed(below))
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
