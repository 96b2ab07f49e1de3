"""Planning insertions: the selection -> one unit of work per target file -> edits -> new text.

`plan_file` is a pure function of a picklable `FileJob` (read, parse once, resolve every anchor
of that file in one walk, check, render, splice, verify); it returns a `FilePlan` result object
instead of raising, so files can be planned in worker processes and the run stays deterministic.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from eventmod.analysis.anchors import Mode, Site
from eventmod.analysis.checks import ModuleScope, SiteContext, check_site, log_event_parameters, signature_problems
from eventmod.analysis.naming import logger_variable
from eventmod.analysis.placement import resolve_sites
from eventmod.analysis.presence import EmitMode, present_block
from eventmod.analysis.style import Style, file_style
from eventmod.codegen.enum_members import EnumMember, EnumRules, enum_edits, plan_members, read_enum
from eventmod.codegen.imports import existing_names, plan_imports
from eventmod.codegen.json_safe import json_safe_helper_edit
from eventmod.analysis.contract import contract_problems
from eventmod.codegen.render import JSON_SAFE_HELPER, Names, RenderOptions, json_safe_for, render_block, render_options, rendered_block_start
from eventmod.config import settings_for, target_python
from eventmod.model.edits import Edit, EditConflict, apply_edits_with_origin
from eventmod.model.problems import Problem
from eventmod.model.results import EventOutcome, FilePlan, RunPlan, Status
from eventmod.model.settings import Config, Settings
from eventmod.model.spec import Catalog, EventSpec, SelectedCatalog, Selection
from eventmod.pyast.source import Loaded, SourceFile, load_source
from eventmod.pyast.walk import FunctionNode, first_line, index_classes, index_functions, module_of
from eventmod.transform.runner import FileJob, Progress, jobs_by_file, run_jobs
from eventmod.transform.verify import verify_only_insertions


# -- the run -----------------------------------------------------------------------------------
def plan_run(config: Config, catalog: Catalog, selection: Selection = Selection(), jobs: int = 1,
             progress: Progress | None = None, overlay: dict[str, bytes] | None = None) -> RunPlan:
    """Plan every selected event: one `FilePlan` per target file (plus the enum file)."""
    settings = replace(settings_for(config), overlay=tuple(sorted((overlay or {}).items())))
    events = SelectedCatalog(catalog, selection).events()
    loaded: dict[str, Loaded | Problem] = {}

    def load(rel: str) -> Loaded | Problem:
        """Files the run itself reads (enum file, logger module) are parsed once per run."""
        if rel not in loaded:
            loaded[rel] = load_source(config.root, rel, settings.overlay)
        return loaded[rel]

    additions, problems = _plan_enum(config, catalog, events, load)
    problems += contract_problems(config, events, load, settings.overlay)
    work = jobs_by_file(catalog, selection)
    if additions:
        enum_job = next((j for j in work if j.path == settings.enum_file), None)
        if enum_job is None:
            work.append(FileJob(settings.enum_file, (), tuple(additions)))
        else:
            work[work.index(enum_job)] = FileJob(enum_job.path, enum_job.events, tuple(additions))
        work.sort(key=lambda j: j.path)
    plans = run_jobs(plan_file, work, settings, jobs, progress, loaded)
    return RunPlan(tuple(plans), tuple(problems))


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
    `preloaded`: the run already parsed this file (the enum file); it may be modified."""
    loaded = preloaded if preloaded is not None else load_source(settings.root, job.path, settings.overlay)
    if isinstance(loaded, Problem):
        located = [Problem(e.spec_file, e.line, f"target {job.path}: {loaded.message}", e.id) for e in job.events[:1]]
        return FilePlan(job.path, None, None, tuple(EventOutcome(e, Status.INVALID) for e in job.events), (loaded, *located))
    source, tree = loaded
    outcomes, placements = _resolve_and_check(source, tree, job.events, settings)
    style = file_style(source, tree, settings.black)
    edits, outcomes = _event_edits(source, tree, placements, outcomes, settings, style)
    added: tuple[str, ...] = ()
    if job.enum_additions:
        state = read_enum(source, tree, settings.enum_class)
        if not isinstance(state, Problem):
            edits.extend(enum_edits(source, state, list(job.enum_additions), style.quote))
            added = tuple(m.name for m in job.enum_additions)
    if not edits:
        return FilePlan(job.path, source.raw, None, tuple(outcomes), enum_added=added)
    try:
        new_text, origin = apply_edits_with_origin(source.lines, edits, source.newline)
    except EditConflict as exc:
        problem = Problem(job.path, 0, f"conflicting edits: {exc}; two events wrap or split the same statement")
        return FilePlan(job.path, source.raw, None, tuple(outcomes), (problem,))
    if settings.safe_mode:
        rewritten = frozenset(line + 1 for e in edits if e.kind in ("event", "import") for line in range(e.start, e.end))
        mismatch = verify_only_insertions(source.text, new_text, origin, logger_module=settings.logger_module,
                                          added_names=(settings.getter, settings.enum_class), replaced=rewritten,
                                          old_tree=tree)
        if mismatch:
            problem = Problem(job.path, 0, f"internal error: safe mode found that the transformation changed more than it inserted ({mismatch}); nothing was written. Please report this with the file and spec.")
            return FilePlan(job.path, source.raw, None, tuple(outcomes), (problem,))
    return FilePlan(job.path, source.raw, source.encode(new_text), tuple(outcomes), enum_added=added, origin=tuple(origin))


Placement = tuple[EventSpec, FunctionNode, Site]


def _resolve_and_check(source: SourceFile, tree: ast.Module, events: tuple[EventSpec, ...], settings: Settings
                       ) -> tuple[list[EventOutcome], list[Placement]]:
    """Each event's outcome, and the sites that need a block (or a re-emit), checked."""
    functions = index_functions(tree)
    classes = index_classes(tree)
    local = existing_names(tree, settings.logger_module, (settings.getter,))
    getters = frozenset({settings.getter, *local.values()})
    module_scope = ModuleScope.of(tree)
    outcomes: list[EventOutcome] = []
    placements: list[Placement] = []
    for event in events:
        outcome, sites, function = _resolve(source, functions, event, settings.emit, getters, classes)
        if sites and function is not None:
            found = [p for site in sites for p in check_site(_site_context(source, tree, function, site, event, settings), module_scope)]
            if any(p.severity == "error" for p in found):
                outcome, sites = EventOutcome(event, Status.INVALID, outcome.lines, tuple(found)), []
            elif found:
                outcome = EventOutcome(event, outcome.status, outcome.lines, tuple(found))
        outcomes.append(outcome)
        placements.extend((event, function, s) for s in sites if function is not None)
    return outcomes, placements


def _event_edits(source: SourceFile, tree: ast.Module, placements: list[Placement], outcomes: list[EventOutcome],
                 settings: Settings, style: Style) -> tuple[list[Edit], list[EventOutcome]]:
    """Blocks, re-emits, imports and the JSON-safe helper for the placements of one file."""
    if not placements:
        return [], outcomes
    need_background = any((event.emit or settings.emit) == "background" for event, _, _ in placements)
    imports = plan_imports(
        source, tree, module=settings.logger_module, getter=settings.getter, enum=settings.enum_class,
        need_logger=module_of(source.path) != settings.logger_module, need_asyncio=need_background,
        line_length=settings.black.line_length,
    )
    edits: list[Edit] = list(imports.edits)
    json_safe_name = JSON_SAFE_HELPER
    if any(json_safe_for(event, settings) for event, _, _ in placements):
        helper_edit, json_safe_name = json_safe_helper_edit(source, tree, settings.json_safe_helper, style)
        if helper_edit is not None:
            edits.append(helper_edit)
    variables: dict[int, str] = {}
    getter_names = {imports.getter, settings.getter}
    reemit = {o.event.id for o in outcomes if o.status is Status.REEMIT}
    for order, (event, function, site) in enumerate(placements):
        if id(function) not in variables:  # one scan per function, not per event
            variables[id(function)] = logger_variable(function, getter_names, settings.variable, source=source)
        variable = variables[id(function)]
        names = Names(variable=variable, getter=imports.getter, enum=imports.enum, asyncio=imports.asyncio, json_safe=json_safe_name)
        options = render_options(event, settings)
        if event.id not in reemit:
            edits.append(_edit_for(source, event, site, names, options, style, order))
            continue
        rewritten = _reemit_edit(source, event, site, names, options, style, frozenset(getter_names), order)
        if isinstance(rewritten, Edit):
            edits.append(rewritten)
        else:  # edited by hand: stays present, with the warning
            outcomes = [o if o.event.id != event.id else EventOutcome(event, Status.PRESENT, o.lines, (*o.problems, rewritten)) for o in outcomes]
    if need_background and not any(e.kind in ("event", "wrap") and any("create_task(" in line for line in e.lines) for e in edits):
        # every block that wanted background was left alone (edited by hand): no asyncio import
        edits = [e for e in edits if not (e.kind == "import" and e.lines == ("import asyncio",))]
    return edits, outcomes


def _site_context(source: SourceFile, tree: ast.Module, function: FunctionNode, site: Site, event: EventSpec, settings: Settings) -> SiteContext:
    return SiteContext(
        source=source, tree=tree, function=function, qualname=event.function, site=site, event=event,
        emit=event.emit or settings.emit, json_safe=json_safe_for(event, settings),
        integer_kwargs=settings.integer_kwargs, hot_paths=settings.hot_paths,
        reserved=(settings.getter, settings.enum_class, settings.variable, "asyncio", settings.json_safe_helper.rpartition(":")[2] or JSON_SAFE_HELPER),
        root=settings.root,
    )


def _resolve(source: SourceFile, functions: dict[str, FunctionNode], event: EventSpec, default_emit: str, getters: frozenset[str],
             classes: frozenset[str] = frozenset()) -> tuple[EventOutcome, list[Site], FunctionNode | None]:
    """Resolve one event to the sites that still need its block."""
    failed, sites, function = resolve_sites(source, functions, event, default_emit, classes)
    if failed is not None:
        return failed, [], function
    found = [(s, present_block(s, event.event, getters)) for s in sites]
    missing = [s for s, block in found if block is None]
    lines = tuple(s.line for s in sites)
    if missing:
        return EventOutcome(event, Status.PENDING, tuple(s.line for s in missing)), missing, function
    wanted = event.emit or default_emit
    switch = [s for s, block in found if block is not None and block.mode is not EmitMode.OTHER and block.mode != wanted]
    if switch:
        return EventOutcome(event, Status.REEMIT, tuple(s.line for s in switch)), switch, function
    return EventOutcome(event, Status.PRESENT, lines), [], function


def _edit_for(source: SourceFile, event: EventSpec, site: Site, names: Names, options: RenderOptions, style: Style, order: int) -> Edit:
    stmt = site.stmt
    indent = source.indentation_of(stmt.lineno)
    if site.mode is Mode.WRAP:
        return _wrap_edit(source, event, stmt, names, options, style, indent, order)
    block = render_block(event, options, names, style, indent)
    position = first_line(stmt) - 1 if site.mode is Mode.BEFORE else stmt.end_lineno  # type: ignore[assignment]
    # Blocks inserted before one line go deepest first (then in spec order): a block that ends an
    # inner block (after a loop body's last statement) must not land inside a shallower block's `if`.
    depth_first = order - len(indent.expandtabs(8)) * 1_000_000
    return Edit(position, position, tuple(block), "event", depth_first)  # type: ignore[arg-type]


def _reemit_edit(source: SourceFile, event: EventSpec, site: Site, names: Names, options: RenderOptions, style: Style,
                 getters: frozenset[str], order: int) -> Edit | Problem:
    """Rewrite a present block into the spec's emit mode, if it is exactly what eventmod wrote
    (rendered in the other mode); a block edited by hand is left alone with a warning."""
    block = present_block(site, event.event, getters)
    assert block is not None
    first, last = block.statements[0], block.statements[-1]
    indent = source.indentation_of(first.lineno)
    names = replace(names, variable=block.variable or names.variable)
    current = replace(options, emit=block.mode.value)
    start = rendered_block_start(source, first.lineno, last.end_lineno or last.lineno,
                                 render_block(event, current, names, style, indent))
    if start is None:
        return Problem(event.spec_file, event.line_of("emit") if event.emit else event.line, f"the block at {source.path}:{first.lineno} is emitted with `{block.mode}` but the spec says `{options.emit}`; it differs from what eventmod writes (edited by hand?), so it was left alone", event.id, "warning")
    new = render_block(event, options, names, style, indent)
    return Edit(start - 1, last.end_lineno or last.lineno, tuple(new), "event", order)


def _wrap_edit(source: SourceFile, event: EventSpec, stmt: ast.stmt, names: Names, options: RenderOptions, style: Style, indent: str, order: int) -> Edit:
    unit = style.indent_unit
    first, last = first_line(stmt), stmt.end_lineno or stmt.lineno
    interior = source.string_interior_lines(first, last)
    body = []
    for lineno in range(first, last + 1):
        line = source.lines[lineno - 1].rstrip("\r\n")
        body.append(line if lineno in interior or not line.strip() else unit + line)
    handler = render_block(event, options, names, style, indent + unit)
    lines = [f"{indent}try:", *body, f"{indent}except Exception as exc:", *handler, f"{indent}{unit}raise"]
    origins = (None, *range(first - 1, last), *[None] * (len(handler) + 2))
    return Edit(first - 1, last, tuple(lines), "wrap", order, origins)
