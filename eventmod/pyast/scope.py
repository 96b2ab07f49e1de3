"""Definite assignment with stdlib `ast`: which names are bound on every path that reaches a
statement of a function, and which statements no path reaches.

Only the target function (and, for closures, the functions around it) is analysed: libcst's
whole-module ScopeProvider costs ~10x a parse. The analysis is a forward data-flow pass over
the statement tree, one pass per function, that tracks the names surely bound on every path
and treats each way out of a statement (falling through, `break`, `continue`, an exception
escaping) separately. Its rules, all on the conservative side:

- a name is bound by assignment, augmented assignment, `for` targets, `with ... as`, imports,
  `def`/`class`, match patterns (in their case body only) and `:=` where it is surely
  evaluated (not in the right operand of `and`/`or`, a branch of `x if c else y`, a later
  comparison of a chain, a comprehension or `assert`); an `if`/`while` test's `:=` counts in
  the branch where the test's outcome guarantees it was evaluated;
- `del x` and the end of an `except ... as x` handler (Python deletes `x` there) unbind;
- an exception can leave a statement at any point: a handler (and `finally`) sees only what is
  bound on every point of the `try` body;
- a loop body may run zero times; at its head only what was bound before the loop (and not
  deleted in the body) is surely bound; `while True:` ends only through `break`, and a
  `for`/`while` `else:` runs only when the loop did not break;
- a `with` whose context manager may swallow exceptions (`contextlib.suppress`, or any context
  manager not known never to suppress) may end at any point of its body, so names bound in the
  body are not surely bound after it; `KNOWN_NON_SUPPRESSING` lists the ones known not to;
- `if TYPE_CHECKING:` bodies never run; a constant test (`if False:`, `while 1:`) has its
  other branch never run; a `match` without an irrefutable `case` may match nothing.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Iterator

from eventmod.model.record import record
from eventmod.pyast.walk import (
    SCOPE_BARRIERS, SIMPLE_STATEMENTS, FunctionNode, child_blocks, child_nodes, dotted_name, parameters, path_to, walk_nodes,
)

BUILTINS = frozenset(dir(builtins))
# Names every module has once it runs (they are never assigned by user code).
MODULE_DUNDERS = frozenset({"__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__"})
_TRY_NODES = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)
_MATCH = getattr(ast, "Match", None)

# Context managers whose __exit__ never returns true (never swallows an exception), by the
# dotted name the target's imports resolve to. Any other `with` may end early (see module doc).
KNOWN_NON_SUPPRESSING = frozenset({
    "open", "io.open", "io.StringIO", "io.BytesIO", "os.scandir", "os.fdopen",
    "threading.Lock", "threading.RLock", "threading.Semaphore", "threading.BoundedSemaphore", "threading.Condition",
    "asyncio.Lock", "asyncio.Semaphore", "asyncio.BoundedSemaphore", "asyncio.Condition", "asyncio.timeout", "asyncio.timeout_at",
    "contextlib.nullcontext", "contextlib.closing", "contextlib.aclosing", "contextlib.redirect_stdout",
    "contextlib.redirect_stderr", "contextlib.chdir",
    "tempfile.TemporaryDirectory", "tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile",
    "decimal.localcontext", "warnings.catch_warnings",
    "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor",
    "zipfile.ZipFile", "tarfile.open", "gzip.open", "bz2.open", "lzma.open", "socket.socket", "socket.create_connection",
})



def meet(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    """Join of two paths: what is bound on both (an unreachable path constrains nothing)."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


# -- binding helpers ---------------------------------------------------------------------------
def target_names(target: ast.AST) -> set[str]:
    """Names an assignment target binds (`a`, `a, (b, *c)`; not `a.x` or `a[i]`)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(target_names(e) for e in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return set()


def surely_walrus(node: ast.AST | None) -> set[str]:
    """Names `:=` surely binds once `node` has been evaluated completely."""
    if node is None:
        return set()
    if isinstance(node, ast.NamedExpr):
        return target_names(node.target) | surely_walrus(node.value)
    if isinstance(node, ast.BoolOp):
        return surely_walrus(node.values[0])
    if isinstance(node, ast.IfExp):
        return surely_walrus(node.test) | (surely_walrus(node.body) & surely_walrus(node.orelse))
    if isinstance(node, ast.Compare):
        return surely_walrus(node.left) | surely_walrus(node.comparators[0])
    if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return set()  # run later, maybe zero times
    found: set[str] = set()
    for child in child_nodes(node):
        found |= surely_walrus(child)
    return found


def walrus_if(node: ast.expr, truthy: bool) -> set[str]:
    """Names `:=` surely binds once the test `node` has been found truthy (or falsy)."""
    if isinstance(node, ast.BoolOp):
        all_ran = isinstance(node.op, ast.And) == truthy  # `a and b` true / `a or b` false
        if all_ran:
            return set().union(*(walrus_if(v, truthy) for v in node.values))
        return surely_walrus(node.values[0])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return walrus_if(node.operand, not truthy)
    if isinstance(node, ast.NamedExpr):
        return target_names(node.target) | walrus_if(node.value, truthy)
    return surely_walrus(node)


def static_truth(test: ast.expr) -> bool | None:
    """The value a test always has at run time (`True`, `0`, `TYPE_CHECKING`), or None."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name)
    ):
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = static_truth(test.operand)
        return None if inner is None else not inner
    return None


def pattern_names(pattern: ast.AST) -> set[str]:
    """Capture names a match pattern binds when it matches."""
    names: set[str] = set()
    for node in walk_nodes(pattern):
        name = getattr(node, "name", None) if type(node).__name__ in ("MatchAs", "MatchStar") else None
        if name:
            names.add(name)
        rest = getattr(node, "rest", None) if type(node).__name__ == "MatchMapping" else None
        if rest:
            names.add(rest)
    return names


def irrefutable(pattern: ast.AST) -> bool:
    kind = type(pattern).__name__
    if kind == "MatchAs":
        return pattern.pattern is None or irrefutable(pattern.pattern)  # type: ignore[attr-defined]
    if kind == "MatchOr":
        return any(irrefutable(p) for p in pattern.patterns)  # type: ignore[attr-defined]
    return False


def own_scope_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """Every node of `root`'s own scope: does not enter nested functions, lambdas, classes or
    comprehensions (their names and decorators belong to `root`, their bodies do not)."""
    stack = list(child_nodes(root))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
        elif isinstance(node, ast.ClassDef):
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
        elif isinstance(node, ast.Lambda):
            stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # the first iterable runs in this scope; a `:=` anywhere inside binds in it too
            stack.append(node.generators[0].iter)
            stack.extend(n for n in walk_nodes(node) if isinstance(n, ast.NamedExpr))
        else:
            stack.extend(child_nodes(node))


@record
class ScopeFacts:
    """What one scope (a function, or the module) binds itself: every local with its first
    line, how some were bound (imports, defs), its `global`/`nonlocal` declarations, and the
    names it may unbind."""

    locals: dict[str, int]
    modules: dict[str, str]  # name -> dotted module, bound by `import x` (a module object)
    imported: dict[str, str]  # name -> dotted origin, bound by `from x import y` (".y" when relative)
    functions: frozenset[str]  # bound by `def`
    globals: frozenset[str]
    nonlocals: frozenset[str]
    deleted: frozenset[str]  # names `del` or an `except ... as` handler unbinds somewhere


def scope_statements(block: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of a block's own scope, nested blocks included, in source order (nested
    `def`/`class` statements are yielded, their bodies are another scope)."""
    for stmt in block:
        yield stmt
        if type(stmt) in SIMPLE_STATEMENTS or isinstance(stmt, SCOPE_BARRIERS):  # no block of this scope below
            continue
        for _, _, child in child_blocks(stmt):
            yield from scope_statements(child)


def _walrus_targets(stmt: ast.stmt) -> Iterator[ast.NamedExpr]:
    """`:=` in a statement's own expressions (comprehensions included: their `:=` binds in the
    enclosing scope; lambdas and nested blocks excluded)."""
    stack: list[ast.AST] = [child for child in child_nodes(stmt) if not isinstance(child, (ast.stmt, ast.excepthandler))
                            and type(child).__name__ != "match_case"]
    for case in getattr(stmt, "cases", ()) or ():
        stack.append(case.pattern)
        if case.guard is not None:
            stack.append(case.guard)
    for handler in getattr(stmt, "handlers", ()) or ():
        if handler.type is not None:
            stack.append(handler.type)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.NamedExpr):
            yield node
        if not isinstance(node, ast.Lambda):
            stack.extend(child_nodes(node))


def scope_facts(scope: FunctionNode | ast.Module, walrus: bool = True) -> ScopeFacts:
    """One pass over the scope's statements (expressions are scanned only for `:=`, and only
    with `walrus`: a caller that knows the source has no `:=` skips that scan)."""
    is_function = isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
    first = scope.lineno if is_function else 1  # type: ignore[union-attr]
    found: dict[str, int] = {name: first for name in parameters(scope)} if is_function else {}  # type: ignore[arg-type]
    modules: dict[str, str] = {}
    imported: dict[str, str] = {}
    functions: set[str] = set()
    declared_global: set[str] = set()
    declared_nonlocal: set[str] = set()
    deleted: set[str] = set()

    def bind(names, line: int) -> None:
        for name in names:
            if name not in found:
                found[name] = line

    for stmt in scope_statements(scope.body):
        line = stmt.lineno
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                bind(target_names(target), line)
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            bind(target_names(stmt.target), line)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            bind(target_names(stmt.target), line)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    bind(target_names(item.optional_vars), line)
        elif isinstance(stmt, ast.Delete):
            gone = set().union(*(target_names(t) for t in stmt.targets))
            bind(gone, line)
            deleted |= gone
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                local = (alias.asname or alias.name).split(".")[0]
                bind([local], line)
                modules[local] = alias.name if alias.asname else local
        elif isinstance(stmt, ast.ImportFrom):
            base = "." * stmt.level + (stmt.module or "")
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name
                bind([local], line)
                imported[local] = base + alias.name if base.endswith(".") or not base else f"{base}.{alias.name}"
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind([stmt.name], line)
            if not isinstance(stmt, ast.ClassDef):
                functions.add(stmt.name)
        elif isinstance(stmt, ast.Global):
            declared_global.update(stmt.names)
        elif isinstance(stmt, ast.Nonlocal):
            declared_nonlocal.update(stmt.names)
        elif isinstance(stmt, _TRY_NODES):
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name:
                    bind([handler.name], handler.lineno)
                    deleted.add(handler.name)
        elif _MATCH is not None and isinstance(stmt, _MATCH):
            for case in stmt.cases:  # type: ignore[attr-defined]
                bind(pattern_names(case.pattern), case.pattern.lineno)
        if walrus:
            for named in _walrus_targets(stmt):
                bind(target_names(named.target), named.lineno)
    for name in declared_global | declared_nonlocal:
        found.pop(name, None)
    return ScopeFacts(found, modules, imported, frozenset(functions), frozenset(declared_global),
                      frozenset(declared_nonlocal), frozenset(deleted))


def mentioned_names(function: FunctionNode) -> set[str]:
    """Every identifier anywhere in the function, nested scopes included: a name a new binding
    must not take (it would change what some reference in the function means)."""
    names = set(parameters(function))
    for node in walk_nodes(function):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif type(node).__name__ in ("MatchAs", "MatchStar", "MatchMapping"):
            names |= pattern_names(node)
    return names


def deleted_in(block: list[ast.stmt]) -> set[str]:
    """Names a block may unbind: `del` targets and `except ... as` names (own scope only)."""
    names: set[str] = set()
    for stmt in scope_statements(block):
        if isinstance(stmt, ast.Delete):
            names |= set().union(*(target_names(t) for t in stmt.targets))
        elif isinstance(stmt, _TRY_NODES):
            names |= {h.name for h in stmt.handlers if h.name}  # type: ignore[attr-defined]
    return names


# -- module level --------------------------------------------------------------------------------
def import_table(facts: ScopeFacts) -> dict[str, str]:
    """Name -> the dotted name it was imported as (`import a.b` binds `a` -> "a", `import numpy
    as np` -> "numpy", `from x import y as z` -> "x.y"): how `with` items and calls resolve."""
    return {**facts.imported, **facts.modules}


def star_import_lines(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) of every `from x import *` at module level."""
    return [
        (node.lineno, "." * node.level + (node.module or ""))
        for node in scope_statements(tree.body)
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
    ]


def resolve_dotted(expr: ast.expr, imports: dict[str, str]) -> str | None:
    """`a.b.c` with `a` replaced by what the module imported it as."""
    name = dotted_name(expr)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    origin = imports.get(head, head)
    return f"{origin}.{rest}" if rest else origin


def may_suppress(item: ast.withitem, imports: dict[str, str]) -> bool:
    """Whether the context manager of a `with` item may swallow an exception of the body."""
    expr = item.context_expr
    if isinstance(expr, ast.Call):
        expr = expr.func
    return resolve_dotted(expr, imports) not in KNOWN_NON_SUPPRESSING


# -- the analysis --------------------------------------------------------------------------------
@dataclass
class Exits:
    """The states in which control leaves a statement or block, one per way out (None: no path
    leaves that way). `raised` is what is bound at every point an exception may escape."""

    normal: frozenset | None
    breaks: frozenset | None = None
    continues: frozenset | None = None
    raised: frozenset | None = None


@record
class Flow:
    """Per statement of one function: names surely bound right before it, and right after it
    completes normally. A statement missing from `before` is reached by no path."""

    before: dict[int, frozenset] = field(default_factory=dict)
    after: dict[int, frozenset] = field(default_factory=dict)

    def at(self, stmt: ast.stmt, after: bool = False) -> frozenset | None:
        return (self.after if after else self.before).get(id(stmt))


class _Analyser:
    def __init__(self, imports: dict[str, str], flow: Flow | None, names: bool = True, walrus: bool = True):
        self.imports = imports
        self.flow = flow
        self.names = names  # False: reachability only (no expression scans)
        self.scan = names and walrus  # scan expressions for `:=` (skipped when the source has none)

    # -- helpers --------------------------------------------------------------------------------
    def walrus(self, node: ast.AST | None) -> set[str]:
        return surely_walrus(node) if self.scan and node is not None else set()

    def walrus_if(self, node: ast.expr, truthy: bool) -> set[str]:
        return walrus_if(node, truthy) if self.scan else set()

    def record(self, table: dict[int, frozenset], stmt: ast.stmt, state: frozenset | None) -> None:
        if state is None:
            return
        old = table.get(id(stmt))
        table[id(stmt)] = state if old is None else old & state

    # -- blocks ---------------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], state: frozenset | None) -> Exits:
        out = Exits(state)
        for stmt in stmts:
            if out.normal is None:
                break  # the rest of the block is unreachable: left out of the flow
            result = self.stmt(stmt, out.normal)
            out = Exits(result.normal, meet(out.breaks, result.breaks), meet(out.continues, result.continues),
                        meet(out.raised, result.raised))
        return out

    def stmt(self, stmt: ast.stmt, state: frozenset) -> Exits:
        flow = self.flow
        if flow is not None:
            self.record(flow.before, stmt, state)
        result = self._stmt(stmt, state)
        result.raised = state if result.raised is None else result.raised & state  # any statement may raise
        if flow is not None:
            self.record(flow.after, stmt, result.normal)
        return result

    def _stmt(self, stmt: ast.stmt, s: frozenset) -> Exits:
        # the most frequent statements first: calls (logger lines, awaits) and assignments
        if isinstance(stmt, ast.Expr):
            return Exits(s | self.walrus(stmt.value)) if self.scan else Exits(s)
        if isinstance(stmt, ast.Assign):
            names = set().union(*(target_names(t) for t in stmt.targets)) if self.names else set()
            return Exits(s | self.walrus(stmt.value) | names | set().union(*(self.walrus(t) for t in stmt.targets)))
        if isinstance(stmt, ast.AugAssign):
            return Exits(s | self.walrus(stmt.value) | (target_names(stmt.target) if self.names else set()))
        if isinstance(stmt, ast.AnnAssign):
            if stmt.value is None:
                return Exits(s)
            return Exits(s | self.walrus(stmt.value) | (target_names(stmt.target) if self.names else set()))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return Exits(s | {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"})
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return Exits(s | {stmt.name})
        if isinstance(stmt, ast.Delete):
            gone = set().union(*(target_names(t) for t in stmt.targets))
            return Exits(s - gone)
        if isinstance(stmt, (ast.Return, ast.Raise)):
            return Exits(None)
        if isinstance(stmt, ast.Break):
            return Exits(None, breaks=s)
        if isinstance(stmt, ast.Continue):
            return Exits(None, continues=s)
        if isinstance(stmt, ast.If):
            return self._if(stmt, s)
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            return self._for(stmt, s)
        if isinstance(stmt, ast.While):
            return self._while(stmt, s)
        if isinstance(stmt, _TRY_NODES):
            return self._try(stmt, s)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._with(stmt, s)
        if _MATCH is not None and isinstance(stmt, _MATCH):
            return self._match(stmt, s)
        if isinstance(stmt, ast.Assert):
            return Exits(s)  # `python -O` removes asserts: their `:=` binds nothing for sure
        return Exits(s)  # pass, global, nonlocal, type aliases, ...

    def _if(self, stmt: ast.If, s: frozenset) -> Exits:
        truth = static_truth(stmt.test)
        body = self.block(stmt.body, s | self.walrus_if(stmt.test, True)) if truth is not False else Exits(None)
        orelse = self.block(stmt.orelse, s | self.walrus_if(stmt.test, False)) if truth is not True else Exits(None)
        return Exits(meet(body.normal, orelse.normal), meet(body.breaks, orelse.breaks),
                     meet(body.continues, orelse.continues), meet(body.raised, orelse.raised))

    def _for(self, stmt: ast.For | ast.AsyncFor, s: frozenset) -> Exits:
        head = (s | self.walrus(stmt.iter)) - deleted_in(stmt.body) if self.names else s
        body = self.block(stmt.body, head | (target_names(stmt.target) if self.names else set()))
        orelse = self.block(stmt.orelse, head)
        return Exits(meet(orelse.normal, body.breaks), orelse.breaks, orelse.continues, meet(meet(head, body.raised), orelse.raised))

    def _while(self, stmt: ast.While, s: frozenset) -> Exits:
        head = s - deleted_in(stmt.body) if self.names else s
        truth = static_truth(stmt.test)
        body = self.block(stmt.body, head | self.walrus_if(stmt.test, True)) if truth is not False else Exits(None)
        orelse = self.block(stmt.orelse, head | self.walrus_if(stmt.test, False)) if truth is not True else Exits(None)
        return Exits(meet(orelse.normal, body.breaks), orelse.breaks, orelse.continues, meet(meet(head, body.raised), orelse.raised))

    def _try(self, stmt: ast.stmt, s: frozenset) -> Exits:
        body = self.block(stmt.body, s)  # type: ignore[attr-defined]
        in_body = meet(s, body.raised)
        handlers = []
        for handler in stmt.handlers:  # type: ignore[attr-defined]
            name = {handler.name} if handler.name else set()
            result = self.block(handler.body, (in_body or frozenset()) | name)
            if name:  # Python deletes the `as` name when the handler ends, however it ends
                result = Exits(*(None if x is None else x - name for x in (result.normal, result.breaks, result.continues, result.raised)))
            handlers.append(result)
        orelse = self.block(stmt.orelse, body.normal) if body.normal is not None else Exits(None)  # type: ignore[attr-defined]
        parts = [orelse, *handlers]
        normal = None
        breaks, continues, raised = body.breaks, body.continues, in_body
        for part in parts:
            normal = meet(normal, part.normal)
            breaks, continues, raised = meet(breaks, part.breaks), meet(continues, part.continues), meet(raised, part.raised)
        final = stmt.finalbody  # type: ignore[attr-defined]
        if not final:
            return Exits(normal, breaks, continues, raised)
        entry = meet(meet(normal, breaks), meet(continues, raised))
        any_way = self.block(final, entry)
        after_normal = self.block(final, normal) if normal is not None else Exits(None)
        leaves = any_way.normal
        return Exits(
            after_normal.normal,
            meet(leaves if breaks is not None else None, meet(any_way.breaks, after_normal.breaks)),
            meet(leaves if continues is not None else None, meet(any_way.continues, after_normal.continues)),
            meet(meet(any_way.raised, after_normal.raised), leaves if raised is not None else None),
        )

    def _with(self, stmt: ast.With | ast.AsyncWith, s: frozenset) -> Exits:
        entered = set(s)
        for item in stmt.items:
            entered |= self.walrus(item.context_expr)
            if item.optional_vars is not None and self.names:
                entered |= target_names(item.optional_vars)
        body = self.block(stmt.body, frozenset(entered))
        normal = body.normal
        if any(may_suppress(item, self.imports) for item in stmt.items):
            normal = meet(normal, body.raised)  # the body may stop at any point, and go on after
        return Exits(normal, body.breaks, body.continues, body.raised)

    def _match(self, stmt: ast.stmt, s: frozenset) -> Exits:
        subject = s | self.walrus(stmt.subject)  # type: ignore[attr-defined]
        normal = None
        breaks = continues = None
        raised: frozenset | None = subject
        exhaustive = False
        for case in stmt.cases:  # type: ignore[attr-defined]
            entry = subject | (pattern_names(case.pattern) if self.names else set())
            if case.guard is not None:
                entry |= self.walrus_if(case.guard, True)
            result = self.block(case.body, entry)
            normal = meet(normal, result.normal)
            breaks, continues, raised = meet(breaks, result.breaks), meet(continues, result.continues), meet(raised, result.raised)
            if case.guard is None and irrefutable(case.pattern):
                exhaustive = True
                break
        if not exhaustive:
            normal = meet(normal, subject)  # no case matched
        return Exits(normal, breaks, continues, raised)


def function_flow(function: FunctionNode, imports: dict[str, str] | None = None, walrus: bool = True) -> Flow:
    """One pass over the function: the names surely bound before and after each statement.
    `walrus=False` (the source has no `:=`) skips scanning expressions."""
    flow = Flow()
    _Analyser(imports or {}, flow, walrus=walrus).block(function.body, frozenset(parameters(function)))
    return flow


def module_bound(tree: ast.Module, imports: dict[str, str] | None = None, walrus: bool = True) -> frozenset[str]:
    """Names surely bound at module level once the module has run (what functions see)."""
    imports = imports if imports is not None else import_table(scope_facts(tree))
    result = _Analyser(imports, None, walrus=walrus).block(tree.body, MODULE_DUNDERS)
    return result.normal if result.normal is not None else (result.raised or MODULE_DUNDERS)


def completes(stmt: ast.stmt, imports: dict[str, str] | None = None) -> bool:
    """Whether control may continue after `stmt` (False after return/raise/break/continue, an
    `if` whose branches all end so, `while True:` without break, ...)."""
    return _Analyser(imports or {}, None, names=False).stmt(stmt, frozenset()).normal is not None


def unreachable_reason(function: FunctionNode, stmt: ast.stmt, after: bool, imports: dict[str, str] | None = None) -> str | None:
    """Why code right before (or after) `stmt` can never run, or None if some path may reach it."""
    path = path_to(function, stmt)
    if path is None:
        return None
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        preceding = step.block[: step.index + (1 if last and after else 0)]
        for earlier in preceding:
            if not completes(earlier, imports):
                return f"it comes after {_describe(earlier)}, which never lets control reach it"
        if last:
            break
        current = step.block[step.index]
        owner, field_name = path[depth + 1].owner, path[depth + 1].field
        if isinstance(current, ast.If):
            truth = static_truth(current.test)
            if truth is False and field_name == "body" and owner is current:
                return f"it is inside `if {ast.unparse(current.test)}:` (line {current.lineno}), which is never true at run time"
            if truth is True and field_name == "orelse" and owner is current:
                return f"it is in the `else` of `if {ast.unparse(current.test)}:` (line {current.lineno}), which is always true"
        if isinstance(current, ast.While) and owner is current:
            truth = static_truth(current.test)
            if truth is False and field_name == "body":
                return f"it is inside `while {ast.unparse(current.test)}:` (line {current.lineno}), which never runs"
            if truth is True and field_name == "orelse":
                return f"it is in the `else` of `while {ast.unparse(current.test)}:` (line {current.lineno}), which only ends through `break`"
    return None


def _describe(stmt: ast.stmt) -> str:
    words = {ast.Return: "`return`", ast.Raise: "`raise`", ast.Break: "`break`", ast.Continue: "`continue`"}
    for kind, word in words.items():
        if isinstance(stmt, kind):
            return f"the {word} at line {stmt.lineno}"
    if isinstance(stmt, ast.While):
        return f"the `while` loop at line {stmt.lineno} (it never ends normally)"
    return f"the statement at line {stmt.lineno} (every path through it returns, raises, breaks or continues)"


# -- the functions around a function -------------------------------------------------------------
Enclosing = tuple[tuple[FunctionNode, ast.stmt], ...]


def enclosing_map(tree: ast.Module) -> dict[int, Enclosing]:
    """id(function) -> (enclosing function, the statement of its body that holds the nested
    def) for every function nested in another one, outermost first, in one statement walk."""
    found: dict[int, Enclosing] = {}

    def visit_function(function: FunctionNode, chain: Enclosing) -> None:
        if chain:
            found[id(function)] = chain
        for stmt in scope_statements(function.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit_function(stmt, chain + ((function, stmt),))
            elif isinstance(stmt, ast.ClassDef):
                visit_class(stmt, chain + ((function, stmt),))

    def visit_class(classdef: ast.ClassDef, chain: Enclosing) -> None:
        for stmt in scope_statements(classdef.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit_function(stmt, chain)
            elif isinstance(stmt, ast.ClassDef):
                visit_class(stmt, chain)

    visit_class(tree, ())  # type: ignore[arg-type]  # module level: like a class body, no chain
    del visit_function, visit_class  # break the closures' reference cycle (see `used_names`)
    return found


# -- what an expression reads ---------------------------------------------------------------------
def used_names(tree: ast.AST) -> list[ast.Name]:
    """Names an expression (or a simple statement) reads from the scope it runs in: names bound
    by its own comprehensions count only inside them, lambda parameters inside the lambda."""
    seen: dict[str, ast.Name] = {}

    def visit(node: ast.AST, bound: frozenset[str]) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id not in bound:
                seen.setdefault(node.id, node)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = bound
            for index, generator in enumerate(node.generators):
                visit(generator.iter, bound if index == 0 else inner)
                inner = inner | target_names(generator.target)
                for condition in generator.ifs:
                    visit(condition, inner)
            for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):  # type: ignore[attr-defined]
                visit(part, inner)
            return
        if isinstance(node, ast.Lambda):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    visit(default, bound)
            visit(node.body, bound | parameters(node))
            return
        for child in child_nodes(node):
            visit(child, bound)

    visit(tree, frozenset())
    del visit  # a recursive closure is a reference cycle: break it, so the tree is freed at once
    return list(seen.values())


def bound_names(tree: ast.AST) -> set[str]:
    """Names a simple statement binds in the scope it runs in."""
    return {node.id for node in own_scope_nodes(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


