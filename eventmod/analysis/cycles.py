"""Import cycles: which modules under root the logger module imports, directly or transitively.

A target among them would form a cycle with a top-level `from <logger_module> import ...`:
importing either module first fails (the other is only partly initialised). The files are read
with `ast`, never imported. Only imports that run when a module is imported count: top-level
ones and those in top-level `if`/`try`/`with` blocks and class bodies, not those in functions
or under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Callable

from eventmod.model.problems import Problem
from eventmod.pyast.source import Loaded


def module_file(root: Path, module: str, overlay: dict[str, bytes] | None = None) -> str | None:
    """The file (relative to root, POSIX) that holds `module`, or None when root has none."""
    rel = module.replace(".", "/")
    for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
        if (overlay and candidate in overlay) or (root / candidate).is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_time_imports(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    """Dotted names of the modules `tree` imports when it is imported (each `a.b.c` also
    imports `a` and `a.b`; `from a import b` may import the submodule `a.b`)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[str] = []

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Import):
                found.extend(alias.name for alias in stmt.names)
            elif isinstance(stmt, ast.ImportFrom):
                base = stmt.module or ""
                if stmt.level:
                    parts = package.split(".") if package else []
                    if stmt.level - 1 > len(parts):
                        continue
                    parent = ".".join(parts[: len(parts) - (stmt.level - 1)])
                    base = f"{parent}.{base}" if parent and base else (parent or base)
                if not base:
                    continue
                found.append(base)
                found.extend(f"{base}.{alias.name}" for alias in stmt.names if alias.name != "*")
            elif isinstance(stmt, ast.If):
                if not _is_type_checking(stmt.test):
                    visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, ast.ClassDef):
                visit(stmt.body)
            elif isinstance(stmt, (ast.Try, ast.With, ast.For, ast.While)) or type(stmt).__name__ == "TryStar":
                visit(getattr(stmt, "body", []))
                for handler in getattr(stmt, "handlers", ()):
                    visit(handler.body)
                visit(getattr(stmt, "orelse", []))
                visit(getattr(stmt, "finalbody", []))

    visit(tree.body)
    del visit  # break the recursive closure's reference cycle
    expanded: list[str] = []
    for name in found:
        parts = name.split(".")
        expanded.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
    return list(dict.fromkeys(expanded))


def imported_by(root: Path, module: str, load: Callable[[str], "Loaded | Problem"],
                overlay: dict[str, bytes] | None = None) -> frozenset[str]:
    """Every module under root that importing `module` imports (transitively). The search starts
    at `module` and its parent packages (importing it runs their `__init__` first), but the
    parent packages themselves are not in the result: a package's `__init__` that imports the
    logger finds its own package already initialising, which is no cycle."""
    todo = todo_start(module)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        rel = module_file(root, name, overlay)
        if rel is None:
            continue  # outside root (stdlib, installed) or missing
        seen.add(name)
        loaded = load(rel)
        if isinstance(loaded, Problem):
            continue
        todo.extend(n for n in import_time_imports(loaded[1], name, rel.endswith("__init__.py")) if n not in seen)
    return frozenset(seen - set(todo_start(module)))


def todo_start(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
