"""One runner for every command: the selection grouped into one job per target file, each job
planned by a pure function (in process, or in a process pool for large runs), results in file
order whatever the worker count."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Protocol, TypeVar

from eventmod.codegen.enum_members import EnumMember
from eventmod.model.record import record
from eventmod.model.settings import Settings
from eventmod.model.spec import Catalog, EventSpec, Selection

# Below this many bytes of target code, starting worker processes costs more than it saves.
POOL_MIN_BYTES = 1_000_000

R = TypeVar("R")


@record
class FileJob:
    """One target file's share of a run: the selected events that target it, and the enum members to
    add when it is the enum file."""

    path: str  # relative to root, POSIX
    events: tuple[EventSpec, ...]
    enum_additions: tuple[EnumMember, ...] = ()


class Progress(Protocol):
    """Told how many files a run plans and when each is done (the CLI draws a bar on a tty)."""

    def start(self, total: int) -> None: ...
    def advance(self) -> None: ...


def jobs_by_file(catalog: Catalog, selection: Selection) -> list[FileJob]:
    """The selected events grouped by target file, files sorted, events in spec order."""
    by_file: dict[str, list[EventSpec]] = {}
    for component in catalog.components:
        for event in component.events:
            if selection.matches(component, event):
                by_file.setdefault(component.file, []).append(event)
    return [FileJob(path, tuple(events)) for path, events in sorted(by_file.items())]


def run_jobs(plan_one: Callable[..., R], work: list[FileJob], settings: Settings, jobs: int,
             progress: Progress | None = None, preloaded: dict | None = None, sink: Callable[[R], R] | None = None,
             digest: Callable[[R], R] | None = None) -> list[R]:
    """`plan_one(job, settings[, preloaded])` for every job, in order. Small runs stay in one
    process (and may reuse files the run already parsed); large ones use a process pool.
    `sink` sees each result as it comes, in order, and returns what the run keeps of it (a
    dry-run keeps a file's diff, not its texts: memory stays flat in the run's size). `digest`
    (picklable) goes over each result where it is made, in the worker for a pooled run: what
    only the file's own result needs (its diff) is then done in parallel, and the worker sends
    back what it returns (the diff, not the file's two texts)."""
    if progress is not None:
        progress.start(len(work))
    results: list[R] = []
    keep = sink or (lambda result: result)
    if jobs <= 1 or len(work) < 2 or _work_bytes(work, settings) < POOL_MIN_BYTES:
        for job in work:
            with collector_paused():
                planned = plan_one(job, settings, (preloaded or {}).get(job.path))
            results.append(keep(digest(planned) if digest is not None else planned))
            if progress is not None:
                progress.advance()
        return results
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only a pooled run pays its import

    from eventmod.codegen.black_cache import keep_entries

    # What the workers inherit (the catalog, the settings, the caches) is frozen first: their
    # collections then never trace it, nor touch (and so copy) its memory pages.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
            # map keeps input order, so output is the same whatever the worker count; one file a task
            # keeps few results in flight (memory stays flat) and leaves no worker idle at the end
            # while the other finishes a chunk.
            for result, learned in pool.map(_pooled, [plan_one] * len(work), [digest] * len(work), work, [settings] * len(work),
                                            chunksize=1):
                keep_entries(learned)  # what the worker's caches learned, saved by this process
                results.append(keep(result))
                if progress is not None:
                    progress.advance()
    finally:
        gc.unfreeze()
    return results


def _pooled(plan_one: Callable[..., R], digest: Callable[[R], R] | None, job: FileJob, settings: Settings
            ) -> tuple[R, tuple[dict[str, str], dict[str, str]]]:
    """In a worker: the job's result (through `digest`), and what the worker's caches learned
    while planning it."""
    from eventmod.codegen.black_cache import new_entries

    with collector_paused():
        planned = plan_one(job, settings)
    return (digest(planned) if digest is not None else planned), new_entries()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while one file is planned. Planning builds the
    file's whole syntax tree at once, and the collector would trace it again and again as it
    grows (about a sixth of a large run's time); the planning code makes no reference cycles
    that hold a tree (`tests/test_performance_structure.py` checks), so reference counting
    frees each tree when its file is done, and the collector runs as usual between files."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _work_bytes(work: list[FileJob], settings: Settings) -> int:
    total = 0
    for job in work:
        try:
            total += (Path(settings.root) / job.path).stat().st_size
        except OSError:
            pass
    return total
