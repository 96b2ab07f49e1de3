"""Safe mode: prove a transformation only added code, like black's AST-equivalence check.

The new text is parsed; every statement that consists solely of lines an edit wrote is removed,
a `try` that eventmod wrapped around an original statement is replaced by that statement, and
the names merged into the logger import are dropped (from both sides). What remains must be
the original module's AST exactly. Any difference aborts the run with an internal error before
anything is written.
"""

from __future__ import annotations

import ast


def verify_only_insertions(old_text: str, new_text: str, origin: list[int | None], *,
                           logger_module: str, added_names: tuple[str, ...],
                           replaced: frozenset[int] = frozenset(), old_tree: ast.Module | None = None,
                           scopes: dict[int, int] | None = None, results: dict[int, str] | None = None) -> str | None:
    """None when `new_text` is `old_text` plus inserted statements; else what differs.

    `scopes` maps new lines (1-based) an edit wrote into a function to that function's `def`
    line in the original: every statement written there must sit in that function's body (not
    at module level, where `ast.parse` accepts a top-level `await`, nor in a class body), and an
    `await` may only be written inside an `async def`.

    `replaced` holds original lines (1-based) that edits deliberately rewrote (an eventmod block
    switched to another emit mode, a merged import): statements made only of those lines are
    removed from the original before comparing, as written ones are from the output.
    `results` maps new lines (1-based) of statements that `result: NAME` rewrote to NAME: exactly
    `NAME = <call>` there stands for the original `<call>` statement (an expression statement
    that is a call or an awaited call), nothing else.

    `old_tree`, the caller's parse of `old_text`, saves a parse; it may be modified."""
    if old_tree is None:
        try:
            old_tree = ast.parse(old_text)
        except SyntaxError as exc:  # pragma: no cover - the engine never edits unparsable input
            return f"the original does not parse: {exc}"
    try:
        new_tree = ast.parse(new_text)
    except SyntaxError as exc:
        return f"the output does not parse (line {exc.lineno}): {exc.msg}"
    if results:
        unbound = _Unbind(dict(results))
        new_tree = unbound.visit(new_tree)
        if unbound.pending:
            line = min(unbound.pending)
            return f"line {line} was to bind the anchor statement's value to `{unbound.pending[line]}`, but it is not `{unbound.pending[line]} = <call>`"
    written = {i + 1 for i, o in enumerate(origin) if o is None}
    strip = _Strip(written)
    stripped = strip.visit(new_tree)
    misplaced = _misplaced(strip.removed, origin, scopes or {})
    if misplaced:
        return misplaced
    if replaced:
        old_tree = _Strip(set(replaced)).visit(old_tree)
    for tree in (old_tree, stripped):
        _drop_import_names(tree, logger_module, added_names)
    if _Compare(origin, old_text.split("\n"), new_text.split("\n")).same_block(old_tree.body, stripped.body):
        return None
    return _first_difference(old_tree, stripped)


class _Compare:
    """Structural equality of statement lists that skips what is provably unchanged: a new
    statement whose every line is a copy of the old statement's lines (checked character for
    character, not taken from the edit map on trust), at the same columns, parses to the same
    AST. Only statements around edits are compared node by node."""

    _BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")

    def __init__(self, origin: list[int | None], old_lines: list[str], new_lines: list[str]):
        self.origin = origin
        self.old_lines = old_lines
        self.new_lines = new_lines

    def _verbatim(self, old: ast.AST, new: ast.AST) -> bool:
        if (old.col_offset, old.end_col_offset) != (new.col_offset, new.end_col_offset):  # type: ignore[attr-defined]
            return False
        span = range(new.lineno - 1, new.end_lineno)  # type: ignore[attr-defined]
        expected = range(old.lineno - 1, old.end_lineno)  # type: ignore[attr-defined]
        return len(span) == len(expected) and all(
            self.origin[n] == o and self.new_lines[n] == self.old_lines[o] for n, o in zip(span, expected)
        )

    def same_block(self, old: list, new: list) -> bool:
        return len(old) == len(new) and all(self.same(a, b) for a, b in zip(old, new))

    def same(self, old: ast.AST, new: ast.AST) -> bool:
        if type(old) is not type(new):
            return False
        if hasattr(old, "lineno") and self._verbatim(old, new):
            return True
        blocks = [f for f in self._BLOCKS if isinstance(getattr(old, f, None), list)]
        if not blocks:
            return ast.dump(old) == ast.dump(new)
        for name, value in ast.iter_fields(old):
            if name in blocks:
                if not self.same_block(value, getattr(new, name)):
                    return False
            elif _dump(value) != _dump(getattr(new, name)):
                return False
        return True


def _dump(value) -> str:
    if isinstance(value, ast.AST):
        return ast.dump(value)
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return repr(value)


class _Unbind(ast.NodeTransformer):
    """`NAME = <call>` (or `NAME = await <call>`) at a line `result:` rewrote -> the original
    expression statement `<call>`; a line that does not hold exactly that stays `pending`."""

    def __init__(self, results: dict[int, str]):
        self.pending = results

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        name = self.pending.get(node.lineno)
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if name is not None and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == name and isinstance(value, ast.Call):
            del self.pending[node.lineno]
            expr = ast.Expr(node.value)
            return ast.copy_location(expr, node)
        return node


class _Strip(ast.NodeTransformer):
    def __init__(self, written: set[int]):
        self.written = written
        # Each written statement removed (or wrap unwrapped), with the function around it.
        self.removed: list[tuple[ast.stmt, ast.AST | None]] = []
        self._function: ast.AST | None = None

    def _is_written(self, node: ast.AST) -> bool:
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)  # type: ignore[attr-defined]
        return all(line in self.written for line in lines)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        outer = self._function
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function = node
        elif isinstance(node, ast.ClassDef):
            self._function = None
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(node, field, self._block(block))
        for handler in getattr(node, "handlers", []) or []:
            self.generic_visit(handler)
        for case in getattr(node, "cases", []) or []:
            case.body = self._block(case.body)
        self._function = outer
        return node  # expressions hold no statements: nothing below them to strip

    def _block(self, block: list[ast.stmt]) -> list[ast.stmt]:
        kept: list[ast.stmt] = []
        for stmt in block:
            if isinstance(stmt, ast.Try) and stmt.lineno in self.written and not stmt.orelse and not stmt.finalbody \
                    and all(self._is_written(h) for h in stmt.handlers) and not any(self._is_written(s) for s in stmt.body):
                self.removed.append((stmt, self._function))
                kept.extend(self._block(stmt.body))  # an on_error wrap: keep the wrapped statement
            elif self._is_written(stmt):
                self.removed.append((stmt, self._function))
                continue  # an inserted block, import or enum member
            else:
                self.generic_visit(stmt)
                kept.append(stmt)
        return kept


def _misplaced(removed: list[tuple[ast.stmt, ast.AST | None]], origin: list[int | None], scopes: dict[int, int]) -> str | None:
    """A written statement outside the function its edit was planned for, or an `await`
    written outside an `async def`."""
    for stmt, function in removed:
        expected = scopes.get(stmt.lineno)
        if not expected:
            continue
        found = origin[function.lineno - 1] + 1 if function is not None and origin[function.lineno - 1] is not None else None  # type: ignore[attr-defined,operator]
        if found != expected:
            where = "at module level or in a class body" if function is None else f"in the function at line {function.lineno}"  # type: ignore[attr-defined]
            return f"the statement written at line {stmt.lineno} is {where}, not in the body of the function defined at original line {expected}"
        if not isinstance(function, ast.AsyncFunctionDef) and _awaits(stmt):
            return f"the statement written at line {stmt.lineno} awaits outside an async function"
    return None


def _awaits(stmt: ast.stmt) -> bool:
    """An `await` in `stmt` itself (not in a function or lambda nested in it)."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)))
    return False


def _drop_import_names(tree: ast.Module, module: str, names: tuple[str, ...]) -> None:
    body = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == module and stmt.level == 0:
            stmt.names = [a for a in stmt.names if a.name not in names]
            if not stmt.names:
                continue
        body.append(stmt)
    tree.body = body


def _first_difference(old: ast.Module, new: ast.Module) -> str:
    old_dump = [ast.dump(s) for s in old.body]
    new_dump = [ast.dump(s) for s in new.body]
    for index, (a, b) in enumerate(zip(old_dump, new_dump)):
        if a != b:
            return f"top-level statement {index + 1} (original line {old.body[index].lineno}) changed"
    return f"the module has {len(new_dump)} top-level statements after removing insertions, the original {len(old_dump)}"
