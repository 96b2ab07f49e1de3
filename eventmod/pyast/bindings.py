"""Which names a scope binds: the module, a function (parameters included) or a class body.

Used to keep the names eventmod adds (the getter, the enum, `asyncio`, `logging`, the file's
logger) from rebinding or being shadowed by the code's own names: an import of another enum, a
local function or class, a global assignment, a parameter or local of the instrumented
function, a class attribute of the enclosing class.
"""

from __future__ import annotations

import ast
from typing import Iterator

from eventmod.pyast.walk import SIMPLE_STATEMENTS, child_blocks, child_nodes, parameter_args, walk_nodes

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def bindings(scope: ast.AST, text: str | None = None) -> dict[str, list[ast.AST]]:
    """name -> the nodes that bind it in `scope` itself (a Module, function, class or lambda):
    assignment, augmented and annotated targets, `for`/`with`/`except ... as`, imports, def and
    class names, walrus, `del`, match captures and parameters. Nested function and class bodies
    are other scopes (their names count, their insides do not); so are comprehensions.
    `text`, the scope's source, lets a scope without `:=` skip the walk of its expressions."""
    if text is None or ":=" in text or isinstance(scope, ast.Lambda):
        return _bindings_walk(scope)
    found: dict[str, list[ast.AST]] = {}

    def add(name: str, node: ast.AST) -> None:
        found.setdefault(name, []).append(node)

    def targets(node: ast.AST) -> None:
        for child in walk_nodes(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                add(child.id, child)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in parameter_args(scope):
            add(arg.arg, arg)
    stack: list[ast.stmt] = list(reversed(getattr(scope, "body", [])))
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(stmt.name, stmt)
            continue
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                targets(target)
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            targets(stmt.target)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            targets(stmt.target)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                targets(target)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for name in import_bindings(stmt):
                add(name, stmt)
        for handler in getattr(stmt, "handlers", ()) or ():
            if handler.name:
                add(handler.name, handler)
        for case in getattr(stmt, "cases", ()) or ():
            for node in walk_nodes(case.pattern):
                if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                    add(node.name, node)
                elif isinstance(node, ast.MatchMapping) and node.rest:
                    add(node.rest, node)
        for _, _, block in child_blocks(stmt):
            stack.extend(reversed(block))
    return found


def _bindings_walk(scope: ast.AST) -> dict[str, list[ast.AST]]:
    """`bindings` by walking every node of the scope (walrus targets included)."""
    found: dict[str, list[ast.AST]] = {}

    def add(name: str, node: ast.AST) -> None:
        found.setdefault(name, []).append(node)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        for arg in parameter_args(scope):
            add(arg.arg, arg)
    for node in _scope_nodes(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            add(node.id, node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for name in import_bindings(node):
                add(name, node)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add(node.name, node)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            add(node.name, node)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            add(node.rest, node)
    return found


def import_bindings(stmt: ast.Import | ast.ImportFrom) -> list[str]:
    """The names an import binds: `import a.b` binds `a`, `import a.b as c` and `from m import b
    as c` bind `c`; `from m import *` binds none that can be known."""
    if isinstance(stmt, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in stmt.names]
    return [alias.asname or alias.name for alias in stmt.names if alias.name != "*"]


def _scope_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Every node of `scope`'s own code: nested defs, classes and lambdas are yielded (their
    names bind here) but not entered, except for what runs in this scope (decorators, defaults,
    base classes); comprehensions are skipped except for their first iterable."""
    body = getattr(scope, "body", [])
    stack: list[ast.AST] = list(reversed(body if isinstance(body, list) else [body]))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED):
            outer: list[ast.AST] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                outer += node.decorator_list
            if isinstance(node, ast.ClassDef):
                outer += [*node.bases, *(k.value for k in node.keywords)]
            else:
                args = node.args
                outer += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            stack.extend(reversed(outer))
            continue
        if isinstance(node, _COMPREHENSIONS):
            stack.append(node.generators[0].iter)
            continue
        stack.extend(reversed(list(child_nodes(node))))


def global_assignments(tree: ast.Module) -> set[str]:
    """Names that some function or method declares `global` (and may rebind at run time)."""
    names: set[str] = set()
    for node in walk_nodes(tree):
        if isinstance(node, ast.Global):
            names.update(node.names)
    return names


def global_assignments_in(text: str, tree: ast.Module) -> set[str]:
    """`global_assignments`, skipping the walk when the text has no `global` statement."""
    return global_assignments(tree) if "global" in text else set()


_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def enclosing_scopes(tree: ast.Module) -> dict[int, list[ast.AST]]:
    """id(function or class) -> the functions and classes around it, outermost first."""
    found: dict[int, list[ast.AST]] = {}

    def visit(body: list[ast.stmt], chain: list[ast.AST]) -> None:
        for stmt in body:
            kind = type(stmt)
            if kind in SIMPLE_STATEMENTS:  # most statements: no block below them
                continue
            if kind in _SCOPES:
                found[id(stmt)] = chain
                visit(stmt.body, [*chain, stmt])  # type: ignore[attr-defined]
            else:
                for _, _, block in child_blocks(stmt):
                    visit(block, chain)

    visit(tree.body, [])
    del visit  # a recursive closure is a reference cycle (holding the tree): break it
    return found


def identifiers(node: ast.AST) -> set[str]:
    """Every name that occurs anywhere inside `node`, in any scope, read or bound (a function-
    local import must use names that occur nowhere in the function, nested scopes included)."""
    names: set[str] = set()
    for child in walk_nodes(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.arg):
            names.add(child.arg)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in child.names)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
        elif isinstance(child, (ast.Global, ast.Nonlocal)):
            names.update(child.names)
        elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
            names.add(child.name)
    return names


def free_name(preferred: str, taken) -> str:
    """`preferred`, or the first of `preferred_`, `preferred_2`, ... not in `taken` (the alias
    scheme for names eventmod adds; revert recognises it)."""
    if preferred not in taken:
        return preferred
    if f"{preferred}_" not in taken:
        return f"{preferred}_"
    n = 2
    while f"{preferred}_{n}" in taken:
        n += 1
    return f"{preferred}_{n}"


def is_alias_of(local: str, name: str) -> bool:
    """Whether `local` is `name` or one of the aliases `free_name` makes for it."""
    if local == name or local == f"{name}_":
        return True
    rest = local[len(name) + 1:] if local.startswith(f"{name}_") else ""
    return rest.isdigit() and not rest.startswith("0") and int(rest) >= 2
