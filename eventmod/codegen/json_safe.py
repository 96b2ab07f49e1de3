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


def json_safe_helper_edit(source: SourceFile, tree: ast.Module, configured: str, style: Style) -> tuple[Edit | None, str]:
    """The edit that makes the helper available in this file (None if it already is) and its name."""
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
    return _after_imports(source, tree, ["", "", *lines], blank_after=2), JSON_SAFE_HELPER


def _after_imports(source: SourceFile, tree: ast.Module, lines: list[str], blank_after: int) -> Edit:
    position = 0
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            position = stmt.end_lineno or stmt.lineno
        elif isinstance(stmt, ast.Expr) and position == 0 and isinstance(stmt.value, ast.Constant):
            position = stmt.end_lineno or stmt.lineno
        else:
            break
    blanks = 0
    while position + blanks < len(source.lines) and not source.lines[position + blanks].strip():
        blanks += 1
    tail = [""] * max(0, blank_after - blanks)
    # the helper goes after the import block's trailing blank lines are accounted for
    return Edit(position, position, tuple(lines + tail), "helper", -1)
