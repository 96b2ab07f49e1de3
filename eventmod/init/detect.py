"""What `eventmod init` learns from a project before it writes anything: the import root, an
audit logger the project already has (module, getter, enum class), the line length and
whether the project uses black. Reads files; never imports them."""

from __future__ import annotations

import ast
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventmod.model.record import record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from eventmod.model.problems import InputError, Problem

# Directories that hold no application code (or not this project's).
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "node_modules", "__pycache__", "build",
                          "dist", ".tox", ".nox", ".eggs", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                          "tests", "test", "docs"})
_ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum"})
_MAX_SCANNED_FILES = 5000


@record
class ExistingLogger:
    """An audit logger found in the project: `getter()` returns an object with `log_event`."""

    module: str  # dotted, importable from the root
    path: str  # relative to the root, POSIX (the enum file)
    getter: str
    enum_class: str
    log_event_async: bool


@dataclass
class Detected:
    """What `eventmod init` learns of a project (`detect_project`): the import root, the named files
    and their package, an existing audit logger, the line length and whether black formats it."""

    project: Path
    root: str  # relative to the project, POSIX ("." or "src")
    files: list[str]  # the named files, relative to the root
    package: str | None  # the top package of the first named file ("app"), if any
    logger: ExistingLogger | None
    line_length: int | None = None
    line_length_from: str | None = None  # "[tool.black]", "[tool.ruff]", "ruff.toml"
    black: bool = False  # the project formats with black
    pyproject: dict[str, Any] | None = None  # the parsed pyproject.toml (None: there is none)
    notes: list[str] = field(default_factory=list)

    @property
    def root_dir(self) -> Path:
        return (self.project / self.root).resolve()


def detect_project(project: Path, files: list[str], root: str | None = None) -> Detected:
    """Everything init needs to know, or an InputError naming what is wrong with the input."""
    project = project.resolve()
    pyproject = _read_pyproject(project)
    problems: list[Problem] = []
    paths: list[Path] = []
    for name in files:
        path = (project / name).resolve()
        if not path.is_relative_to(project):
            problems.append(Problem(name, 0, f"resolves outside the project {project}; give paths inside it"))
        elif not path.is_file():
            problems.append(Problem(name, 0, f"not found in the project {project}"))
        elif path.suffix != ".py":
            problems.append(Problem(name, 0, "not a Python file (.py)"))
        else:
            paths.append(path)
    if problems:
        raise InputError(problems)
    root_dir = _root(project, paths, root)
    relative = [p.relative_to(root_dir).as_posix() for p in paths]
    package = relative[0].split("/")[0] if relative and "/" in relative[0] else None
    detected = Detected(project, _rel(project, root_dir), relative, package, find_logger(root_dir), pyproject=pyproject)
    detected.line_length, detected.line_length_from = line_length(project, pyproject or {})
    detected.black = uses_black(project, pyproject or {})
    return detected


def _rel(project: Path, path: Path) -> str:
    rel = path.relative_to(project).as_posix()
    return rel if rel else "."


def _read_pyproject(project: Path) -> dict[str, Any] | None:
    path = project / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), 0, f"not valid TOML ({exc}); fix it before `eventmod init` adds to it")]) from exc


def _root(project: Path, paths: list[Path], given: str | None) -> Path:
    """The import root: `--root`, else the directory above the named files' top package
    (`src/app/jobs.py` with `src/app/__init__.py` -> src), else `src` when it holds a
    package, else the project."""
    if given is not None:
        root = (project / given).resolve()
        if not root.is_relative_to(project) or not root.is_dir():
            raise InputError([Problem("--root", 0, f"{given!r} is not a directory inside the project {project}")])
        outside = [p for p in paths if not p.is_relative_to(root)]
        if outside:
            raise InputError([Problem(str(p.relative_to(project)), 0, f"is not under the root {given}") for p in outside])
        return root
    roots = []
    for path in paths:
        directory = path.parent
        while directory != project and (directory / "__init__.py").is_file():
            directory = directory.parent
        roots.append(directory)
    if roots:
        distinct = sorted({r.relative_to(project).as_posix() or "." for r in roots})
        if len(distinct) > 1:
            raise InputError([Problem("init", 0, f"the files have different import roots ({', '.join(distinct)}); pass --root, or run init for one root")])
        return roots[0]
    src = project / "src"
    if src.is_dir() and any((d / "__init__.py").is_file() for d in src.iterdir() if d.is_dir()):
        return src
    return project


# -- an existing audit logger ----------------------------------------------------------------------
def python_files(root: Path) -> list[Path]:
    """The project's own .py files under root (virtualenvs, build output and tests left out)."""
    found: list[Path] = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".") and not d.endswith(".egg-info"))
        found.extend(Path(directory) / n for n in sorted(names) if n.endswith(".py"))
        if len(found) > _MAX_SCANNED_FILES:
            break
    return found


def find_logger(root: Path) -> ExistingLogger | None:
    """A module under root that defines `log_event` (a function or a method), a module-level
    `get_*logger*()` getter and an Enum class: the project's audit logger. The fixture's
    spelling (`get_event_logger`, `EventType`) wins over other candidates."""
    candidates: list[tuple[tuple[int, str], ExistingLogger]] = []
    for path in python_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "log_event" not in text:
            continue  # cheap filter: only files that mention log_event are parsed
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        found = _logger_in(tree)
        if found is None:
            continue
        getter, enum_class, is_async = found
        rel = path.relative_to(root).as_posix()
        module = ".".join(Path(rel).with_suffix("").parts)
        module = module[: -len(".__init__")] if module.endswith(".__init__") else module
        if not all(part.isidentifier() for part in module.split(".")):
            continue
        rank = (int(getter != "get_event_logger") + int(enum_class != "EventType"), rel)
        candidates.append((rank, ExistingLogger(module, rel, getter, enum_class, is_async)))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


def _logger_in(tree: ast.Module) -> tuple[str, str, bool] | None:
    getters, enums = [], []
    log_event: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == "log_event" and log_event is None:
                log_event = node
            elif re.fullmatch(r"get_\w*logger\w*", node.name) and not node.args.args:
                getters.append(node.name)
        elif isinstance(node, ast.ClassDef):
            bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "" for b in node.bases}
            if bases & _ENUM_BASES:
                enums.append(node.name)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "log_event" and log_event is None:
                    log_event = item
    if log_event is None or not getters or not enums:
        return None
    getter = "get_event_logger" if "get_event_logger" in getters else getters[0]
    enum_class = "EventType" if "EventType" in enums else next((e for e in enums if "Event" in e), enums[0])
    return getter, enum_class, isinstance(log_event, ast.AsyncFunctionDef)


# -- formatting ------------------------------------------------------------------------------------
def line_length(project: Path, pyproject: dict[str, Any]) -> tuple[int | None, str | None]:
    """The project's line length: [tool.black], else [tool.ruff] (or ruff.toml), else None."""
    tool = pyproject.get("tool", {})
    black = tool.get("black", {})
    if isinstance(black, dict) and isinstance(black.get("line-length", black.get("line_length")), int):
        return black.get("line-length", black.get("line_length")), "[tool.black]"
    ruff = tool.get("ruff", {})
    if isinstance(ruff, dict) and isinstance(ruff.get("line-length"), int):
        return ruff["line-length"], "[tool.ruff]"
    for name in ("ruff.toml", ".ruff.toml"):
        path = project / name
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if isinstance(data.get("line-length"), int):
                return data["line-length"], name
    return None, None


def uses_black(project: Path, pyproject: dict[str, Any]) -> bool:
    """A [tool.black] table, black in pre-commit, or black among the dependencies."""
    if "black" in pyproject.get("tool", {}):
        return True
    pre_commit = project / ".pre-commit-config.yaml"
    if pre_commit.is_file():
        try:
            if re.search(r"psf/black|id:\s*black\b", pre_commit.read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError):
            pass
    requirements: list[str] = []
    project_table = pyproject.get("project", {})
    for group in (project_table.get("optional-dependencies", {}) or {}).values():
        requirements += [r for r in group if isinstance(r, str)]
    for group in (pyproject.get("dependency-groups", {}) or {}).values():
        requirements += [r for r in group if isinstance(r, str)]
    poetry = pyproject.get("tool", {}).get("poetry", {})
    for group in (poetry.get("group", {}) or {}).values():
        requirements += list((group.get("dependencies", {}) or {}).keys())
    requirements += list((poetry.get("dev-dependencies", {}) or {}).keys())
    return any(re.match(r"black\b", r.strip(), re.I) for r in requirements)
