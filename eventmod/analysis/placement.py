"""Placement: from one event spec to the sites of its block in one file, or the located
reason it cannot go there (function or anchor not found, ambiguous, illegal place)."""

from __future__ import annotations

import ast
from dataclasses import replace

from eventmod.analysis.anchors import LoggerNames, Mode, Site, resolve_anchor, statement_head
from eventmod.analysis.capture import through_statement
from eventmod.analysis.emission import EmitChoice, EmitRefusal, Emission, choose_emission
from eventmod.analysis.oneliner import one_liner
from eventmod.analysis.presence import DEFAULT_MATCHER, CallMatcher, inside_instrumentation, lift_out_of_wrap
from eventmod.model.problems import Problem, did_you_mean
from eventmod.model.results import EventOutcome, Status
from eventmod.model.settings import CallShape
from eventmod.model.spec import EventSpec
from eventmod.pyast.bindings import identifiers
from eventmod.pyast.source import SourceFile
from eventmod.pyast.scope import unreachable_reason
from eventmod.pyast.walk import FunctionNode, path_to


def resolve_sites(source: SourceFile, functions: dict[str, FunctionNode], event: EventSpec, default_emit: str,
                  classes: frozenset[str] = frozenset(), matcher: CallMatcher = DEFAULT_MATCHER,
                  loggers: LoggerNames | None = None, call: CallShape = CallShape()
                  ) -> tuple[EventOutcome | None, list[Site], FunctionNode | None]:
    """Every site of one event (after `occurrence`), present or not; or an INVALID/DRIFTED
    outcome carrying the problem. Shared by apply (`_resolve`) and revert. `loggers`: the
    file's logger receivers (`LoggerNames.of`), for `after_log`; `call`: the logger's call
    shape, which decides how the block can emit in this function."""
    function = functions.get(event.function)
    if function is None and event.function in classes:
        problem = Problem(event.spec_file, event.line_of("in"), f"'{event.function}' is a class: eventmod inserts only into function bodies (a class body runs once, at import, where nothing can be awaited); name one of its methods, e.g. {event.function}.__init__ or an async method", event.id)
        return EventOutcome(event, Status.INVALID, problems=(problem,)), [], None
    if function is None:
        hint = did_you_mean(event.function, functions) or did_you_mean(event.function.rsplit(".", 1)[-1], functions)
        problem = Problem(event.spec_file, event.line_of("in"), f"function '{event.function}' not found in {source.path}{hint}", event.id)
        return EventOutcome(event, Status.DRIFTED, problems=(problem,)), [], None
    choice = choose_emission(event.emit or default_emit, isinstance(function, ast.AsyncFunctionDef), call,
                             f"{event.function} ({source.path}:{function.lineno})")
    if isinstance(choice, EmitRefusal):
        problem = Problem(event.spec_file, event.line_of("emit") if event.emit else event.line_of("in"), choice.reason, event.id)
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
    sites = [lift_out_of_wrap(function, s, matcher) for s in result.sites if not inside_instrumentation(function, s.stmt, matcher)]
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
    problems = [p for s in sites if (p := placement_problem(source, event, s, anchor_line, function, choice, call))]
    if problems:
        return EventOutcome(event, Status.INVALID, problems=tuple(problems)), [], function
    return None, sites, function


def placement_problem(source: SourceFile, event: EventSpec, site: Site, anchor_line: int,
                      function: FunctionNode | None = None, choice: EmitChoice = EmitChoice(Emission.AWAIT),
                      call: CallShape = CallShape()) -> Problem | None:
    stmt = site.stmt
    if function is not None:
        reason = unreachable_reason(function, stmt, after=site.mode == Mode.AFTER)
        if reason:
            return Problem(event.spec_file, anchor_line, f"the block would go at {source.path}:{site.line} in {event.function}, which no path reaches: {reason}; the event could never fire (and coverage would count it); anchor it before that statement, or where the code still runs", event.id)
    enclosing_finally = _enclosing_finally(function, site) if function is not None else None
    if enclosing_finally is not None and choice.emission is Emission.AWAIT:
        alternatives = ("`emit: sync` (the logger's sync call) or " if call.sync_call else "") + \
            "`emit: background` (scheduled, never awaited there)"
        asked = f"`emit: {event.emit}` awaits the call" if event.emit else "`emit: auto` awaits the call in an async function"
        return Problem(event.spec_file, anchor_line, f"refusing to insert an awaited block into a `finally` block ({source.path}:{stmt.lineno}, in the `finally` of the `try` at line {enclosing_finally.lineno}): {asked}, and an `await` there runs during cancellation and exception unwinding, where it suspends a task that is being cancelled and can mask the original error; use {alternatives}, or anchor before the `try` or in an `except` handler", event.id)
    if event.anchor.result and function is not None:
        problem = result_problem(source, event, site, function, anchor_line)
        if problem is not None:
            return problem
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


def result_problem(source: SourceFile, event: EventSpec, site: Site, function: FunctionNode, anchor_line: int) -> Problem | None:
    """Why the anchor statement's value cannot be bound to `result: NAME`, or None. The statement
    must be an expression statement that is a call or an awaited call, on lines of its own, and
    NAME must occur nowhere in the function (a new local must not shadow or be shadowed). A
    statement already written `NAME = ...` (a previous apply bound it) is fine."""
    name = event.anchor.result
    assert name is not None
    stmt = site.stmt
    where = f"{source.path}:{stmt.lineno}"
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
            and stmt.targets[0].id == name and _is_call(stmt.value):
        return None
    if isinstance(stmt, ast.Try):
        return Problem(event.spec_file, anchor_line, f"`result: {name}` cannot bind the statement at {where}: an on_error event wraps it (the `try` at line {stmt.lineno}); anchor on another statement, or log the value in the on_error event", event.id)
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = ", ".join(ast.unparse(t) for t in targets)
        return Problem(event.spec_file, anchor_line, f"`result: {name}`: the statement at {where} already assigns its value to `{names}`; log that name in the payload instead (and remove `result`)", event.id)
    if not (isinstance(stmt, ast.Expr) and _is_call(stmt.value)):
        kind = type(stmt).__name__.lower() if not isinstance(stmt, ast.Expr) else "an expression that is not a call"
        return Problem(event.spec_file, anchor_line, f"`result: {name}` binds the value of a call or an awaited call (`await f(x)` becomes `{name} = await f(x)`); the statement at {where} is {kind}", event.id)
    if not source.starts_its_line(stmt) or not source.ends_its_line(stmt):
        return Problem(event.spec_file, anchor_line, f"`result: {name}`: the statement at {where} shares its line with other code (a one-line body or `;`); put it on its own line first", event.id)
    if name in identifiers(function):
        return Problem(event.spec_file, anchor_line, f"`result: {name}`: {event.function} already uses the name `{name}`; binding it there would change what that name means; pick a fresh name", event.id)
    return None


def _is_call(node: ast.expr) -> bool:
    return isinstance(node.value if isinstance(node, ast.Await) else node, ast.Call)
