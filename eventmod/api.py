"""The public core: every command (and the LibCST commands, and other tools) goes through here.

    project = load_project(Path.cwd(), root=..., specs=...)   # config + catalog, located problems
    selection = project.select(Selectors(phases=(1,)))         # validated selectors
    run = plan(project, selection)                            # RunPlan: per file, old/new bytes
    text = run_diff(run)                                      # or write_changes(project, run)

Nothing here prints; problems are returned (or raised as `InputError` when the input cannot be
used at all), and only `write_changes` touches the disk.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from eventmod.model.problems import InputError, Problem, did_you_mean
from eventmod.model.record import record
from eventmod.model.results import FilePlan, RevertFile, RevertPlan, RunPlan, Status
from eventmod.model.settings import Config
from eventmod.model.spec import Catalog, Selection
from eventmod.transform.runner import Progress

PHASES = range(1, 5)
DAYS = range(1, 13)


@record
class Selectors:
    """What the user selected on the command line; empty selects everything."""

    phases: tuple[int, ...] = ()
    days: tuple[int, ...] = ()
    components: tuple[str, ...] = ()
    events: tuple[str, ...] = ()

    def selection(self) -> Selection:
        return Selection(self.phases, self.days, self.components, self.events)


@record
class Project:
    """A loaded configuration and spec catalog. `spec_problems` do not stop a run: the valid
    events are still checked against the code, so one run reports every problem."""

    config: Config
    catalog: Catalog
    spec_problems: tuple[Problem, ...] = ()

    def selector_problems(self, selectors: Selectors) -> list[Problem]:
        names = {c.component for c in self.catalog.components}
        ids = {e.id for e in self.catalog.events()}
        found = [Problem("--component", 0, f"no component '{c}'{did_you_mean(c, names)}") for c in selectors.components if c not in names]
        found += [Problem("--event", 0, f"no event id '{e}'{did_you_mean(e, ids)}") for e in selectors.events if e not in ids]
        found += [Problem("--phase", 0, f"phase must be 1-4, got {p}") for p in selectors.phases if p not in PHASES]
        found += [Problem("--day", 0, f"day must be 1-12, got {d}") for d in selectors.days if d not in DAYS]
        return found

    def select(self, selectors: Selectors) -> Selection:
        """The selection, or InputError naming each unknown component, event, phase or day."""
        problems = self.selector_problems(selectors)
        if problems:
            raise InputError(problems)
        return selectors.selection()

    def selected_catalog(self, selection: Selection) -> Catalog:
        """The components with at least one selected event."""
        return Catalog(tuple(c for c in self.catalog.components if any(selection.matches(c, e) for e in c.events)))

    def phases(self, selection: Selection) -> list[int]:
        return sorted({c.phase for c in self.selected_catalog(selection).components})


def load_project(cwd: Path, *, config_file: Path | None = None, search_from: list[Path] | None = None,
                 **overrides: Any) -> Project:
    """Configuration (defaults < configuration file < overrides; see `eventmod.config` for how
    the file is found) and every spec file, problems collected. Raises InputError when the
    configuration itself is unusable."""
    from eventmod.config import load_config
    from eventmod.io.spec_cache import spec_cache
    from eventmod.spec.catalog import load_catalog

    config = load_config(cwd, config_file=config_file, search_from=search_from, **overrides)
    if not config.root.is_dir():
        raise InputError([Problem(str(config.root), 0, "root is not a directory; set `root` in [tool.eventmod] or pass --root")])
    catalog, problems = load_catalog(config.specs, config.root, spec_cache())
    return Project(config, catalog, tuple(problems))


def plan(project: Project, selection: Selection = Selection(), *, jobs: int = 1, progress: Progress | None = None,
         overlay: dict[str, bytes] | None = None, config: Config | None = None, strict_style: bool = False,
         sink: Callable[[FilePlan], FilePlan] | None = None, digest: Callable[[FilePlan], FilePlan] | None = None,
         remember: bool = True) -> RunPlan:
    """What apply would write for the selection (spec problems included in the plan's problems).
    `overlay` (path -> bytes) stands in for files on disk; `config` overrides the project's;
    `strict_style` notes present blocks written in another house style (`EventOutcome.style`).
    `remember`: take each file's plan from the plan cache when it holds one made from the same
    inputs, and keep the plans made (False for a project no later run will see, such as one
    in a temporary directory).
    `sink` sees each file's plan as it is made, in file order (whatever `jobs`), and returns
    what the run keeps of it, e.g. `FilePlan.release()` once its diff is taken: memory then
    stays flat in the number of files. `digest` (a picklable function, e.g.
    `functools.partial(reports.diff.digest, prefix=...)`) goes over each file's plan where it
    is made, in a worker process for a pooled run, before `sink` sees it."""
    from eventmod.transform.apply import plan_run

    run = plan_run(config or project.config, project.catalog, selection, jobs=jobs, progress=progress, overlay=overlay,
                   strict_style=strict_style, sink=sink, digest=digest, remember=remember)
    return run.with_problems(project.spec_problems)


def plan_revert(project: Project, selection: Selection = Selection(), *, jobs: int = 1) -> RevertPlan:
    """What revert would write for the selection."""
    from eventmod.transform.revert import plan_revert as _plan

    result = _plan(project.config, project.catalog, selection, jobs=jobs)
    return RevertPlan(result.files, (*project.spec_problems, *result.problems))


@record
class PhasePlan:
    """One selected phase's plan (`plan_phases`), made on top of the earlier phases' output, with
    one plan per component of the phase when asked for."""

    phase: int
    plan: RunPlan
    components: tuple[tuple[str, RunPlan], ...] = ()


def plan_phases(project: Project, selection: Selection, *, jobs: int = 1, per_component: bool = False) -> list[PhasePlan]:
    """One plan per selected phase, each on top of the previous phases' output (so the phase
    patches apply in order); with `per_component`, one plan per component of each phase too."""
    from dataclasses import replace

    overlay: dict[str, bytes] = {}
    phases: list[PhasePlan] = []
    for number in project.phases(selection):
        phase_selection = replace(selection, phases=(number,))
        phase_plan = plan(project, phase_selection, jobs=jobs, overlay=dict(overlay))
        components: list[tuple[str, RunPlan]] = []
        if per_component:
            names = sorted(c.component for c in project.selected_catalog(phase_selection).components)
            for name in names:
                components.append((name, plan(project, replace(phase_selection, components=(name,)), jobs=jobs, overlay=dict(overlay))))
        phases.append(PhasePlan(number, phase_plan, tuple(components)))
        overlay.update({f.path: f.new for f in phase_plan.files if f.changed and f.new is not None})
    return phases


@record
class WriteFailure:
    """A write that failed part-way: the file and why, and how many files were already replaced."""

    path: str  # relative to root
    reason: str
    written: int  # files already replaced when it failed (0: nothing was written)
    total: int


@record
class WriteResult:
    """What `write_changes` did: the files written, or why it refused to write or stopped early."""

    written: tuple[str, ...] = ()  # paths relative to root
    dirty: tuple[str, ...] = ()  # refused: these files have uncommitted changes (nothing written)
    failure: WriteFailure | None = None
    refused: str = ""  # refused for another reason (git failed), nothing written

    @property
    def ok(self) -> bool:
        return not self.dirty and self.failure is None and not self.refused


def write_changes(config: Config, files: list[FilePlan] | list[RevertFile], *, allow_dirty: bool = False,
                  after_replace=None) -> WriteResult:
    """Write every changed file atomically (all or nothing as far as the OS allows), unless git
    has uncommitted changes in one of them, git cannot tell (unless `allow_dirty`), or a file
    changed on disk since it was planned from. `after_replace`: see `io.writer.write_files`."""
    from eventmod.io.git import GitError, dirty_files
    from eventmod.io.writer import WriteError, WriteItem, write_files

    changed = [f for f in files if f.changed]
    paths = [f.path for f in changed]
    if paths and not allow_dirty:
        try:
            dirty = dirty_files(config.root, paths) or []
        except GitError as exc:
            return WriteResult(refused=f"git failed in {config.root} ({exc}), so eventmod cannot tell whether the files it would "
                                       "touch have uncommitted changes; fix the repository, or pass --allow-dirty to write anyway")
        if dirty:
            return WriteResult(dirty=tuple(dirty))
    try:
        write_files([WriteItem(config.root / f.path, f.new, f.old) for f in changed],  # type: ignore[arg-type]
                    after_replace=after_replace)
    except WriteError as exc:
        where = Path(exc.path).resolve().relative_to(config.root.resolve()).as_posix() if Path(exc.path).resolve().is_relative_to(config.root.resolve()) else str(exc.path)
        return WriteResult(tuple(paths[: exc.written]), failure=WriteFailure(where, exc.reason, exc.written, exc.total))
    return WriteResult(tuple(paths))


@contextmanager
def writing(config: Config, timeout: float | None = None) -> Iterator[None]:
    """Hold the root's lock from planning to the last write (`apply`, `revert`): a second run on
    the same tree waits (up to `timeout`, default config `lock_timeout`), then plans from what
    the first one wrote. Raises InputError when the wait times out."""
    from eventmod.io.lock import LockTimeout, root_lock

    wait = config.lock_timeout if timeout is None else timeout
    try:
        with root_lock(config.root, wait):
            yield
    except LockTimeout as exc:
        raise InputError([Problem(str(config.root), 0, f"{exc}; nothing was written (wait for it to finish, or raise `lock_timeout` in [tool.eventmod])")]) from None


@record
class CheckResult:
    """`check`: the findings (pending, drifted, re-emit) and the errors (invalid events)."""

    plan: RunPlan
    invalid: tuple[Problem, ...] = field(default=())
    strict_style: bool = False

    @property
    def findings(self) -> bool:
        return any(o.status in (Status.PENDING, Status.DRIFTED, Status.REEMIT) or (self.strict_style and o.style)
                   for o in self.plan.outcomes())


def check(project: Project, selection: Selection = Selection(), *, jobs: int = 1, strict_style: bool = False) -> CheckResult:
    """What `check` reports: the plan, and as errors what would fail at run time or cannot be
    applied (invalid events, a missing logger module or getter, a block that logs a member the
    enum lacks, a block whose getter assignment is gone). With `strict_style`, a block written
    in another house style than the learned one is a finding too (never without it)."""
    run = plan(project, selection, jobs=jobs, strict_style=strict_style)
    invalid = [p for o in run.outcomes() if o.status is Status.INVALID for p in o.problems]
    invalid += [p for p in run.problems if p.severity == "error"]
    invalid += [p for f in run.files for p in f.problems if p.severity == "error"]
    return CheckResult(run, tuple(invalid), strict_style)


@record
class FileStyleReport:
    """One file's learned house style and where each part came from."""

    path: str
    style: Any  # analysis.style.Style
    decision: Any  # analysis.style.Decision (None: the file could not be read)
    problem: Problem | None = None


@record
class StyleReport:
    """What `eventmod style` prints: the mode, the project's formatter and import sorting, the
    blocks the house style was learned from, and per selected file the style it gets."""

    mode: str
    black: Any  # model.settings.BlackSettings
    isort: Any  # model.settings.ImportSort
    house: Any  # model.settings.HouseStyle
    order: str  # how added import names are ordered, in words
    files: tuple[FileStyleReport, ...]


def explain_style(project: Project, selection: Selection = Selection()) -> StyleReport:
    """The house style eventmod writes in each file the selection touches, and why."""
    from eventmod.analysis.style import file_decisions, file_style
    from eventmod.config import settings_for
    from eventmod.pyast.source import load_source
    from eventmod.transform.planner import name_order
    from eventmod.transform.house import cached_file_habits, learn_house_style
    from eventmod.transform.runner import jobs_by_file

    settings = settings_for(project.config)
    paths = [job.path for job in jobs_by_file(project.catalog, selection)]
    settings = replace(settings, house=learn_house_style(settings, paths))
    order = name_order(settings)
    if order.learned:
        order_text = (f"the project's own logger imports ({'getter' if order.getter_first else 'enum'} first; no isort or ruff "
                      "configuration)")
    else:
        parts = ["constants, classes, then functions" if settings.isort.order_by_type else "alphabetical",
                 "case-sensitive" if settings.isort.case_sensitive else "case-insensitive"]
        if settings.isort.force_sort_within_sections:
            parts.append("force-sort-within-sections")
        order_text = f"sorted as isort and ruff sort them ({', '.join(parts)}; {settings.isort.source or 'isort defaults: no isort or ruff configuration'})"
    files = []
    for path in paths:
        loaded = load_source(settings.root, path)
        if isinstance(loaded, Problem):
            files.append(FileStyleReport(path, None, None, loaded))
            continue
        source, tree = loaded
        # the file's own style, learned once: the second asks the cache the first filled (as apply's runs do)
        files.append(FileStyleReport(path, file_style(source, tree, settings.black, settings.house, settings.style, cached_file_habits),
                                     file_decisions(source, tree, settings.black, settings.house, cached_file_habits)))
    return StyleReport(settings.style, settings.black, settings.isort, settings.house, order_text, tuple(files))
