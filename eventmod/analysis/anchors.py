"""Anchor resolution over stdlib `ast`: find the function, then the statement(s) an anchor names.

Pure functions over an already-parsed module. A resolved anchor is a `Site`: where the block
goes (before/after a statement, or wrapping it) and the statements around it, from which
presence (idempotency) is decided.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from functools import cached_property

from eventmod.model.record import record
from eventmod.model.spec import Anchor
from eventmod.model.text_enum import TextEnum
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import FunctionNode, Placed, child_blocks, dotted_name, is_docstring, walk_statements

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[diouxXeEfFgGcrsa%]")
_WS = re.compile(r"\s+")


class Mode(TextEnum):
    """Where a block goes relative to its anchor statement."""

    BEFORE = "before"
    AFTER = "after"
    WRAP = "wrap"  # around it: try/except


class Window(TextEnum):
    """Which statements next to the anchor decide presence (the side the block goes)."""

    FORWARD = "forward"  # after the anchor
    FORWARD_INCLUSIVE = "forward-inclusive"  # from the anchor on (block before it, at its start)
    BACKWARD = "backward"  # before the anchor
    BACKWARD_INCLUSIVE = "backward-inclusive"  # up to and including the anchor
    WRAPPED = "wrapped"  # the anchor is the sole body of a try whose handler logs


@record
class Site:
    """Where one event's block goes, in terms of the original source."""

    mode: Mode
    stmt: ast.stmt  # the statement the block goes before/after, or that is wrapped
    block: tuple[ast.stmt, ...]  # the statement list `stmt` belongs to
    index: int  # position of `stmt` in `block`
    presence: Window
    parent: ast.AST | None = None  # the node owning `block` (for the on_error presence check)
    last: ast.stmt | None = None  # an on_error wrap with `through`: the last statement it holds

    @property
    def line(self) -> int:
        """1-based line where the block will start in the original file."""
        return self.stmt.end_lineno + 1 if self.mode == "after" else self.stmt.lineno  # type: ignore[operator]


@record
class Candidate:
    """A place in the function an anchor could have meant, listed when it matches nothing: its line
    and a short text (a logger call, a statement's start, an `except` clause)."""

    line: int
    text: str


@record
class AnchorResult:
    """What resolving an anchor in one function gives: the sites it matches, or, when none, an error
    and the candidates to list in the message."""

    sites: tuple[Site, ...] = ()
    error: str | None = None
    candidates: tuple[Candidate, ...] = ()


# -- logger calls ------------------------------------------------------------------------------
# The receivers taken for a logger: shell-style globs (fnmatch, case-sensitive) matched against
# the dotted receiver of the call (`self.logger` in `self.logger.info(...)`; `*` also matches
# dots). `logger_names` in [tool.eventmod] adds patterns; `module_loggers` adds the names a file
# binds to a logger.
DEFAULT_LOGGER_NAMES = (
    "logging", "log", "LOG", "*logger", "*Logger", "*LOGGER", "*_log", "*_LOG", "*.log", "*.LOG",
    "loggers.*", "*.loggers.*",
)
# logger method -> the level it logs at (stdlib, loguru's trace/success, structlog's msg and
# async a-methods); `log(level, msg, ...)` takes the level as its first argument.
LOG_METHODS = {
    "debug": "debug", "info": "info", "warning": "warning", "warn": "warning", "error": "error",
    "exception": "exception", "critical": "critical", "fatal": "fatal",
    "trace": "debug", "success": "info", "msg": "info",
    "adebug": "debug", "ainfo": "info", "awarning": "warning", "aerror": "error", "aexception": "exception",
    "acritical": "critical",
}
_LEVEL_NAMES = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "WARN": "warning", "ERROR": "error",
                "CRITICAL": "critical", "FATAL": "fatal", "TRACE": "debug", "SUCCESS": "info"}
# calls that return a logger (`logging.getLogger(__name__)`, `structlog.get_logger()`,
# celery's `get_task_logger(__name__)`), and methods that derive one (`logger.bind(...)`)
LOGGER_FACTORIES = frozenset({"getLogger", "get_logger", "get_task_logger", "getChild", "get_child", "wrap_logger",
                              "LoggerAdapter"})
LOGGER_DERIVED = frozenset({"bind", "opt", "new", "patch", "getChild", "get_child", "unbind", "try_unbind"})
_NOT_LOGGERS = frozenset({"warnings"})  # `warnings.warn(...)` looks like logging but is not


@record
class LoggerNames:
    """Which call receivers are loggers: glob patterns plus the names a module binds to one."""

    patterns: tuple[str, ...] = DEFAULT_LOGGER_NAMES
    bound: frozenset[str] = frozenset()

    @classmethod
    def of(cls, tree: ast.Module, extra: tuple[str, ...] = ()) -> "LoggerNames":
        """The default patterns plus `extra` (config `logger_names`) and the loggers `tree`
        binds at module level (one walk of its top level and of its classes' bodies)."""
        patterns = tuple(dict.fromkeys((*DEFAULT_LOGGER_NAMES, *extra)))
        return cls(patterns, module_loggers(tree, glob_regex(patterns)))

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return glob_regex(self.patterns)

    def matches(self, receiver: str) -> bool:
        return receiver in self.bound or self.regex.fullmatch(receiver) is not None


def glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for several fnmatch patterns (matched case-sensitively)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or "(?!)")


def module_loggers(tree: ast.Module, patterns: re.Pattern[str]) -> frozenset[str]:
    """Names bound at module level to a logger: `x = logging.getLogger(...)` (also
    `.getChild(...)`, `structlog.get_logger()`, `get_task_logger(__name__)`, `logger.bind(...)`,
    an alias of another logger), `from loguru import logger as x`, an imported name that matches
    the patterns under its own name; class attributes bound the same way count as `self.x`,
    `cls.x` and `Class.x`."""
    found: set[str] = set()
    factories: set[str] = set()

    def is_logger(value: ast.expr) -> bool:
        if isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Attribute) and func.attr in LOGGER_DERIVED and is_logger(func.value):
                return True
            name = dotted_name(func)
            return name is not None and (name.rsplit(".", 1)[-1] in LOGGER_FACTORIES or name in factories)
        name = dotted_name(value)
        return name is not None and (name in found or name == "loguru.logger" or patterns.fullmatch(name) is not None)

    def visit(body: list[ast.stmt], prefixes: tuple[str, ...], classes: bool) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    local = alias.asname or alias.name
                    if alias.name in LOGGER_FACTORIES:
                        factories.add(local)
                    elif (stmt.module == "loguru" and alias.name == "logger") or patterns.fullmatch(alias.name):
                        found.update(p + local for p in prefixes)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and is_logger(stmt.value):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                found.update(p + t.id for t in targets if isinstance(t, ast.Name) for p in prefixes)
            elif isinstance(stmt, ast.ClassDef) and classes:
                visit(stmt.body, ("self.", "cls.", f"{stmt.name}."), False)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With)) or _is_try_star(stmt):
                for _, _, block in child_blocks(stmt):
                    visit(block, prefixes, classes)

    visit(tree.body, ("",), True)
    del visit, is_logger  # break the recursive closures' reference cycles
    return frozenset(found)


@record
class LogCall:
    """A statement's call that has the shape of a logger call (`<receiver>.<method>(message, ...)`):
    its level, its message and arguments, and whether the receiver is a known logger."""

    level: str
    template: str | None  # message with placeholders written {}, or None if not a literal
    receiver: str = "logger"  # the dotted receiver as written (`self.logger`, `logging.getLogger()`)
    method: str = "info"
    recognised: bool = True  # False: looks like logging, but the receiver is not a known logger
    message: ast.expr | None = None  # the message argument
    lazy: tuple[ast.expr, ...] = ()  # logging's own %-style arguments after the message

    def describe(self) -> str:
        text = repr(self.template) if self.template is not None else "<non-literal message>"
        return f"{self.receiver}.{self.method}({text})"


def call_of_statement(stmt: ast.stmt) -> ast.Call | None:
    """The call of an expression statement (`f(...)` or `await f(...)`), else None."""
    if not isinstance(stmt, ast.Expr):
        return None
    call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    return call if isinstance(call, ast.Call) else None


def inspect_log_call(stmt: ast.stmt, loggers: LoggerNames) -> LogCall | None:
    """The statement's call if it has the shape of a logging call (`<receiver>.<level>(msg, ...)`),
    with `recognised` telling whether the receiver is a logger; None for anything else."""
    call = call_of_statement(stmt)
    if call is None or not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    args = list(call.args)
    if method == "log" and args:  # logger.log(logging.INFO, msg, ...)
        level_node = args.pop(0)
        level_name = level_node.value if isinstance(level_node, ast.Constant) and isinstance(level_node.value, str) else (dotted_name(level_node) or "")
        level = _LEVEL_NAMES.get(level_name.rsplit(".", 1)[-1].upper())
        if level is None:
            return None
    elif method in LOG_METHODS:
        level = LOG_METHODS[method]
    else:
        return None
    receiver = receiver_of(call.func.value)
    if receiver is None:
        return None
    text, factory = receiver
    if text in _NOT_LOGGERS:
        return None
    recognised = factory or loggers.matches(text)
    message = args[0] if args else None
    lazy = tuple(args[1:])
    return LogCall(level, _template(message, bool(lazy)), text, method, recognised, message, lazy)


def log_call_of(stmt: ast.stmt, loggers: LoggerNames) -> LogCall | None:
    """The statement's logger call, if its receiver is a logger (see `LoggerNames`)."""
    found = inspect_log_call(stmt, loggers)
    return found if found is not None and found.recognised else None


def receiver_of(node: ast.expr) -> tuple[str, bool] | None:
    """(dotted receiver, made by a logger factory) of a logger call's receiver expression:
    `logger.bind(x=1)` -> `logger`; `logging.getLogger(__name__)` -> a factory call."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in LOGGER_DERIVED:
            inner = receiver_of(func.value)
            if inner is not None:
                return inner
        name = dotted_name(func)
        if name is not None and name.rsplit(".", 1)[-1] in LOGGER_FACTORIES:
            return f"{name}()", True
        return None
    name = dotted_name(node)
    return (name, False) if name is not None else None


def _template(message: ast.expr | None, lazy: bool) -> str | None:
    """The message's template; with logging's own arguments (`"job %s", job_id`), the
    %-placeholders are placeholders too (`"job {}"`) and `%%` is `%`."""
    if message is None:
        return None
    template = message_template(message)
    if template is None:
        return None
    if isinstance(message, ast.Constant):
        template = normalize_log_text(template)  # loguru/str.format-style `{name}` placeholders
    if lazy and not (isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod)):
        template = percent_placeholders(template)
    return template


def percent_placeholders(text: str) -> str:
    """`%s`, `%(name)s`, `%.2f`... written `{}`, and `%%` written `%`."""
    return _PERCENT.sub(lambda m: "%" if m.group(0) == "%%" else "{}", text)


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
        return percent_placeholders(left) if left is not None else None
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
def resolve_anchor(source: SourceFile, function: FunctionNode, anchor: Anchor, loggers: LoggerNames | None = None) -> AnchorResult:
    """All sites the anchor matches in the function (the caller applies `occurrence`).
    `loggers`: which receivers are loggers (`LoggerNames.of(tree, config)`; default patterns
    when None)."""
    if anchor.kind == "at":
        return AnchorResult((_at_site(function, anchor.text),))
    placed = list(walk_statements(function))
    if anchor.kind == "after_log":
        return _after_log(placed, anchor, loggers if loggers is not None else LoggerNames())
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


def anchor_texts(text: str) -> tuple[str, ...]:
    """The forms of an `after_log` text that match a template: `{...}` written `{}`, and, when
    the text uses logging's %-placeholders (`"job %s expired"`), those written `{}` too."""
    wanted = normalize_log_text(text)
    percent = percent_placeholders(wanted)
    return (wanted, percent) if percent != wanted else (wanted,)


def _after_log(placed: list[Placed], anchor: Anchor, loggers: LoggerNames) -> AnchorResult:
    wanted = anchor_texts(anchor.text)
    sites, candidates, lookalikes = [], [], []
    for p in placed:
        call = inspect_log_call(p.stmt, loggers)
        if call is None:
            continue
        if not call.recognised:
            lookalikes.append(Candidate(p.stmt.lineno, call.describe()))
            continue
        candidates.append(Candidate(p.stmt.lineno, call.describe()))
        if call.template is None or not any(w in call.template for w in wanted):
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
        key=lambda c: -difflib.SequenceMatcher(None, wanted[0], c.text, autojunk=False).ratio(),
    )
    if candidates:
        hint = "no logger call whose message contains the text"
        if lookalikes:
            hint += f"; {unrecognised_hint(lookalikes)}"
    elif lookalikes:
        hint = f"no logger call in the function; {unrecognised_hint(lookalikes)}"
    else:
        hint = ("no logger call in the function (a logger call is `<receiver>.<level>(message, ...)` whose receiver "
                "matches `logger_names` in [tool.eventmod] or is bound at module level to logging.getLogger(...), "
                "structlog.get_logger(...) or loguru's logger)")
    return AnchorResult(error=hint, candidates=tuple(ranked))


def unrecognised_hint(lookalikes: list[Candidate]) -> str:
    """Names the calls that look like logging but whose receiver is no known logger, and the
    config key that makes them count."""
    shown = ", ".join(f"{c.text[:60]} (line {c.line})" for c in lookalikes[:5]) + (", ..." if len(lookalikes) > 5 else "")
    receiver = lookalikes[0].text.split("(", 1)[0].rsplit(".", 1)[0]
    return (f"these calls look like logging but their receiver is not a recognised logger: {shown}; "
            f"add the receiver to `logger_names` in [tool.eventmod] (glob patterns, e.g. logger_names = [\"{receiver}\"])")


_STATEMENT_SITES = {
    "after": (Mode.AFTER, Window.FORWARD),
    "before": (Mode.BEFORE, Window.BACKWARD),
    "on_error": (Mode.WRAP, Window.WRAPPED),
}


def _statement_anchor(source: SourceFile, placed: list[Placed], anchor: Anchor) -> AnchorResult:
    sites, candidates = [], []
    bound = f"{anchor.result} = {anchor.text}" if anchor.result else None  # `result:` rewrote it
    for p in placed:
        head = statement_head(source, p.stmt)
        candidates.append(Candidate(p.stmt.lineno, head[:100]))
        if statement_starts_with(head, anchor.text) or (bound is not None and isinstance(p.stmt, ast.Assign)
                                                          and statement_starts_with(head, bound)):
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
