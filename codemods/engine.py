"""The pipeline: specs -> one unit of work per target file -> edits -> new text.

`plan_file` is a pure function of a picklable `FileJob` (read, parse once, resolve every anchor
of that file in one walk, render, splice); it returns a `FilePlan` result object instead of
raising, so files can be planned in worker processes and the run stays deterministic.
"""

from __future__ import annotations

import ast
import io
import tokenize
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from codemods.anchors import FunctionNode, Site, index_classes, index_functions, logger_variable, present_block, resolve_anchor
from codemods.checks import ModuleScope, SiteContext, check_site, log_event_parameters, signature_problems
from codemods.config import BlackSettings, Config, black_settings_for
from codemods.edits import Edit, EditConflict, apply_edits_with_origin
from codemods.enum_members import EnumMember, enum_edits, plan_members, read_enum
from codemods.imports import existing_names, plan_imports
from codemods.problems import Problem, did_you_mean
from codemods.json_safe import json_safe_helper_edit
from codemods.render import JSON_SAFE_HELPER, Names, RenderOptions, Style, render_block
from codemods.source import SourceFile, dominant_quote
from codemods.verify import verify_only_insertions
from codemods.spec_model import Catalog, EventSpec, Selection

PENDING, PRESENT, INVALID, DRIFTED = "pending", "present", "invalid", "drifted"
# Present, but emitted in another mode than the spec now asks for (await <-> background):
# `apply` rewrites the block, `check` reports it.
REEMIT = "re-emit"


@dataclass(frozen=True)
class Settings:
    """What a worker needs from the configuration (plain, picklable)."""

    root: str
    logger_module: str
    enum_file: str
    enum_class: str
    getter: str
    emit: str
    json_safe: bool
    black: BlackSettings
    safe_mode: bool = True
    hot_paths: tuple[str, ...] = ()
    integer_kwargs: tuple[str, ...] = ("position_id",)
    json_safe_helper: str = ""
    # In-memory file contents that stand in for the disk (path, bytes): planning phase N+1 on top
    # of phase N's output without writing it (patches per phase, --patch-dir).
    overlay: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> "Settings":
        return cls(
            root=str(config.root), logger_module=config.logger_module, enum_file=Path(config.enum_file).as_posix(),
            enum_class=config.enum_class, getter=config.getter, emit=config.emit, json_safe=config.json_safe,
            black=black_settings_for(config.root), safe_mode=config.safe_mode, hot_paths=config.hot_paths,
            integer_kwargs=config.integer_kwargs, json_safe_helper=config.json_safe_helper,
        )


@dataclass(frozen=True)
class FileJob:
    path: str  # relative to root, POSIX
    events: tuple[EventSpec, ...]
    enum_additions: tuple[EnumMember, ...] = ()


@dataclass(frozen=True)
class EventOutcome:
    event: EventSpec
    status: str  # PENDING | PRESENT | INVALID | DRIFTED
    lines: tuple[int, ...] = ()  # where the block goes (or is), original line numbers
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class FilePlan:
    path: str
    old: bytes | None
    new: bytes | None  # None: unchanged
    outcomes: tuple[EventOutcome, ...] = ()
    problems: tuple[Problem, ...] = ()
    enum_added: tuple[str, ...] = ()
    # For each new line, the 0-based old line it copies (None: written by an edit); lets the
    # diff be read off the edits instead of searched for.
    origin: tuple[int | None, ...] = ()

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old


@dataclass(frozen=True)
class RunPlan:
    files: tuple[FilePlan, ...]
    problems: tuple[Problem, ...] = ()

    def outcomes(self) -> list[EventOutcome]:
        return [o for f in self.files for o in f.outcomes]

    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for f in self.files:
            found.extend(f.problems)
            for o in f.outcomes:
                found.extend(o.problems)
        return found

    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "error"]


# -- the run -----------------------------------------------------------------------------------
class Progress(Protocol):
    """Told how many files a run plans and when each is done (the CLI draws a bar on a tty)."""

    def start(self, total: int) -> None: ...
    def advance(self) -> None: ...


def plan_run(config: Config, catalog: Catalog, selection: Selection = Selection(), jobs: int = 1,
             progress: Progress | None = None, overlay: dict[str, bytes] | None = None) -> RunPlan:
    settings = replace(Settings.from_config(config), overlay=tuple(sorted((overlay or {}).items())))
    overlay_items = settings.overlay
    events = [e for c in catalog.components for e in c.events if selection.matches(c, e)]
    by_file: dict[str, list[EventSpec]] = {}
    for component in catalog.components:
        for event in component.events:
            if selection.matches(component, event):
                by_file.setdefault(component.file, []).append(event)
    loaded: dict[str, tuple[SourceFile, ast.Module] | Problem] = {}

    def load(rel: str) -> tuple[SourceFile, ast.Module] | Problem:
        """Files the run itself reads (enum file, logger module) are parsed once per run."""
        if rel not in loaded:
            loaded[rel] = _load(config.root, rel, overlay_items)
        return loaded[rel]

    additions, problems = _plan_enum(config, catalog, events, load)
    problems += _signature_problems(config, events, load, overlay_items)
    work = [FileJob(path, tuple(evs)) for path, evs in sorted(by_file.items())]
    if additions:
        enum_job = next((j for j in work if j.path == settings.enum_file), None)
        if enum_job is None:
            work.append(FileJob(settings.enum_file, (), tuple(additions)))
        else:
            work[work.index(enum_job)] = FileJob(enum_job.path, enum_job.events, tuple(additions))
        work.sort(key=lambda j: j.path)
    plans = _run_jobs(work, settings, jobs, progress, loaded)
    return RunPlan(tuple(plans), tuple(problems))


# Below this many bytes of target code, starting worker processes costs more than it saves.
POOL_MIN_BYTES = 1_000_000


def _run_jobs(work: list[FileJob], settings: Settings, jobs: int, progress: Progress | None = None,
              loaded: dict | None = None) -> list[FilePlan]:
    if progress is not None:
        progress.start(len(work))
    results: list[FilePlan] = []
    if jobs <= 1 or len(work) < 2 or _work_bytes(work, settings) < POOL_MIN_BYTES:
        for job in work:
            results.append(plan_file(job, settings, (loaded or {}).get(job.path)))
            if progress is not None:
                progress.advance()
        return results
    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        # map keeps input order, so output is the same whatever the worker count.
        for plan in pool.map(plan_file, work, [settings] * len(work), chunksize=max(1, len(work) // (jobs * 4))):
            results.append(plan)
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
    return plan_members(events, groups, state, enum_path, config.enum_class)


def _signature_problems(config: Config, events: list[EventSpec], load, overlay: tuple[tuple[str, bytes], ...] = ()) -> list[Problem]:
    """kwargs the target's own `log_event` does not accept (read from `logger_module`)."""
    rel = config.logger_module.replace(".", "/")
    for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
        if (config.root / candidate).is_file() or candidate in dict(overlay):
            loaded = load(candidate)
            if isinstance(loaded, Problem):
                return [loaded]
            found = log_event_parameters(loaded[1])
            if found is None:
                return [Problem(candidate, 0, "no `log_event` definition found; eventmod cannot check the kwargs the specs pass", severity="warning")]
            accepted, has_var_kwargs = found
            return [] if has_var_kwargs else signature_problems(events, accepted, candidate)
    return []


def _load(root: str | Path, rel: str, overlay: tuple[tuple[str, bytes], ...] = ()) -> tuple[SourceFile, ast.Module] | Problem:
    raw = dict(overlay).get(rel) if overlay else None
    if raw is None:
        try:
            raw = (Path(root) / rel).read_bytes()
        except OSError as exc:
            return Problem(rel, 0, f"cannot read: {exc.strerror}")
    source = SourceFile.decode(rel, raw)
    if isinstance(source, Problem):
        return source
    tree = source.parse()
    if isinstance(tree, Problem):
        return tree
    return source, tree


# -- one file ----------------------------------------------------------------------------------
def plan_file(job: FileJob, settings: Settings, preloaded: "tuple[SourceFile, ast.Module] | Problem | None" = None) -> FilePlan:
    """Read and parse one file once, resolve and check every event of it, splice all edits.
    `preloaded`: the run already parsed this file (the enum file); it may be modified."""
    loaded = preloaded if preloaded is not None else _load(settings.root, job.path, settings.overlay)
    if isinstance(loaded, Problem):
        located = [Problem(e.spec_file, e.line, f"target {job.path}: {loaded.message}", e.id) for e in job.events[:1]]
        return FilePlan(job.path, None, None, tuple(EventOutcome(e, INVALID) for e in job.events), (loaded, *located))
    source, tree = loaded
    outcomes, placements = _resolve_and_check(source, tree, job.events, settings)
    style = file_style(source, tree, settings)
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
                outcome, sites = EventOutcome(event, INVALID, outcome.lines, tuple(found)), []
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
        need_logger=_module_of(source.path) != settings.logger_module, need_asyncio=need_background,
        line_length=settings.black.line_length,
    )
    edits: list[Edit] = list(imports.edits)
    json_safe_name = JSON_SAFE_HELPER
    if any(_json_safe(event, settings) for event, _, _ in placements):
        helper_edit, json_safe_name = json_safe_helper_edit(source, tree, settings.json_safe_helper, style)
        if helper_edit is not None:
            edits.append(helper_edit)
    variables: dict[int, str] = {}
    getter_names = {imports.getter, settings.getter}
    reemit = {o.event.id for o in outcomes if o.status == REEMIT}
    for order, (event, function, site) in enumerate(placements):
        if id(function) not in variables:  # one scan per function, not per event
            variables[id(function)] = logger_variable(function, getter_names, source=source)
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
            outcomes = [o if o.event.id != event.id else EventOutcome(event, PRESENT, o.lines, (*o.problems, rewritten)) for o in outcomes]
    if need_background and not any(e.kind in ("event", "wrap") and any("create_task(" in line for line in e.lines) for e in edits):
        # every block that wanted background was left alone (edited by hand): no asyncio import
        edits = [e for e in edits if not (e.kind == "import" and e.lines == ("import asyncio",))]
    return edits, outcomes


def file_style(source: SourceFile, tree: ast.Module, settings: Settings) -> Style:
    """How blocks are written in this file (shared by apply and revert, so both render alike;
    the quote is the whole file's, so every phase and every command agrees on it)."""
    return Style(
        indent_unit=source.indent_unit,
        quote=dominant_quote(source, tree),
        line_length=settings.black.line_length,
        normalize_strings=not settings.black.skip_string_normalization,
        newline=source.newline,
    )


def render_options(event: EventSpec, settings: Settings) -> RenderOptions:
    """The per-event render options apply uses (shared with revert)."""
    return RenderOptions(emit=event.emit or settings.emit, json_safe=_json_safe(event, settings), coerce=event.coerce)


def _json_safe(event: EventSpec, settings: Settings) -> bool:
    return bool(event.json_safe if event.json_safe is not None else settings.json_safe)


def _site_context(source: SourceFile, tree: ast.Module, function: FunctionNode, site: Site, event: EventSpec, settings: Settings) -> SiteContext:
    return SiteContext(
        source=source, tree=tree, function=function, qualname=event.function, site=site, event=event,
        emit=event.emit or settings.emit, json_safe=_json_safe(event, settings),
        integer_kwargs=settings.integer_kwargs, hot_paths=settings.hot_paths,
    )


def _module_of(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


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
        return EventOutcome(event, PENDING, tuple(s.line for s in missing)), missing, function
    wanted = event.emit or default_emit
    switch = [s for s, block in found if block is not None and block.mode in ("await", "background") and block.mode != wanted]
    if switch:
        return EventOutcome(event, REEMIT, tuple(s.line for s in switch)), switch, function
    return EventOutcome(event, PRESENT, lines), [], function


def resolve_sites(source: SourceFile, functions: dict[str, FunctionNode], event: EventSpec, default_emit: str,
                  classes: frozenset[str] = frozenset()) -> tuple[EventOutcome | None, list[Site], FunctionNode | None]:
    """Every site of one event (after `occurrence`), present or not; or an INVALID/DRIFTED
    outcome carrying the problem. Shared by apply (`_resolve`) and revert."""
    function = functions.get(event.function)
    if function is None and event.function in classes:
        problem = Problem(event.spec_file, event.line_of("in"), f"'{event.function}' is a class: eventmod inserts only into function bodies (a class body runs once, at import, where nothing can be awaited); name one of its methods, e.g. {event.function}.__init__ or an async method", event.id)
        return EventOutcome(event, INVALID, problems=(problem,)), [], None
    if function is None:
        hint = did_you_mean(event.function, functions) or did_you_mean(event.function.rsplit(".", 1)[-1], functions)
        problem = Problem(event.spec_file, event.line_of("in"), f"function '{event.function}' not found in {source.path}{hint}", event.id)
        return EventOutcome(event, DRIFTED, problems=(problem,)), [], None
    if (event.emit or default_emit) == "await" and not isinstance(function, ast.AsyncFunctionDef):
        problem = Problem(event.spec_file, event.line_of("emit") if event.emit else event.line_of("in"), f"{event.function} ({source.path}:{function.lineno}) is not async, so `await` is illegal there; use `emit: background` (asyncio.create_task) or instrument an async caller", event.id)
        return EventOutcome(event, INVALID, problems=(problem,)), [], function
    result = resolve_anchor(source, function, event.anchor)
    anchor_line = event.line_of(event.anchor.kind)
    span = f"{source.path}:{function.lineno}-{function.end_lineno}"
    if result.error:
        listing = "".join(f"\n    {source.path}:{c.line}: {c.text}" for c in result.candidates[:10])
        label = "logger calls in that function, closest first" if event.anchor.kind == "after_log" else "candidates"
        more = f"; {label}:{listing}" if listing else ""
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} not found in {event.function} ({span}): {result.error}{more}", event.id)
        return EventOutcome(event, DRIFTED, problems=(problem,)), [], function
    sites = list(result.sites)
    if event.occurrence is None and len(sites) > 1:
        listing = "".join(f"\n    {source.path}:{s.stmt.lineno}" for s in sites)
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} is ambiguous in {event.function}: {len(sites)} matches; add `occurrence: N` (1-{len(sites)}) or `occurrence: all`, or make the anchor more specific:{listing}", event.id)
        return EventOutcome(event, INVALID, problems=(problem,)), [], function
    if isinstance(event.occurrence, int):
        if event.occurrence > len(sites):
            problem = Problem(event.spec_file, event.line_of("occurrence"), f"occurrence {event.occurrence} but the anchor matches {len(sites)} time(s) in {event.function}", event.id)
            return EventOutcome(event, DRIFTED, problems=(problem,)), [], function
        sites = [sites[event.occurrence - 1]]
    problems = [p for s in sites if (p := _placement_problem(source, event, s, anchor_line))]
    if problems:
        return EventOutcome(event, INVALID, problems=tuple(problems)), [], function
    return None, sites, function


def _placement_problem(source: SourceFile, event: EventSpec, site: Site, anchor_line: int) -> Problem | None:
    stmt = site.stmt
    if isinstance(site.parent, ast.Try) and site.parent.finalbody and site.block == tuple(site.parent.finalbody):
        return Problem(event.spec_file, anchor_line, f"refusing to insert into a `finally` block ({source.path}:{stmt.lineno}): an `await` there runs during cancellation and exception unwinding and can mask the original error; anchor before the `try` or in an `except` handler instead", event.id)
    if site.mode in ("before", "wrap") and not source.starts_its_line(stmt):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {source.path}:{stmt.lineno}: the statement shares its line with the code before it (a one-line block or `;`); put it on its own line first", event.id)
    if site.mode in ("after", "wrap") and not source.ends_its_line(stmt):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {source.path}:{stmt.end_lineno}: another statement follows on the same line (`;`); put it on its own line first", event.id)
    return None


def _edit_for(source: SourceFile, event: EventSpec, site: Site, names: Names, options: RenderOptions, style: Style, order: int) -> Edit:
    stmt = site.stmt
    indent = source.indentation_of(stmt.lineno)
    if site.mode == "wrap":
        return _wrap_edit(source, event, stmt, names, options, style, indent, order)
    block = render_block(event, options, names, style, indent)
    position = first_line(stmt) - 1 if site.mode == "before" else stmt.end_lineno  # type: ignore[assignment]
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
    current = replace(options, emit=block.mode)
    start = rendered_block_start(source, first.lineno, last.end_lineno or last.lineno,
                                 render_block(event, current, names, style, indent))
    if start is None:
        return Problem(event.spec_file, event.line_of("emit") if event.emit else event.line, f"the block at {source.path}:{first.lineno} is emitted with `{block.mode}` but the spec says `{options.emit}`; it differs from what eventmod writes (edited by hand?), so it was left alone", event.id, "warning")
    new = render_block(event, options, names, style, indent)
    return Edit(start - 1, last.end_lineno or last.lineno, tuple(new), "event", order)


def source_lines(source: SourceFile, first: int, last: int) -> list[str]:
    """Lines first..last (1-based, inclusive) without their line ends."""
    return [line.rstrip("\r\n") for line in source.lines[first - 1: last]]


def rendered_block_start(source: SourceFile, first: int, last: int, rendered: list[str]) -> int | None:
    """Whether lines first..last are exactly the code of a rendered block (what eventmod wrote,
    not edited since): the block's first line, counting its `# comment` lines when they are
    there too, or None. Shared by re-emit and revert."""
    count = 0
    while count < len(rendered) and rendered[count].lstrip().startswith("#"):
        count += 1
    comment, code = rendered[:count], rendered[count:]
    if source_lines(source, first, last) != code:
        return None
    if comment and first - count >= 1 and source_lines(source, first - count, first - 1) == comment:
        return first - count
    return first


def first_line(stmt: ast.stmt) -> int:
    """A statement's first line: a decorated def or class starts at its first decorator, not at
    `def` (ast's lineno), so nothing may be inserted between the two."""
    return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", None) or ())])


def _wrap_edit(source: SourceFile, event: EventSpec, stmt: ast.stmt, names: Names, options: RenderOptions, style: Style, indent: str, order: int) -> Edit:
    unit = style.indent_unit
    first, last = first_line(stmt), stmt.end_lineno or stmt.lineno
    interior = string_interior_lines(source, first, last)
    body = []
    for lineno in range(first, last + 1):
        line = source.lines[lineno - 1].rstrip("\r\n")
        body.append(line if lineno in interior or not line.strip() else unit + line)
    handler = render_block(event, options, names, style, indent + unit)
    lines = [f"{indent}try:", *body, f"{indent}except Exception as exc:", *handler, f"{indent}{unit}raise"]
    origins = (None, *range(first - 1, last), *[None] * (len(handler) + 2))
    return Edit(first - 1, last, tuple(lines), "wrap", order, origins)


def string_interior_lines(source: SourceFile, first: int, last: int) -> set[int]:
    """Lines (1-based) that begin inside a multi-line string: re-indenting them would change the
    string's value, so a wrapped statement keeps them as they are."""
    text = "".join(source.lines[first - 1: last])
    interior: set[int] = set()
    open_fstring: int | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tokenize.tok_name.get(token.type, "")
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                interior.update(range(first + token.start[0], first + token.end[0]))
            elif kind == "FSTRING_START":
                open_fstring = token.start[0]
            elif kind == "FSTRING_END" and open_fstring is not None:
                if token.end[0] > open_fstring:
                    interior.update(range(first + open_fstring, first + token.end[0]))
                open_fstring = None
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return interior
