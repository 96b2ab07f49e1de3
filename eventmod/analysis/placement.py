"""Placement: from one event spec to the sites of its block in one file, or the located
reason it cannot go there (function or anchor not found, ambiguous, illegal place)."""

from __future__ import annotations

import ast

from eventmod.analysis.anchors import Mode, Site, resolve_anchor
from eventmod.model.problems import Problem, did_you_mean
from eventmod.model.results import EventOutcome, Status
from eventmod.model.spec import EventSpec
from eventmod.pyast.source import SourceFile
from eventmod.pyast.scope import unreachable_reason
from eventmod.pyast.walk import FunctionNode


def resolve_sites(source: SourceFile, functions: dict[str, FunctionNode], event: EventSpec, default_emit: str,
                  classes: frozenset[str] = frozenset()) -> tuple[EventOutcome | None, list[Site], FunctionNode | None]:
    """Every site of one event (after `occurrence`), present or not; or an INVALID/DRIFTED
    outcome carrying the problem. Shared by apply (`_resolve`) and revert."""
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
    result = resolve_anchor(source, function, event.anchor)
    anchor_line = event.line_of(event.anchor.kind)
    span = f"{source.path}:{function.lineno}-{function.end_lineno}"
    if result.error:
        listing = "".join(f"\n    {source.path}:{c.line}: {c.text}" for c in result.candidates[:10])
        label = "logger calls in that function, closest first" if event.anchor.kind == "after_log" else "candidates"
        more = f"; {label}:{listing}" if listing else ""
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} not found in {event.function} ({span}): {result.error}{more}", event.id)
        return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], function
    sites = list(result.sites)
    if event.occurrence is None and len(sites) > 1:
        listing = "".join(f"\n    {source.path}:{s.stmt.lineno}" for s in sites)
        problem = Problem(event.spec_file, anchor_line, f"anchor {event.anchor.describe()} is ambiguous in {event.function}: {len(sites)} matches; add `occurrence: N` (1-{len(sites)}) or `occurrence: all`, or make the anchor more specific:{listing}", event.id)
        return EventOutcome(event, Status.INVALID, problems=(problem,)), [], function
    if isinstance(event.occurrence, int):
        if event.occurrence > len(sites):
            problem = Problem(event.spec_file, event.line_of("occurrence"), f"occurrence {event.occurrence} but the anchor matches {len(sites)} time(s) in {event.function}", event.id)
            return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], function
        sites = [sites[event.occurrence - 1]]
    problems = [p for s in sites if (p := placement_problem(source, event, s, anchor_line, function))]
    if problems:
        return EventOutcome(event, Status.INVALID, problems=tuple(problems)), [], function
    return None, sites, function


def placement_problem(source: SourceFile, event: EventSpec, site: Site, anchor_line: int,
                      function: FunctionNode | None = None) -> Problem | None:
    stmt = site.stmt
    if function is not None:
        reason = unreachable_reason(function, stmt, after=site.mode == Mode.AFTER)
        if reason:
            return Problem(event.spec_file, anchor_line, f"the block would go at {source.path}:{site.line} in {event.function}, which no path reaches: {reason}; the event could never fire (and coverage would count it); anchor it before that statement, or where the code still runs", event.id)
    if isinstance(site.parent, ast.Try) and site.parent.finalbody and site.block == tuple(site.parent.finalbody):
        return Problem(event.spec_file, anchor_line, f"refusing to insert into a `finally` block ({source.path}:{stmt.lineno}): an `await` there runs during cancellation and exception unwinding and can mask the original error; anchor before the `try` or in an `except` handler instead", event.id)
    if site.mode in (Mode.BEFORE, Mode.WRAP) and not source.starts_its_line(stmt):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {source.path}:{stmt.lineno}: the statement shares its line with the code before it (a one-line block or `;`); put it on its own line first", event.id)
    if site.mode in (Mode.AFTER, Mode.WRAP) and not source.ends_its_line(stmt):
        return Problem(event.spec_file, anchor_line, f"cannot insert at {source.path}:{stmt.end_lineno}: another statement follows on the same line (`;`); put it on its own line first", event.id)
    return None
