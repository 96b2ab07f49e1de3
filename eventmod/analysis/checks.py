"""Static checks that keep injected code from breaking the caller.

- expression policy (spec level): payload values are plain expressions, nothing that executes
  or reaches into the interpreter;
- scope: every name the block reads is bound at the insertion point on every path;
- signature: only kwargs the target's `log_event` accepts;
- JSON safety: warn on values json.dumps rejects (Decimal, datetime) unless `json_safe`;
- column types: integer columns (`position_id`) given a string literal;
- hot paths: `await` inside a loop of a hot-path function.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
from functools import lru_cache
from dataclasses import dataclass, field

from eventmod.analysis.anchors import Mode, Site
from eventmod.model.problems import Problem
from eventmod.model.spec import EventSpec
from eventmod.pyast.scope import BUILTINS, all_bindings, bound_at, enclosing_map, module_names, used_names
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import FunctionNode, inside_loop, parameters

# -- per-site checks -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteContext:
    source: SourceFile
    tree: ast.Module
    function: FunctionNode
    qualname: str
    site: Site
    event: EventSpec
    emit: str
    json_safe: bool
    integer_kwargs: tuple[str, ...]
    hot_paths: tuple[str, ...]


@dataclass
class ModuleScope:
    """Module-level facts computed once per file and shared by its sites (one module walk for
    the enclosing-function map, one walk per function for its bindings)."""

    names: frozenset[str]
    star_import: bool
    enclosing: dict[int, list[FunctionNode]]  # id(function) -> enclosing functions, outermost first
    _bindings: dict[int, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, tree: ast.Module) -> "ModuleScope":
        names, star = module_names(tree)
        return cls(names, star, enclosing_map(tree))

    _calls: dict[int, dict[str, ast.Assign]] = field(default_factory=dict)

    def call_assignments(self, function: FunctionNode) -> dict[str, ast.Assign]:
        """name -> first `name = <call>(...)` assignment in the function (for JSON hazards)."""
        key = id(function)
        if key not in self._calls:
            found: dict[str, ast.Assign] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, node)
            self._calls[key] = found
        return self._calls[key]

    def bindings(self, function: FunctionNode) -> dict[str, int]:
        key = id(function)
        if key not in self._bindings:
            self._bindings[key] = all_bindings(function)
        return self._bindings[key]


def check_site(ctx: SiteContext, module: ModuleScope) -> list[Problem]:
    problems = _scope_problems(ctx, module)
    problems += _json_problems(ctx, module)
    problems += _column_problems(ctx)
    problems += _hot_path_problems(ctx)
    return problems


def _expressions(event: EventSpec) -> list[tuple[str, str, int]]:
    """(label, source, spec line) of every expression the block evaluates, in evaluation order
    groups: `when` first (before setup), then setup statements, then payload and kwargs."""
    items = []
    if event.when:
        items.append(("when", event.when, event.line_of("when")))
    for index, statement in enumerate(event.setup):
        items.append((f"setup[{index}]", statement, event.line_of("setup")))
    items += [(f"payload '{k}'", v, event.line_of("payload")) for k, v in event.payload]
    items += [(k, v, event.line_of(k)) for k, v in event.kwargs]
    if event.anchor.kind == "on_error" and event.on_error.message:
        items.append(("message", "f" + repr(event.on_error.message), event.line_of("message")))
    return items


@lru_cache(maxsize=8192)
def parse_source(text: str, mode: str) -> ast.AST:
    """Parsed spec expression or statement, memoised: the same expressions recur across events
    (callers must not modify the tree). Raises SyntaxError."""
    return ast.parse(text, mode=mode)


def _scope_problems(ctx: SiteContext, module: ModuleScope) -> list[Problem]:
    site = ctx.site
    extra = {name for name, _ in ctx.event.capture}  # bound by the capture, which dominates the block
    if site.mode == Mode.WRAP:
        extra.add(ctx.event.on_error.name)
    return unbound_problems(ctx, module, site, _expressions(ctx.event), extra)


def capture_scope_problems(ctx: SiteContext, module: ModuleScope, point: Site) -> list[Problem]:
    """The capture expressions must read names bound at the capture point."""
    items = [(f"capture '{name}'", expr, ctx.event.line_of("capture")) for name, expr in ctx.event.capture]
    return unbound_problems(ctx, module, point, items, set())


def unbound_problems(ctx: SiteContext, module: ModuleScope, site: Site, items: list[tuple[str, str, int]],
                     extra: set[str]) -> list[Problem]:
    """Every name `items` (label, source, spec line) read must be bound at `site` on every path."""
    event, function = ctx.event, ctx.function
    local = bound_at(function, site.stmt, site.mode == Mode.AFTER) | extra
    outer: set[str] = set(module.names) | BUILTINS
    for enclosing in module.enclosing.get(id(function), []):
        outer |= set(module.bindings(enclosing)) | parameters(enclosing)
    where = f"{ctx.source.path}:{site.line}"
    problems: list[Problem] = []
    setup_bound: set[str] = set()
    for label, text, line in items:
        try:
            tree = parse_source(text, "exec" if label.startswith("setup") else "eval")
        except SyntaxError:
            continue  # the loader already reported it
        for name in used_names(tree):
            ident = name.id
            if ident in local or ident in outer or (ident in setup_bound and label != "when"):
                continue
            anywhere = module.bindings(function)  # only needed, and computed, for a problem
            if module.star_import and ident not in anywhere:
                continue
            problems.append(Problem(event.spec_file, line, _unbound_message(label, ident, where, ctx, local, outer, anywhere), event.id))
        if label.startswith("setup"):
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    setup_bound.add(node.id)
    return problems


def _unbound_message(label: str, name: str, where: str, ctx: SiteContext, local: set[str], outer: set[str], anywhere: dict[str, int]) -> str:
    if name in ("self", "cls"):
        why = f"`{name}` exists only in methods and {ctx.qualname} does not take it"
    elif name in anywhere:
        why = (f"it is assigned at line {anywhere[name]} but not on every path to the insertion point "
               "(only in a try body, one branch, a loop that may not run, or later)")
    else:
        why = "nothing binds it there (a NameError inside the instrumented function)"
    candidates = difflib.get_close_matches(name, sorted(local | (outer - BUILTINS)), n=3, cutoff=0.6)
    hint = (" (did you mean " + " or ".join(f"'{c}'" for c in candidates) + "?)") if candidates else ""
    shown = ", ".join(sorted(local)[:12]) + (", ..." if len(local) > 12 else "")
    return f"{label} uses '{name}', which is not bound at {where} in {ctx.qualname}: {why}{hint}; bound there: {shown or 'nothing'}"


# -- JSON safety -------------------------------------------------------------------------------
_DATETIME_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("datetime", "fromtimestamp")}


def _hazard(expr: ast.expr, assignments: dict[str, ast.Assign]) -> str | None:
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
            base = func.value.id if isinstance(func.value, ast.Name) else func.value.attr
            if (base, func.attr) in _DATETIME_CALLS:
                return "a datetime, which json.dumps rejects; use .isoformat()"
        if isinstance(func, (ast.Name, ast.Attribute)) and (func.id if isinstance(func, ast.Name) else func.attr) == "Decimal":
            return "a Decimal, which json.dumps rejects; wrap it in float()"
    if isinstance(expr, ast.Name) and expr.id in assignments:
        node = assignments[expr.id]
        why = _hazard(node.value, {})
        if why:
            return f"bound at line {node.lineno} to {why}"
    return None


def _json_problems(ctx: SiteContext, module: ModuleScope) -> list[Problem]:
    if ctx.json_safe:
        return []
    problems = []
    for key, text in ctx.event.payload:
        try:
            expr = parse_source(text, "eval").body  # type: ignore[attr-defined]
        except SyntaxError:
            continue
        why = _hazard(expr, module.call_assignments(ctx.function))
        if why:
            problems.append(Problem(ctx.event.spec_file, ctx.event.line_of("payload"),
                                    f"payload '{key}' ({text}) is {why}, or set `json_safe: true`", ctx.event.id, "warning"))
    return problems


# -- column types ------------------------------------------------------------------------------
def _column_problems(ctx: SiteContext) -> list[Problem]:
    problems = []
    for key, text in ctx.event.kwargs:
        if key not in ctx.integer_kwargs or key in ctx.event.coerce:
            continue
        try:
            expr = parse_source(text, "eval").body  # type: ignore[attr-defined]
        except SyntaxError:
            continue
        if isinstance(expr, ast.JoinedStr) or isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            problems.append(Problem(ctx.event.spec_file, ctx.event.line_of(key),
                                    f"{key}={text} is a string literal but {key} is an integer column; pass an int, or set `coerce: [{key}]` to convert with int()",
                                    ctx.event.id, "warning"))
    return problems


# -- hot paths ---------------------------------------------------------------------------------
def _hot_path_problems(ctx: SiteContext) -> list[Problem]:
    if ctx.emit != "await" or not any(fnmatch.fnmatchcase(ctx.qualname, glob) for glob in ctx.hot_paths):
        return []
    if not inside_loop(ctx.function, ctx.site.stmt):
        return []
    return [Problem(ctx.event.spec_file, ctx.event.line_of(ctx.event.anchor.kind),
                    f"{ctx.qualname} is a hot path (config hot_paths) and this block is inside a loop: an awaited log_event there stalls every later iteration (each one waits for the database); use `emit: background`",
                    ctx.event.id)]


# -- signature ---------------------------------------------------------------------------------
def log_event_parameters(tree: ast.Module) -> tuple[tuple[str, ...], bool] | None:
    """Keyword parameters of the first `log_event` definition (methods: after self, event_type,
    data), and whether it takes **kwargs; None when there is no definition."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "log_event":
            args = node.args
            positional = [a.arg for a in [*args.posonlyargs, *args.args]]
            if positional and positional[0] in ("self", "cls"):
                positional = positional[1:]
            names = tuple(positional[2:] + [a.arg for a in args.kwonlyargs])
            return names, args.kwarg is not None
    return None


def signature_problems(events: list[EventSpec], accepted: tuple[str, ...], logger_path: str) -> list[Problem]:
    problems = []
    for event in events:
        for key, _ in [*event.kwargs, ("severity", "")]:
            if key not in accepted:
                problems.append(Problem(event.spec_file, event.line_of(key) if key != "severity" else event.line_of("severity"),
                                        f"log_event in {logger_path} does not accept `{key}=` (it takes: {', '.join(accepted)}); remove it or put it in the payload",
                                        event.id))
    return problems
