"""`json_safe: true`: payload values go through a small converter, emitted once per file (or
imported from a configured module), so json.dumps in the logger never sees Decimal/datetime."""

from __future__ import annotations

import ast

from eventmod.model.edits import Edit
from eventmod.analysis.style import Style
from eventmod.codegen.render import JSON_SAFE_HELPER
from eventmod.pyast.source import SourceFile

HELPER_SOURCE = '''def {name}(value):
    """Make a payload value JSON-serialisable (added by eventmod)."""
    from datetime import date, datetime
    from decimal import Decimal
    from enum import Enum

    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return {name}(value.value)
    if isinstance(value, dict):
        return {{str(k): {name}(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [{name}(v) for v in value]
    return str(value)'''


def json_safe_helper_edit(source: SourceFile, tree: ast.Module, configured: str, style: Style,
                          imports: tuple[Edit, ...] = ()) -> tuple[Edit | None, str]:
    """The edit that makes the helper available in this file (None if it already is) and its name.
    `imports`: the import edits planned for the same file; a generated helper goes after them."""
    if configured:
        module, _, function = configured.partition(":")
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == module and any(a.name == function for a in stmt.names):
                alias = next(a for a in stmt.names if a.name == function)
                return None, alias.asname or alias.name
        line = f"from {module} import {function}"
        return _after_imports(source, tree, [line], blank_after=1), function
    if any(isinstance(s, ast.FunctionDef) and s.name == JSON_SAFE_HELPER for s in tree.body):
        return None, JSON_SAFE_HELPER
    text = HELPER_SOURCE.format(name=JSON_SAFE_HELPER).replace('"""', style.quote * 3 if style.quote == '"' else '"""')
    lines = [line.replace("    ", style.indent_unit) if style.indent_unit != "    " else line for line in text.split("\n")]
    return _helper_definition(source, tree, lines, imports), JSON_SAFE_HELPER


def _end_of_imports(source: SourceFile, tree: ast.Module) -> int:
    """The 0-based line after the module's leading imports (and docstring), 0 when none."""
    position = 0
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            position = stmt.end_lineno or stmt.lineno
        elif isinstance(stmt, ast.Expr) and position == 0 and isinstance(stmt.value, ast.Constant):
            position = stmt.end_lineno or stmt.lineno
        else:
            break
    return position


def _after_imports(source: SourceFile, tree: ast.Module, lines: list[str], blank_after: int) -> Edit:
    position = _end_of_imports(source, tree)
    blanks = 0
    while position + blanks < len(source.lines) and not source.lines[position + blanks].strip():
        blanks += 1
    tail = [""] * max(0, blank_after - blanks)
    # the helper goes after the import block's trailing blank lines are accounted for
    return Edit(position, position, tuple(lines + tail), "helper", -1)


def _helper_definition(source: SourceFile, tree: ast.Module, lines: list[str], imports: tuple[Edit, ...]) -> Edit:
    """The generated helper, as black lays out a top-level def: right before the first statement
    (or comment) after the imports, so the imports this run adds stay above it, with two blank
    lines on each side."""
    text = source.lines
    position = _end_of_imports(source, tree)
    if position == 0:  # no imports: stay below a shebang, coding line or header comment
        while position < len(text) and text[position].lstrip().startswith("#"):
            position += 1
    gap = position
    while position < len(text) and not text[position].strip():
        position += 1
    # blank lines right above the helper in the output: the original ones, counted from the
    # last import this run inserts into that gap (its own trailing blank lines included)
    run = position - gap
    inserted = sorted((e for e in imports if e.start == e.end and gap <= e.start <= position), key=lambda e: (e.start, e.order))
    if inserted:
        last = inserted[-1]
        trailing = len(last.lines) - len("\n".join(last.lines).rstrip("\n").split("\n"))
        run = (position - last.start) + trailing
    lead = [""] * max(0, 2 - run) if position > 0 else []
    tail = ["", ""] if position < len(text) else []
    order = max((e.order for e in imports), default=0) + 1  # after imports inserted at the same line
    return Edit(position, position, (*lead, *lines, *tail), "helper", order)
