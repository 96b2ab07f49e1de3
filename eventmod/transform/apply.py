"""Planning insertions: the selection -> one unit of work per target file -> edits -> new text.

`plan_file` is a pure function of a picklable `FileJob` (read, parse once, resolve every anchor
of that file in one walk, check, render, splice, verify: `transform.planner`); it returns a
`FilePlan` result object instead of raising, so files can be planned in worker processes and
the run stays deterministic. Being pure, a plan is remembered between runs under a key of all
its inputs (`transform.plan_cache`): a repeated run over unchanged files and specs parses none
of them, and does not even import the planner.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Callable

from eventmod.analysis.contract import contract_problems, logger_contract, unknown_member_problems
from eventmod.analysis.cycles import imported_by
from eventmod.analysis.enum_state import EnumRules, read_enum
from eventmod.codegen.enum_members import EnumMember, plan_members
from eventmod.config import settings_for, target_python
from eventmod.model.edits import Edit, apply_edits_with_spans
from eventmod.model.problems import Problem
from eventmod.model.results import FilePlan, RunPlan
from eventmod.model.settings import Config, Settings
from eventmod.model.spec import Catalog, EventSpec, SelectedCatalog, Selection
from eventmod.pyast.source import Loaded, SourceFile, load_bytes, load_source, read_raw
from eventmod.transform.house import learn_house_style
from eventmod.transform.plan_cache import Probe, RememberedPlan, plan_cache
from eventmod.transform.runner import FileJob, Progress, jobs_by_file, run_jobs


# -- the run -----------------------------------------------------------------------------------
def plan_run(config: Config, catalog: Catalog, selection: Selection = Selection(), jobs: int = 1,
             progress: Progress | None = None, overlay: dict[str, bytes] | None = None, strict_style: bool = False,
             sink: Callable[[FilePlan], FilePlan] | None = None, digest: Callable[[FilePlan], FilePlan] | None = None,
             remember: bool = True) -> RunPlan:
    """Plan every selected event: one `FilePlan` per target file (plus the enum file).
    `strict_style`: note present blocks whose house style differs from the learned one.
    `remember`: use the plan cache (see `plan_file`).
    `sink`: sees each file's plan as it is made, in file order, and returns what the run keeps;
    `digest`: goes over each plan where it is made (see `runner.run_jobs`)."""
    settings = replace(settings_for(config), overlay=tuple(sorted((overlay or {}).items())), strict_style=strict_style,
                       remember_plans=remember)
    events = SelectedCatalog(catalog, selection).events()
    loaded: dict[str, Loaded | Problem] = {}

    def load(rel: str) -> Loaded | Problem:
        """Files the run itself reads (enum file, logger module) are parsed once per run."""
        if rel not in loaded:
            loaded[rel] = load_source(config.root, rel, settings.overlay)
        return loaded[rel]

    additions, problems = _plan_enum(config, catalog, events, load)
    contract = logger_contract(config, load, settings.overlay)
    problems += [*contract.problems, *contract_problems(config, events, contract)]
    settings = replace(settings, call=contract.call)  # with the sync companion the contract found
    if events and (settings.import_mode == "auto" or any(e.import_mode == "auto" for e in events)):
        settings = replace(settings, logger_imports=tuple(sorted(imported_by(config.root, settings.logger_module, load, dict(settings.overlay)))))
    work = jobs_by_file(catalog, selection)
    if events:
        settings = replace(settings, house=learn_house_style(settings, [j.path for j in work], load))
    if additions:
        enum_job = next((j for j in work if j.path == settings.enum_file), None)
        if enum_job is None:
            work.append(FileJob(settings.enum_file, (), tuple(additions)))
        else:
            work[work.index(enum_job)] = FileJob(enum_job.path, enum_job.events, tuple(additions))
        work.sort(key=lambda j: j.path)
    events_of = {job.path: job.events for job in work}

    def keep(plan: FilePlan) -> FilePlan:
        """The plan holding the run's own event objects (not a worker's copies), then `sink`."""
        plan = plan.sharing(events_of.get(plan.path, ()))
        return sink(plan) if sink is not None else plan

    plans = run_jobs(plan_file, work, settings, jobs, progress, loaded, keep, digest)
    problems += unknown_member_problems(config, plans, additions, load)
    return RunPlan(tuple(plans), tuple(problems))


def locate_run(config: Config, catalog: Catalog, selection: Selection = Selection(), *, jobs: int = 1) -> RunPlan:
    """Where each selected event's block is (or would go) and whether it is there: anchors and
    presence only, one parse per file, no checks, rendering or edits. For reports that need
    file:line and status but no patch (runtime coverage); `new` is always None."""
    from eventmod.transform.planner import locate_file

    settings = contract_settings(config)
    return RunPlan(tuple(run_jobs(locate_file, jobs_by_file(catalog, selection), settings, jobs)))


def contract_settings(config: Config) -> Settings:
    """The worker settings with the call shape the logger contract refines (its sync companion),
    for runs that do not report the contract's problems (locate, revert)."""
    settings = settings_for(config)
    return replace(settings, call=logger_contract(config, lambda rel: load_source(config.root, rel)).call)


def _plan_enum(config: Config, catalog: Catalog, events: list[EventSpec], load) -> tuple[list[EnumMember], list[Problem]]:
    enum_path = Path(config.enum_file).as_posix()
    loaded = load(enum_path)
    if isinstance(loaded, Problem):
        return [], [loaded]
    source, tree = loaded
    state = read_enum(source, tree, config.enum_class)
    if isinstance(state, Problem):
        return [], [state]
    if state.duplicates:
        return [], list(state.duplicates)
    groups = {c.spec_file: c.enum_group for c in catalog.components}
    return plan_members(events, groups, state, enum_path, config.enum_class, EnumRules(*target_python(config.root)))


# -- one file ----------------------------------------------------------------------------------
def plan_file(job: FileJob, settings: Settings, preloaded: "tuple[SourceFile, ast.Module] | Problem | None" = None) -> FilePlan:
    """Read and parse one file once, resolve and check every event of it, splice all edits.
    `preloaded`: the run already parsed this file (the enum file); it may be modified.
    A plan made before from exactly the same inputs is given back without parsing the file
    (`transform.plan_cache`)."""
    if isinstance(preloaded, Problem):
        return _plan_loaded(job, settings, preloaded)[0]
    raw = preloaded[0].raw if preloaded is not None else read_raw(settings.root, job.path, settings.overlay)
    if isinstance(raw, Problem):
        return _plan_loaded(job, settings, raw)[0]
    cache = plan_cache()
    remember = cache.enabled and settings.remember_plans
    ids = tuple(e.id for e in job.events)
    key = cache.key(job, settings, raw) if remember else ""
    if remember:
        found = cache.get(settings.root, job.path, ids, key)
        replayed = _replayed(job, raw, preloaded, found) if found is not None else None
        if replayed is not None:
            return replayed
    plan, kept = _plan_loaded(job, settings, preloaded if preloaded is not None else load_bytes(job.path, raw))
    remembered = RememberedPlan.of(key, *kept, job.events, plan) if remember and kept is not None else None
    if remembered is not None:
        cache.put(settings.root, job.path, ids, remembered)
    return plan


def _plan_loaded(job: FileJob, settings: Settings, loaded: "Loaded | Problem"
                 ) -> tuple[FilePlan, tuple[tuple[Probe, ...], tuple[Edit, ...]] | None]:
    """`planner.plan_loaded`, imported only by a run that plans a file: parsing, analysis and
    layout are not loaded when the plan cache answers for every file."""
    from eventmod.transform.planner import plan_loaded

    return plan_loaded(job, settings, loaded)


def _replayed(job: FileJob, raw: bytes, preloaded: "Loaded | Problem | None", found: RememberedPlan) -> FilePlan | None:
    """The plan `found` remembers, its edits spliced into the file again (None: the file no
    longer decodes as it did)."""
    source = preloaded[0] if isinstance(preloaded, tuple) else SourceFile.decode(job.path, raw)
    if isinstance(source, Problem):
        return None
    outcomes = found.event_outcomes(job.events)
    if not found.edits:
        return FilePlan(job.path, raw, None, outcomes, found.problems, enum_added=found.enum_added, references=found.references)
    new_text, origin, _ = apply_edits_with_spans(source.lines, list(found.edits), source.newline)
    return FilePlan(job.path, raw, source.encode(new_text), outcomes, found.problems, enum_added=found.enum_added,
                    origin=tuple(origin), references=found.references)


