"""The one walker over statement bodies, and the small structural helpers every layer needs.

A statement owns child blocks through `body`, `orelse`, `finalbody`, the bodies of its
`handlers` and the bodies of its `cases`; `child_blocks` is the only place that knows this.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import PurePosixPath
from typing import Iterator

from eventmod.model.record import record

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
SCOPE_BARRIERS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
LOOPS = (ast.For, ast.AsyncFor, ast.While)


@record
class Placed:
    """A statement with the block it belongs to and the node owning that block."""

    stmt: ast.stmt
    block: tuple[ast.stmt, ...]
    index: int
    parent: ast.AST  # the function, a compound statement, an except handler or a match case
    field: str = "body"  # the parent's field holding `block` ("body", "orelse", "finalbody")


@record
class Step:
    """One step of a path from a function body down to a statement."""

    owner: ast.AST
    field: str
    block: list[ast.stmt]
    index: int


SIMPLE_STATEMENTS = frozenset({
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise, ast.Pass, ast.Break, ast.Continue,
    ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Delete, ast.Assert,
})


def child_blocks(stmt: ast.AST) -> Iterator[tuple[ast.AST, str, list[ast.stmt]]]:
    """(owner, field, statements) of every statement list directly below `stmt`, in source
    order: body, handlers, orelse, finalbody (handlers and cases own their bodies)."""
    if type(stmt) in SIMPLE_STATEMENTS:
        return  # most statements own no block: skip the attribute probes
    body = getattr(stmt, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        yield stmt, "body", body
    for handler in getattr(stmt, "handlers", ()) or ():
        yield handler, "body", handler.body
    for case in getattr(stmt, "cases", ()) or ():
        yield case, "body", case.body
    for field in ("orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield stmt, field, block


def walk_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk(node)`: the same nodes in the same (breadth-first) order, at about half the
    cost. `ast.walk` reads each node's children through two nested generators
    (`iter_child_nodes` over `iter_fields`); this loop reads them itself (inline: a call of
    `child_nodes` per node costs a third more)."""
    todo = deque((node,))
    take, put, tree_node = todo.popleft, todo.append, ast.AST
    while todo:
        node = take()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, tree_node):
                put(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, tree_node):
                        put(item)


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))`, without its two generators."""
    found: list[ast.AST] = []
    tree_node = ast.AST
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, tree_node):
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, tree_node):
                    found.append(item)
    return found


def statements_breadth_first(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and the statements below it (nested scopes included, with the except handlers
    and match cases that own bodies) in `ast.walk`'s order, without entering expressions: no
    expression holds a statement, so skipping them keeps that order at a fraction of the cost."""
    queue = deque([node])
    while queue:
        current = queue.popleft()
        yield current
        for owner, _, block in child_blocks(current):
            if owner is current:
                queue.extend(block)
            else:
                queue.append(owner)  # a handler or case: its body one level further down, as in ast.walk


def walk_marked(tree: ast.Module, lines: list[str], markers: tuple[str, ...]) -> Iterator[ast.AST]:
    """Every node `ast.walk(tree)` yields that can hold one of `markers` in its text: a statement
    whose lines hold none of them is neither yielded nor entered (nothing in it can spell a
    marker). In `ast.walk`'s order. For finding calls by name in a large file where few lines
    can hold one."""
    marked = [0]  # marked[n]: how many of the first n lines hold a marker
    for line in lines:
        marked.append(marked[-1] + any(marker in line for marker in markers))
    todo: deque[ast.AST] = deque([tree])
    while todo:
        node = todo.popleft()
        if isinstance(node, ast.stmt) and marked[node.end_lineno or node.lineno] == marked[node.lineno - 1]:
            continue
        todo.extend(child_nodes(node))
        yield node


def walk_statements(function: ast.AST) -> Iterator[Placed]:
    """Every statement of the function's own body, at any depth, in source order; does not
    enter nested functions or classes (their statements run in another scope)."""

    def walk(parent: ast.AST, field: str, body: list[ast.stmt]) -> Iterator[Placed]:
        block = tuple(body)
        for index, stmt in enumerate(body):
            yield Placed(stmt, block, index, parent, field)
            if isinstance(stmt, SCOPE_BARRIERS):
                continue
            for owner, child_field, child_body in child_blocks(stmt):
                yield from walk(owner, child_field, child_body)

    try:
        yield from walk(function, "body", function.body)  # type: ignore[attr-defined]
    finally:
        del walk  # a recursive closure is a reference cycle: break it


def path_to(function: ast.AST, target: ast.stmt) -> list[Step] | None:
    """The steps from the function body down to `target` (the last step holds `target`)."""

    def search(owner: ast.AST, field: str, block: list[ast.stmt]) -> list[Step] | None:
        for index, stmt in enumerate(block):
            if stmt is target:
                return [Step(owner, field, block, index)]
            if isinstance(stmt, SCOPE_BARRIERS):
                continue
            for child_owner, child_field, child_block in child_blocks(stmt):
                found = search(child_owner, child_field, child_block)
                if found:
                    return [Step(owner, field, block, index), *found]
        return None

    path = search(function, "body", function.body)  # type: ignore[attr-defined]
    del search  # a recursive closure is a reference cycle (holding `target`): break it
    return path


def enclosing_statements(function: ast.AST, target: ast.stmt) -> list[ast.stmt]:
    """The compound statements around `target`, outermost first (empty at the function's top)."""
    path = path_to(function, target) or []
    return [step.block[step.index] for step in path[:-1]]


def inside_loop(function: ast.AST, target: ast.stmt) -> bool:
    return any(isinstance(stmt, LOOPS) for stmt in enclosing_statements(function, target))


def parameters(function: FunctionNode | ast.Lambda) -> set[str]:
    """Every parameter name: positional-only, regular, *args, keyword-only and **kwargs."""
    return {a.arg for a in parameter_args(function)}


def parameter_args(function: FunctionNode | ast.Lambda) -> list[ast.arg]:
    """Every parameter, in order: positional-only, regular, *args, keyword-only and **kwargs."""
    args = function.args
    return [a for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a is not None]


def first_line(stmt: ast.stmt) -> int:
    """A statement's first line: a decorated def or class starts at its first decorator, not at
    `def` (ast's lineno), so nothing may be inserted between the two."""
    return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", None) or ())])


def is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def module_of(path: str) -> str:
    """Dotted module name of a file path relative to the import root (`a/b/__init__.py` -> a.b)."""
    parts = PurePosixPath(path).with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# -- functions and classes of a module ---------------------------------------------------------
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
                for _, _, block in child_blocks(node):
                    visit(block, prefix, local_prefix)

    visit(tree.body, "", "")
    del visit  # a recursive closure is a reference cycle (holding the tree): break it
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
    del visit  # break the recursive closure's reference cycle
    return frozenset(found)
