"""Plan the imports a file needs: `from <logger_module> import <getter>, <Enum>` and `asyncio`.

Existing imports win: an alias (`EventType as ET`) is reused, a missing name is merged into an
existing import from the logger module, and a new import goes with the other top-level imports.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

from eventmod.model.edits import Edit
from eventmod.pyast.source import SourceFile


@dataclass(frozen=True)
class ImportPlan:
    getter: str  # the name the file uses for the getter
    enum: str
    asyncio: str
    edits: tuple[Edit, ...]


def _top_imports(tree: ast.Module) -> list[ast.stmt]:
    return [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]


def existing_names(tree: ast.Module, module: str, wanted: tuple[str, ...]) -> dict[str, str]:
    """wanted name -> local name, for names the module already imports from `module`."""
    found: dict[str, str] = {}
    for stmt in _top_imports(tree):
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module == module:
            for alias in stmt.names:
                if alias.name == "*":
                    found.update({w: w for w in wanted if w not in found})
                elif alias.name in wanted:
                    found.setdefault(alias.name, alias.asname or alias.name)
    return found


def plan_imports(
    source: SourceFile,
    tree: ast.Module,
    *,
    module: str,
    getter: str,
    enum: str,
    need_logger: bool,
    need_asyncio: bool,
    line_length: int,
) -> ImportPlan:
    wanted = (getter, enum)
    have = existing_names(tree, module, wanted)
    edits: list[Edit] = []
    missing = [name for name in wanted if name not in have] if need_logger else []
    asyncio_bound = _asyncio_alias(tree) if need_asyncio else None
    new_lines = logger_import_lines(module, missing, line_length, source.indent_unit)
    if missing and need_asyncio and asyncio_bound is None and not _top_imports(tree):
        # A file without imports gets both as one block, in isort's order (stdlib first).
        edit = _new_import(source, tree, ("import asyncio", "", *new_lines), order=0)
        return ImportPlan(have.get(getter, getter), have.get(enum, enum), "asyncio", (edit,))
    if missing:
        target = next(
            (s for s in _top_imports(tree) if isinstance(s, ast.ImportFrom) and s.level == 0 and s.module == module
             and not any(a.name == "*" for a in s.names)),
            None,
        )
        if target is not None:
            edits.append(_merge_into(source, target, missing, line_length))
        else:
            edits.append(_new_import(source, tree, new_lines, order=1))
    asyncio_name = "asyncio"
    if need_asyncio:
        if asyncio_bound is None:
            edits.append(_new_import(source, tree, ("import asyncio",), order=0, stdlib=True))
        else:
            asyncio_name = asyncio_bound
    return ImportPlan(have.get(getter, getter), have.get(enum, enum), asyncio_name, tuple(edits))


def logger_import_lines(module: str, names: list[str], line_length: int, indent_unit: str) -> tuple[str, ...]:
    """A new `from module import names`: one line, or black's exploded form when that line is
    longer than the line length (revert recognises the statement by these lines)."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= line_length:
        return (line,)
    return (f"from {module} import (", *(f"{indent_unit}{name}," for name in names), ")")


def _asyncio_alias(tree: ast.Module) -> str | None:
    for stmt in _top_imports(tree):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "asyncio":
                    return alias.asname or "asyncio"
    return None


def _merge_into(source: SourceFile, stmt: ast.ImportFrom, names: list[str], line_length: int) -> Edit:
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    lines = source.lines
    text = source.segment(stmt)
    indent = source.indentation_of(first)
    if "(" not in text:
        start_col = source.char_col(first, stmt.col_offset)
        end_col = source.char_col(last, stmt.end_col_offset or 0)
        before = lines[first - 1][:start_col]
        after = lines[last - 1][end_col:].rstrip("\r\n")
        joined = " ".join(text.replace("\\\n", " ").split())
        merged = f"{joined}, {', '.join(names)}"
        if len(before + merged + after) <= line_length and first == last:
            return Edit(first - 1, last, (before + merged + after,), "import")
        items = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in stmt.names] + names
        unit = source.indent_unit
        exploded = [f"{before}from {stmt.module} import ({after}"] + [f"{indent}{unit}{i}," for i in items] + [f"{indent})"]
        return Edit(first - 1, last, tuple(exploded), "import")
    # Parenthesised: add the names before the closing parenthesis.
    if first == last:
        line = lines[first - 1].rstrip("\r\n")
        close = line.rindex(")")
        inside = line[:close].rstrip()
        sep = " " if inside.endswith(",") else ", "
        return Edit(first - 1, last, (inside + sep + ", ".join(names) + line[close:],), "import")
    last_alias = stmt.names[-1]
    alias_line = last_alias.end_lineno or last
    item_indent = source.indentation_of(stmt.names[0].lineno) if stmt.names[0].lineno != first else indent + source.indent_unit
    new_lines = [f"{item_indent}{n}," for n in names]
    alias_text = lines[alias_line - 1]
    end_col = source.char_col(alias_line, last_alias.end_col_offset or 0)
    if alias_text[end_col:].lstrip().startswith(","):
        return Edit(alias_line, alias_line, tuple(new_lines), "import")
    # The last item has no trailing comma: give it one (the only change to an existing line).
    fixed = alias_text[:end_col] + "," + alias_text[end_col:]
    return Edit(alias_line - 1, alias_line, (fixed.rstrip("\r\n"), *new_lines), "import")


def _new_import(source: SourceFile, tree: ast.Module, statements: tuple[str, ...], order: int, stdlib: bool = False) -> Edit:
    """New import lines: one statement among the file's imports, or the first import block."""
    imports = _top_imports(tree)
    body = tree.body
    if imports:
        if stdlib:
            statement = statements[0]
            # Standard-library imports go first, after `from __future__` ones (isort's order).
            non_future = [s for s in imports if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
            if non_future:
                first = non_future[0]
                # before a third-party or first-party section: a blank line keeps the sections apart
                lines = (statement,) if _is_stdlib(first) else (statement, "")
                return Edit(first.lineno - 1, first.lineno - 1, lines, "import", order)
        return _among_imports(source, body, imports, statements, order)
    # No imports at all: after the docstring (and one blank line), else after leading comments.
    position = 0
    lines = source.lines
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        position = body[0].end_lineno or 1
        # black keeps one blank line after a module docstring: the import goes below it.
        if position < len(lines) and not lines[position].strip():
            position += 1
            new = [*statements]
        else:
            new = ["", *statements]
    else:
        while position < len(lines) and lines[position].lstrip().startswith("#"):
            position += 1
        new = [*statements]
    following = next((s for s in body if (s.lineno - 1) >= position), None)
    blank_after = 0
    probe = position
    while probe < len(lines) and not lines[probe].strip():
        blank_after += 1
        probe += 1
    wanted_blank = 2 if isinstance(following, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else 1
    if following is not None and getattr(following, "decorator_list", None):
        wanted_blank = 2
    new.extend([""] * max(0, wanted_blank - blank_after))
    return Edit(position, position, tuple(new), "import", order)


def _is_stdlib(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.ImportFrom):
        name = (stmt.module or "").split(".")[0] if stmt.level == 0 else ""
    else:
        name = stmt.names[0].name.split(".")[0]  # type: ignore[attr-defined]
    return name in sys.stdlib_module_names or name == "__future__"


def _among_imports(source: SourceFile, body: list[ast.stmt], imports: list[ast.stmt], lines: tuple[str, ...], order: int) -> Edit:
    """Place a first-party `from` import as isort would: in the non-stdlib section, before the
    first `from` import that sorts after it; after the stdlib section (one blank line apart)
    when the file has no other non-stdlib import."""
    leading = _leading_imports(body) or imports
    module = lines[0].split()[1]
    others = [s for s in leading if not _is_stdlib(s)]
    for stmt in others:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and (stmt.module or "") > module:
            return Edit(stmt.lineno - 1, stmt.lineno - 1, lines, "import", order)
    if others:
        end = others[-1].end_lineno or others[-1].lineno
        return Edit(end, end, lines, "import", order)
    end = leading[-1].end_lineno or leading[-1].lineno
    following_blank = end < len(source.lines) and not source.lines[end].strip()
    if following_blank:
        return Edit(end + 1, end + 1, (*lines, ""), "import", order)
    return Edit(end, end, ("", *lines), "import", order)


def _leading_imports(body: list[ast.stmt]) -> list[ast.stmt]:
    found = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
    return found
