"""Presence: whether an event is already logged at its anchor, and the one `log_event` matcher.

Every module that recognises a `log_event(<Enum>.<MEMBER>, ...)` call (presence, re-emit,
revert, coverage, suggest) goes through `log_event_calls`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import Enum
from typing import Iterator

from eventmod.analysis.anchors import Site, Window
from eventmod.model.settings import DEFAULT_GETTER, LOG_METHOD

_DEFAULT_GETTERS = frozenset({DEFAULT_GETTER})


class EmitMode(str, Enum):
    AWAIT = "await"
    BACKGROUND = "background"
    OTHER = "other"  # called some other way (a plain call, gathered, ...)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class LoggedCall:
    """One `log_event` call: the call node, the enum member it logs (None when the first
    argument is not `X.MEMBER`) and its line."""

    call: ast.Call
    member: str | None
    line: int


def log_event_calls(node: ast.AST, method: str = LOG_METHOD) -> Iterator[LoggedCall]:
    """Every `<x>.log_event(...)` call inside `node` (nested scopes included), in walk order."""
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr == method:
            first = child.args[0] if child.args else None
            member = first.attr if isinstance(first, ast.Attribute) else None
            yield LoggedCall(child, member, child.lineno)


def is_log_call_of(node: ast.AST, member: str, method: str = LOG_METHOD) -> bool:
    """Whether `node` itself is a `log_event(<Enum>.member, ...)` call."""
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
        and bool(node.args) and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == member
    )


def is_getter_call(value: ast.AST, getters: frozenset[str]) -> bool:
    """`get_event_logger()` (or an alias, or anything named like an event-logger getter)."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and (
        value.func.id in getters or "event_logger" in value.func.id
    )


def logged_event_names(stmt: ast.AST, getters: frozenset[str] = _DEFAULT_GETTERS) -> set[str] | None:
    """Enum member names of the log_event calls inside `stmt`, or None if `stmt` is not an
    instrumentation statement (a getter assignment or a statement around log_event calls)."""
    found = False
    names: set[str] = set()
    for logged in log_event_calls(stmt):
        found = True
        if logged.member is not None:
            names.add(logged.member)
    if found:
        return names
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and is_getter_call(stmt.value, getters):
        return names
    return None


def emit_mode(stmt: ast.AST, member: str) -> EmitMode:
    """How the log_event call for `member` inside `stmt` is emitted."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Await) and is_log_call_of(node.value, member):
            return EmitMode.AWAIT
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("create_task", "ensure_future") \
                and node.args and is_log_call_of(node.args[0], member):
            return EmitMode.BACKGROUND
    return EmitMode.OTHER


def is_present(site: Site, event_name: str, getters: frozenset[str] = _DEFAULT_GETTERS) -> bool:
    """Whether `event_name` is already logged at this site: the instrumentation statements right
    next to the anchor (in the direction the block would be inserted) log it."""
    return present_block(site, event_name, getters) is not None


@dataclass(frozen=True)
class PresentBlock:
    """The statements that log an event at a site: the getter assignment (when it directly
    precedes) and the statement holding the log_event call, plus how the call is emitted."""

    statements: tuple[ast.stmt, ...]
    mode: EmitMode
    variable: str | None  # the name the getter assignment binds


def instrumentation_window(site: Site, getters: frozenset[str] = _DEFAULT_GETTERS) -> tuple[ast.stmt, ...]:
    """The run of instrumentation statements right next to the site, in source order, on the
    side the block goes."""
    block, index = site.block, site.index
    if site.presence == Window.FORWARD:
        window = block[index + 1:]
    elif site.presence == Window.FORWARD_INCLUSIVE:
        window = block[index:]
    elif site.presence == Window.BACKWARD:
        window = tuple(reversed(block[:index]))
    else:  # backward-inclusive
        window = tuple(reversed(block[: index + 1]))
    run: list[ast.stmt] = []
    for stmt in window:
        if logged_event_names(stmt, getters) is None:
            break
        run.append(stmt)
    if site.presence in (Window.BACKWARD, Window.BACKWARD_INCLUSIVE):
        run.reverse()
    return tuple(run)


def present_block(site: Site, event_name: str, getters: frozenset[str] = _DEFAULT_GETTERS) -> PresentBlock | None:
    if site.presence == Window.WRAPPED:
        parent = site.parent
        if isinstance(parent, ast.Try) and len(parent.body) == 1 and parent.body[0] is site.stmt:
            for handler in parent.handlers:
                found = _find_in_run(tuple(handler.body), event_name, getters)
                if found:
                    return found
        return None
    return _find_in_run(instrumentation_window(site, getters), event_name, getters)


def _find_in_run(run: tuple[ast.stmt, ...], event_name: str, getters: frozenset[str]) -> PresentBlock | None:
    """Within a contiguous run of instrumentation statements (source order), the one logging
    `event_name`, with the getter assignment right before it."""
    for position, stmt in enumerate(run):
        names = logged_event_names(stmt, getters)
        if names and event_name in names:
            previous = run[position - 1] if position else None
            statements: tuple[ast.stmt, ...] = (stmt,)
            variable = None
            if previous is not None and isinstance(previous, ast.Assign) and logged_event_names(previous, getters) == set() \
                    and isinstance(previous.targets[0], ast.Name):
                statements = (previous, stmt)
                variable = previous.targets[0].id
            return PresentBlock(statements, emit_mode(stmt, event_name), variable)
    return None


def followed_by_log_event(site: Site, getters: frozenset[str]) -> bool:
    """The instrumentation statements right after the anchor contain a log_event call (for any
    event): the anchor is already followed by an event."""
    for stmt in site.block[site.index + 1:]:
        logged = logged_event_names(stmt, getters)
        if logged is None:
            return False
        if logged:
            return True
    return False
