"""`capture:` and the `on_error` options, checked against the instrumented function.

A capture is a plain assignment of a value to a fresh name, inserted right before (or after)
the capture anchor so that the event's payload can log a value from before the statement that
changes it. It is checked like `setup`: the names must be fresh (bound, read or imported nowhere
in the function: binding a name the function reads as a global would make it local there), its
expressions must be bound at the capture point, and the capture point must dominate the block:
it is in the same function and every path to the block passes through it (the block's statement
list is the capture's own, or lies inside a statement that comes after the capture point).

An `on_error` wrap binds its exception variable (`as:`, default `exc`) in the handler, which
Python unbinds again when the handler ends: the name must not be one the function binds in any
other way or reads as a global. `then: continue` lets the function go on after a failure of the
wrapped statements: refused when a name they bind is read after them (it would be unbound), or
when they return (the function would return something else).
"""

from __future__ import annotations

import ast

from eventmod.analysis.anchors import LoggerNames, Mode, Site, Window, resolve_anchor, statement_head, statement_starts_with
from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.spec import EventSpec
from eventmod.pyast.bindings import bindings, identifiers
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import SCOPE_BARRIERS, FunctionNode, child_nodes, path_to


@record
class CapturePoint:
    """Where an event's capture statements go: before or after `site.stmt`."""

    site: Site

    @property
    def before(self) -> bool:
        return self.site.mode is not Mode.AFTER


def capture_point(source: SourceFile, function: FunctionNode, event: EventSpec, block: Site,
                  loggers: LoggerNames | None = None) -> CapturePoint | Problem:
    """The capture point of `event` whose block goes at `block`: `capture_before` resolved in
    the same function, or right before the block's anchor statement."""
    if event.capture_anchor is None:
        return CapturePoint(Site(Mode.BEFORE, block.stmt, block.block, block.index, Window.BACKWARD, block.parent))
    anchor = event.capture_anchor
    line = event.line_of("capture_before")
    result = resolve_anchor(source, function, anchor, loggers)
    if result.error:
        listing = "".join(f"\n    {source.path}:{c.line}: {c.text}" for c in result.candidates[:8])
        return Problem(event.spec_file, line, f"capture_before {anchor.describe()} not found in {event.function}: {result.error}"
                                              + (f"; candidates:{listing}" if listing else ""), event.id)
    sites = list(result.sites)
    occurrence = event.capture_occurrence
    if isinstance(occurrence, int):
        if occurrence > len(sites):
            return Problem(event.spec_file, line, f"capture_before: occurrence {occurrence} but the anchor matches {len(sites)} time(s)", event.id)
        sites = [sites[occurrence - 1]]
    elif len(sites) > 1:
        listing = "".join(f"\n    {source.path}:{s.stmt.lineno}" for s in sites)
        return Problem(event.spec_file, line, f"capture_before {anchor.describe()} is ambiguous in {event.function}: {len(sites)} matches; "
                                              f"add `occurrence: N` to it, or make it more specific:{listing}", event.id)
    return CapturePoint(sites[0])


def _position(site: Site) -> int:
    """Index in the site's statement list where something inserted at the site goes."""
    return site.index + 1 if site.mode is Mode.AFTER else site.index


def dominates(function: FunctionNode, point: CapturePoint, block: Site) -> bool:
    """Whether every path from the function's start to the block's place passes through the
    capture point (statement lists run in order; a block nested in a later statement of the
    capture's list is reached only through it)."""
    where = _position(point.site)
    if any(s is point.site.stmt for s in block.block):
        return where <= _position(block)
    for step in path_to(function, block.stmt) or []:
        if any(s is point.site.stmt for s in step.block):
            return where <= step.index
    return False


def capture_problems(source: SourceFile, function: FunctionNode, event: EventSpec, point: CapturePoint, block: Site,
                     reserved: set[str]) -> list[Problem]:
    """Fresh names, and a capture point that dominates the block. `reserved`: names the
    block or other captures in this function use."""
    line = event.line_of("capture")
    problems: list[Problem] = []
    used = identifiers(function)
    for name, _ in event.capture:
        if name in used:
            problems.append(Problem(event.spec_file, line, f"capture name `{name}` is already used in {event.function} "
                                                           f"({source.path}:{function.lineno}): a capture binds a fresh name only; pick another name", event.id))
        elif name in reserved:
            problems.append(Problem(event.spec_file, line, f"capture name `{name}` is also bound by another capture or used by the "
                                                           f"block in {event.function}; pick another name", event.id))
    if not dominates(function, point, block):
        where = f"{source.path}:{point.site.stmt.lineno}"
        target = f"{source.path}:{block.stmt.lineno}"
        problems.append(Problem(event.spec_file, event.line_of("capture_before") if event.capture_anchor else line,
                                f"the capture point ({where}) does not come before the block ({target}) on every path: the block "
                                "would read a name that may be unbound (the capture is in another branch, a loop body, a try body "
                                "whose handler holds the block, or after the block); anchor `capture_before` on a statement of the "
                                "block's own statement list (or one that contains it) before the block", event.id))
    return problems


# -- on_error ----------------------------------------------------------------------------------
def through_statement(source: SourceFile, site: Site, text: str) -> ast.stmt | None:
    """The statement of the wrap's own statement list, at or after the anchor, that starts with
    `text` (the last statement the wrap holds)."""
    for stmt in site.block[site.index:]:
        if statement_starts_with(statement_head(source, stmt), text):
            return stmt
    return None


def wrapped_statements(site: Site) -> list[ast.stmt]:
    last = site.last if site.last is not None else site.stmt
    end = next(i for i, s in enumerate(site.block) if s is last)
    return list(site.block[site.index: end + 1])


def handler_name_problem(source: SourceFile, function: FunctionNode, event: EventSpec) -> Problem | None:
    """The exception variable must not rebind a name the function uses otherwise."""
    name = event.on_error.name
    own = bindings(function)
    others = [n for n in own.get(name, []) if not isinstance(n, ast.ExceptHandler)]
    key = "as" if "as" in dict(event.key_lines) else event.anchor.kind
    if others:
        node = others[0]
        return Problem(event.spec_file, event.line_of(key),
                       f"on_error binds the exception to `{name}` (`except Exception as {name}:`), but {event.function}'s own "
                       f"`{name}` is bound at {source.path}:{getattr(node, 'lineno', function.lineno)}: Python unbinds "
                       f"`except ... as {name}` names when the handler ends, so the function would lose its value; "
                       "set `as:` to a name the function does not use (e.g. `as: db_error`)", event.id)
    if name not in own and name in identifiers(function):
        return Problem(event.spec_file, event.line_of(key),
                       f"{event.function} reads `{name}` from an outer scope; binding it in the handler would make it local to the "
                       f"whole function (UnboundLocalError where it is read); set `as:` to a name the function does not use", event.id)
    return None


def continue_problems(source: SourceFile, function: FunctionNode, event: EventSpec, site: Site) -> list[Problem]:
    """`then: continue` must leave the function able to go on after a failure."""
    wrapped = wrapped_statements(site)
    line = event.line_of("then")
    problems: list[Problem] = []
    for stmt in wrapped:
        for node in _own_nodes(stmt):
            if isinstance(node, ast.Return):
                problems.append(Problem(event.spec_file, line,
                                        f"`then: continue` wraps a `return` ({source.path}:{node.lineno}): after a failure the function "
                                        "would go on past it and return something else; wrap the statement that computes the value "
                                        "instead, or use `then: raise`", event.id))
                return problems
    bound: dict[str, int] = {}
    for stmt in wrapped:
        for node in _own_nodes(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.setdefault(node.id, node.lineno)
    if not bound:
        return problems
    last = wrapped[-1].end_lineno or wrapped[-1].lineno
    for node in _own_nodes(function, skip_self=True):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in bound and node.lineno > last:
            problems.append(Problem(event.spec_file, line,
                                    f"`then: continue`: the wrapped statements bind `{node.id}` ({source.path}:{bound[node.id]}), which "
                                    f"{event.function} reads after them ({source.path}:{node.lineno}); after a failure it would be unbound "
                                    f"(NameError); bind a default before the wrap, or use `then: raise`", event.id))
            break
    return problems


def _own_nodes(node: ast.AST, skip_self: bool = False):
    """The nodes of `node`'s own code (nested functions, classes and lambdas not entered)."""
    stack = list(child_nodes(node)) if skip_self else [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, SCOPE_BARRIERS):
            continue
        stack.extend(child_nodes(current))
