"""One file's planning: parse once, resolve every anchor of the file in one walk, check,
render, splice the edits and prove them (safe mode). `transform.apply` runs it for each file
a run's plan cache cannot answer for, so a repeated run imports none of this.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import replace

from eventmod.analysis.anchors import LoggerNames, Mode, Site
from eventmod.analysis.capture import CapturePoint, capture_point, capture_problems, continue_problems, handler_name_problem
from eventmod.analysis.checks import ModuleScope, SiteContext, capture_scope_problems, check_site
from eventmod.analysis.emission import EmitChoice, choose_emission
from eventmod.analysis.naming import logger_variable
from eventmod.analysis.oneliner import OneLiner, one_liner
from eventmod.analysis.placement import resolve_sites
from eventmod.analysis.presence import (
    BlockShape,
    CallMatcher,
    EmitMode,
    PresentBlock,
    block_shape,
    drifted_block,
    is_continue_wrap,
    present_block,
)
from eventmod.analysis.style import Style, file_style
from eventmod.analysis.enum_state import read_enum
from eventmod.codegen.black_cache import code_fingerprint, key_of, style_cache
from eventmod.codegen.enum_members import enum_edits
from eventmod.codegen.imports import NameOrder, file_logger, file_matcher, local_import, plan_imports
from eventmod.codegen.json_safe import json_safe_helper_edit
from eventmod.codegen.render import (
    JSON_SAFE_HELPER,
    Names,
    RenderOptions,
    json_safe_for,
    recognition_styles,
    render_block,
    render_captures,
    render_options,
    render_wrap,
    rendered_block_start,
)
from eventmod.model.edits import Edit, EditConflict, apply_edits_with_spans
from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.results import EventOutcome, FilePlan, Status
from eventmod.model.settings import Settings
from eventmod.model.spec import EventSpec
from eventmod.pyast.bindings import bindings, enclosing_scopes
from eventmod.pyast.source import Loaded, SourceFile, load_source
from eventmod.pyast.walk import (
    FunctionNode, first_line, index_classes, index_functions, module_of, statements_breadth_first, walk_marked, walk_nodes,
)
from eventmod.transform.house import cached_file_habits
from eventmod.transform.plan_cache import Probe
from eventmod.transform.runner import FileJob
from eventmod.transform.verify import verify_only_insertions


def locate_file(job: FileJob, settings: Settings, preloaded: Loaded | Problem | None = None) -> FilePlan:
    """One file of `locate_run`."""
    loaded = preloaded if preloaded is not None else load_source(settings.root, job.path, settings.overlay)
    if isinstance(loaded, Problem):
        return FilePlan(job.path, None, None, tuple(EventOutcome(e, Status.INVALID) for e in job.events), (loaded,))
    source, tree = loaded
    functions, classes = index_functions(tree), index_classes(tree)
    matcher = file_matcher(tree, settings.logger_module, settings.getter, settings.call)
    loggers = LoggerNames.of(tree, settings.logger_names)
    outcomes = tuple(_resolve(source, functions, e, settings, matcher, classes, loggers)[0] for e in job.events)
    return FilePlan(job.path, source.raw, None, outcomes)


def plan_loaded(job: FileJob, settings: Settings, loaded: "Loaded | Problem"
                ) -> tuple[FilePlan, tuple[tuple[Probe, ...], tuple[Edit, ...]] | None]:
    """`plan_file` of a file read and parsed (or not readable), and what besides the plan the
    plan cache keeps of it (the file system questions its checks asked, its edits): None when
    the plan has a problem (a failure is always found again)."""
    if isinstance(loaded, Problem):
        located = [Problem(e.spec_file, e.line, f"target {job.path}: {loaded.message}", e.id) for e in job.events[:1]]
        return FilePlan(job.path, None, None, tuple(EventOutcome(e, Status.INVALID) for e in job.events), (loaded, *located)), None
    source, tree = loaded
    module_scope = ModuleScope.of(tree)
    references = _member_references(source, tree, settings) if job.events else ()
    outcomes, placements = _resolve_and_check(source, tree, job.events, settings, module_scope)
    style = file_style(source, tree, settings.black, settings.house, settings.style, cached_file_habits)
    edits, outcomes, block_problems = _event_edits(source, tree, placements, outcomes, settings, style)
    added: tuple[str, ...] = ()
    if job.enum_additions:
        state = read_enum(source, tree, settings.enum_class)
        if not isinstance(state, Problem):
            # members are written like the enum's own (the file's dominant quote), whatever the blocks' style
            edits.extend(enum_edits(source, state, list(job.enum_additions), cached_file_habits(source, tree).dominant_quote))
            added = tuple(m.name for m in job.enum_additions)

    def kept(plan: FilePlan) -> tuple[FilePlan, tuple[tuple[Probe, ...], tuple[Edit, ...]] | None]:
        if plan.problems or any(o.status.failed for o in plan.outcomes):
            return plan, None
        return plan, (module_scope.probes, tuple(edits))

    if not edits:
        return kept(FilePlan(job.path, source.raw, None, tuple(outcomes), tuple(block_problems), enum_added=added,
                             references=references))
    try:
        new_text, origin, spans = apply_edits_with_spans(source.lines, edits, source.newline)
    except EditConflict as exc:
        problem = Problem(job.path, 0, f"conflicting edits: {exc}; two events wrap or split the same statement")
        return FilePlan(job.path, source.raw, None, tuple(outcomes), (problem, *block_problems), references=references), None
    if settings.safe_mode:
        rewritten = frozenset(line + 1 for e in edits if e.kind in ("event", "import") for line in range(e.start, e.end))
        scopes = {line + 1: span.edit.scope for span in spans if span.edit.scope for line in range(span.start, span.end)}
        mismatch = _verified(source.text, new_text, origin, logger_module=settings.logger_module,
                             added_names=(settings.logger_import, settings.enum_class), replaced=rewritten,
                             old_tree=tree, scopes=scopes, results=_result_lines(spans))
        if mismatch:
            problem = Problem(job.path, 0, f"internal error: safe mode found that the transformation changed more than it inserted ({mismatch}); nothing was written. Please report this with the file and spec.")
            return FilePlan(job.path, source.raw, None, tuple(outcomes), (problem,), references=references), None
    return kept(FilePlan(job.path, source.raw, source.encode(new_text), tuple(outcomes), tuple(block_problems), enum_added=added,
                         origin=tuple(origin), references=references))


def _verified(old_text: str, new_text: str, origin: list[int | None], *, logger_module: str, added_names: tuple[str, ...],
              replaced: frozenset[int], old_tree: ast.Module, scopes: dict[int, int], results: dict[int, str]) -> str | None:
    """`verify_only_insertions`, whose passes are remembered (style cache) under a key made of
    every one of its inputs and of eventmod's own code: a repeated run that writes exactly the
    same output from exactly the same input trusts the proof it already made. A failure is never
    remembered: it is found again, and reported."""
    cache = style_cache()
    key = None  # a run without caches remembers nothing: no key is made
    if cache.enabled:
        key = key_of("verified", code_fingerprint(), hashlib.sha256(old_text.encode("utf-8", "surrogatepass")).hexdigest(),
                     hashlib.sha256(new_text.encode("utf-8", "surrogatepass")).hexdigest(),
                     hashlib.sha256(repr(origin).encode()).hexdigest(), logger_module, added_names, sorted(replaced),
                     sorted(scopes.items()), sorted(results.items()))
        if cache.get(key) == "ok":
            return None
    mismatch = verify_only_insertions(old_text, new_text, origin, logger_module=logger_module, added_names=added_names,
                                      replaced=replaced, old_tree=old_tree, scopes=scopes, results=results)
    if mismatch is None and key is not None:
        cache.put(key, "ok")
    return mismatch


def _result_lines(spans) -> dict[int, str]:
    """New line (1-based) -> NAME of each anchor statement a `result: NAME` edit bound."""
    return {span.start + 1: span.edit.result for span in spans if span.edit.kind == "result"}


def _member_references(source: SourceFile, tree: ast.Module, settings: Settings) -> tuple[tuple[str, int], ...]:
    """(member, line) of every `log_event(<Enum>.<MEMBER>, ...)` call in the file whose enum
    name is imported from the logger module (at top level or inside a function), or defined
    here when this is the enum file."""
    matcher = CallMatcher.loose(settings.call)
    if not any(marker in source.text for marker in matcher.markers()):
        return ()
    names = {settings.enum_class} if source.path == settings.enum_file else set()
    for stmt in statements_breadth_first(tree):  # imports are statements: no expression walk
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module == settings.logger_module:
            names.update(a.asname or a.name for a in stmt.names if a.name == settings.enum_class)
    # a call of a marked name is on a line that spells it: statements without one are skipped
    calls = [node for node in walk_marked(tree, source.lines, matcher.markers())
             if matcher.callee(node) is not None and node.args]  # type: ignore[attr-defined]
    found = []
    for call in calls:
        first = call.args[0]
        if isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name) and first.value.id in names:
            found.append((first.attr, call.lineno))
    return tuple(found)


@record
class Placement:
    """One site of one event that apply looks at: a block to insert (`present` None), or a
    block already there whose shape may differ from what the spec asks for now."""

    event: EventSpec
    function: FunctionNode
    site: Site
    present: PresentBlock | None = None
    capture: CapturePoint | None = None  # where the event's capture statements go (a new block only)
    shape: BlockShape | None = None  # the present block's shape (read once, when it is checked)


def _resolve_and_check(source: SourceFile, tree: ast.Module, events: tuple[EventSpec, ...], settings: Settings,
                       module_scope: ModuleScope) -> tuple[list[EventOutcome], list[Placement]]:
    """Each event's outcome, and its sites: those that need a block (checked) and those that
    have one (for re-emit)."""
    functions = index_functions(tree)
    classes = index_classes(tree)
    matcher = file_matcher(tree, settings.logger_module, settings.getter, settings.call)
    loggers = LoggerNames.of(tree, settings.logger_names)
    outcomes: list[EventOutcome] = []
    placements: list[Placement] = []
    module_bound: set[str] | None = None
    captured: dict[int, set[str]] = {}  # id(function) -> names captured there by this run
    function_bound: dict[int, set[str]] = {}  # id(function) -> the names it binds (once a function)
    for event in events:
        outcome, found, function = _resolve(source, functions, event, settings, matcher, classes, loggers)
        present = [(site, block) for site, block in found if block is not None]
        shapes: dict[int, BlockShape] = {}
        if present and function is not None:
            if module_bound is None:
                module_bound = _module_names(tree, settings, source.text)
            if id(function) not in function_bound:
                function_bound[id(function)] = set(bindings(function, source.text_of(function)))
            shapes = {id(block): block_shape(block, event.event, matcher) for _, block in present}
            broken = [p for site, block in present
                      for p in _block_problems(source, function, event, block, shapes[id(block)], module_bound,
                                               function_bound[id(function)], matcher)]
            if broken:
                outcomes.append(EventOutcome(event, Status.INVALID, outcome.lines, tuple(broken)))
                continue
        missing = [site for site, block in found if block is None]
        points: dict[int, CapturePoint] = {}
        if missing and function is not None:
            problems = []
            for site in missing:
                ctx = _site_context(source, tree, function, site, event, settings)
                problems += check_site(ctx, module_scope)
                problems += _handling_problems(source, function, event, site, matcher)
                if event.capture:
                    point = capture_point(source, function, event, site, loggers)
                    if isinstance(point, Problem):
                        problems.append(point)
                        continue
                    reserved = captured.setdefault(id(function), set())
                    problems += capture_problems(source, function, event, point, site, reserved | {settings.variable})
                    problems += capture_scope_problems(ctx, module_scope, point.site)
                    if one_liner(source, point.site) is not None or not source.starts_its_line(point.site.stmt):
                        problems.append(Problem(event.spec_file, event.line_of("capture_before") if event.capture_anchor else event.line_of("capture"),
                                                f"the capture point {source.path}:{point.site.stmt.lineno} shares its line with other code "
                                                "(a one-line body or `;`); put the statement on its own line first", event.id))
                    points[id(site)] = point
            if any(p.severity == "error" for p in problems):
                outcome, found = EventOutcome(event, Status.INVALID, outcome.lines, tuple(problems)), []
            else:
                if problems:
                    outcome = EventOutcome(event, outcome.status, outcome.lines, tuple(problems))
                captured.setdefault(id(function) if function is not None else 0, set()).update(n for n, _ in event.capture)
        outcomes.append(outcome)
        if function is not None:
            placements.extend(Placement(event, function, site, block, points.get(id(site)), shapes.get(id(block)))
                              for site, block in found)
    return outcomes, placements


def _handling_problems(source: SourceFile, function: FunctionNode, event: EventSpec, site: Site,
                       matcher: CallMatcher) -> list[Problem]:
    """An on_error wrap's exception variable, and what `then: continue` needs; a statement that
    a `then: continue` wrap already holds takes no other block."""
    problems: list[Problem] = []
    if site.mode is Mode.WRAP:
        problem = handler_name_problem(source, function, event)
        if problem is not None:
            problems.append(problem)
        if event.on_error.continues:
            problems += continue_problems(source, function, event, site)
    elif is_continue_wrap(site.parent, matcher) and any(s is site.stmt for s in site.parent.body):  # type: ignore[union-attr]
        problems.append(Problem(event.spec_file, event.line_of(event.anchor.kind),
                                f"the statement at {source.path}:{site.stmt.lineno} is wrapped by an on_error event that logs and continues "
                                "(`then: continue`): a block inside that wrap would change what the wrap holds; anchor the event "
                                "outside the wrap (before its `try`, or after the `try` statement)", event.id))
    return problems


def _module_names(tree: ast.Module, settings: Settings, source_text: str) -> set[str]:
    """Names bound at module level; everything the logger module exports when it is
    star-imported (eventmod cannot tell which)."""
    names = set(bindings(tree, source_text))
    if "*" in source_text and any(isinstance(s, ast.ImportFrom) and s.module == settings.logger_module and any(a.name == "*" for a in s.names)
                                  for s in statements_breadth_first(tree)):  # imports are statements: no expression walk
        names |= {settings.logger_import, settings.enum_class, "*"}
    return names


def _block_problems(source: SourceFile, function: FunctionNode, event: EventSpec, block: PresentBlock, shape: BlockShape,
                    module_bound: set[str], scope: set[str], matcher: CallMatcher) -> list[Problem]:
    """What makes a present block (of `shape`) fail when it runs: its getter assignment is gone
    (the guard reads a name nothing binds), or the getter or enum name it uses is bound nowhere.
    `module_bound`, `scope`: the names the module and the function bind."""
    from eventmod.pyast.scope import function_flow

    if "*" in module_bound:
        return []
    getters = matcher.getters
    first = block.statements[0]
    where = f"{source.path}:{first.lineno}"
    local: set[str] = set()
    if shape.local_import:
        local = set(bindings(ast.parse(shape.local_import)))
    problems = []
    receiver = next((node.func.value for stmt in block.statements for node in walk_nodes(stmt)  # type: ignore[attr-defined]
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and matcher.callee(node) is not None
                     and node.args and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == event.event), None)
    if isinstance(receiver, ast.Name) and shape.variable is None and receiver.id not in module_bound \
            and receiver.id not in (function_flow(function).at(first) or frozenset()):
        problems.append(Problem(event.spec_file, event.line_of(event.anchor.kind),
                                f"the block for {event.event} at {where} reads `{receiver.id}`, but its getter assignment "
                                f"(`{receiver.id} = {sorted(getters)[0]}()`) is gone: the block fails with NameError when it runs; "
                                "restore the assignment, or revert the event and apply it again", event.id))
    used = (("function", shape.callee, "method") if shape.function else ("getter", shape.getter, "getter"), ("enum", shape.enum, "enum_class"))
    for kind, name, key in used:
        if name and name not in module_bound and name not in local and name not in scope:
            problems.append(Problem(event.spec_file, event.line_of(event.anchor.kind),
                                    f"the block for {event.event} at {where} uses the {kind} `{name}`, which nothing in {source.path} "
                                    f"binds (no import of it): the block fails with NameError when it runs; import it from the "
                                    f"logger module, or check `{key}`/`logger_module` in [tool.eventmod]", event.id))
    return problems


def _site_context(source: SourceFile, tree: ast.Module, function: FunctionNode, site: Site, event: EventSpec, settings: Settings) -> SiteContext:
    return SiteContext(
        source=source, tree=tree, function=function, qualname=event.function, site=site, event=event,
        emit=_emission(event, function, settings), json_safe=json_safe_for(event, settings),
        integer_kwargs=settings.integer_kwargs, hot_paths=settings.hot_paths,
        reserved=(settings.logger_import, settings.enum_class, settings.variable, "asyncio", "logging", settings.json_safe_helper.rpartition(":")[2] or JSON_SAFE_HELPER),
        root=settings.root,
    )


def _emission(event: EventSpec, function: FunctionNode, settings: Settings) -> str:
    """The emission (await, background or sync) the event's block uses in `function`."""
    choice = choose_emission(event.emit or settings.emit, isinstance(function, ast.AsyncFunctionDef), settings.call, event.function)
    return choice.emission.value if isinstance(choice, EmitChoice) else "await"


def _resolve(source: SourceFile, functions: dict[str, FunctionNode], event: EventSpec, settings: Settings, matcher: CallMatcher,
             classes: frozenset[str] = frozenset(), loggers: LoggerNames | None = None
             ) -> tuple[EventOutcome, list[tuple[Site, PresentBlock | None]], FunctionNode | None]:
    """Resolve one event: its outcome and the sites apply looks at, each with the block already
    there (None: pending). Sites that are present are returned only when none is pending."""
    failed, sites, function = resolve_sites(source, functions, event, settings.emit, classes, matcher, loggers, settings.call)
    if failed is not None:
        return failed, [], function
    found = [(s, present_block(s, event.event, matcher)) for s in sites]
    missing = [s for s, block in found if block is None]
    if missing:
        drifted = [_drift_problem(source, event, s, d) for s in missing if (d := drifted_block(s, event.event, matcher)) is not None]
        if drifted:
            return EventOutcome(event, Status.DRIFTED, tuple(s.line for s in missing), tuple(drifted)), [], function
        return EventOutcome(event, Status.PENDING, tuple(s.line for s in missing)), [(s, None) for s in missing], function
    return EventOutcome(event, Status.PRESENT, tuple(_block_line(source, s, block) for s, block in found)), found, function


def _block_line(source: SourceFile, site: Site, block: PresentBlock | None) -> int:
    """Where a present block starts: the anchor's insertion line when the block follows it; the
    block's own first line (its comment included) when it precedes that line (`before`, and
    `at: end`, whose anchor is the block itself) or is that line (`at: start` and `in_except`,
    whose site is the first statement of a body: the block, whose `try:` or getter follows its
    comment)."""
    first = block.statements[0].lineno if block is not None and block.statements else site.line
    if first > site.line:
        return site.line
    while first > 1 and source.lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def _drift_problem(source: SourceFile, event: EventSpec, site: Site, drifted) -> Problem:
    block = drifted.block.statements
    first, last = block[0].lineno, block[-1].end_lineno or block[-1].lineno
    anchor_first, anchor_last = first_line(site.stmt), site.stmt.end_lineno or site.stmt.lineno
    distance = max(first - anchor_last, anchor_first - last) - 1
    return Problem(
        event.spec_file, event.line_of(event.anchor.kind),
        f"the block for {event.event} was found {distance} line(s) from its anchor (block at {source.path}:{first}, "
        f"anchor {event.anchor.describe()} at {source.path}:{anchor_first}); {drifted.between} statement(s) were added between them, "
        "so apply does not insert a second block; move the block back next to its anchor, or update the anchor",
        event.id)


# -- edits -------------------------------------------------------------------------------------
@record
class _Planned:
    """One placement with the options the spec asks for and, for a present block, the options
    and names it was written with."""

    placement: Placement
    wanted: RenderOptions
    current: RenderOptions | None = None
    shape: BlockShape | None = None


def _event_edits(source: SourceFile, tree: ast.Module, placements: list[Placement], outcomes: list[EventOutcome],
                 settings: Settings, style: Style) -> tuple[list[Edit], list[EventOutcome], list[Problem]]:
    """Blocks, re-emits, imports and the JSON-safe helper for the placements of one file."""
    if not placements:
        return [], outcomes, []
    is_logger_module = module_of(source.path) == settings.logger_module
    in_cycle = module_of(source.path) in settings.logger_imports

    def local_for(event: EventSpec) -> bool:
        """The event's block imports the logger inside the function (`import:` on the event or
        in `defaults`, else the config's `import`; auto: where a top-level import would cycle)."""
        mode = event.import_mode or settings.import_mode
        return not is_logger_module and (mode == "local" or (mode == "auto" and in_cycle))

    local_imports: dict[int, tuple[str, str, str]] = {}

    def local_of(function: FunctionNode) -> tuple[str, str, str]:
        if id(function) not in local_imports:
            local_imports[id(function)] = local_import(settings.logger_module, settings.logger_import, settings.enum_class, function,
                                                       name_order(settings))
        return local_imports[id(function)]

    matcher = file_matcher(tree, settings.logger_module, settings.getter, settings.call)

    planned: list[_Planned] = []
    for p in placements:
        wanted = render_options(p.event, settings, sync_function=not isinstance(p.function, ast.AsyncFunctionDef),
                                local_import=local_of(p.function)[0] if local_for(p.event) else "", wrapped=p.site.mode is Mode.WRAP)
        planned.append(_Planned(p, wanted))
    helper_edit, json_safe_name = (None, "")
    if any(item.wanted.json_safe for item in planned):
        helper_edit, json_safe_name = json_safe_helper_edit(source, tree, settings.json_safe_helper, style)

    # Blocks already there: rewrite those eventmod wrote in another shape (re-emit); with
    # --strict-style, note those written in another house style (never rewritten for it).
    notes: dict[str, tuple[Status, str, Problem | None]] = {}
    styled: dict[str, str] = {}
    written: list[_Planned] = []
    for item in planned:
        p = item.placement
        if p.present is None:
            written.append(item)
            continue
        shape = p.shape if p.shape is not None else block_shape(p.present, p.event.event, matcher)
        if shape.emit is EmitMode.OTHER:
            continue
        current = RenderOptions(emit=shape.emit.value, json_safe=item.wanted.json_safe, coerce=item.wanted.coerce,
                                failsafe=shape.failsafe, failsafe_level=shape.failsafe_level, loop_guard=shape.loop_guard,
                                local_import=shape.local_import, call=settings.call)
        differences = current.differences(item.wanted)
        names = Names(variable=shape.variable or settings.variable, getter=shape.getter or settings.getter,
                      function=(shape.callee or "") if shape.function else "",
                      enum=shape.enum or settings.enum_class, asyncio=shape.asyncio or "asyncio",
                      json_safe=json_safe_name, report=shape.report or "logger")
        if not differences:
            if settings.strict_style and p.event.id not in styled:
                found = _block_match(source, p.present, p.event, current, names, style)
                if found is not None:
                    wrap = p.site.parent if p.site.mode is Mode.WRAP else None
                    span = (wrap.lineno, wrap.end_lineno) if isinstance(wrap, ast.Try) else \
                        (found[0], p.present.statements[-1].end_lineno or p.present.statements[-1].lineno)
                    mismatch = style_differences(found[1], style) + _blank_difference(source, span, style)
                    if mismatch:
                        styled[p.event.id] = "; ".join(mismatch)
            continue
        if _block_match(source, p.present, p.event, current, names, style) is not None:
            written.append(_Planned(p, item.wanted, current, shape))
            notes[p.event.id] = (Status.REEMIT, "; ".join(differences), None)
        elif current.emit != item.wanted.emit and p.event.id not in notes:
            first = p.present.statements[0].lineno
            warning = Problem(p.event.spec_file, p.event.line_of("emit") if p.event.emit else p.event.line,
                              f"the block at {source.path}:{first} is emitted with `{current.emit}` but the spec says `{item.wanted.emit}`; it differs from what eventmod writes (edited by hand?), so it was left alone",
                              p.event.id, "warning")
            notes[p.event.id] = (Status.PRESENT, "", warning)
    outcomes = [_noted(o, notes) for o in outcomes]
    if styled:
        outcomes = [replace(o, style=styled[o.event.id]) if o.event.id in styled and o.status is Status.PRESENT else o for o in outcomes]
    if not written:
        return [], outcomes, []

    # Names: the imports the written blocks need, under names nothing in the file rebinds.
    logger_name = file_logger(tree)
    taken = _taken_names(source, tree, [item.placement.function for item in written],
                         {settings.logger_import, settings.enum_class, "asyncio", "logging", *([logger_name] if logger_name else [])})
    module_bound = bindings(tree, source.text)
    use_file_logger = logger_name is not None and logger_name not in taken and all(
        not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in module_bound.get(logger_name, ()))
    reports = any(item.wanted.failsafe or item.wanted.loop_guard for item in written)
    imports = plan_imports(
        source, tree, module=settings.logger_module, getter=settings.logger_import, enum=settings.enum_class,
        need_logger=any(not is_logger_module and not local_for(i.placement.event) for i in written),
        need_asyncio=any(i.wanted.emit == "background" for i in written),
        need_logging=reports and not use_file_logger, line_length=settings.black.line_length,
        taken=frozenset(taken), module_bound=module_bound, order=name_order(settings),
    )
    report = logger_name if use_file_logger else f"{imports.logging}.getLogger(__name__)"
    edits: list[Edit] = list(imports.edits)
    if helper_edit is not None and any(i.wanted.json_safe for i in written):
        # placed again now that the imports are known: a generated helper goes below them all
        helper_edit, _ = json_safe_helper_edit(source, tree, settings.json_safe_helper, style, imports.edits)
        if helper_edit is not None:
            edits.append(helper_edit)
    variables: dict[int, str] = {}
    getter_names = {imports.getter, settings.getter}
    expansions: dict[int, list[tuple[int, _Planned, Names]]] = {}
    problems: list[Problem] = []
    bound: set[int] = set()  # anchor statements a `result:` edit binds
    for order, item in enumerate(written):
        p = item.placement
        function = p.function
        if id(function) not in variables:  # one scan per function, not per event
            variables[id(function)] = logger_variable(function, getter_names, settings.variable, source=source)
        imported, enum = (local_of(function)[1], local_of(function)[2]) if local_for(p.event) else (imports.getter, imports.enum)
        if is_logger_module:
            imported, enum = settings.logger_import, settings.enum_class
        function_shape = settings.call.function
        names = Names(variable=variables[id(function)], getter=settings.getter if function_shape else imported,
                      function=imported if function_shape else "", enum=enum, asyncio=imports.asyncio,
                      json_safe=json_safe_name, report=report)
        if item.current is not None:
            edits.append(_reemit_edit(source, p, item, names, style, order))
            continue
        if p.capture is not None:
            edits.append(_capture_edit(source, p, item.wanted, style, order))
        expansion = one_liner(source, p.site)
        if isinstance(expansion, OneLiner):
            expansions.setdefault(expansion.line, []).append((order, item, names))
            continue
        edits.append(_edit_for(source, p, item.wanted, names, style, order))
        binding = result_edit(source, p.event, p.site.stmt)
        if binding is not None and binding.start not in bound:
            bound.add(binding.start)
            edits.append(binding)
    for line, group in expansions.items():
        edit = _expansion_edit(source, group, style)
        if isinstance(edit, Problem):
            problems.append(edit)
        else:
            edits.append(edit)
    return pad_blocks(source, edits, style), outcomes, problems


def _is_padded(edit: Edit) -> bool:
    """A new block (inserted) or an on_error wrap: the edits blank lines go around."""
    return (edit.kind == "event" and edit.inserted) or edit.kind == "wrap"


def pad_blocks(source: SourceFile, edits: list[Edit], style: Style) -> list[Edit]:
    """With blank lines in the house style: one blank line before and after each new block
    and wrap, except where the code already has one, at the start or end of a block of
    statements, and between two blocks inserted at one place (one blank line separates them).
    `transform.revert` undoes exactly this (`padding`)."""
    if not style.blank_lines or not any(_is_padded(e) for e in edits):
        return edits
    ordered = sorted(edits, key=lambda e: (e.start, e.end != e.start, e.order))
    lines = source.lines
    out: list[Edit] = []
    for index, edit in enumerate(ordered):
        if not _is_padded(edit):
            out.append(edit)
            continue
        indent = _indent_width(next((line for line in edit.lines if line.strip()), ""))
        previous = ordered[index - 1] if index else None
        before_touching = previous is not None and previous.end == edit.start and (previous.inserted or previous.end > previous.start)
        if before_touching and previous is not None and previous.lines:
            pad_before = not _is_padded(previous) and bool(previous.lines[-1].strip())
        else:
            pad_before = needs_blank(lines, edit.start - 1, indent)
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if following is not None and following.start == edit.end and following.lines:
            pad_after = True
        else:
            pad_after = needs_blank(lines, edit.end, indent)
        if not (pad_before or pad_after):
            out.append(edit)
            continue
        new_lines = ([""] if pad_before else []) + list(edit.lines) + ([""] if pad_after else [])
        origins = edit.origins
        if origins:
            origins = ((None,) if pad_before else ()) + tuple(origins) + ((None,) if pad_after else ())
        out.append(replace(edit, lines=tuple(new_lines), origins=origins))
    return out


def needs_blank(lines: list[str], index: int, indent: int) -> bool:
    """Whether a blank line goes between a block at `indent` and original line `index`
    (0-based): not when that line is blank, missing, or less indented (a block header above,
    the end of the statement list below)."""
    if index < 0 or index >= len(lines):
        return False
    line = lines[index]
    if not line.strip():
        return False
    return _indent_width(line) >= indent


def _indent_width(line: str) -> int:
    return len(line[: len(line) - len(line.lstrip(" \t"))].expandtabs(8))


def name_order(settings: Settings) -> NameOrder:
    """How added import names are ordered in this run (shared with revert)."""
    return NameOrder.for_project(settings.isort, settings.house.habits.getter_before_enum, settings.logger_import, settings.enum_class)


def _taken_names(source: SourceFile, tree: ast.Module, functions: list[FunctionNode], added: set[str]) -> set[str]:
    """Names bound in the scopes of `functions` and of the functions and classes around them
    (the names an added import must not collide with). Only scopes whose text mentions a name
    eventmod adds (or one of its aliases) are analysed: the others cannot bind it."""
    scopes = enclosing_scopes(tree)
    taken: set[str] = set()
    seen: set[int] = set()
    for function in functions:
        for scope in (*scopes.get(id(function), []), function):
            if id(scope) in seen:
                continue
            seen.add(id(scope))
            text = source.text_of(scope)
            if any(name in text for name in added):
                taken.update(bindings(scope, text))
    return taken


def _noted(outcome: EventOutcome, notes: dict[str, tuple[Status, str, Problem | None]]) -> EventOutcome:
    if outcome.event.id not in notes or outcome.status is not Status.PRESENT:
        return outcome
    status, reason, warning = notes[outcome.event.id]
    return replace(outcome, status=status, reason=reason, problems=(*outcome.problems, *([warning] if warning else [])))


def _block_match(source: SourceFile, block: PresentBlock, event: EventSpec, options: RenderOptions, names: Names,
                 style: Style) -> tuple[int, Style] | None:
    """The first line (its comment included) of `block` and the house style it is written in,
    when it is exactly what eventmod renders with `options` and `names` in that style (the
    file's style first, then the others, see `recognition_styles`), else None."""
    first, last = block.statements[0], block.statements[-1]
    indent = source.indentation_of(first.lineno)
    if block.variable:
        names = replace(names, variable=block.variable)
    for variant in recognition_styles(style):
        start = rendered_block_start(source, first.lineno, last.end_lineno or last.lineno, render_block(event, options, names, variant, indent))
        if start is not None:
            return start, variant
    return None


def _edit_for(source: SourceFile, p: Placement, options: RenderOptions, names: Names, style: Style, order: int) -> Edit:
    stmt = p.site.stmt
    indent = source.indentation_of(stmt.lineno)
    if p.site.mode is Mode.WRAP:
        return _wrap_edit(source, p, names, options, style, indent, order)
    block = render_block(p.event, options, names, style, indent)
    position = _before_position(source, stmt) if p.site.mode is Mode.BEFORE else stmt.end_lineno  # type: ignore[assignment]
    # Blocks inserted before one line go deepest first (then in spec order): a block that ends an
    # inner block (after a loop body's last statement) must not land inside a shallower block's `if`.
    depth_first = order - len(indent.expandtabs(8)) * 1_000_000
    return Edit(position, position, tuple(block), "event", depth_first, scope=p.function.lineno)  # type: ignore[arg-type]


def result_edit(source: SourceFile, event: EventSpec, stmt: ast.stmt) -> Edit | None:
    """`result: NAME`: the anchor statement's first line with `NAME = ` in front of the
    expression (`await f(x)` -> `NAME = await f(x)`); None when the statement is bound already."""
    name = event.anchor.result
    if not name or not isinstance(stmt, ast.Expr):
        return None
    line = source.lines[stmt.lineno - 1]
    col = source.char_col(stmt.lineno, stmt.col_offset)
    text = line.rstrip("\r\n")
    return Edit(stmt.lineno - 1, stmt.lineno, (f"{text[:col]}{name} = {text[col:]}",), "result", 0, (stmt.lineno - 1,),
                result=name)
def style_differences(written: Style, wanted: Style) -> list[str]:
    """How a block's house style (`written`, recognised from its text) differs from the learned
    one, in words (for `check --strict-style`)."""
    found = []
    if written.quote != wanted.quote:
        found.append(f"quote {written.quote} -> {wanted.quote}")
    if (written.message_quote or written.quote) != (wanted.message_quote or wanted.quote):
        found.append(f"message quote {written.message_quote or written.quote} -> {wanted.message_quote or wanted.quote}")
    if written.trailing_commas != wanted.trailing_commas:
        found.append(f"trailing commas {'on' if written.trailing_commas else 'off'} -> {'on' if wanted.trailing_commas else 'off'}")
    if written.comment != wanted.comment:
        found.append(f"comment prefix {written.comment!r} -> {wanted.comment!r}")
    return found


def _blank_difference(source: SourceFile, span: tuple[int, int | None], style: Style) -> list[str]:
    """With blank lines in the house style, a side of the block (lines `span`, 1-based; for a
    wrap its `try`) glued to code at its depth."""
    if not style.blank_lines:
        return []
    start, end = span[0], span[1] or span[0]
    indent = _indent_width(source.lines[start - 1])
    glued = [side for side, index in (("before", start - 2), ("after", end)) if needs_blank(source.lines, index, indent)]
    return [f"no blank line {' and '.join(glued)} the block"] if glued else []


def _before_position(source: SourceFile, stmt: ast.stmt) -> int:
    """Where something inserted before `stmt` goes (0-based line): above the comment lines
    right above it at its indentation, which describe it (a block never separates a comment
    from its statement)."""
    position = first_line(stmt) - 1
    indent = source.indentation_of(stmt.lineno)
    while position > 0 and source.lines[position - 1].lstrip().startswith("#") \
            and source.indentation_of(position) == indent:
        position -= 1
    return position


def _capture_edit(source: SourceFile, p: Placement, options: RenderOptions, style: Style, order: int) -> Edit:
    """The capture statements of a new block, at its capture point (before the block's own
    lines when both go at the same place: the block reads them)."""
    assert p.capture is not None
    site = p.capture.site
    indent = source.indentation_of(site.stmt.lineno)
    lines = render_captures(p.event.capture, options.failsafe, style, indent)
    position = _before_position(source, site.stmt) if p.capture.before else (site.stmt.end_lineno or site.stmt.lineno)
    return Edit(position, position, tuple(lines), "capture", order - CAPTURE_FIRST, scope=p.function.lineno)


CAPTURE_FIRST = 10**12  # a capture goes before every block inserted at the same place


def _reemit_edit(source: SourceFile, p: Placement, item: _Planned, names: Names, style: Style, order: int) -> Edit:
    """Rewrite a present block (exactly what eventmod wrote, in another shape) into the shape
    the spec asks for: the same variable, the lines that differ."""
    block = p.present
    assert block is not None and item.current is not None and item.shape is not None
    first, last = block.statements[0], block.statements[-1]
    indent = source.indentation_of(first.lineno)
    shape = item.shape
    current_names = replace(names, variable=block.variable or names.variable, getter=shape.getter or names.getter,
                            enum=shape.enum or names.enum, asyncio=shape.asyncio or names.asyncio, report=shape.report or names.report)
    found = _block_match(source, block, p.event, item.current, current_names, style)
    assert found is not None
    start, own = found  # re-emitted in the style it was written in: only the shape changes
    new = render_block(p.event, item.wanted, replace(names, variable=block.variable or names.variable), own, indent)
    return Edit(start - 1, last.end_lineno or last.lineno, tuple(new), "event", order, scope=p.function.lineno)


def _wrap_lines(source: SourceFile, p: Placement, names: Names, options: RenderOptions, style: Style, indent: str,
                body: list[str]) -> list[str]:
    return render_wrap(p.event, options, names, style, indent, body)


def _wrap_edit(source: SourceFile, p: Placement, names: Names, options: RenderOptions, style: Style, indent: str, order: int) -> Edit:
    unit = style.indent_unit
    stmt = p.site.stmt
    end = p.site.last if p.site.last is not None else stmt
    first, last = first_line(stmt), end.end_lineno or end.lineno
    interior = source.string_interior_lines(first, last)
    body = []
    for lineno in range(first, last + 1):
        line = source.lines[lineno - 1].rstrip("\r\n")
        body.append(line if lineno in interior or not line.strip() else unit + line)
    lines = _wrap_lines(source, p, names, options, style, indent, body)
    origins = (None, *range(first - 1, last), *[None] * (len(lines) - 1 - len(body)))
    return Edit(first - 1, last, tuple(lines), "wrap", order, origins, scope=p.function.lineno)


def _expansion_edit(source: SourceFile, group: list[tuple[int, _Planned, Names]], style: Style) -> Edit | Problem:
    """Expand a one-line body (`if x: stmt`) into a header and an indented body holding the
    statement and the blocks anchored at it, in one edit. The header and the statement keep
    their original text; safe mode compares their AST with the original line's."""
    first = group[0][1].placement
    expansion = one_liner(source, first.site)
    assert isinstance(expansion, OneLiner)
    body_indent = expansion.indent + style.indent_unit
    wraps = [g for g in group if g[1].placement.site.mode is Mode.WRAP]
    if len(wraps) > 1:
        return Problem(first.event.spec_file, first.event.line_of(first.event.anchor.kind),
                       f"two on_error events wrap the same statement at {source.path}:{expansion.line}", first.event.id)
    lines = [expansion.header]
    origins: list[int | None] = [expansion.line - 1]
    for mode in (Mode.BEFORE, Mode.WRAP, Mode.AFTER):
        for _, item, names in sorted((g for g in group if g[1].placement.site.mode is mode), key=lambda g: g[0]):
            p = item.placement
            if mode is Mode.WRAP:
                wrapped = _wrap_lines(source, p, names, item.wanted, style, body_indent, [body_indent + style.indent_unit + expansion.body])
                lines += wrapped
                origins += [None, expansion.line - 1, *[None] * (len(wrapped) - 2)]
            else:
                block = render_block(p.event, item.wanted, names, style, body_indent)
                lines += block
                origins += [None] * len(block)
        if mode is Mode.BEFORE and not wraps:
            lines.append(body_indent + expansion.body)
            origins.append(expansion.line - 1)
    return Edit(expansion.line - 1, expansion.line, tuple(lines), "expand", group[0][0], tuple(origins), scope=first.function.lineno)
