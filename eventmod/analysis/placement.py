"""Placement: from one event spec to the sites of its block in one file, or the located
reason it cannot go there (function or anchor not found, ambiguous, illegal place)."""

from __future__ import annotations

import ast
from dataclasses import replace

from eventmod.analysis.anchors import LoggerNames, Mode, Site, resolve_anchor, statement_head
from eventmod.analysis.capture import through_statement
from eventmod.analysis.oneliner import one_liner
from eventmod.analysis.presence import inside_instrumentation, lift_out_of_wrap
from eventmod.model.settings import DEFAULT_GETTER
from eventmod.model.problems import Problem, did_you_mean
from eventmod.model.results import EventOutcome, Status
from eventmod.model.spec import EventSpec
from eventmod.pyast.source import SourceFile
from eventmod.pyast.scope import unreachable_reason
from eventmod.pyast.walk import FunctionNode, path_to


def resolve_sites(source: SourceFile, functions: dict[str, FunctionNode], event: EventSpec, default_emit: str,
                  classes: frozenset[str] = frozenset(), getters: frozenset[str] = frozenset({DEFAULT_GETTER}),
                  loggers: LoggerNames | None = None) -> tuple[EventOutcome | None, list[Site], FunctionNode | None]:
    """Every site of one event (after `occurrence`), present or not; or an INVALID/DRIFTED
    outcome carrying the problem. Shared by apply (`_resolve`) and revert. `loggers`: the
    file's logger receivers (`LoggerNames.of`), for `after_log`."""
    function = functions.get(event.function)
    if function is None and event.function in classes:
        problem = Problem(event.spec_file, event.line_of("in"), f"'{event.function}' is a class: eventmod inserts only into function bodies (a class body runs once, at import, where nothing can be awaited); name one of its methods, e.g. {event.function}.__init__ or an async method", event.id)
        return EventOutcome(event, Status.INVALID, problems=(problem,)), [], None
    if function is None:
        hint = did_you_mean(event.function, functions) or did_you_mean(event.function.rsplit(".", 1)[-1], functions)
        problem = Problem(event.spec_file, event.line_of("in"), f"function '{event.function}' not found in {source.path}{hint}", event.id)
        return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], None
    if (event.emit or default_emit) == "await" and not isinstance(function, ast.AsyncFunctionDef):
        problem = Problem(event.spec_file, event.line_of("emit") if event.emit else event.line_of("in"), f"{event.function} ({source.path}:{function.lineno}) is not async, so `await` is illegal there; use `emit: background` (asyncio.create_task) or instrument an async caller", event.id)
        return EventOutcome(event, Status.INVALID, problems=(problem,)), [], function
    result = resolve_anchor(source, function, event.anchor, loggers)
    anchor_line = event.line_of(event.anchor.kind)
    span = f"{source.path}:{function.lineno}-{function.end_lineno}"
    if result.error:
        listing = "".join(f"\n    {source.path}:{c.line}: {c.text}" for c in result.candidates[:10])
        label = "logger calls in that function, closest first" if event.anchor.kind == "after_log" else "candidates"
        more = f"; {label}:{listing}" if listing else ""
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} not found in {event.function} ({span}): {result.error}{more}", event.id)
        return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], function
    sites = [lift_out_of_wrap(function, s) for s in result.sites if not inside_instrumentation(function, s.stmt, getters)]
    if not sites:
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} in {event.function} ({span}) matches only statements inside logging blocks (a fail-safe block's handler), which are never anchors; make the anchor match the function's own code", event.id)
        return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], function
    if event.occurrence is None and len(sites) > 1:
        listing = "".join(f"\n    {source.path}:{s.stmt.lineno}" for s in sites)
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} is ambiguous in {event.function}: {len(sites)} matches; add `occurrence: N` (1-{len(sites)}) or `occurrence: all`, or make the anchor more specific:{listing}", event.id)
        return EventOutcome(event, Status.INVALID, problems=(problem,)), [], function
    if isinstance(event.occurrence, int):
        if event.occurrence > len(sites):
            problem = Problem(event.spec_file, event.line_of("occurrence"), f"occurrence {event.occurrence} but the anchor matches {len(sites)} time(s) in {event.function}", event.id)
            return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], function
        sites = [sites[event.occurrence - 1]]
    if event.anchor.kind == "on_error" and event.on_error.through:
        extended = []
        for s in sites:
            last = through_statement(source, s, event.on_error.through)
            if last is None:
                listing = "".join(f"\n    {source.path}:{c.lineno}: {statement_head(source, c)[:100]}" for c in s.block[s.index + 1:][:8])
                problem = Problem(event.spec_file, event.line_of("through"),
                                  f"through {event.on_error.through!r}: no statement of the block that holds the on_error statement "
                                  f"({source.path}:{s.stmt.lineno}) starts with that text at or after it; the wrap holds statements of one "
                                  f"block only" + (f"; the statements after it:{listing}" if listing else ""), event.id)
                return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], function
            extended.append(replace(s, last=last))
        sites = extended
    problems = [p for s in sites if (p := placement_problem(source, event, s, anchor_line, function, event.emit or default_emit))]
    if problems:
        return EventOutcome(event, Status.INVALID, problems=tuple(problems)), [], function
    return None, sites, function


def placement_problem(source: SourceFile, event: EventSpec, site: Site, anchor_line: int,
                      function: FunctionNode | None = None, emit: str = "await") -> Problem | None:
    stmt = site.stmt
    if function is not None:
        reason = unreachable_reason(function, stmt, after=site.mode == Mode.AFTER)
        if reason:
            return Problem(event.spec_file, anchor_line, f"the block would go at {source.path}:{site.line} in {event.function}, which no path reaches: {reason}; the event could never fire (and coverage would count it); anchor it before that statement, or where the code still runs", event.id)
    enclosing_finally = _enclosing_finally(function, site) if function is not None else None
    if enclosing_finally is not None and emit == "await":
        return Problem(event.spec_file, anchor_line, f"refusing to insert an awaited block into a `finally` block ({source.path}:{stmt.lineno}, in the `finally` of the `try` at line {enclosing_finally.lineno}): an `await` there runs during cancellation and exception unwinding, where it suspends a task that is being cancelled and can mask the original error; use `emit: background` (scheduled, never awaited there), or anchor before the `try` or in an `except` handler", event.id)
    expansion = one_liner(source, site)
    if isinstance(expansion, str):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {expansion}", event.id)
    if expansion is None and site.mode in (Mode.BEFORE, Mode.WRAP) and not source.starts_its_line(stmt):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {source.path}:{stmt.lineno}: the statement shares its line with the code before it (`;`); put it on its own line first", event.id)
    end = site.last if site.last is not None else stmt
    if site.mode in (Mode.AFTER, Mode.WRAP) and not source.ends_its_line(end):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {source.path}:{end.end_lineno}: another statement follows on the same line (`;`); put it on its own line first", event.id)
    return None


def _enclosing_finally(function: FunctionNode, site: Site) -> ast.Try | None:
    """The `try` whose `finally` holds the site's block, at any depth (an `if` inside a
    `finally` is still the `finally`)."""
    path = path_to(function, site.stmt) or []
    return next((step.owner for step in reversed(path) if step.field == "finalbody"), None)  # type: ignore[return-value]
