"""Anchor resolution over stdlib `ast`: find the function, then the statement(s) an anchor names.

Pure functions over an already-parsed module. A resolved anchor is a `Site`: where the block
goes (before/after a statement, or wrapping it) and the statements around it, from which
presence (idempotency) is decided.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from enum import Enum

from eventmod.model.spec import Anchor
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import FunctionNode, Placed, dotted_name, is_docstring, walk_statements

LOGGER_RECEIVERS = {"logger", "log", "_logger", "_log", "LOGGER", "LOG"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[diouxXeEfFgGcrsa%]")
_WS = re.compile(r"\s+")


class Mode(str, Enum):
    """Where a block goes relative to its anchor statement."""

    BEFORE = "before"
    AFTER = "after"
    WRAP = "wrap"  # around it: try/except

    def __str__(self) -> str:
        return self.value


class Window(str, Enum):
    """Which statements next to the anchor decide presence (the side the block goes)."""

    FORWARD = "forward"  # after the anchor
    FORWARD_INCLUSIVE = "forward-inclusive"  # from the anchor on (block before it, at its start)
    BACKWARD = "backward"  # before the anchor
    BACKWARD_INCLUSIVE = "backward-inclusive"  # up to and including the anchor
    WRAPPED = "wrapped"  # the anchor is the sole body of a try whose handler logs

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Site:
    """Where one event's block goes, in terms of the original source."""

    mode: Mode
    stmt: ast.stmt  # the statement the block goes before/after, or that is wrapped
    block: tuple[ast.stmt, ...]  # the statement list `stmt` belongs to
    index: int  # position of `stmt` in `block`
    presence: Window
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
            dotted = dotted_name(node)
            if dotted:
                names.append(dotted)
    return names


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


def _site(mode: Mode, p: Placed, presence: Window) -> Site:
    return Site(mode, p.stmt, p.block, p.index, presence, p.parent)


def _at_site(function: FunctionNode, where: str) -> Site:
    body = function.body
    block = tuple(body)
    if where == "start":
        first = body[0]
        has_docstring = is_docstring(first)
        if has_docstring and len(body) == 1:
            return Site(Mode.AFTER, first, block, 0, Window.FORWARD, function)
        index = 1 if has_docstring else 0
        return Site(Mode.BEFORE, body[index], block, index, Window.FORWARD_INCLUSIVE, function)
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return Site(Mode.BEFORE, last, block, len(body) - 1, Window.BACKWARD, function)
    return Site(Mode.AFTER, last, block, len(body) - 1, Window.BACKWARD_INCLUSIVE, function)


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
        sites.append(_site(Mode.AFTER, p, Window.FORWARD))
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


_STATEMENT_SITES = {
    "after": (Mode.AFTER, Window.FORWARD),
    "before": (Mode.BEFORE, Window.BACKWARD),
    "on_error": (Mode.WRAP, Window.WRAPPED),
}


def _statement_anchor(source: SourceFile, placed: list[Placed], anchor: Anchor) -> AnchorResult:
    sites, candidates = [], []
    for p in placed:
        head = statement_head(source, p.stmt)
        candidates.append(Candidate(p.stmt.lineno, head[:100]))
        if statement_starts_with(head, anchor.text):
            mode, presence = _STATEMENT_SITES[anchor.kind]
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
                sites.append(Site(Mode.BEFORE, first, tuple(handler.body), 0, Window.FORWARD_INCLUSIVE, handler))
    if sites:
        return AnchorResult(tuple(sites))
    hint = "no except handler in the function" if not candidates else "no handler catches that exception"
    return AnchorResult(error=hint, candidates=tuple(candidates))
