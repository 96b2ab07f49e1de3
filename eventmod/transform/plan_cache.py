"""What each file's plan was, remembered between runs, as ruff remembers each file's lint
results: a repeated run (pre-commit, CI, the next dry-run or check) over a file and specs that
have not changed neither parses nor analyses the file again.

A plan is a pure function of its inputs (`transform.planner.plan_loaded`): the file's bytes, its
job (every field of its events and of the enum members it adds), the run's settings (the
house style, the logger contract, black's and isort's settings, ...), eventmod's own code
and the version of black (the layout of blocks outside eventmod's own renderer). The key
hashes all of them. A plan also asks the file system one kind of question, whether a dotted
name is a module under root or in the standard library (the scope checks' from-imports); the
answers it got are kept with it and asked again before it is trusted. Only plans without any
problem are kept (a refusal or a failure is found again, and reported), and what is kept is
the plan's edits, not its text: a hit splices them into the file as the plan did.

One pickle file per file and event selection in `plans-v1/` of the cache directory
(`codegen.black_cache.cache_dir`), holding the newest `VARIANTS` plans of that file (each
with its key; a changed file or spec replaces the oldest). An entry is written atomically
where the plan is made (in the worker for a pooled run); past `MAX_ENTRIES` the least
recently used go (deleting the directory is always safe). EVENTMOD_NO_CACHE=1 turns it off
with every other cache, EVENTMOD_NO_PLAN_CACHE=1 alone.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from eventmod.analysis.modules import names_a_module
from eventmod.codegen.black_cache import cache_dir, code_fingerprint, installed_version, keep_recent, put_pickle
from eventmod.model.edits import Edit
from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.results import EventOutcome, FilePlan
from eventmod.model.settings import Settings
from eventmod.model.spec import EventSpec

# bump when what an entry holds changes shape
PLAN_CACHE_VERSION = "plans-v1"

Probe = tuple[tuple[str, str, str], bool]  # ((root, source path, dotted name), is a module)


# how many plans an entry keeps (the newest): runs with other settings over the same file (two
# configurations, a fixed house style) do not push each other's plans out
VARIANTS = 4
# the cache keeps at most this many entries (files), the most recently used
MAX_ENTRIES = 2_000


@record
class RememberedPlan:
    """A plan without its texts or its events: what a hit needs to give back the same
    `FilePlan`. Each outcome is kept with the index of its event in the job (whose events are
    part of the key) and without the event itself."""

    key: str
    probes: tuple[Probe, ...]
    edits: tuple[Edit, ...]
    outcomes: tuple[tuple[int, EventOutcome], ...]
    problems: tuple[Problem, ...]
    enum_added: tuple[str, ...]
    references: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, key: str, probes: tuple[Probe, ...], edits: tuple[Edit, ...], events: tuple[EventSpec, ...],
           plan: FilePlan) -> "RememberedPlan | None":
        """What to keep of `plan`, made from `events` (None: an outcome is not of one of them)."""
        index = {id(e): i for i, e in enumerate(events)}
        outcomes = []
        for outcome in plan.outcomes:
            at = index.get(id(outcome.event))
            if at is None:
                return None
            outcomes.append((at, replace(outcome, event=None)))
        return cls(key, probes, edits, tuple(outcomes), plan.problems, plan.enum_added, plan.references)

    def event_outcomes(self, events: tuple[EventSpec, ...]) -> tuple[EventOutcome, ...]:
        """The outcomes, each with its event (`events`: the job's)."""
        return tuple(replace(outcome, event=events[at]) for at, outcome in self.outcomes)

    def still_true(self) -> bool:
        """Whether the file system still answers the plan's questions as it did."""
        return all(names_a_module(dotted, root, path) == answer for (root, path, dotted), answer in self.probes)


class PlanCache:
    """One small pickle file per (file, event selection) in one directory, holding the newest
    `VARIANTS` plans made for it."""

    def __init__(self, path: Path | None, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self._pruned = False  # this process has bounded the directory (once, at its first write)
        self._black: str | None = None  # black's version, read once (its dist-info) at the first key

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def key(self, job: object, settings: Settings, raw: bytes) -> str:
        """Every input of a plan: eventmod's code, black's version, the job, the settings and
        the file's bytes. Two parts of the settings no plan reads are left out: the overlay (a
        plan reads only its own file, whose bytes are `raw`) and how many files the house
        style's scan read (reported by `eventmod style`; any new file under root changes it)."""
        settings = replace(settings, overlay=(), house=replace(settings.house, scanned=0))
        if self._black is None:
            self._black = installed_version("black") or ""
        parts = (PLAN_CACHE_VERSION, self.fingerprint, self._black, repr(job), repr(settings))
        digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
        digest.update(raw)
        return digest.hexdigest()

    def _entry(self, root: str, path: str, ids: tuple[str, ...]) -> Path:
        assert self.path is not None
        name = hashlib.sha256("\x00".join((root, path, *ids)).encode("utf-8", "surrogatepass")).hexdigest()
        return self.path / f"{name}.pickle"

    def _read(self, entry: Path) -> dict[str, RememberedPlan]:
        try:
            with open(entry, "rb") as handle:
                found = pickle.load(handle)
        except Exception:  # missing, damaged or foreign: as if empty
            return {}
        return found if isinstance(found, dict) else {}

    def get(self, root: str, path: str, ids: tuple[str, ...], key: str) -> RememberedPlan | None:
        if self.path is None:
            return None
        entry = self._entry(root, path, ids)
        found = self._read(entry).get(key)
        if not isinstance(found, RememberedPlan) or found.key != key or not found.still_true():
            return None
        try:
            os.utime(entry)  # recently used: kept when the cache is bounded
        except OSError:
            pass
        return found

    def put(self, root: str, path: str, ids: tuple[str, ...], plan: RememberedPlan) -> None:
        if self.path is None:
            return
        entry = self._entry(root, path, ids)
        plans = self._read(entry)
        plans.pop(plan.key, None)
        plans[plan.key] = plan  # newest last
        if put_pickle(self.path, entry.name, dict(list(plans.items())[-VARIANTS:])) and not self._pruned:
            self._pruned = True  # bounded once a process, at its first write
            keep_recent(self.path, MAX_ENTRIES)


@lru_cache(maxsize=1)
def plan_cache() -> PlanCache:
    """The process's plan cache (off under EVENTMOD_NO_CACHE=1, which turns every cache off, or
    EVENTMOD_NO_PLAN_CACHE=1, which plans every file again but keeps the other caches)."""
    if os.environ.get("EVENTMOD_NO_CACHE") or os.environ.get("EVENTMOD_NO_PLAN_CACHE"):
        return PlanCache(None, "")
    return PlanCache(cache_dir() / PLAN_CACHE_VERSION, code_fingerprint())
