"""`eventmod revert`: remove the blocks eventmod inserted for the selected events.

A block is recognised structurally at its event's anchor, in the same presence window that
`anchors.is_present` scans: the getter assignment, the `if <var>[ and (...)]:` guard around the
`log_event` call for the event's EventType, and the `# comment` line(s) right above it when they
equal the spec's comment. An `on_error` wrap (`try: STMT / except Exception as exc: ... raise`)
is unwrapped and STMT gets its original indentation back. A block is only removed when its text
is exactly what eventmod renders for that event now (same `render_block`, names, style and
options as `apply`); otherwise it is reported and left alone.

Then the imports eventmod added and the revert left unused are removed (the logger import or the
names merged into an existing one, `import asyncio`, the `_eventmod_json_safe` helper). Which
blank lines go with them is decided by running apply's own import planning on each candidate
result and keeping the candidate it turns back into the text before the import removal: the
exact inverse of what apply added. Enum members are kept.

Like `plan_file`, `revert_file` is a pure function of a picklable job returning a result object;
nothing is written here. Safe mode checks the result in reverse: the current text must be the
reverted text plus insertions (`verify.verify_only_insertions`).
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import replace

from eventmod.analysis.anchors import LoggerNames, Site, Window, log_call_of
from eventmod.analysis.placement import resolve_sites
from eventmod.analysis.capture import capture_point
from eventmod.analysis.presence import (
    CallMatcher,
    EmitMode,
    PresentBlock,
    block_shape,
    logged_event_names,
    present_block,
)
from eventmod.analysis.style import COMPOUND_STATEMENTS, Style, file_style, instrumentation_lines, statement_lists
from eventmod.codegen.imports import alias_text, file_matcher, from_import_lines, plan_imports
from eventmod.codegen.json_safe import json_safe_helper_edit
from eventmod.codegen.render import (
    JSON_SAFE_HELPER,
    Names,
    RenderOptions,
    recognition_styles,
    render_block,
    render_captures,
    render_options,
    rendered_block_start,
    split_comment,
    wrap_handler_line,
)
from eventmod.model.edits import Edit, EditConflict, apply_edits_with_origin
from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.results import RevertFile, RevertPlan, RevertStatus, SiteResult
from eventmod.model.settings import Config, Settings
from eventmod.model.spec import Catalog, EventSpec, Selection
from eventmod.pyast.bindings import bindings, enclosing_scopes, is_alias_of
from eventmod.pyast.source import SourceFile, load_source, split_lines
from eventmod.pyast.walk import FunctionNode, child_nodes, first_line, index_functions, module_of, walk_nodes
from eventmod.transform.planner import name_order
from eventmod.transform.house import cached_file_habits, learn_house_style, learn_log_spacing
from eventmod.transform.runner import FileJob, jobs_by_file, run_jobs
from eventmod.transform.verify import verify_only_insertions

REVERTED, ABSENT, EDITED = RevertStatus.REVERTED, RevertStatus.ABSENT, RevertStatus.EDITED
_MAX_LAYOUTS = 256  # candidate import/helper layouts tried per file


# -- the run -----------------------------------------------------------------------------------
def plan_revert(config: Config, catalog: Catalog, selection: Selection = Selection(), jobs: int = 1) -> RevertPlan:
    """Remove the selected events' blocks: one `RevertFile` per target file."""
    from eventmod.transform.apply import contract_settings

    settings = contract_settings(config)
    work = jobs_by_file(catalog, selection)
    if work:
        paths = [j.path for j in work]
        settings = replace(settings, house=replace(learn_house_style(settings, paths), blank_after_log=learn_log_spacing(settings, paths)))
    return RevertPlan(tuple(run_jobs(revert_file, work, settings, jobs)))


# -- one file ----------------------------------------------------------------------------------
@record
class _Found:
    """One block the revert removes: the edit and its line, how the block was rendered and spelled,
    and the edits that take back its capture statements and its `result:` binding."""

    edit: Edit
    line: int
    options: RenderOptions  # as the removed block was rendered
    names: Names  # as the removed block spelled them
    captures: tuple[Edit, ...] = ()  # the removal of the event's capture statements
    mode: str = "after"  # where the block was inserted: after, before or wrap
    unbind: Edit | None = None  # `result: NAME`: the anchor statement's binding, taken back


def revert_file(job: FileJob, settings: Settings, preloaded: object = None) -> RevertFile:
    loaded = load_source(settings.root, job.path)
    if isinstance(loaded, Problem):
        located = [Problem(e.spec_file, e.line, f"target {job.path}: {loaded.message}", e.id) for e in job.events[:1]]
        return RevertFile(job.path, None, None, problems=(loaded, *located))
    source, tree = loaded
    functions = index_functions(tree)
    style = file_style(source, tree, settings.black, settings.house, settings.style, cached_file_habits)
    names = _names(source, tree, settings, style)
    matcher = file_matcher(tree, settings.logger_module, settings.getter, settings.call)
    problems: list[Problem] = []
    results: list[SiteResult] = []
    found: list[_Found] = []
    claimed: set[int] = set()
    touched: dict[int, FunctionNode] = {}
    loggers = LoggerNames.of(tree, settings.logger_names)
    for event in job.events:
        failed, sites, function = resolve_sites(source, functions, event, settings.emit, matcher=matcher, loggers=loggers,
                                                call=settings.call)
        if failed is not None:
            problems.extend(failed.problems)
            continue
        assert function is not None
        for site in sites:
            status, line, edit, options, block_names = _revert_site(source, site, event, function, names, style, settings, matcher, claimed)
            captures: tuple[Edit, ...] = ()
            if edit is not None and event.capture:
                removal = _capture_removal(source, function, event, site, options, style, loggers, matcher)
                if removal is None:
                    status, edit = EDITED, None
                else:
                    captures = (removal,)
            results.append(SiteResult(event, status, line))
            if edit is not None:
                found.append(_Found(edit, line, options, block_names, captures, site.mode.value,
                                    unbind=_unbind_edit(source, event, site.stmt)))
                touched[id(function)] = function
    if problems or not found:
        return RevertFile(job.path, source.raw, None, tuple(results), tuple(problems))
    removals = unpad(source, tree, [(f.edit, f.mode) for f in found], style, matcher, loggers, settings.house.blank_after_log)
    try:
        text1, origin1 = apply_edits_with_origin(
            source.lines, [*removals, *(e for f in found for e in f.captures), *(f.unbind for f in found if f.unbind is not None)],
            source.newline)
    except EditConflict as exc:  # pragma: no cover - claimed statements never overlap
        return RevertFile(job.path, source.raw, None, tuple(results), (Problem(job.path, 0, f"conflicting removals: {exc}"),))
    scopes = enclosing_scopes(tree)
    # what the scopes bind besides the function-local logger imports of the blocks (apply planned
    # its imports before writing them)
    taken = frozenset(name for function in touched.values() for scope in (*scopes.get(id(function), []), function)
                      for name, nodes in bindings(scope).items()
                      if not all(isinstance(n, ast.ImportFrom) and n.module == settings.logger_module for n in nodes))
    text2, origin2, notes = _remove_unused(source, text1, found, settings, module_of(job.path) == settings.logger_module, taken)
    final_origin = [origin1[o] if o is not None else None for o in origin2]
    if settings.safe_mode:
        inverse: list[int | None] = [None] * len(source.lines)
        for new_index, old_index in enumerate(final_origin):
            if old_index is not None:
                inverse[old_index] = new_index
        mismatch = verify_only_insertions(text2, source.text, inverse, logger_module=settings.logger_module,
                                          added_names=(settings.logger_import, settings.enum_class),
                                          results={f.unbind.start + 1: f.unbind.result for f in found if f.unbind is not None})
        if mismatch:
            problem = Problem(job.path, 0, f"internal error: safe mode found that the revert removed more than eventmod's insertions ({mismatch}); nothing was written. Please report this with the file and spec.")
            return RevertFile(job.path, source.raw, None, tuple(results), (problem,))
    return RevertFile(job.path, source.raw, source.encode(text2), tuple(results), (), tuple(notes))


def _names(source: SourceFile, tree: ast.Module, settings: Settings, style: Style) -> Names:
    """How apply spells the getter, enum, asyncio and helper in this file (aliases reused)."""
    plan = plan_imports(source, tree, module=settings.logger_module, getter=settings.logger_import, enum=settings.enum_class,
                        need_logger=False, need_asyncio=True, line_length=settings.black.line_length)
    _, helper = json_safe_helper_edit(source, tree, settings.json_safe_helper, style)
    if settings.call.function:
        return Names(getter=settings.getter, function=plan.getter, enum=plan.enum, asyncio=plan.asyncio, json_safe=helper, report="logger")
    return Names(getter=plan.getter, enum=plan.enum, asyncio=plan.asyncio, json_safe=helper, report="logger")


def _unbind_edit(source: SourceFile, event: EventSpec, stmt: ast.stmt) -> Edit | None:
    """`result: NAME`: the anchor statement apply rewrote to `NAME = <call>`, given back its
    original text (the `NAME = ` in front of the expression removed); None when it is not
    written exactly that way."""
    name = event.anchor.result
    if not name or not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == name):
        return None
    line = source.lines[stmt.lineno - 1].rstrip("\r\n")
    col = source.char_col(stmt.lineno, stmt.col_offset)
    prefix = f"{name} = "
    if not line[col:].startswith(prefix) or source.char_col(stmt.lineno, stmt.value.col_offset) != col + len(prefix):
        return None
    return Edit(stmt.lineno - 1, stmt.lineno, (line[:col] + line[col + len(prefix):],), "revert", 0, (stmt.lineno - 1,), result=name)


# -- recognising one block ---------------------------------------------------------------------
def _is_block_variable(name: str, preferred: str) -> bool:
    """The name apply binds the logger to: `preferred`, or `preferred_N` when that was taken."""
    return re.fullmatch(re.escape(preferred) + r"(_[0-9]+)?", name) is not None


def _revert_site(source: SourceFile, site: Site, event: EventSpec, function: FunctionNode, names: Names, style: Style,
                 settings: Settings, matcher: CallMatcher, claimed: set[int]) -> tuple:
    """(status, line, the removal edit or None, the options and names the block was written with)."""
    getters = matcher.getters
    wanted = render_options(event, settings, sync_function=not isinstance(function, ast.AsyncFunctionDef),
                            wrapped=site.presence is Window.WRAPPED)
    found = present_block(site, event.event, matcher)
    if found is None or id(found.statements[-1]) in claimed:
        return ABSENT, site.line, None, wanted, names
    claimed.add(id(found.statements[-1]))
    shape = block_shape(found, event.event, matcher)
    # Read back how the block was written (emit mode, fail-safe, local import, names): apply
    # re-emits a block in another shape rather than adding another, so it is still eventmod's.
    options = RenderOptions(emit=shape.emit.value, json_safe=wanted.json_safe, coerce=wanted.coerce, failsafe=shape.failsafe,
                            failsafe_level=shape.failsafe_level, loop_guard=shape.loop_guard, local_import=shape.local_import,
                            call=settings.call)
    first_stmt, guard = found.statements[0], found.statements[-1]
    edited = (EDITED, first_stmt.lineno, None, options, names)
    if shape.enum != names.enum and not is_alias_of(shape.enum or "", settings.enum_class):
        return edited
    names = replace(names, variable=shape.variable or names.variable, getter=shape.getter or names.getter,
                    function=(shape.callee or names.function) if shape.function else names.function,
                    enum=shape.enum or names.enum, asyncio=shape.asyncio or names.asyncio, report=shape.report or names.report)
    if shape.emit is EmitMode.OTHER or not shape.enum:
        return edited
    if settings.call.function:
        if not shape.function or not shape.callee or not is_alias_of(shape.callee, settings.call.method):
            return edited
    elif not shape.variable or not _is_block_variable(shape.variable, settings.variable) \
            or not shape.getter or not (shape.getter in getters or is_alias_of(shape.getter, settings.getter)):
        return edited
    if site.presence is Window.WRAPPED:
        return (*_revert_wrap(source, site, event, names, style, options, found, edited[:4]), names)
    indent = source.indentation_of(first_stmt.lineno)
    first, last = first_stmt.lineno, guard.end_lineno or guard.lineno
    start = next((found_at for variant in recognition_styles(style)
                  if (found_at := rendered_block_start(source, first, last, render_block(event, options, names, variant, indent))) is not None), None)
    if start is None or not source.starts_its_line(first_stmt) or not source.ends_its_line(guard):
        return edited
    return REVERTED, start, Edit(start - 1, last, (), "revert"), options, names


def _capture_removal(source: SourceFile, function: FunctionNode, event: EventSpec, site: Site, options: RenderOptions,
                     style: Style, loggers: LoggerNames, matcher: CallMatcher) -> Edit | None:
    """The removal of the event's capture statements, found next to its capture point exactly
    as apply renders them (in any house style); None when they are not there as written."""
    point = capture_point(source, function, event, site, loggers)
    if isinstance(point, Problem):
        return None
    statements = list(point.site.block)
    index = point.site.index
    names = {name for name, _ in event.capture}
    # apply puts the captures right next to the capture point: before it (other blocks may sit
    # between them and the statement), or right after it
    candidates = reversed(statements[:index]) if point.before else iter(statements[index + 1:])
    for stmt in candidates:
        if _binds_captures(stmt, names):
            first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
            indent = source.indentation_of(first)
            # (in either form: a block re-emitted with fail-safe switched keeps its captures as written)
            for guarded in (options.failsafe, not options.failsafe):
                for variant in recognition_styles(style):
                    if source.code_lines(first, last) == render_captures(event.capture, guarded, variant, indent):
                        return Edit(first - 1, last, (), "revert")
            return None
        if logged_event_names(stmt, matcher) is None:
            return None
    return None


def _binds_captures(stmt: ast.stmt, names: set[str]) -> bool:
    """A capture statement of `names`: `name = ...` (the first of them), or the fail-safe
    `try:` around them."""
    inner = stmt.body if isinstance(stmt, ast.Try) else [stmt]
    return bool(inner) and isinstance(inner[0], ast.Assign) and len(inner[0].targets) == 1 \
        and isinstance(inner[0].targets[0], ast.Name) and inner[0].targets[0].id in names


def unpad(source: SourceFile, tree: ast.Module, removals: list[tuple[Edit, str]], style: Style,
          matcher: CallMatcher, loggers: LoggerNames, blank_after_log: bool) -> list[Edit]:
    """The removals (with where each block was inserted: after, before, wrap) widened by the
    blank lines apply put around the blocks (house style with blank lines, see
    `transform.apply.pad_blocks`). Apply adds a blank line on a side of a block whose
    neighbour there is code at the block's depth; the one between an `after:` block and its
    anchor (and a `before:` block and its statement) is always apply's. On the other side the
    code may have had a blank line of its own, which apply then reused: revert cannot tell the
    two apart and keeps one blank line where a compound statement (if, for, try, ...) meets
    the place (the habit that turns blank lines on), or below a logger call when the code's own
    logger calls are followed by a blank line more often than not (`blank_after_log`, learned
    over the run's files; `loggers` says which calls are logger calls), else removes it. A
    blank line that separates the block from another block that stays is that block's.

    Whether apply padded a block is read off the block where it can be: apply inserts an
    `after:` block right below its anchor (and a `before:` block right above its statement), so
    a blank line on that side is apply's padding and its absence means apply wrote no padding
    there, whatever the house style says today (the style learned from a project's blocks can
    change once blocks exist). Other blocks follow `style`."""
    edits = [edit for edit, _ in removals]
    lines = source.lines

    def padded(edit: Edit, mode: str) -> bool:
        if mode == "after":
            return _blank(lines, edit.start - 1) and edit.start >= 2 and bool(lines[edit.start - 2].strip())
        if mode == "before":
            return _blank(lines, edit.end) and edit.end + 1 < len(lines) and bool(lines[edit.end + 1].strip())
        return style.blank_lines

    if not any(padded(edit, mode) for edit, mode in removals):
        return edits
    removed: set[int] = {i for e in edits for i in range(e.start, e.end)}
    staying = instrumentation_lines(tree, matcher) - removed
    starts, ends = _statement_lines(tree)
    claimed: set[int] = set()
    out = []
    for edit, mode in sorted(removals, key=lambda item: item[0].start):
        if not padded(edit, mode):
            out.append(edit)
            continue
        first_code = next((i for i in range(edit.start, edit.end) if lines[i].strip() and not lines[i].lstrip().startswith("#")), edit.start)
        indent = len(source.indentation_of(first_code + 1).expandtabs(8)) if first_code < len(lines) else 0
        start, end = edit.start, edit.end
        for blank, beyond, side in ((edit.start - 1, edit.start - 2, "up"), (edit.end, edit.end + 1, "down")):
            if not (0 <= blank < len(lines)) or lines[blank].strip() or blank in claimed:
                continue
            if not (0 <= beyond < len(lines)) or not lines[beyond].strip() or beyond in staying:
                continue
            if len(source.indentation_of(beyond + 1).expandtabs(8)) < indent:
                continue
            certain = (mode == "after" and side == "up") or (mode == "before" and side == "down") or beyond in removed
            if not certain:
                # the two statements of the code that meet where the block was: the one beyond
                # the blank line, and the anchor on the block's other side (a wrap holds its own)
                near = _statement_at(ends if side == "up" else starts, lines, beyond, -1 if side == "up" else 1, indent)
                across = None
                if mode == "after":
                    across = _statement_at(ends, lines, edit.start - 1, -1, indent)
                elif mode == "before":
                    across = _statement_at(starts, lines, edit.end, 1, indent)
                if any(isinstance(stmt, COMPOUND_STATEMENTS) for stmt in (near, across) if stmt is not None):
                    continue  # most likely the code's own blank line
                upper = across if side == "down" else near  # the statement above the place in the code
                if blank_after_log and upper is not None and log_call_of(upper, loggers) is not None:
                    continue  # the code's logger calls are mostly followed by a blank line: most likely its own
            claimed.add(blank)
            if side == "up":
                start = blank
            else:
                end = blank + 1
        out.append(replace(edit, start=start, end=end) if (start, end) != (edit.start, edit.end) else edit)
    return out




def _statement_lines(tree: ast.Module) -> tuple[dict[int, list[ast.stmt]], dict[int, list[ast.stmt]]]:
    """0-based first and last line -> the statements starting / ending there."""
    starts: dict[int, list[ast.stmt]] = {}
    ends: dict[int, list[ast.stmt]] = {}
    for block in statement_lists(tree):
        for stmt in block:
            starts.setdefault(first_line(stmt) - 1, []).append(stmt)
            ends.setdefault((stmt.end_lineno or stmt.lineno) - 1, []).append(stmt)
    return starts, ends


def _statement_at(table: dict[int, list[ast.stmt]], lines: list[str], index: int, step: int, indent: int) -> ast.stmt | None:
    """The statement at `indent` starting (or ending) at line `index`, skipping blank and
    comment lines in direction `step`."""
    while 0 <= index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
        index += step
    for stmt in table.get(index, []):
        if stmt.col_offset == indent:
            return stmt
    return None


def _revert_wrap(source: SourceFile, site: Site, event: EventSpec, names: Names, style: Style, options: RenderOptions,
                 found: PresentBlock, edited: tuple) -> tuple:
    """Unwrap `try: STMT / except Exception as exc: <block> / raise` when it is eventmod's."""
    wrap, stmt = site.parent, site.stmt
    assert isinstance(wrap, ast.Try)
    if len(wrap.handlers) != 1 or wrap.orelse or wrap.finalbody:
        return edited
    handler = wrap.handlers[0]
    body = handler.body
    reraise = not event.on_error.continues
    if not (isinstance(handler.type, ast.Name) and handler.type.id == "Exception" and handler.name == event.on_error.name
            and len(body) == len(found.statements) + reraise and all(a is b for a, b in zip(body, found.statements))
            and (not reraise or (isinstance(body[-1], ast.Raise) and body[-1].exc is None))):
        return edited
    unit = style.indent_unit
    indent = source.indentation_of(wrap.lineno)
    first = first_line(stmt)  # a decorated statement starts at its first decorator, as wrapped
    through = site.last if site.last is not None else stmt
    last = through.end_lineno or through.lineno
    end = wrap.end_lineno or wrap.lineno
    if source.code_lines(wrap.lineno, wrap.lineno) != [f"{indent}try:"] or first != wrap.lineno + 1 or handler.lineno != last + 1:
        return edited
    handler_text = source.code_lines(handler.lineno, end)
    opening = wrap_handler_line(event, indent)
    closing = [f"{indent}{unit}raise"] if reraise else []
    for variant in recognition_styles(style):
        rendered = render_block(event, options, names, variant, indent + unit)
        _, code = split_comment(rendered)
        if handler_text in ([opening, *rendered, *closing], [opening, *code, *closing]):
            break
    else:
        return edited
    interior = source.string_interior_lines(first, last)
    restored = []
    for lineno in range(first, last + 1):
        line = source.lines[lineno - 1].rstrip("\r\n")
        if lineno in interior or not line.strip():
            restored.append(line)
        elif line.startswith(unit):
            restored.append(line[len(unit):])
        else:
            return edited
    return REVERTED, wrap.lineno, Edit(wrap.lineno - 1, end, tuple(restored), "revert", 0, tuple(range(first - 1, last))), options


# -- imports and helper the revert left unused ---------------------------------------------------
def _used_names(tree: ast.Module, skip: ast.AST | None = None) -> set[str]:
    """Names read anywhere in the module (outside `skip`, e.g. the helper's own recursion)."""
    used: set[str] = set()

    def visit(node: ast.AST) -> None:
        if node is skip:
            return
        if isinstance(node, ast.Name):
            used.add(node.id)
        for child in child_nodes(node):
            visit(child)

    visit(tree)
    return used | _exported(tree)


def _exported(tree: ast.Module) -> set[str]:
    """Names listed in `__all__` (re-exported: an import that provides one is never unused)."""
    names: set[str] = set()
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and stmt.value is not None:  # type: ignore[union-attr]
            names.update(n.value for n in walk_nodes(stmt.value) if isinstance(n, ast.Constant) and isinstance(n.value, str))  # type: ignore[union-attr]
    return names


def _blank(lines: list[str], index: int) -> bool:
    """Whether 0-based line `index` exists and is blank."""
    return 0 <= index < len(lines) and not lines[index].strip()


def _statement_removals(lines: list[str], first: int, last: int, before: int = 1, after: int = 2) -> list[tuple[Edit, ...]]:
    """Ways to remove lines first..last (1-based) with up to `before`/`after` blank lines around
    them; the fewest blank lines first."""
    above = 0
    while above < before and _blank(lines, first - 2 - above):
        above += 1
    below = 0
    while below < after and _blank(lines, last + below):
        below += 1
    options = [(a, b) for a in range(above + 1) for b in range(below + 1)]
    options.sort(key=lambda ab: (ab[0] + ab[1], ab[0]))
    return [(Edit(first - 1 - a, last + b, (), "revert"),) for a, b in options]


def _is_added_alias(alias: ast.alias, wanted: list[str]) -> bool:
    """An import item apply may have written: a wanted name, plain or under its alias scheme."""
    return alias.name in wanted and (alias.asname is None or is_alias_of(alias.asname, alias.name))


def _logger_import_removals(source: SourceFile, tree: ast.Module, settings: Settings, used: set[str]) -> list[tuple[Edit, ...]]:
    """Candidate edits that take the getter/enum names apply added (and the revert left unused)
    out of the logger import, most likely first: the whole statement when it reads exactly like
    the line apply writes (`from <module> import <getter>, <enum>`, aliases included), then each
    way of dropping names merged at the end of the first import from the module (apply merges
    there). Only names nothing reads (nor `__all__` lists) are candidates."""
    wanted = [settings.logger_import, settings.enum_class]
    statements = [s for s in tree.body if isinstance(s, ast.ImportFrom) and s.level == 0 and s.module == settings.logger_module]
    if not statements or any(a.name == "*" for s in statements for a in s.names):
        return []
    stmt = statements[0]
    aliases = stmt.names
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    candidates: list[tuple[Edit, ...]] = []
    unused = [a for a in aliases if (a.asname or a.name) not in used]
    own = from_import_lines(settings.logger_module, [alias_text(a) for a in aliases], source.indent_unit, settings.black.line_length)
    if len(statements) == 1 and sorted(a.name for a in aliases) == sorted(wanted) and len(unused) == len(aliases) \
            and all(_is_added_alias(a, wanted) for a in aliases) and source.code_lines(first, last) == own.split("\n"):
        candidates.extend(_statement_removals(source.lines, first, last))
    # apply appends the missing names (in the run's order) after at least one existing name...
    for size in (2, 1):
        tail = aliases[-size:] if len(aliases) > size else []
        names = [a.name for a in tail]
        if names and all(_is_added_alias(a, wanted) and (a.asname or a.name) not in used for a in tail) \
                and names in (wanted, wanted[::-1], wanted[:1], wanted[1:]):
            candidates.extend(_unmerge_candidates(source, stmt, tail, [alias_text(a) for a in tail]))
    # ... or, into an import whose names are sorted, where the sort order puts them
    added = [a for a in aliases if _is_added_alias(a, wanted) and (a.asname or a.name) not in used]
    for size in (2, 1):
        for chosen in itertools.combinations(added, size):
            if len(chosen) < len(aliases):
                candidates.extend(_remove_names(source, stmt, list(chosen)))
    return candidates


def _remove_names(source: SourceFile, stmt: ast.ImportFrom, removed: list[ast.alias]) -> list[tuple[Edit, ...]]:
    """The import without `removed`, its other text kept: one line rewritten, or the lines of
    a one-name-per-line import dropped."""
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    keep = [a for a in stmt.names if all(a is not r for r in removed)]
    lines = source.lines
    if first == last:
        line = lines[first - 1].rstrip("\r\n")
        col = source.char_col(first, stmt.col_offset)
        end_col = source.char_col(last, stmt.end_col_offset or 0)
        items = ", ".join(alias_text(a) for a in keep)
        head = line[:end_col]
        if head.endswith(")"):
            opening = head.index("(", col)
            inner = head[opening + 1:-1]
            comma = "," if inner.rstrip().endswith(",") else ""
            text = f"{head[:opening + 1]}{items}{comma}){line[end_col:]}"
        else:
            text = f"{line[:col]}from {stmt.module} import {items}{line[end_col:]}"
        return [(Edit(first - 1, last, (text,), "revert", 0, (first - 1,)),)]
    candidates: list[tuple[Edit, ...]] = []
    if all(r.lineno == r.end_lineno and _text_of(lines, r.lineno).strip() == f"{alias_text(r)}," for r in removed) \
            and all(r.lineno not in (first, last) for r in removed) and all(a.lineno != r.lineno for a in keep for r in removed):
        candidates.append(tuple(Edit(r.lineno - 1, r.lineno, (), "revert") for r in sorted(removed, key=lambda a: a.lineno)))
    # apply exploded a one-line import that grew too long: collapse it again, with or without
    # the parentheses it had
    header = lines[first - 1].rstrip("\r\n")
    col = source.char_col(first, stmt.col_offset)
    opening = header.find("(", col)
    tail = _text_of(lines, last)
    if keep and opening >= 0 and tail.strip() == ")":
        items = ", ".join(alias_text(a) for a in keep)
        rest = header[opening + 1:]
        for text in (f"{header[:col]}from {stmt.module} import {items}{rest}", f"{header[:col]}from {stmt.module} import ({items}){rest}"):
            candidates.append((Edit(first - 1, last, (text,), "revert", 0, (first - 1,)),))
    return candidates


def _unmerge_candidates(source: SourceFile, stmt: ast.ImportFrom, tail: list[ast.alias], names: list[str]) -> list[tuple[Edit, ...]]:
    lines = source.lines
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    end_col = source.char_col(last, stmt.end_col_offset or 0)
    joined = ", ".join(names)
    candidates: list[tuple[Edit, ...]] = []
    if first == last:
        line = lines[first - 1].rstrip("\r\n")
        head, rest = line[:end_col], line[end_col:]
        if head.endswith(")"):
            inside = head[:-1]
            for sep in (", ", " "):
                if inside.endswith(sep + joined):
                    candidates.append((Edit(first - 1, last, (inside[: -len(sep + joined)] + ")" + rest,), "revert", 0, (first - 1,)),))
        elif head.endswith(", " + joined):
            candidates.append((Edit(first - 1, last, (head[: -len(", " + joined)] + rest,), "revert", 0, (first - 1,)),))
        return candidates
    # Parenthesised over several lines: drop the name lines (and maybe the comma apply added to
    # the item before them), or collapse the import apply exploded because it grew too long.
    keep = [a for a in stmt.names if a not in tail]
    own_lines = all(a.lineno == a.end_lineno and _text_of(lines, a.lineno).strip() == f"{alias_text(a)}," for a in tail)
    if own_lines and keep and tail[0].lineno > (keep[-1].end_lineno or keep[-1].lineno):
        start, stop = tail[0].lineno, tail[-1].lineno
        candidates.append((Edit(start - 1, stop, (), "revert"),))
        previous = keep[-1]
        p_line = previous.end_lineno or previous.lineno
        col = source.char_col(p_line, previous.end_col_offset or 0)
        text = lines[p_line - 1].rstrip("\r\n")
        if text[col:].startswith(",") and p_line < start:
            # apply gives the last item a comma when it had none; both originals give apply's
            # text back, so follow the file's own habit for exploded brackets (none: no comma,
            # which is what apply found when it had to add one).
            uncomma = (Edit(p_line - 1, p_line, (text[:col] + text[col + 1:],), "revert", 0, (p_line - 1,)), Edit(start - 1, stop, (), "revert"))
            with_comma, without = _trailing_comma_habit(source, skip=range(first, last + 1))
            if with_comma > without:
                candidates.append(uncomma)
            else:
                candidates.insert(len(candidates) - 1, uncomma)
    header = lines[first - 1].rstrip("\r\n")
    col = source.char_col(first, stmt.col_offset)
    opening = header.find("(", col)
    if keep and opening >= 0:
        items = ", ".join(alias_text(a) for a in keep)
        collapsed = f"{header[:col]}from {stmt.module} import {items}{header[opening + 1:]}"
        candidates.append((Edit(first - 1, last, (collapsed,), "revert", 0, (first - 1,)),))
    return candidates


def _trailing_comma_habit(source: SourceFile, skip: range) -> tuple[int, int]:
    """How many closing brackets that start their own line follow a comma, and how many do not
    (lines in `skip` are not counted)."""
    import io
    import tokenize

    with_comma = without = 0
    previous = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.text).readline):
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if token.type == tokenize.OP and token.string in ")]}" and previous is not None \
                    and previous.end[0] < token.start[0] and token.start[0] not in skip:
                if previous.string == ",":
                    with_comma += 1
                elif previous.string not in "([{":
                    without += 1
            previous = token
    except (tokenize.TokenError, SyntaxError):
        pass
    return with_comma, without


def _text_of(lines: list[str], lineno: int) -> str:
    return lines[lineno - 1].rstrip("\r\n")


def _module_import_removals(source: SourceFile, tree: ast.Module, used: set[str], module: str) -> list[tuple[Edit, ...]]:
    """Removing `import <module>` (or `import <module> as <module>_`: apply's alias) when
    nothing reads it."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Import) and len(stmt.names) == 1 and stmt.names[0].name == module:
            alias = stmt.names[0]
            local = alias.asname or alias.name
            if local in used or (alias.asname is not None and not is_alias_of(alias.asname, module)):
                continue
            if _text_of(source.lines, stmt.lineno).strip() == f"import {alias_text(alias)}":
                return _statement_removals(source.lines, stmt.lineno, stmt.end_lineno or stmt.lineno)
    return []


def _helper_removals(source: SourceFile, tree: ast.Module, settings: Settings) -> list[tuple[Edit, ...]]:
    if settings.json_safe_helper:
        module, _, function = settings.json_safe_helper.partition(":")
        used = _used_names(tree)
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == module and [(a.name, a.asname) for a in stmt.names] == [(function, None)]:
                if function in used:
                    return []
                return _statement_removals(source.lines, stmt.lineno, stmt.end_lineno or stmt.lineno)
        return []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == JSON_SAFE_HELPER:
            if JSON_SAFE_HELPER in _used_names(tree, skip=stmt):
                return []
            first = min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)])
            return _statement_removals(source.lines, first, stmt.end_lineno or stmt.lineno, before=2, after=2)
    return []


def _remove_unused(original: SourceFile, text: str, found: list[_Found], settings: Settings,
                   is_logger_module: bool, taken: frozenset[str] = frozenset()) -> tuple[str, list[int | None], list[str]]:
    """Remove what apply added for the reverted blocks and nothing uses any more: only a layout
    that apply's own import planning turns back into `text` is taken, so a line apply did not
    write (the user's own `import asyncio`, a name `__all__` re-exports) is never removed.
    Returns the text, each line's 0-based origin in `text`, and notes."""
    source = original.with_text(text)
    tree = source.parse()
    identity = list(range(len(source.lines)))
    if isinstance(tree, Problem):  # cannot happen for eventmod's blocks; safe mode reports it
        return text, identity, []
    used = _used_names(tree)
    need = _Needs(
        logger=not is_logger_module and any(not f.options.local_import for f in found),
        asyncio=any(f.options.emit == "background" for f in found),
        logging=any(f.names.report.endswith(".getLogger(__name__)") and (f.options.failsafe or f.options.loop_guard) for f in found),
        helper=any(f.options.json_safe for f in found),
        taken=taken,
    )
    groups = [
        _logger_import_removals(source, tree, settings, used) if need.logger else [],
        _module_import_removals(source, tree, used, "asyncio") if need.asyncio else [],
        _module_import_removals(source, tree, used, "logging") if need.logging else [],
        _helper_removals(source, tree, settings) if need.helper else [],
    ]
    if not any(groups):
        return text, identity, []
    groups = [[(), *g] for g in groups]  # each group may also stay: a name the user had
    best: tuple[tuple, str, list[int | None]] | None = None
    allowed_run = max(2, _longest_blank_run(source.lines))
    indexed = [list(enumerate(g)) for g in groups]
    for combination in itertools.islice(itertools.product(*indexed), _MAX_LAYOUTS):
        if all(i == 0 for i, _ in combination):
            continue
        edits = [e for _, candidate in combination for e in candidate]
        try:
            candidate_text, origin = apply_edits_with_origin(source.lines, edits, source.newline)
        except EditConflict:
            continue
        kept = [i == 0 for i, _ in combination]
        if _apply_restores(original, candidate_text, text, settings, need, kept):
            # Several layouts can give apply's text back (apply tops up blank lines): prefer one
            # that removes the most, leaves no more blank lines in a row than black would, then
            # the likeliest.
            candidate_lines = split_lines(candidate_text)
            too_many = _longest_blank_run(candidate_lines) > allowed_run
            content = sum(1 for line in candidate_lines if line.strip())  # a whole statement over its tail
            rank = (sum(kept), content, too_many, _blank_line_cost(candidate_lines, origin), tuple(i for i, _ in combination))
            if best is None or rank < best[0]:
                best = (rank, candidate_text, origin)
    if best is not None:
        return best[1], best[2], []
    note = (f"{original.path}: the imports left unused could not be matched to what apply writes, so they were kept "
            "(eventmod never removes a line it did not write); remove them by hand if they are eventmod's")
    return text, identity, [note]


@record
class _Needs:
    """What the reverted blocks needed, so what apply may have added for them."""

    logger: bool
    asyncio: bool
    logging: bool
    helper: bool
    taken: frozenset[str]


_TOP_DEF = re.compile(r"^(def |class |async def |@)")


def _blank_line_cost(lines: list[str], origin: list[int | None]) -> int:
    """How far the blank lines where something was removed are from black's habit: two before
    a top-level def or class and after a top-level def's body, otherwise one."""
    cost = 0
    if origin and origin[0] not in (0, None):  # the top of the file was removed
        cost += next((i for i, line in enumerate(lines) if line.strip()), len(lines))  # black keeps no blank lines there
    for i in range(1, len(lines) + 1):
        previous = origin[i - 1]
        current = origin[i] if i < len(origin) else None
        if previous is None or (current is not None and current == previous + 1) or (current is None and i < len(origin)):
            continue
        if current is None and i == len(origin):
            continue  # end of file
        start = i
        while start > 0 and not lines[start - 1].strip():
            start -= 1
        end = i
        while end < len(lines) and not lines[end].strip():
            end += 1
        before = lines[start - 1] if start > 0 else ""
        after = lines[end] if end < len(lines) else ""
        wanted = 2 if _TOP_DEF.match(after) or (before[:1] in (" ", "\t") and after and after[:1] not in (" ", "\t")) else 1
        cost += abs((end - start) - wanted)
    return cost


def _longest_blank_run(lines: list[str]) -> int:
    longest = run = 0
    for line in lines:
        run = run + 1 if not line.strip() else 0
        longest = max(longest, run)
    return longest


def _apply_restores(original: SourceFile, candidate: str, target: str, settings: Settings, need: _Needs,
                    kept: list[bool]) -> bool:
    """Whether apply's own import/helper planning, run on `candidate`, gives back `target`. A
    group that was kept (no removal) is planned as not needed: the user had it."""
    source = original.with_text(candidate)
    tree = source.parse()
    if isinstance(tree, Problem):
        return False
    needed = {"logger": need.logger, "asyncio": need.asyncio, "logging": need.logging, "helper": need.helper}
    wanted = {name: flag and not stays for (name, flag), stays in zip(needed.items(), kept)}
    plan = plan_imports(source, tree, module=settings.logger_module, getter=settings.logger_import, enum=settings.enum_class,
                        need_logger=wanted["logger"], need_asyncio=wanted["asyncio"], need_logging=wanted["logging"],
                        line_length=settings.black.line_length, taken=need.taken, order=name_order(settings))
    edits = list(plan.edits)
    if wanted["helper"]:
        helper, _ = json_safe_helper_edit(source, tree, settings.json_safe_helper, file_style(source, tree, settings.black, settings.house, settings.style, cached_file_habits), plan.edits)
        if helper is not None:
            edits.append(helper)
    try:
        restored, _ = apply_edits_with_origin(source.lines, edits, source.newline)
    except EditConflict:
        return False
    return restored == target
