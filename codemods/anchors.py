"""Anchor resolution over stdlib `ast`: find the function, then the statement(s) an anchor names.

Pure functions over an already-parsed module. A resolved anchor is a `Site`: where the block
goes (before/after a statement, or wrapping it) and the statements around it, from which
presence (idempotency) is decided.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterator

from codemods.source import SourceFile
from codemods.spec_model import Anchor

LOGGER_RECEIVERS = {"logger", "log", "_logger", "_log", "LOGGER", "LOG"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"}
_SCOPE_BARRIERS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[diouxXeEfFgGcrsa%]")
_WS = re.compile(r"\s+")

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Site:
    """Where one event's block goes, in terms of the original source."""

    mode: str  # "before" | "after" | "wrap"
    stmt: ast.stmt  # the statement the block goes before/after, or that is wrapped
    block: tuple[ast.stmt, ...]  # the statement list `stmt` belongs to
    index: int  # position of `stmt` in `block`
    presence: str  # "forward" | "forward-inclusive" | "backward" | "backward-inclusive" | "wrapped"
    parent: ast.AST | None = None  # the node owning `block` (for the on_error presence check)

    @property
    def line(self) -> int:
        """1-based line where the block will start in the original file."""
        return self.stmt.end_lineno + 1 if self.mode == "after" else self.stmt.lineno  # type: ignore[operator]


@dataclass(frozen=True)
class Candidate:
    line: int
    text: str


@dataclass(frozen=True)
class AnchorResult:
    sites: tuple[Site, ...] = ()
    error: str | None = None
    candidates: tuple[Candidate, ...] = ()


# -- functions ---------------------------------------------------------------------------------
def index_functions(tree: ast.Module) -> dict[str, FunctionNode]:
    """Qualified name -> function, for every function of the module (methods as Class.method,
    nested functions as outer.inner and outer.<locals>.inner)."""
    found: dict[str, FunctionNode] = {}

    def visit(body: list[ast.stmt], prefix: str, local_prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(prefix + node.name, node)
                found.setdefault(local_prefix + node.name, node)
                visit(node.body, f"{prefix}{node.name}.", f"{local_prefix}{node.name}.<locals>.")
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.", f"{local_prefix}{node.name}.")
            elif isinstance(node, (ast.If, ast.Try, ast.With)):  # conditional definitions
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []), prefix, local_prefix)

    visit(tree.body, "", "")
    return found


def index_classes(tree: ast.Module) -> frozenset[str]:
    """Qualified names of the module's classes (to explain why a class is no target)."""
    found: set[str] = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                found.add(prefix + node.name)
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return frozenset(found)


# -- statement walk ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Placed:
    stmt: ast.stmt
    block: tuple[ast.stmt, ...]
    index: int
    parent: ast.AST


def walk_statements(function: FunctionNode) -> Iterator[Placed]:
    """Every statement of the function's own body, at any depth, in source order; does not
    enter nested functions or classes (their statements run in another scope)."""

    def walk(parent: ast.AST, body: list[ast.stmt]) -> Iterator[Placed]:
        block = tuple(body)
        for index, stmt in enumerate(body):
            yield Placed(stmt, block, index, parent)
            if isinstance(stmt, _SCOPE_BARRIERS):
                continue
            for child_parent, child_body in child_blocks(stmt):
                yield from walk(child_parent, child_body)

    yield from walk(function, function.body)


def child_blocks(stmt: ast.stmt) -> Iterator[tuple[ast.AST, list[ast.stmt]]]:
    for field in ("body", "orelse", "finalbody"):
        body = getattr(stmt, field, None)
        if body:
            yield stmt, body
    for handler in getattr(stmt, "handlers", ()) or ():
        yield handler, handler.body
    for case in getattr(stmt, "cases", ()) or ():
        yield case, case.body


# -- logger calls ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogCall:
    level: str
    template: str | None  # message with placeholders written {}, or None if not a literal


def log_call_of(stmt: ast.stmt) -> LogCall | None:
    if not isinstance(stmt, ast.Expr):
        return None
    call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    if call.func.attr not in LOG_METHODS or _receiver_name(call.func.value) not in LOGGER_RECEIVERS:
        return None
    template = message_template(call.args[0]) if call.args else None
    return LogCall("warning" if call.func.attr == "warn" else call.func.attr, template)


def _receiver_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def message_template(node: ast.expr) -> str | None:
    """The literal text of a log message, each interpolation written `{}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("{}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = message_template(node.left)
        return _PERCENT.sub(lambda m: "%" if m.group(0) == "%%" else "{}", left) if left is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = message_template(node.left), message_template(node.right)
        return (left or "{}") + (right or "{}")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return _PLACEHOLDER.sub("{}", node.func.value.value)
    return None


def normalize_log_text(text: str) -> str:
    return _PLACEHOLDER.sub("{}", text)


# -- statement text ----------------------------------------------------------------------------
def statement_head(source: SourceFile, stmt: ast.stmt) -> str:
    """Whitespace-normalised source of a simple statement, or the header line of a compound one."""
    if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
                         ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _is_try_star(stmt) or _is_match(stmt):
        line = source.lines[stmt.lineno - 1]
        text = line[source.char_col(stmt.lineno, stmt.col_offset):]
    else:
        text = source.segment(stmt)
    return _WS.sub(" ", text).strip()


def _is_try_star(stmt: ast.stmt) -> bool:
    return type(stmt).__name__ == "TryStar"


def _is_match(stmt: ast.stmt) -> bool:
    return type(stmt).__name__ == "Match"


def statement_starts_with(head: str, prefix: str) -> bool:
    wanted = _WS.sub(" ", prefix).strip()
    if not head.startswith(wanted):
        return False
    rest = head[len(wanted):]
    # `before: return` must not match `returned = 1`: a word prefix must end at a word boundary.
    return not (rest and (rest[0].isalnum() or rest[0] == "_") and (wanted[-1].isalnum() or wanted[-1] == "_"))


def handler_names(handler: ast.ExceptHandler) -> list[str]:
    if handler.type is None:
        return []
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = []
    for node in types:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            dotted = _dotted(node)
            if dotted:
                names.append(dotted)
    return names


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# -- resolution --------------------------------------------------------------------------------
def resolve_anchor(source: SourceFile, function: FunctionNode, anchor: Anchor) -> AnchorResult:
    """All sites the anchor matches in the function (the caller applies `occurrence`)."""
    if anchor.kind == "at":
        return AnchorResult((_at_site(function, anchor.text),))
    placed = list(walk_statements(function))
    if anchor.kind == "after_log":
        return _after_log(placed, anchor)
    if anchor.kind in ("after", "before", "on_error"):
        return _statement_anchor(source, placed, anchor)
    if anchor.kind == "in_except":
        return _in_except(function, placed, anchor)
    raise AssertionError(anchor.kind)


def _site(mode: str, p: Placed, presence: str) -> Site:
    return Site(mode, p.stmt, p.block, p.index, presence, p.parent)


def _at_site(function: FunctionNode, where: str) -> Site:
    body = function.body
    block = tuple(body)
    if where == "start":
        first = body[0]
        has_docstring = (
            isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
        )
        if has_docstring and len(body) == 1:
            return Site("after", first, block, 0, "forward", function)
        index = 1 if has_docstring else 0
        return Site("before", body[index], block, index, "forward-inclusive", function)
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return Site("before", last, block, len(body) - 1, "backward", function)
    return Site("after", last, block, len(body) - 1, "backward-inclusive", function)


def _after_log(placed: list[Placed], anchor: Anchor) -> AnchorResult:
    wanted = normalize_log_text(anchor.text)
    sites, candidates = [], []
    for p in placed:
        call = log_call_of(p.stmt)
        if call is None:
            continue
        candidates.append(Candidate(p.stmt.lineno, f"logger.{call.level}({call.template!r})" if call.template is not None else f"logger.{call.level}(<non-literal message>)"))
        if call.template is None or wanted not in call.template:
            continue
        if anchor.level and call.level != ("warning" if anchor.level == "warn" else anchor.level):
            continue
        sites.append(_site("after", p, "forward"))
    if sites:
        return AnchorResult(tuple(sites))
    # Closest messages first, so the likely intended one is on top.
    import difflib

    ranked = sorted(
        candidates,
        key=lambda c: -difflib.SequenceMatcher(None, wanted, c.text, autojunk=False).ratio(),
    )
    hint = "no logger call in the function" if not candidates else "no logger call whose message contains the text"
    return AnchorResult(error=hint, candidates=tuple(ranked))


def _statement_anchor(source: SourceFile, placed: list[Placed], anchor: Anchor) -> AnchorResult:
    sites, candidates = [], []
    for p in placed:
        head = statement_head(source, p.stmt)
        candidates.append(Candidate(p.stmt.lineno, head[:100]))
        if statement_starts_with(head, anchor.text):
            mode = {"after": "after", "before": "before", "on_error": "wrap"}[anchor.kind]
            presence = {"after": "forward", "before": "backward", "wrap": "wrapped"}[mode]
            sites.append(_site(mode, p, presence))
    if sites:
        return AnchorResult(tuple(sites))
    import difflib

    wanted = _WS.sub(" ", anchor.text).strip()
    ranked = sorted(candidates, key=lambda c: -difflib.SequenceMatcher(None, wanted, c.text[: len(wanted) + 10], autojunk=False).ratio())
    return AnchorResult(error="no statement starts with that text", candidates=tuple(ranked[:8]))


def _in_except(function: FunctionNode, placed: list[Placed], anchor: Anchor) -> AnchorResult:
    sites, candidates = [], []
    for p in placed:
        for handler in getattr(p.stmt, "handlers", ()) or ():
            names = handler_names(handler)
            label = ", ".join(names) if names else "<bare except>"
            candidates.append(Candidate(handler.lineno, f"except {label}"))
            if anchor.text == "*" or anchor.text in names:
                first = handler.body[0]
                sites.append(Site("before", first, tuple(handler.body), 0, "forward-inclusive", handler))
    if sites:
        return AnchorResult(tuple(sites))
    hint = "no except handler in the function" if not candidates else "no handler catches that exception"
    return AnchorResult(error=hint, candidates=tuple(candidates))


# -- presence ----------------------------------------------------------------------------------
def logged_event_names(stmt: ast.AST, getters: frozenset[str] = frozenset({"get_event_logger"})) -> set[str] | None:
    """EventType member names of the log_event calls inside `stmt`, or None if `stmt` is not an
    instrumentation statement (a getter assignment or a statement around log_event calls)."""
    names: set[str] = set()
    found = False
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "log_event":
            found = True
            if node.args and isinstance(node.args[0], ast.Attribute):
                names.add(node.args[0].attr)
    if found:
        return names
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and len(stmt.targets) == 1:
        func = stmt.value.func
        if isinstance(func, ast.Name) and (func.id in getters or "event_logger" in func.id):
            return names
    return None


def is_present(site: Site, event_name: str, getters: frozenset[str] = frozenset({"get_event_logger"})) -> bool:
    """Whether `event_name` is already logged at this site: the instrumentation statements right
    next to the anchor (in the direction the block would be inserted) log it."""
    return present_block(site, event_name, getters) is not None


@dataclass(frozen=True)
class PresentBlock:
    """The statements that log an event at a site: the getter assignment (when it directly
    precedes) and the statement holding the log_event call, plus how the call is emitted."""

    statements: tuple[ast.stmt, ...]
    mode: str  # "await" | "background" | "other"
    variable: str | None  # the name the getter assignment binds


def present_block(site: Site, event_name: str, getters: frozenset[str] = frozenset({"get_event_logger"})) -> PresentBlock | None:
    if site.presence == "wrapped":
        parent = site.parent
        if isinstance(parent, ast.Try) and len(parent.body) == 1 and parent.body[0] is site.stmt:
            for handler in parent.handlers:
                found = _find_in_run(tuple(handler.body), event_name, getters)
                if found:
                    return found
        return None
    block, index = site.block, site.index
    if site.presence == "forward":
        window = block[index + 1:]
    elif site.presence == "forward-inclusive":
        window = block[index:]
    elif site.presence == "backward":
        window = tuple(reversed(block[:index]))
    else:  # backward-inclusive
        window = tuple(reversed(block[: index + 1]))
    run: list[ast.stmt] = []
    for stmt in window:
        if logged_event_names(stmt, getters) is None:
            break
        run.append(stmt)
    if window is not block[index + 1:] and site.presence.startswith("backward"):
        run.reverse()
    return _find_in_run(tuple(run), event_name, getters)


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
            return PresentBlock(statements, _emit_mode(stmt, event_name), variable)
    return None


def _emit_mode(stmt: ast.stmt, event_name: str) -> str:
    for node in ast.walk(stmt):
        if isinstance(node, ast.Await) and _is_log_call(node.value, event_name):
            return "await"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("create_task", "ensure_future") \
                and node.args and _is_log_call(node.args[0], event_name):
            return "background"
    return "other"


def _is_log_call(node: ast.AST, event_name: str) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "log_event"
        and bool(node.args) and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == event_name
    )


def bound_names(function: FunctionNode) -> set[str]:
    """Names the function binds or reads locally (used to pick a free variable name)."""
    names: set[str] = set()
    args = function.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            names.add(arg.arg)
    for node in ast.walk(function):
        if isinstance(node, ast.Name):
            names.add(node.id)
    return names


def logger_variable(function: FunctionNode, getter_names: set[str], preferred: str = "event_logger",
                    source: SourceFile | None = None) -> str:
    """`event_logger`, unless the function uses that name for something else."""
    if source is not None and preferred not in "".join(source.lines[function.lineno - 1: function.end_lineno]):
        return preferred  # the name does not occur in the function's text: nothing to walk
    if not _conflicts(function, preferred, getter_names):
        return preferred
    taken = bound_names(function)
    n = 2
    while f"{preferred}_{n}" in taken:
        n += 1
    return f"{preferred}_{n}"


def _conflicts(function: FunctionNode, name: str, getter_names: set[str]) -> bool:
    args = function.args
    if any(a is not None and a.arg == name for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]):
        return True
    assigned_by_getter = False
    loaded = False
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in getter_names:
                assigned_by_getter = True
            else:
                return True
        elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            loaded = True
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            targets = []
            if isinstance(node, (ast.For, ast.AsyncFor)):
                targets = [node.target]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
                targets = [node.target]
            for target in targets:
                if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
                    return True
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            return True
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
    # Read but never bound here: it is a global/closure the function relies on; binding it
    # locally would make those reads fail with UnboundLocalError.
    return loaded and not assigned_by_getter
