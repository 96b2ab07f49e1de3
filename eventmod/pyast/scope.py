"""Definite-assignment analysis of one function with stdlib `ast`: which names are bound on
every path that reaches an insertion point.

Only the target function is analysed (libcst's whole-module ScopeProvider costs ~10x a parse).
The rules are deliberately conservative: a name bound only inside a `try` body is not bound in
its handlers, a loop variable is not bound after a loop that may not run, a name bound in one
branch of an `if` is not bound after it, and a branch that always returns/raises does not
reach the code after it.
"""

from __future__ import annotations

import ast
import builtins

from eventmod.pyast.walk import FunctionNode, Step, parameters, path_to

BUILTINS = frozenset(dir(builtins))


# -- binding rules -----------------------------------------------------------------------------
def target_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | (
        {target.id} if isinstance(target, ast.Name) else set()
    )


def _falls_through(block: list[ast.stmt]) -> bool:
    """Whether control can reach the end of `block` (no unconditional return/raise/break/continue)."""
    for stmt in block:
        if isinstance(stmt, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
            return False
        if isinstance(stmt, ast.If) and stmt.orelse and not _falls_through(stmt.body) and not _falls_through(stmt.orelse):
            return False
    return True


def binds(stmt: ast.stmt) -> set[str]:
    """Names surely bound once `stmt` completes normally."""
    if isinstance(stmt, ast.Assign):
        return set().union(*(target_names(t) for t in stmt.targets))
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return target_names(stmt.target) if (not isinstance(stmt, ast.AnnAssign) or stmt.value is not None) else set()
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        names = set().union(*(target_names(i.optional_vars) for i in stmt.items if i.optional_vars is not None))
        return names | block_binds(stmt.body)
    if isinstance(stmt, ast.If):
        branches = [b for b in (stmt.body, stmt.orelse) if _falls_through(b)]
        if not stmt.orelse:
            return set()
        if not branches:
            return set()
        return set.intersection(*(block_binds(b) for b in branches))
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        paths = []
        main = stmt.body + stmt.orelse  # type: ignore[attr-defined]
        if _falls_through(main):
            paths.append(block_binds(main))
        for handler in stmt.handlers:  # type: ignore[attr-defined]
            if _falls_through(handler.body):
                paths.append(block_binds(handler.body) | ({handler.name} if handler.name else set()))
        surely = set.intersection(*paths) if paths else set()
        return surely | block_binds(stmt.finalbody)  # type: ignore[attr-defined]
    if isinstance(stmt, ast.Expr):
        return {n.target.id for n in ast.walk(stmt) if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}
    return set()  # for/while (may not run), match, delete, ...


def block_binds(block: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for stmt in block:
        names |= binds(stmt)
        if isinstance(stmt, ast.Delete):
            names -= set().union(*(target_names(t) for t in stmt.targets))
    return names


def all_bindings(function: FunctionNode) -> dict[str, int]:
    """Every name the function binds anywhere in its own scope, with the first line."""
    found: dict[str, int] = {}
    for node in ast.walk(function):
        if node is function:
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.setdefault(node.id, node.lineno)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.setdefault(node.name, node.lineno)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                found.setdefault((a.asname or a.name).split(".")[0], node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.setdefault(node.name, node.lineno)
    return found


# -- module and enclosing scopes ---------------------------------------------------------------
def module_names(tree: ast.Module) -> tuple[frozenset[str], bool]:
    """Names bound anywhere at module level (liberally), and whether a star import exists."""
    names: set[str] = set()
    star = False

    def visit(block: list[ast.stmt]) -> None:
        nonlocal star
        for stmt in block:
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                star = True
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(stmt.name)
                continue
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
                elif isinstance(node, ast.ExceptHandler) and node.name:
                    names.add(node.name)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)

    visit(tree.body)
    return frozenset(names), star


def enclosing_map(tree: ast.Module) -> dict[int, list[FunctionNode]]:
    """id(function) -> the functions it is nested in (outermost first), for every function
    nested in another one, in one walk of the module's statements."""
    found: dict[int, list[FunctionNode]] = {}

    def visit(node: ast.AST, stack: list[FunctionNode]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stack:
                    found[id(child)] = list(stack)
                visit(child, stack + [child])
            elif isinstance(child, (ast.stmt, ast.excepthandler)) or type(child).__name__ == "match_case":
                visit(child, stack)

    visit(tree, [])
    return found


# -- the insertion point -----------------------------------------------------------------------
def bound_at(function: FunctionNode, stmt: ast.stmt, after: bool) -> set[str]:
    """Locals surely bound right before `stmt` (or right after it, with `after`)."""
    path = path_to(function, stmt)
    if path is None:  # pragma: no cover - sites always come from this function
        return parameters(function)
    bound = parameters(function)
    for step in path:
        bound |= block_binds(step.block[:step.index])
        current = step.block[step.index]
        if current is stmt:
            if after:
                bound |= binds(current)
            break
        bound |= _entering(current, path)
    return bound


def _entering(stmt: ast.stmt, path: list[Step]) -> set[str]:
    """Names bound on entering the child block of `stmt` that the path goes into."""
    next_owner, next_field = _next_step(stmt, path)
    if isinstance(stmt, (ast.For, ast.AsyncFor)) and next_field == "body" and next_owner is stmt:
        return target_names(stmt.target)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return set().union(*(target_names(i.optional_vars) for i in stmt.items if i.optional_vars is not None))
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        if isinstance(next_owner, ast.ExceptHandler):
            return {next_owner.name} if next_owner.name else set()
        if next_field == "orelse":
            return block_binds(stmt.body)  # type: ignore[attr-defined]
    if type(stmt).__name__ == "Match" and next_owner is not None:
        return {n.id for n in ast.walk(next_owner) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | {
            getattr(n, "name") for n in ast.walk(next_owner) if type(n).__name__ in ("MatchAs", "MatchStar") and getattr(n, "name", None)
        }
    return set()


def _next_step(stmt: ast.stmt, path: list[Step]) -> tuple[ast.AST | None, str | None]:
    for step in path:
        owner = step.owner
        if owner is stmt or (isinstance(owner, ast.ExceptHandler) and owner in getattr(stmt, "handlers", [])) or (
            type(owner).__name__ == "match_case" and owner in getattr(stmt, "cases", [])
        ):
            return owner, step.field
    return None, None


def used_names(expr: ast.AST) -> list[ast.Name]:
    """Names an expression reads, minus those its own comprehensions and lambdas bind."""
    local: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.comprehension):
            local |= target_names(node.target)
        elif isinstance(node, ast.Lambda):
            local |= {a.arg for a in node.args.args}
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            local.add(node.target.id)
    seen: dict[str, ast.Name] = {}
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            seen.setdefault(node.id, node)
    return list(seen.values())
