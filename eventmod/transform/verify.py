"""Safe mode: prove a transformation only added code, like black's AST-equivalence check.

The new text is parsed; every statement that consists solely of lines an edit wrote is removed,
a `try` that eventmod wrapped around an original statement is replaced by that statement, and
the names merged into the logger import are dropped (from both sides). What remains must be
the original module's AST exactly. Any difference aborts the run with an internal error before
anything is written.

**Incremental by default.** Lines the edits did not touch are checked character for character
(each must be the original line its origin names, in order); only the smallest original statement
around each edit is re-parsed, with the edit's lines, and compared as above. When such a unit does
not parse or differ, the whole-file check runs and gives its answer, so the incremental check
accepts only what the full check accepts (a mutation test in tests/test_verify_incremental.py
keeps the two catching the same corruptions).
"""

from __future__ import annotations

import ast
import bisect
import copy

from eventmod.model.record import record
from eventmod.pyast.walk import child_nodes


def verify_only_insertions(old_text: str, new_text: str, origin: list[int | None], *,
                           logger_module: str, added_names: tuple[str, ...],
                           replaced: frozenset[int] = frozenset(), old_tree: ast.Module | None = None,
                           scopes: dict[int, int] | None = None, results: dict[int, str] | None = None,
                           incremental: bool = True) -> str | None:
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

    `old_tree`, the caller's parse of `old_text`, saves a parse; it may be modified.
    `incremental`: re-parse only the statements around the edits (the default; see the module
    docstring); False: the whole-file check alone."""
    if old_tree is None:
        try:
            old_tree = ast.parse(old_text)
        except SyntaxError as exc:  # pragma: no cover - the engine never edits unparsable input
            return f"the original does not parse: {exc}"
    if incremental and proven_incrementally(old_text, new_text, origin, old_tree, logger_module=logger_module, added_names=added_names,
                                       replaced=replaced, scopes=scopes or {}, results=results or {}):
        return None
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
    def __init__(self, written: set[int], function: ast.AST | None = None):
        self.written = written
        # Each written statement removed (or wrap unwrapped), with the function around it.
        self.removed: list[tuple[ast.stmt, ast.AST | None]] = []
        self._function: ast.AST | None = function  # the function around what is visited (a unit's: an original node)

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


def _misplaced(removed: list[tuple[ast.stmt, ast.AST | None]], origin: list[int | None], scopes: dict[int, int],
               outer: ast.AST | None = None) -> str | None:
    """A written statement outside the function its edit was planned for, or an `await`
    written outside an `async def`. `outer`: a function of the original tree (its lines are
    original lines) around what was checked."""
    for stmt, function in removed:
        expected = scopes.get(stmt.lineno)
        if not expected:
            continue
        if function is not None and function is outer:
            found: int | None = function.lineno  # type: ignore[attr-defined]
        else:
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
        stack.extend(c for c in child_nodes(node) if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)))
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


# -- the incremental check -------------------------------------------------------------------------
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@record
class _Unit:
    """Original statements `stmts` (siblings in one block, lines [lo, hi], 1-based) and the new
    lines [start, end) (0-based) that replace them; `function` is the function whose body holds
    the block (None: module level or a class body), `top` whether the block is the module's."""

    lo: int
    hi: int
    start: int
    end: int
    stmts: tuple[ast.stmt, ...]
    col: int
    function: ast.AST | None
    top: bool


def proven_incrementally(old_text: str, new_text: str, origin: list[int | None], old_tree: ast.Module, *, logger_module: str,
                    added_names: tuple[str, ...], replaced: frozenset[int], scopes: dict[int, int], results: dict[int, str]) -> bool:
    """True when the output is proven the original plus insertions by re-parsing only the
    statements around the edits; False when that cannot be shown this way (the caller then runs
    the whole-file check, which decides)."""
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    count = len(origin)
    if len(new_lines) - (1 if new_text.endswith("\n") or not new_text else 0) != count:
        return False
    # plain lines: verbatim copies of their original line, in order; the rest lie in gaps
    gaps: list[tuple[int, int, int, int]] = []  # (P, Q) original lines around, new lines [a, b)
    last_old, last_new = 0, -1
    for n, o in enumerate(origin):
        if o is None or o >= len(old_lines) or new_lines[n] != old_lines[o]:
            continue
        if o < last_old:
            return False
        if o + 1 > last_old + 1 or n > last_new + 1:
            gaps.append((last_old, o + 1, last_new + 1, n))
        last_old, last_new = o + 1, n
    old_count = len(old_lines) - (1 if old_text.endswith("\n") or not old_text else 0)
    if last_old < old_count or last_new < count - 1:
        gaps.append((last_old, old_count + 1, last_new + 1, count))
    if not gaps:
        return not results and not scopes
    units: list[_Unit] = []
    starts: dict[int, list[int]] = {}  # each block's statement starts, read once for all the gaps
    for p, q, a, b in gaps:
        indent = next((_indent(new_lines[n]) for n in range(a, b) if new_lines[n].strip()), None)
        found = _enclosing(old_tree.body, p, q, indent, old_lines, None, True, starts)
        if found is None:
            return False
        block, index, function, top = found
        unit = _unit_of(block, index, function, top, p, q, a, b, origin)
        if not all(unit.lo <= line <= unit.hi for line in range(p + 1, q)) and not _blank(old_lines, p, q - 1):
            return False  # it removed original lines outside the statement that is compared
        units.append(unit)
    merged = _merge(units)
    if merged is None:
        return False
    pending = dict(results)
    for unit in merged:
        if not _unit_ok(unit, old_lines, new_lines, origin, logger_module, added_names, replaced, scopes, pending):
            return False
    return not pending


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _start(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return min([stmt.lineno, *(d.lineno for d in decorators)]) if decorators else stmt.lineno


def _enclosing(block: list[ast.stmt], p: int, q: int, indent: int | None, old_lines: list[str],
               function: ast.AST | None, top: bool,
               block_starts: dict[int, list[int]]) -> tuple[list[ast.stmt], int, ast.AST | None, bool] | None:
    """The innermost statement around the gap between original lines p and q (exclusive, 1-based):
    one that holds it, one it rewrote, or one right before or after it (blank and comment lines
    between) at the indentation of the gap's first new line, `indent` (None: the gap only
    removed lines). (block, index in block, the function around the block, whether the block is
    the module's); None when no statement of `block` is one. `block_starts` keeps each block's
    statement starts (by the block's id) for the next gap."""
    starts = block_starts.get(id(block))
    if starts is None:
        starts = block_starts[id(block)] = [_start(s) for s in block]
    i = bisect.bisect_right(starts, max(p, 1)) - 1
    inner_of = lambda stmt: stmt if isinstance(stmt, _FUNCTIONS) else (None if isinstance(stmt, ast.ClassDef) else function)  # noqa: E731
    if i >= 0:
        stmt = block[i]
        lo, hi = starts[i], stmt.end_lineno or stmt.lineno
        if lo <= p and q <= hi:  # inside it
            if not _own_line(stmt, lo, old_lines):
                return None
            for child in _child_blocks(stmt):
                deeper = _enclosing(child, p, q, indent, old_lines, inner_of(stmt), False, block_starts)
                if deeper is not None:
                    return deeper
            return block, i, function, top
        if hi <= p and (i + 1 == len(block) or q <= starts[i + 1]) and _blank(old_lines, hi, q - 1):  # between it and the next
            for child in _child_blocks(stmt):  # at the end of one of its blocks
                deeper = _enclosing(child, p, q, indent, old_lines, inner_of(stmt), False, block_starts)
                if deeper is not None:
                    return deeper
            for index in (i, i + 1):
                if index < len(block) and (indent is None or indent == block[index].col_offset) \
                        and _own_line(block[index], starts[index], old_lines):
                    return block, index, function, top
            return None
    for index in (i, i + 1):  # it rewrote lines of one of them
        if not 0 <= index < len(block):
            continue
        stmt = block[index]
        lo, hi = starts[index], stmt.end_lineno or stmt.lineno
        if lo - 1 <= p and q <= hi + 1 and lo <= p + 1 and q - 1 <= hi and (indent is None or indent == stmt.col_offset) \
                and _own_line(stmt, lo, old_lines):
            return block, index, function, top
    return None


def _blank(old_lines: list[str], after: int, upto: int) -> bool:
    """Original lines (after, upto] (1-based) are blank or comments: between two statements of
    one block there is nothing else, so the gap is right after the statement ending at `after`
    (not past a parent's `else:`, `finally:` or the statements of a later block), and removing
    such lines changes no statement."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in old_lines[after:upto])


def _own_line(stmt: ast.stmt, lo: int, old_lines: list[str]) -> bool:
    """The statement starts its line (not `if x: y`'s `y`)."""
    return not old_lines[lo - 1][:stmt.col_offset].strip()


def _child_blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, f) for f in ("body", "orelse", "finalbody") if isinstance(getattr(stmt, f, None), list)]
    blocks += [h.body for h in getattr(stmt, "handlers", None) or []]
    blocks += [c.body for c in getattr(stmt, "cases", None) or []]
    return [b for b in blocks if b and isinstance(b[0], ast.stmt)]


def _unit_of(block: list[ast.stmt], index: int, function: ast.AST | None, top: bool, p: int, q: int, a: int, b: int,
             origin: list[int | None]) -> _Unit:
    stmt = block[index]
    lo, hi = _start(stmt), stmt.end_lineno or stmt.lineno
    siblings = [s for s in block if _start(s) <= hi and (s.end_lineno or s.lineno) >= lo]  # `a; b` share lines
    lo, hi = min(lo, *(_start(s) for s in siblings)), max(hi, *((s.end_lineno or s.lineno) for s in siblings))
    return _Unit(lo, hi, a, b, tuple(siblings), stmt.col_offset, function, top)


def _merge(units: list[_Unit]) -> list[_Unit] | None:
    """One unit per statement: gaps in or next to the same statement share it, a unit inside
    another's statement joins it. None when units cross (the caller falls back)."""
    units = sorted(units, key=lambda u: (u.lo, -u.hi))
    merged: list[_Unit] = []
    for unit in units:
        if merged and unit.lo <= merged[-1].hi:
            outer = merged[-1]
            if unit.hi > outer.hi:
                return None
            merged[-1] = _Unit(outer.lo, outer.hi, min(outer.start, unit.start), max(outer.end, unit.end), outer.stmts,
                               outer.col, outer.function, outer.top)
        else:
            merged.append(unit)
    return merged


def _unit_ok(unit: _Unit, old_lines: list[str], new_lines: list[str], origin: list[int | None], logger_module: str,
             added_names: tuple[str, ...], replaced: frozenset[int], scopes: dict[int, int], pending: dict[int, str]) -> bool:
    # the new lines of the unit: from after the last verbatim line before its statements to
    # before the first verbatim line after them, gaps included
    start, end = unit.start, unit.end
    while start > 0 and origin[start - 1] is not None and origin[start - 1] + 1 >= unit.lo:  # type: ignore[operator]
        start -= 1
    while end < len(origin) and origin[end] is not None and origin[end] + 1 <= unit.hi:  # type: ignore[operator]
        end += 1
    # blank lines before it give the statements their line numbers in the output; a unit
    # inside a block is parsed as the body of an `if` (any indentation is a block's)
    text = "\n".join(new_lines[start:end]) + "\n"
    try:
        tree = ast.parse("\n" * (start - 1) + "if 1:\n" + text if unit.col else "\n" * start + text)
    except SyntaxError:
        return False
    if unit.col:
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.If) or tree.body[0].orelse:
            return False
        new_stmts = tree.body[0].body
    else:
        new_stmts = tree.body
    holder = ast.Module(body=new_stmts, type_ignores=[])
    mine = {line: name for line, name in pending.items() if start < line <= end}
    if mine:
        unbound = _Unbind(dict(mine))
        holder = unbound.visit(holder)
        if unbound.pending:
            return False
        for line in mine:
            del pending[line]
    written = {n + 1 for n in range(start, end) if origin[n] is None}
    strip = _Strip(written, unit.function)
    holder = strip.visit(holder)
    if _misplaced(strip.removed, origin, scopes, outer=unit.function):
        return False
    old_stmts = list(unit.stmts)
    if any(unit.lo <= line <= unit.hi for line in replaced):
        old_holder = _Strip(set(replaced)).visit(ast.Module(body=copy.deepcopy(old_stmts), type_ignores=[]))
        old_stmts = old_holder.body
    if unit.top:
        old_holder = ast.Module(body=old_stmts if old_stmts is not unit.stmts else list(old_stmts), type_ignores=[])
        if any(isinstance(s, ast.ImportFrom) for s in old_holder.body + holder.body):
            old_holder = ast.Module(body=copy.deepcopy(old_holder.body), type_ignores=[])
            _drop_import_names(old_holder, logger_module, added_names)
            _drop_import_names(holder, logger_module, added_names)
        old_stmts = old_holder.body
    return _Compare(origin, old_lines, new_lines).same_block(old_stmts, holder.body)
