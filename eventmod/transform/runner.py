"""One runner for every command: the selection grouped into one job per target file, each job
planned by a pure function (in process, or in a process pool for large runs), results in file
order whatever the worker count."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, TypeVar

from eventmod.codegen.enum_members import EnumMember
from eventmod.model.settings import Settings
from eventmod.model.spec import Catalog, EventSpec, Selection

# Below this many bytes of target code, starting worker processes costs more than it saves.
POOL_MIN_BYTES = 1_000_000

R = TypeVar("R")


@dataclass(frozen=True)
class FileJob:
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
             progress: Progress | None = None, preloaded: dict | None = None, sink: Callable[[R], R] | None = None) -> list[R]:
    """`plan_one(job, settings[, preloaded])` for every job, in order. Small runs stay in one
    process (and may reuse files the run already parsed); large ones use a process pool.
    `sink` sees each result as it comes, in order, and returns what the run keeps of it (a
    dry-run keeps a file's diff, not its texts: memory stays flat in the run's size)."""
    if progress is not None:
        progress.start(len(work))
    results: list[R] = []
    keep = sink or (lambda result: result)
    if jobs <= 1 or len(work) < 2 or _work_bytes(work, settings) < POOL_MIN_BYTES:
        for job in work:
            results.append(keep(plan_one(job, settings, (preloaded or {}).get(job.path))))
            if progress is not None:
                progress.advance()
        return results
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only a pooled run pays its import

    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        # map keeps input order, so output is the same whatever the worker count; small chunks keep
        # few files' results in flight (a worker pickles a whole chunk at once): memory stays flat.
        for result in pool.map(plan_one, work, [settings] * len(work), chunksize=max(1, min(4, len(work) // (jobs * 4)))):
            results.append(keep(result))
            if progress is not None:
                progress.advance()
    return results


def _work_bytes(work: list[FileJob], settings: Settings) -> int:
    total = 0
    for job in work:
        try:
            total += (Path(settings.root) / job.path).stat().st_size
        except OSError:
            pass
    return total
