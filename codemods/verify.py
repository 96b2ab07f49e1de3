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
                           replaced: frozenset[int] = frozenset()) -> str | None:
    """None when `new_text` is `old_text` plus inserted statements; else what differs.

    `replaced` holds original lines (1-based) that edits deliberately rewrote (an eventmod block
    switched to another emit mode, a merged import): statements made only of those lines are
    removed from the original before comparing, as written ones are from the output."""
    try:
        old_tree = ast.parse(old_text)
    except SyntaxError as exc:  # pragma: no cover - the engine never edits unparsable input
        return f"the original does not parse: {exc}"
    try:
        new_tree = ast.parse(new_text)
    except SyntaxError as exc:
        return f"the output does not parse (line {exc.lineno}): {exc.msg}"
    written = {i + 1 for i, o in enumerate(origin) if o is None}
    stripped = _Strip(written).visit(new_tree)
    if replaced:
        old_tree = _Strip(set(replaced)).visit(old_tree)
    for tree in (old_tree, stripped):
        _drop_import_names(tree, logger_module, added_names)
    before = ast.dump(old_tree, include_attributes=False)
    after = ast.dump(stripped, include_attributes=False)
    if before == after:
        return None
    return _first_difference(old_tree, stripped)


class _Strip(ast.NodeTransformer):
    def __init__(self, written: set[int]):
        self.written = written

    def _is_written(self, node: ast.AST) -> bool:
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)  # type: ignore[attr-defined]
        return all(line in self.written for line in lines)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(node, field, self._block(block))
        for handler in getattr(node, "handlers", []) or []:
            self.generic_visit(handler)
        for case in getattr(node, "cases", []) or []:
            case.body = self._block(case.body)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.stmt, ast.excepthandler)) and not type(child).__name__ == "match_case":
                self.visit(child)
        return node

    def _block(self, block: list[ast.stmt]) -> list[ast.stmt]:
        kept: list[ast.stmt] = []
        for stmt in block:
            if isinstance(stmt, ast.Try) and stmt.lineno in self.written and not stmt.orelse and not stmt.finalbody \
                    and all(self._is_written(h) for h in stmt.handlers) and not any(self._is_written(s) for s in stmt.body):
                kept.extend(self._block(stmt.body))  # an on_error wrap: keep the wrapped statement
            elif self._is_written(stmt):
                continue  # an inserted block, import or enum member
            else:
                self.generic_visit(stmt)
                kept.append(stmt)
        return kept


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
