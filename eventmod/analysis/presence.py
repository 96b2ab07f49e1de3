"""Presence: whether an event is already logged at its anchor, and the one `log_event` matcher.

Every module that recognises a `log_event(<Enum>.<MEMBER>, ...)` call (presence, re-emit,
revert, coverage, suggest) goes through `CallMatcher` and `log_event_calls`: the method or
function name comes from the configured call shape (`method`, `call`, `sync_method`).
"""

from __future__ import annotations

import ast
from typing import Iterator

from eventmod.analysis.anchors import Mode, Site, Window
from eventmod.model.record import record
from eventmod.model.settings import DEFAULT_GETTER, LOG_METHOD, CallShape
from eventmod.model.text_enum import TextEnum
from eventmod.pyast.bindings import is_alias_of
from eventmod.pyast.walk import path_to, walk_nodes


class EmitMode(TextEnum):
    AWAIT = "await"
    BACKGROUND = "background"
    SYNC = "sync"  # a plain call of the logger's sync call
    OTHER = "other"  # called some other way (an async call not awaited, gathered, ...)


@record
class CallMatcher:
    """What a logging call looks like in one file: `<x>.<name>(Enum.X, ...)` for a name in
    `methods` (the getter shape), `<name>(Enum.X, ...)` for a local name in `functions` (the
    function shape, aliases included). Names in `sync` are plain defs, called without `await`.
    `getters`: the local names of the getter."""

    methods: frozenset[str] = frozenset({LOG_METHOD})
    functions: frozenset[str] = frozenset()
    sync: frozenset[str] = frozenset()
    getters: frozenset[str] = frozenset({DEFAULT_GETTER})
    imported: frozenset[str] = frozenset()  # original names a local import of the logger may bring in

    @classmethod
    def of(cls, call: CallShape, getters: frozenset[str] = frozenset({DEFAULT_GETTER}),
           functions: frozenset[str] = frozenset()) -> "CallMatcher":
        """The matcher for a call shape; `functions`: local names (aliases) of the imported
        function in this file (call = "function")."""
        if call.function:
            local = frozenset({call.method, *functions})
            return cls(frozenset(), local, local if not call.is_async else frozenset(), getters, frozenset({call.method}))
        return cls(call.names, frozenset(), frozenset(n for n in (call.sync_call,) if n), getters, frozenset())

    @classmethod
    def loose(cls, call: CallShape) -> "CallMatcher":
        """Any call of the configured names, as a method or as a function (coverage counts the
        calls of files nobody wrote a spec for, whatever their shape)."""
        names = call.names
        return cls(names, names, frozenset(n for n in (call.sync_call,) if n), frozenset({DEFAULT_GETTER}), names)

    def callee(self, call: ast.AST) -> str | None:
        """The name `call` calls when it is a logging call of this shape, else None."""
        if not isinstance(call, ast.Call):
            return None
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in self.methods:
            return func.attr
        if isinstance(func, ast.Name) and (func.id in self.functions or (
                self.functions and any(is_alias_of(func.id, name) for name in self.imported))):
            return func.id  # an alias a function-local import chose counts too
        return None

    def is_sync(self, name: str | None) -> bool:
        """Whether the callee `name` is a plain def (called without await)."""
        return name is not None and (name in self.sync or any(is_alias_of(name, n) for n in self.sync))

    def markers(self) -> tuple[str, ...]:
        """Text that a file holding such a call contains (a cheap filter before parsing)."""
        return tuple(sorted(self.methods | self.functions))


DEFAULT_MATCHER = CallMatcher()


@record
class LoggedCall:
    """One `log_event` call: the call node, the enum member it logs (None when the first
    argument is not `X.MEMBER`) and its line."""

    call: ast.Call
    member: str | None
    line: int


def log_event_calls(node: ast.AST, matcher: CallMatcher = DEFAULT_MATCHER) -> Iterator[LoggedCall]:
    """Every logging call (`<x>.log_event(...)`, or the shape `matcher` describes) inside `node`
    (nested scopes included), in walk order."""
    for child in walk_nodes(node):
        if matcher.callee(child) is not None:
            first = child.args[0] if child.args else None  # type: ignore[attr-defined]
            member = first.attr if isinstance(first, ast.Attribute) else None
            yield LoggedCall(child, member, child.lineno)  # type: ignore[arg-type]


def is_log_call_of(node: ast.AST, member: str, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """Whether `node` itself is a logging call of `<Enum>.member`."""
    return (
        matcher.callee(node) is not None and bool(node.args)  # type: ignore[attr-defined]
        and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == member  # type: ignore[attr-defined]
    )


def is_getter_call(value: ast.AST, getters: frozenset[str]) -> bool:
    """`get_event_logger()` (or an alias, or anything named like an event-logger getter)."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and (
        value.func.id in getters or "event_logger" in value.func.id
    )


_SCHEDULERS = ("create_task", "ensure_future")


@record
class _CallStatement:
    """A statement that is one event-logging call (awaited, plain or scheduled): the member it logs
    and the call's receiver."""

    member: str | None  # the member it logs (None when the first argument is not `X.MEMBER`)
    receiver: ast.expr | None  # `x` in `x.log_event(...)`; None for a function call


def _call_member(stmt: ast.stmt, matcher: CallMatcher) -> _CallStatement | None:
    """For a statement that is one logging call (awaited, plain, or scheduled with
    create_task/ensure_future): the member it logs and the call's receiver; else None."""
    if not isinstance(stmt, ast.Expr):
        return None
    value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _SCHEDULERS \
            and len(value.args) == 1:
        value = value.args[0]
    if matcher.callee(value) is not None:
        assert isinstance(value, ast.Call)
        first = value.args[0] if value.args else None
        receiver = value.func.value if isinstance(value.func, ast.Attribute) else None
        return _CallStatement(first.attr if isinstance(first, ast.Attribute) else None, receiver)
    return None


def _is_loop_guard(stmt: ast.stmt, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """`try: asyncio.get_running_loop() / except RuntimeError: ... / else: <schedule>`."""
    return (
        isinstance(stmt, ast.Try) and len(stmt.body) == 1 and isinstance(stmt.body[0], ast.Expr)
        and isinstance(stmt.body[0].value, ast.Call) and isinstance(stmt.body[0].value.func, ast.Attribute)
        and stmt.body[0].value.func.attr == "get_running_loop" and len(stmt.handlers) == 1
        and bool(stmt.orelse) and all(_call_member(s, matcher) is not None for s in stmt.orelse) and not stmt.finalbody
    )


def _is_setup(stmt: ast.stmt, matcher: CallMatcher) -> bool:
    """A statement a block runs before its call (`setup`): a simple statement that logs nothing."""
    return isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)) and not any(True for _ in log_event_calls(stmt, matcher))


def _guarded_members(stmt: ast.If, matcher: CallMatcher) -> set[str] | None:
    """`if <logger>[ and (...)]: [setup...] <log_event call>`: the members it logs, or None when
    the `if` is not such a guard (its test is not the receiver of the calls, as in an
    `if failed:` block that logs on another path). With the function shape the calls have no
    receiver: the guard is the event's `when`, any test."""
    if stmt.orelse:
        return None
    guard = stmt.test.values[0] if isinstance(stmt.test, ast.BoolOp) and isinstance(stmt.test.op, ast.And) else stmt.test
    wanted = ast.dump(guard) if isinstance(guard, (ast.Name, ast.Attribute)) else None
    members: set[str] = set()
    calls = 0
    for inner in stmt.body:
        found = [_call_member(s, matcher) for s in (inner.orelse if _is_loop_guard(inner, matcher) else [inner])]  # type: ignore[attr-defined]
        if all(f is not None for f in found):
            for call in found:
                assert call is not None
                if call.receiver is None:
                    if wanted is not None and not matcher.functions:
                        return None
                elif wanted is None or ast.dump(call.receiver) != wanted:
                    return None
                calls += 1
                if call.member is not None:
                    members.add(call.member)
        elif _is_setup(inner, matcher):
            continue
        else:
            return None
    return members if calls else None


def _is_logger_import(stmt: ast.ImportFrom, matcher: CallMatcher) -> bool:
    return any(a.name in matcher.getters or "event_logger" in a.name or a.name in matcher.imported
               or (a.asname or a.name) in matcher.functions for a in stmt.names)


def logged_event_names(stmt: ast.AST, matcher: CallMatcher = DEFAULT_MATCHER) -> set[str] | None:
    """Enum member names logged by `stmt` when it is an instrumentation statement, else None.

    Instrumentation statements are what a block is made of: a getter assignment, a
    function-local import of the getter, a `log_event` call statement (awaited, plain or
    scheduled), an `if <logger>:` guard around such calls, and a `try:` made only of those (a
    fail-safe block). A statement that merely contains a log_event call somewhere (an
    `if failed:` branch, a loop, a `with` block) logs on another path and is not one."""
    getters = matcher.getters
    if isinstance(stmt, ast.Assign):
        return set() if len(stmt.targets) == 1 and is_getter_call(stmt.value, getters) else None
    if isinstance(stmt, ast.ImportFrom):
        return set() if _is_logger_import(stmt, matcher) else None
    if isinstance(stmt, ast.Expr):
        found = _call_member(stmt, matcher)
        return None if found is None else ({found.member} if found.member is not None else set())
    if isinstance(stmt, ast.If):
        return _guarded_members(stmt, matcher)
    if isinstance(stmt, ast.Try) and _is_loop_guard(stmt, matcher):
        return {c.member for s in stmt.orelse if (c := _call_member(s, matcher)) is not None and c.member is not None}
    if isinstance(stmt, ast.Try) and not stmt.orelse and not stmt.finalbody and stmt.handlers:
        if any(any(True for _ in log_event_calls(h, matcher)) for h in stmt.handlers):
            return None
        members: set[str] = set()
        logged = False
        for position, inner in enumerate(stmt.body):
            if position == 0 and is_message_line(inner):
                continue  # an on_error `message` line, first in the handler's fail-safe block
            names = logged_event_names(inner, matcher)
            if names is None and matcher.functions and _is_setup(inner, matcher):
                continue  # the function shape's setup statements, before its call
            if names is None or (isinstance(inner, ast.Try) and not _is_loop_guard(inner, matcher)):
                return None
            if not (isinstance(inner, (ast.Assign, ast.ImportFrom))):
                logged = True
            members |= names
        return members if logged else None
    return None


_MESSAGE_LEVELS = frozenset({"error", "exception", "warning", "critical"})


def is_message_line(stmt: ast.stmt) -> bool:
    """`<logger>.error(<message>)`: the line an on_error `message` adds before the event."""
    return (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute)
        and stmt.value.func.attr in _MESSAGE_LEVELS and len(stmt.value.args) == 1 and not stmt.value.keywords
        and isinstance(stmt.value.args[0], (ast.JoinedStr, ast.Constant))
    )


def emit_mode(stmt: ast.AST, member: str, matcher: CallMatcher = DEFAULT_MATCHER) -> EmitMode:
    """How the logging call for `member` inside `stmt` is emitted."""
    for node in walk_nodes(stmt):
        if isinstance(node, ast.Await) and is_log_call_of(node.value, member, matcher):
            return EmitMode.AWAIT
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SCHEDULERS \
                and node.args and is_log_call_of(node.args[0], member, matcher):
            return EmitMode.BACKGROUND
    for node in walk_nodes(stmt):
        if isinstance(node, ast.Expr) and is_log_call_of(node.value, member, matcher) \
                and matcher.is_sync(matcher.callee(node.value)):
            return EmitMode.SYNC
    return EmitMode.OTHER


def is_present(site: Site, event_name: str, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """Whether `event_name` is already logged at this site: the instrumentation statements right
    next to the anchor (in the direction the block would be inserted) log it."""
    return present_block(site, event_name, matcher) is not None


@record
class PresentBlock:
    """The statements that log an event at a site: the function-local import and the getter
    assignment (when they directly precede) and the statement holding the log_event call (for a
    fail-safe block: the one `try`), plus how the call is emitted."""

    statements: tuple[ast.stmt, ...]
    mode: EmitMode
    variable: str | None  # the name the getter assignment binds (None for the function shape)


def _window(site: Site) -> tuple[ast.stmt, ...]:
    block, index = site.block, site.index
    if site.presence == Window.FORWARD:
        return block[index + 1:]
    if site.presence == Window.FORWARD_INCLUSIVE:
        return block[index:]
    if site.presence == Window.BACKWARD:
        return tuple(reversed(block[:index]))
    return tuple(reversed(block[: index + 1]))  # backward-inclusive


def _backward(site: Site) -> bool:
    return site.presence in (Window.BACKWARD, Window.BACKWARD_INCLUSIVE)


def instrumentation_window(site: Site, matcher: CallMatcher = DEFAULT_MATCHER) -> tuple[ast.stmt, ...]:
    """The run of instrumentation statements right next to the site, in source order, on the
    side the block goes."""
    run: list[ast.stmt] = []
    for stmt in _window(site):
        if logged_event_names(stmt, matcher) is None:
            break
        run.append(stmt)
    if _backward(site):
        run.reverse()
    return tuple(run)


def is_error_wrap(stmt: ast.AST, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """An `on_error` wrap that re-raises: `try: <statements> / except ...: <logs an event> ...
    raise` with no else or finally (the handler always re-raises, so code before or after the
    `try` runs exactly when it would run before the first or after the last wrapped statement)."""
    if not (isinstance(stmt, ast.Try) and stmt.body and len(stmt.handlers) == 1
            and not stmt.orelse and not stmt.finalbody):
        return False
    handler = stmt.handlers[0]
    last = handler.body[-1]
    return isinstance(last, ast.Raise) and last.exc is None and any(True for _ in log_event_calls(handler, matcher))


def holds_only_blocks(stmt: ast.AST, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """An `on_error` wrap as eventmod writes it: `is_error_wrap`, and its handler holds nothing
    before the `raise` but the event's block (its `message` line first, when it has one). A
    `try` of the code's own whose handler logs an event somewhere in its statements and then
    re-raises is an `is_error_wrap` (a block goes before or after it as before or after the
    statements it wraps) but none of its lines are eventmod's."""
    if not is_error_wrap(stmt, matcher):
        return False
    body = stmt.handlers[0].body[:-1]  # type: ignore[attr-defined]
    return bool(body) and all(logged_event_names(inner, matcher) is not None or (index == 0 and is_message_line(inner))
                              for index, inner in enumerate(body))


def is_continue_wrap(stmt: ast.AST, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """An `on_error` wrap with `then: continue`: `try: <statements> / except Exception as x:`
    whose handler holds nothing but the event's block (no `raise`), no else or finally."""
    if not (isinstance(stmt, ast.Try) and stmt.body and len(stmt.handlers) == 1 and not stmt.orelse and not stmt.finalbody):
        return False
    handler = stmt.handlers[0]
    if not (isinstance(handler.type, ast.Name) and handler.type.id == "Exception" and handler.name):
        return False
    logged = [logged_event_names(s, matcher) for s in handler.body]
    return all(names is not None for names in logged) and any(logged)


def wrapped_handler_block(site: Site, event_name: str, matcher: CallMatcher) -> PresentBlock | None:
    """The event's block in the handler of the `try` that wraps exactly the site's statements
    (the anchor statement through `site.last`)."""
    parent = site.parent
    last = site.last if site.last is not None else site.stmt
    if isinstance(parent, ast.Try) and parent.body[0] is site.stmt and parent.body[-1] is last:
        for handler in parent.handlers:
            found = _find_in_run(tuple(handler.body), event_name, matcher)
            if found:
                return found
    return None


def present_block(site: Site, event_name: str, matcher: CallMatcher = DEFAULT_MATCHER) -> PresentBlock | None:
    if site.presence == Window.WRAPPED:
        return wrapped_handler_block(site, event_name, matcher)
    return _find_in_run(instrumentation_window(site, matcher), event_name, matcher)


def lift_out_of_wrap(function: ast.AST, site: Site, matcher: CallMatcher = DEFAULT_MATCHER) -> Site:
    """A before/after site whose statement an `on_error` wrap already holds moves to the wrap:
    the block goes before/after the whole `try` (where a first run put it too), never inside
    the wrap's body, so a second event on the same statement stays idempotent."""
    parent = site.parent
    if site.mode == Mode.WRAP or not (isinstance(parent, ast.Try) and is_error_wrap(parent, matcher)):
        return site
    if parent.body[0] is not site.stmt and parent.body[-1] is not site.stmt:
        return site
    if (site.mode == Mode.BEFORE and parent.body[0] is not site.stmt) or (site.mode == Mode.AFTER and parent.body[-1] is not site.stmt):
        return site
    path = path_to(function, site.parent)  # type: ignore[arg-type]
    if not path:
        return site
    step = path[-1]
    return lift_out_of_wrap(function, Site(site.mode, site.parent, tuple(step.block), step.index, site.presence, step.owner), matcher)  # type: ignore[arg-type]


def inside_instrumentation(function: ast.AST, stmt: ast.stmt, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """Whether `stmt` lies inside an instrumentation statement (a fail-safe block's
    `except Exception:` handler, its report line; a loop guard's line): such statements are
    eventmod's (or the team's) logging, never an anchor nor the code's own logger call."""
    path = path_to(function, stmt) or []
    return any(logged_event_names(step.block[step.index], matcher) is not None for step in path[:-1])


# How far from its anchor (in statements) eventmod still recognises an event's block, so that a
# reviewer's edit in between (an added log line) is reported as drift instead of a second block.
DRIFT_WINDOW = 3


@record
class DriftedBlock:
    """An event's block found a few statements away from its anchor (`drifted_block`), and how many
    statements lie in between."""

    block: PresentBlock
    between: int  # statements between the anchor's place and the block


def drifted_block(site: Site, event_name: str, matcher: CallMatcher = DEFAULT_MATCHER) -> DriftedBlock | None:
    """The event's block a few statements away from its anchor (at most DRIFT_WINDOW other
    statements in between, on the side the block goes, in the same statement list), when the
    anchor itself has none; or, for `on_error`, an error wrap around the anchor whose body has
    grown. None when there is no such block."""
    if site.presence == Window.WRAPPED:
        parent = site.parent
        last = site.last if site.last is not None else site.stmt
        if isinstance(parent, ast.Try) and (parent.body[0] is not site.stmt or parent.body[-1] is not last) \
                and len(parent.handlers) == 1:
            found = _find_in_run(tuple(parent.handlers[0].body), event_name, matcher)
            if found:
                positions = [i for i, s in enumerate(parent.body) if s is site.stmt or s is last]
                wrapped = positions[-1] - positions[0] + 1 if positions else 1
                return DriftedBlock(found, len(parent.body) - wrapped)
        return None
    window = _window(site)
    skipped = 0
    for position, stmt in enumerate(window):
        if logged_event_names(stmt, matcher) is not None:
            if not skipped:
                continue  # the adjacent run: present_block looked there
            run: list[ast.stmt] = []
            for candidate in window[position:]:
                if logged_event_names(candidate, matcher) is None:
                    break
                run.append(candidate)
            if _backward(site):
                run.reverse()
            found = _find_in_run(tuple(run), event_name, matcher)
            if found:
                return DriftedBlock(found, skipped)
            continue
        skipped += 1
        if skipped > DRIFT_WINDOW:
            return None
    return None


def _find_in_run(run: tuple[ast.stmt, ...], event_name: str, matcher: CallMatcher) -> PresentBlock | None:
    """Within a contiguous run of instrumentation statements (source order), the one logging
    `event_name`, with the getter assignment (and a local import) right before it."""
    getters = matcher.getters
    for position, stmt in enumerate(run):
        names = logged_event_names(stmt, matcher)
        if names and event_name in names:
            statements: list[ast.stmt] = [stmt]
            variable = _inner_variable(stmt, getters)
            previous = run[position - 1] if position else None
            if previous is not None and isinstance(previous, ast.Assign) and logged_event_names(previous, matcher) == set() \
                    and isinstance(previous.targets[0], ast.Name):
                statements.insert(0, previous)
                variable = previous.targets[0].id
                before = run[position - 2] if position > 1 else None
                if isinstance(before, ast.ImportFrom):
                    statements.insert(0, before)
            elif isinstance(previous, ast.ImportFrom) and matcher.functions and not matcher.methods:
                statements.insert(0, previous)  # the function shape: a local import right before the call
            return PresentBlock(tuple(statements), emit_mode(stmt, event_name, matcher), variable)
    return None


def _inner_variable(stmt: ast.stmt, getters: frozenset[str]) -> str | None:
    """The getter variable assigned inside a fail-safe `try`."""
    if isinstance(stmt, ast.Try):
        for inner in stmt.body:
            if isinstance(inner, ast.Assign) and is_getter_call(inner.value, getters) and isinstance(inner.targets[0], ast.Name):
                return inner.targets[0].id
    return None


@record
class BlockShape:
    """How a present block was written, read back from its statements (re-emit and revert
    render it again with these to see whether it is exactly what eventmod writes)."""

    emit: EmitMode
    failsafe: bool
    failsafe_level: str
    loop_guard: bool
    local_import: str  # the import statement's text, "" when the block has none
    variable: str | None
    getter: str | None
    enum: str | None
    asyncio: str | None
    report: str | None  # the logger expression failures are reported through
    callee: str | None = None  # the method or function the block calls
    function: bool = False  # a function-shape call (`log_event(...)`, no receiver)


def block_shape(block: PresentBlock, member: str, matcher: CallMatcher = DEFAULT_MATCHER) -> BlockShape:
    statements = list(block.statements)
    failsafe, level, report = False, "warning", None
    if len(statements) == 1 and isinstance(statements[0], ast.Try) and len(statements[0].handlers) == 1:
        handler = statements[0].handlers[0]
        call = _report_call(handler.body)
        if isinstance(handler.type, ast.Name) and handler.type.id == "Exception" and handler.name is None and call is not None:
            failsafe, level, report = True, call.func.attr, ast.unparse(call.func.value)  # type: ignore[attr-defined]
        statements = list(statements[0].body)
    local_import = next((ast.unparse(s) for s in statements if isinstance(s, ast.ImportFrom)), "")
    assignment = next((s for s in statements if isinstance(s, ast.Assign)), None)
    variable = getter = enum = asyncio_name = None
    if assignment is not None and isinstance(assignment.targets[0], ast.Name) and isinstance(assignment.value, ast.Call) \
            and isinstance(assignment.value.func, ast.Name):
        variable, getter = assignment.targets[0].id, assignment.value.func.id
    loop_guard = False
    callee, function = None, False
    for node in walk_nodes(ast.Module(body=statements, type_ignores=[])):
        if isinstance(node, ast.Try) and _is_loop_guard(node, matcher):
            loop_guard = True
            call = _report_call(node.handlers[0].body)
            if call is not None and report is None:
                report = ast.unparse(call.func.value)  # type: ignore[attr-defined]
        elif is_log_call_of(node, member, matcher):
            first = node.args[0]  # type: ignore[attr-defined]
            if isinstance(first.value, ast.Name):
                enum = first.value.id
            callee = matcher.callee(node)
            function = isinstance(node.func, ast.Name)  # type: ignore[attr-defined]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SCHEDULERS \
                and isinstance(node.func.value, ast.Name):
            asyncio_name = node.func.value.id
    return BlockShape(block.mode, failsafe, level, loop_guard, local_import, variable, getter, enum, asyncio_name, report,
                      callee, function)


def _report_call(body: list[ast.stmt]) -> ast.Call | None:
    """The one `<logger>.<level>(...)` call statement of a handler body."""
    if len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call) \
            and isinstance(body[0].value.func, ast.Attribute):
        return body[0].value
    return None


def followed_by_log_event(site: Site, matcher: CallMatcher = DEFAULT_MATCHER) -> bool:
    """The instrumentation statements right after the anchor contain a log_event call (for any
    event): the anchor is already followed by an event."""
    for stmt in site.block[site.index + 1:]:
        logged = logged_event_names(stmt, matcher)
        if logged is None:
            return False
        if logged:
            return True
    return False
