"""Static checks that keep injected code from breaking the caller.

- reachability: a block no path reaches is refused (coverage must not count it);
- expression policy per site: the spec-level allowlist (`eventmod.spec.policy`) again, now
  knowing what each name is: no module objects (`os.system`), no builtin that executes code,
  only allowed calls;
- scope: every name the block reads is bound at the insertion point on every path, in the
  scope Python will look it up in (a name the function assigns anywhere is local everywhere);
- setup: statements bind only fresh names;
- encoding: the block's text fits the target file's encoding;
- JSON safety: warn on values json.dumps rejects (Decimal, datetime) unless `json_safe`;
- column types: integer columns (`position_id`) given a string literal;
- hot paths: `await` inside a loop of a hot-path function.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache

from eventmod.analysis.anchors import Mode, Site
from eventmod.analysis.modules import names_a_module
from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.spec import EventSpec
from eventmod.pyast.scope import (
    BUILTINS, Flow, ScopeFacts, bound_names, enclosing_map, function_flow, import_table, mentioned_names,
    module_bound, scope_facts, star_import_lines, used_names,
)
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import FunctionNode, inside_loop, parameters, statements_breadth_first
from eventmod.spec.policy import Binding, NameUse, name_uses, parse_bounded, uses_violation

WRAP_EXCEPTION = "exc"  # the name `on_error`'s handler binds (`except Exception as exc:`)


# -- per-site checks -----------------------------------------------------------------------------
@record
class SiteContext:
    """Everything the per-site checks (`check_site`) need about one event's block: the file and the
    function it goes in, the site, the event, and the settings that apply there."""

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
    # Names the block itself uses (getter, enum, logger variable, asyncio, helper): setup must
    # not bind them. `root`: where project modules live (is `from pkg import x` a module?).
    reserved: tuple[str, ...] = ()
    root: str = ""


@dataclass
class ModuleScope:
    """Module-level facts computed once per file, on first use, and shared by its sites: one
    statement walk for the module's bindings and the enclosing-function map, one flow pass per
    function. A file whose text has no `:=` is never scanned expression by expression."""

    tree: ast.Module
    text: str | None = None  # the file's text, once a site supplies it
    _facts: ScopeFacts | None = None
    _bound: frozenset[str] | None = None
    _enclosing: dict[int, tuple[tuple[FunctionNode, ast.stmt], ...]] | None = None
    _flows: dict[int, Flow] = field(default_factory=dict)
    _scopes: dict[int, ScopeFacts] = field(default_factory=dict)
    _mentioned: dict[int, set[str]] = field(default_factory=dict)
    _calls: dict[int, dict[str, ast.Assign]] = field(default_factory=dict)
    _is_module: dict[tuple[str, str, str], bool] = field(default_factory=dict)

    @classmethod
    def of(cls, tree: ast.Module, text: str | None = None) -> "ModuleScope":
        return cls(tree, text)

    _walrus: bool | None = None

    @property
    def walrus(self) -> bool:
        """Whether the file may hold `:=` (its text unknown, or containing it)."""
        if self.text is None:
            return True
        if self._walrus is None:
            self._walrus = ":=" in self.text
        return self._walrus

    @property
    def facts(self) -> ScopeFacts:
        if self._facts is None:
            self._facts = scope_facts(self.tree, self.walrus)
        return self._facts

    @property
    def imports(self) -> dict[str, str]:
        return import_table(self.facts)

    @property
    def bound(self) -> frozenset[str]:
        """Names surely bound once the module has run."""
        if self._bound is None:
            self._bound = module_bound(self.tree, self.imports, self.walrus)
        return self._bound

    @property
    def stars(self) -> list[tuple[int, str]]:
        return star_import_lines(self.tree)

    @property
    def enclosing(self) -> dict[int, tuple[tuple[FunctionNode, ast.stmt], ...]]:
        if self._enclosing is None:
            self._enclosing = enclosing_map(self.tree)
        return self._enclosing

    @property
    def names(self) -> frozenset[str]:
        """Every name the module binds anywhere at module level."""
        return frozenset(self.facts.locals)

    def flow(self, function: FunctionNode) -> Flow:
        key = id(function)
        if key not in self._flows:
            self._flows[key] = function_flow(function, self.imports, self.walrus)
        return self._flows[key]

    def scope(self, function: FunctionNode) -> ScopeFacts:
        key = id(function)
        if key not in self._scopes:
            self._scopes[key] = scope_facts(function, self.walrus)
        return self._scopes[key]

    def mentioned(self, function: FunctionNode) -> set[str]:
        key = id(function)
        if key not in self._mentioned:
            self._mentioned[key] = mentioned_names(function)
        return self._mentioned[key]

    def bindings(self, function: FunctionNode) -> dict[str, int]:
        return self.scope(function).locals

    def call_assignments(self, function: FunctionNode) -> dict[str, ast.Assign]:
        """name -> first `name = <call>(...)` assignment in the function (for JSON hazards)."""
        key = id(function)
        if key not in self._calls:
            found: dict[str, ast.Assign] = {}
            for node in statements_breadth_first(function):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, node)
            self._calls[key] = found
        return self._calls[key]

    def is_module(self, dotted: str, root: str, source_path: str) -> bool:
        """Whether a from-import names a module (`from os import path`, `from . import utils`):
        a file or package under root or in the standard library (a stat, never a read)."""
        key = (root, source_path, dotted)
        if key not in self._is_module:
            self._is_module[key] = names_a_module(dotted, root, source_path)
        return self._is_module[key]

    @property
    def probes(self) -> tuple[tuple[tuple[str, str, str], bool], ...]:
        """((root, source path, dotted name), answer) of every `is_module` question asked so far:
        what the file's checks learned from the file system rather than from the file."""
        return tuple(self._is_module.items())


def check_site(ctx: SiteContext, module: ModuleScope) -> list[Problem]:
    if module.text is None:
        module.text = ctx.source.text
    flow = module.flow(ctx.function)
    state = flow.at(ctx.site.stmt, after=ctx.site.mode == Mode.AFTER)
    if state is None:
        return [_dead_code_problem(ctx)]
    problems = _encoding_problems(ctx)
    problems += _scope_problems(ctx, module, state)
    problems += _json_problems(ctx, module)
    problems += _column_problems(ctx)
    problems += _hot_path_problems(ctx)
    return problems


def _dead_code_problem(ctx: SiteContext) -> Problem:
    where = f"{ctx.source.path}:{ctx.site.line}"
    return Problem(ctx.event.spec_file, ctx.event.line_of(ctx.event.anchor.kind),
                   f"the block would go at {where} in {ctx.qualname}, which no path reaches (after a return, raise, break "
                   "or continue on every path): the event could never fire; anchor it before that statement",
                   ctx.event.id)


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
    (callers must not modify the tree). Raises SyntaxError (also for a value over the policy's
    size bounds, which the loader has already reported)."""
    parsed = parse_bounded(text, mode)
    if isinstance(parsed, str):
        raise SyntaxError(parsed)
    return parsed


@record
class ExpressionFacts:
    """What the per-site checks read of one spec expression or setup statement, whatever the
    site: computed once per distinct text (`expression_facts`), judged at every site."""

    tree: ast.AST
    used: tuple[str, ...]  # the free names it reads, first use first (`pyast.scope.used_names`)
    uses: tuple[NameUse, ...]  # every read of them, for the site policy (`spec.policy.name_uses`)
    binds: frozenset[str]  # what a setup statement binds (`pyast.scope.bound_names`)


@lru_cache(maxsize=8192)
def expression_facts(text: str, mode: str) -> ExpressionFacts:
    """`ExpressionFacts` of a spec expression (`mode` "eval") or setup statement ("exec"),
    memoised by text: the same expressions recur across events and sites. Raises SyntaxError
    like `parse_source`."""
    tree = parse_source(text, mode)
    return ExpressionFacts(tree, tuple(n.id for n in used_names(tree)), name_uses(tree),
                           frozenset(bound_names(tree)) if mode == "exec" else frozenset())


# -- names -------------------------------------------------------------------------------------
@record
class _Resolved:
    """Where Python will look a name up from the insertion site, and whether it is bound."""

    scope: str  # "setup" | "local" | "enclosing" | "module" | "builtin" | "unknown"
    bound: bool
    binding: Binding | None = None
    line: int = 0  # where the scope binds it
    owner: str = ""  # the enclosing function's name (scope "enclosing")


class _Resolver:
    def __init__(self, ctx: SiteContext, module: ModuleScope, state: frozenset, site: Site | None = None,
                 extra: frozenset[str] = frozenset()):
        """`site`: where the names are read (default: the block's); `extra`: names bound there
        besides the function's own (the captures, which come before the block on every path)."""
        self.ctx, self.module = ctx, module
        self.facts = module.scope(ctx.function)
        site = site or ctx.site
        added = set(extra)  # names bound at the site besides the function's own, all at its line
        if site.mode == Mode.WRAP:
            added.add(exception_name(ctx))
        result = ctx.event.anchor.result
        if result and site is ctx.site:  # the anchor statement's value, bound by `result:` right before the block
            added.add(result)
        # Shared with the module scope when nothing is added (the common case): read, never written.
        self.state: frozenset[str] = frozenset(state) | added if added else frozenset(state)
        self.locals: dict[str, int] = self.facts.locals
        if added:
            self.locals = dict(self.facts.locals)
            for name in added:
                self.locals.setdefault(name, site.stmt.lineno)
        self.setup: set[str] = set()

    def resolve(self, name: str, include_setup: bool = True) -> _Resolved:
        if include_setup and name in self.setup:
            return _Resolved("setup", True, Binding("value"))
        facts = self.facts
        if name not in facts.globals and name not in facts.nonlocals and name in self.locals:
            return _Resolved("local", name in self.state, self._binding(facts, name, self.locals[name]), self.locals[name])
        if name in self.state:  # `global x` / `nonlocal x`, assigned on every path before the site
            return _Resolved("module" if name in facts.globals else "enclosing", True, Binding("value"))
        if name not in facts.globals:
            for outer, holder in reversed(self.module.enclosing.get(id(self.ctx.function), ())):
                outer_facts = self.module.scope(outer)
                if name in outer_facts.globals:
                    break
                if name in outer_facts.locals and name not in outer_facts.nonlocals:
                    available = (self.module.flow(outer).at(holder) or frozenset()) - outer_facts.deleted
                    line = outer_facts.locals[name]
                    return _Resolved("enclosing", name in available, self._binding(outer_facts, name, line), line, outer.name)
        module = self.module
        if name in module.facts.locals:
            line = module.facts.locals[name]
            return _Resolved("module", name in module.bound, self._binding(module.facts, name, line, top=True), line)
        if name in BUILTINS:
            return _Resolved("builtin", True, Binding("builtin"))
        return _Resolved("unknown", False)

    def _binding(self, facts: ScopeFacts, name: str, line: int, top: bool = False) -> Binding:
        if name in facts.modules:
            return Binding("module", facts.modules[name], line)
        if name in facts.imported:
            origin = facts.imported[name]
            if top and self.module.is_module(origin, self.ctx.root, self.ctx.source.path):
                return Binding("module", origin, line)
            return Binding("import", origin, line)
        if name in facts.functions:
            return Binding("function", "", line)
        return Binding("value", "", line)


def exception_name(ctx: SiteContext) -> str:
    """The name an `on_error` handler binds: the spec's `as:`, `exc` by default."""
    return ctx.event.on_error.name or WRAP_EXCEPTION


def _scope_problems(ctx: SiteContext, module: ModuleScope, state: frozenset) -> list[Problem]:
    captured = frozenset(name for name, _ in ctx.event.capture)
    resolver = _Resolver(ctx, module, state, extra=captured)
    return _name_problems(ctx, module, resolver, ctx.site, _expressions(ctx.event))


def capture_scope_problems(ctx: SiteContext, module: ModuleScope, point: Site) -> list[Problem]:
    """The capture expressions must read names bound at the capture point (and pass the
    policy there), checked like the payload at the block."""
    state = module.flow(ctx.function).at(point.stmt, after=point.mode == Mode.AFTER)
    if state is None:
        where = f"{ctx.source.path}:{point.line}"
        return [Problem(ctx.event.spec_file, ctx.event.line_of("capture_before") if ctx.event.capture_anchor else ctx.event.line_of("capture"),
                        f"the capture point {where} in {ctx.qualname} is reached by no path; anchor `capture_before` elsewhere",
                        ctx.event.id)]
    resolver = _Resolver(ctx, module, state, site=point)
    items = [(f"capture '{name}'", expr, ctx.event.line_of("capture")) for name, expr in ctx.event.capture]
    return _name_problems(ctx, module, resolver, point, items)


def _name_problems(ctx: SiteContext, module: ModuleScope, resolver: "_Resolver", site: Site,
                   items: list[tuple[str, str, int]]) -> list[Problem]:
    """Every name `items` (label, source, spec line) read is bound at `site` on every path and
    passes the site's policy; setup statements bind only fresh names."""
    event = ctx.event
    where = f"{ctx.source.path}:{site.line}"
    problems: list[Problem] = []
    for label, text, line in items:
        is_setup = label.startswith("setup")
        try:
            facts = expression_facts(text, "exec" if is_setup else "eval")
        except SyntaxError:
            continue  # the loader already reported it
        include_setup = label != "when"
        unbound = False
        resolved = {}
        for name in facts.used:
            found = resolved[name] = resolver.resolve(name, include_setup)
            if not found.bound:
                unbound = True
                problems.append(Problem(event.spec_file, line, _unbound_message(label, name, found, where, ctx, module, resolver), event.id))
        if not unbound:
            violation = uses_violation(facts.uses, lambda n: _binding_for(resolved[n]))
            if violation:
                problems.append(Problem(event.spec_file, line, f"{label}: {violation}", event.id))
        if is_setup:
            fresh = _setup_freshness(label, text, facts.binds, ctx, module, resolver)
            problems += [Problem(event.spec_file, line, message, event.id) for message in fresh]
            resolver.setup |= facts.binds
    # (the handler's own name against the function's: `analysis.capture.handler_name_problem`)
    return problems


def _binding_for(found: _Resolved) -> Binding | None:
    return found.binding if found.bound else None


def _setup_freshness(label: str, text: str, binds: frozenset[str], ctx: SiteContext, module: ModuleScope, resolver: _Resolver) -> list[str]:
    """Setup binds only names nothing else uses: not the function's (anywhere, nested scopes
    included), not a closure's, a module name or a builtin the function might read, not the
    names the block itself uses."""
    messages = []
    mentioned = module.mentioned(ctx.function)
    for name in sorted(binds):
        if name in resolver.setup:
            continue  # an earlier setup statement of this block bound it: rebinding is local to the block
        why = None
        outer = resolver.resolve(name, include_setup=False)
        if _reserved(name, ctx.reserved) or (ctx.site.mode == Mode.WRAP and name == exception_name(ctx)):
            why = "the generated block itself uses that name"
        elif outer.scope == "local":
            why = f"{ctx.qualname} already uses it (bound at line {outer.line}); assigning it here would change that variable"
        elif outer.scope == "enclosing":
            why = f"it is a variable of the enclosing function {outer.owner} (line {outer.line}), which this would hide"
        elif outer.scope == "module":
            why = f"the module binds it (line {outer.line}); binding it here would make it local to the whole function"
        elif outer.scope == "builtin":
            why = "it is a builtin; binding it would hide the builtin in the whole function"
        elif name in mentioned:
            why = f"{ctx.qualname} already uses the name (in a nested scope); binding it here would change what that refers to"
        if why:
            messages.append(f"{label} {text!r} binds '{name}', but setup may only bind fresh names: {why}; choose a new name such as '{_fresh_suggestion(name, mentioned | set(module.names) | BUILTINS)}'")
    return messages


def _reserved(name: str, reserved: tuple[str, ...]) -> bool:
    return any(name == r or re.fullmatch(re.escape(r) + r"_\d+", name) for r in reserved) or name.startswith("_eventmod")


def _fresh_suggestion(name: str, taken: set[str]) -> str:
    for candidate in (f"{name}_value", f"event_{name}", f"{name}_for_event"):
        if candidate not in taken:
            return candidate
    return f"{name}_2"


def _unbound_message(label: str, name: str, found: _Resolved, where: str, ctx: SiteContext, module: ModuleScope, resolver: _Resolver) -> str:
    local = resolver.state
    if name in ("self", "cls") and found.scope == "unknown":
        why = f"`{name}` exists only in methods and {ctx.qualname} does not take it"
    elif found.scope == "local":
        why = (f"it is assigned at line {found.line} but not on every path to the insertion point (only in a try body, "
               "one branch, a loop that may not run, a `with` that may swallow an exception, or later; or it is deleted "
               "before: `del`, or an `except ... as` name after its handler)")
        if name in module.names:
            why += (f"; the module's own {name} (line {module.facts.locals[name]}) does not help: assigning {name} anywhere "
                    "in the function makes it local to the whole function (UnboundLocalError)")
    elif found.scope == "enclosing":
        why = (f"it is a variable of the enclosing function {found.owner} (line {found.line}) that is not surely bound where "
               f"{ctx.qualname} is defined (or is deleted later)")
    elif found.scope == "module":
        why = (f"the module binds it (line {found.line}) only on some paths (under `if TYPE_CHECKING:`, in one branch or "
               "in a try body, or deleted later), so it may not exist when the function runs")
    elif module.stars:
        line, star = module.stars[0]
        why = (f"nothing binds it there; the module has `from {star} import *` (line {line}), which may bind it, but "
               f"eventmod cannot see which names a star import binds without importing {star}, so it does not guess; "
               f"import the name explicitly (`from {star} import {name}`) or compute the value in the function")
    else:
        why = "nothing binds it there (a NameError inside the instrumented function)"
    outer: set[str] = set()
    for enclosing, _ in module.enclosing.get(id(ctx.function), ()):
        outer |= parameters(enclosing) | set(module.scope(enclosing).locals)
    known = local | outer | (set(module.names) - BUILTINS)
    candidates = difflib.get_close_matches(name, sorted(known - {name}), n=3, cutoff=0.6)
    hint = (" (did you mean " + " or ".join(f"'{c}'" for c in candidates) + "?)") if candidates else ""
    shown = ", ".join(sorted(local)[:12]) + (", ..." if len(local) > 12 else "")
    return f"{label} uses '{name}', which is not bound at {where} in {ctx.qualname}: {why}{hint}; bound there: {shown or 'nothing'}"


# -- encoding ----------------------------------------------------------------------------------
def _encoding_problems(ctx: SiteContext) -> list[Problem]:
    """Every piece of spec text the block writes must be encodable in the file's encoding."""
    event = ctx.event
    pieces = [("event", event.event, event.line_of("event"))]
    if event.comment:
        pieces.append(("comment", event.comment, event.line_of("comment")))
    pieces += [(f"payload key '{k}'", k, event.line_of("payload")) for k, _ in event.payload]
    pieces += [(label, text, line) for label, text, line in _expressions(event)]
    problems = []
    for label, text, line in pieces:
        try:
            text.encode(ctx.source.encoding)
        except UnicodeEncodeError as exc:
            bad = text[exc.start]
            problems.append(Problem(event.spec_file, line,
                                    f"{label} holds {bad!r} (U+{ord(bad):04X}), which {ctx.source.path} cannot hold: the file is "
                                    f"encoded as {ctx.source.encoding} (its coding declaration); write it as an escape "
                                    f"('\\u{ord(bad):04x}' in a string) or save the file as UTF-8", event.id))
    return problems


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
                    f"{ctx.qualname} is a hot path (config hot_paths) and this block is inside a loop: an awaited log_event there stalls every later iteration (each one waits for the logger's I/O); use `emit: background`",
                    ctx.event.id)]
