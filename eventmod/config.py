"""Configuration: `[tool.eventmod]` of a pyproject.toml, found the way ruff finds its own, then
the command-line flags.

**Precedence** (highest first): flags (`--root`, `--specs`, `--emit`, `--failsafe`, ...) > the
configuration file > the defaults declared on `Config`.

**Which file.**
1. `--config PATH`: that file. A file named `pyproject.toml` is read for its `[tool.eventmod]`
   table; any other TOML file (`eventmod.toml`) is the table itself.
2. Else the nearest `pyproject.toml` with a `[tool.eventmod]` table at or above `--root` (when
   given; for `suggest`, at or above the paths given): the configuration of the code being
   instrumented, as ruff uses the configuration nearest the files it checks.
3. Else the nearest one at or above the current directory.
4. Else none: the defaults.
A `pyproject.toml` met on the way that is not valid TOML stops the search with an error at its
line, as black and ruff stop. Relative paths in a file are relative to that file's directory;
relative paths given as flags are relative to the current directory.

**Keys are declared once**, as fields of `Config` (`eventmod.model.settings`): every field is a
key unless its metadata says `{"key": None}`; the TOML name is `metadata["key"]` when given, else
the field name; the type is checked against the field's default (bool, int, float, str, tuple of
str; `root` and `specs` are paths); `metadata["choices"]` restricts a string; `metadata["accept"]`
(a predicate) restricts any value, refused as `key: expected <metadata["expected"]>, got <value>`. `eventmod config`
lists every key with its value and where the value came from, so a new field appears there (and
is validated) with no other change.

**Line length** for generated code comes from the target project, read at or above root:
`[tool.black] line-length` wins over ruff's `line-length` (`[tool.ruff]` in pyproject.toml, or
`ruff.toml` / `.ruff.toml`) because eventmod lays blocks out as black does; the first directory
that configures either tool ends the search.
"""

from __future__ import annotations

import re
import sys
from copy import deepcopy
from dataclasses import MISSING, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from eventmod.model.problems import InputError, Problem, did_you_mean, display_path
from eventmod.model.record import record
from eventmod.model.settings import BlackSettings, Config, ImportSort, Settings

PATH_KEYS = {"root": ".", "specs": "event_specs"}  # path keys and their defaults


# -- where a value came from ---------------------------------------------------------------------
@record
class Origin:
    """Where one configuration value came from: "default", a file (and line), or a flag."""

    kind: str  # "default" | "file" | "flag"
    path: Path | None = None
    line: int = 0
    flag: str = ""
    detail: str = ""  # e.g. "[tool.black]"

    def describe(self, cwd: Path | None = None) -> str:
        if self.kind == "flag":
            return self.flag
        if self.kind == "file" and self.path is not None:
            shown = display_path(self.path, cwd)
            where = f"{shown}:{self.line}" if self.line else shown
            return f"{where} {self.detail}".rstrip()
        return "default"


DEFAULT = Origin("default")


@record
class Key:
    """One configuration key, read off a `Config` field."""

    name: str  # the field name
    toml: str  # the name in [tool.eventmod]
    default: Any
    choices: tuple[str, ...] = ()
    help: str = ""
    table: bool = False  # a TOML table of strings, kept as sorted (key, value) pairs
    validate: Callable[[Any], str | None] | None = None  # why a well-typed value is still unusable
    # what a usable value is, said in place of the type's own description ("a number") when the
    # type is wrong or `accept` refuses a well-typed value: `key: expected <expected>, got <value>`
    expected: str = ""
    accept: Callable[[Any], bool] | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def config_keys() -> list[Key]:
    """Every key `[tool.eventmod]` accepts, in the order `Config` declares them."""
    keys = []
    for f in fields(Config):
        if "key" in f.metadata and f.metadata["key"] is None:
            continue
        if f.name in PATH_KEYS:
            default: Any = PATH_KEYS[f.name]
        elif f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:  # type: ignore[misc]
            default = f.default_factory()  # type: ignore[misc]
        else:  # pragma: no cover - every non-path key has a default
            default = None
        keys.append(Key(f.name, f.metadata.get("key") or f.name, default, tuple(f.metadata.get("choices", ())),
                        f.metadata.get("help", ""), bool(f.metadata.get("table")), f.metadata.get("validate"),
                        f.metadata.get("expected", ""), f.metadata.get("accept")))
    return keys


@record
class Resolved:
    """The configuration and, per field, where its value came from."""

    config: Config
    origins: dict[str, Origin]
    source: Path | None  # the configuration file used, if any
    line_origin: Origin = DEFAULT  # where the line length came from
    string_origin: Origin = DEFAULT  # where skip-string-normalization came from

    def values(self) -> list[tuple[Key, Any, Origin]]:
        return [(key, getattr(self.config, key.name), self.origins.get(key.name, DEFAULT)) for key in config_keys()]


# -- reading TOML ----------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _parsed_toml(text: str) -> dict[str, Any]:
    """One parse per distinct text: loading a configuration reads the same pyproject.toml for
    several tables (eventmod's, black's, isort's, ruff's); callers get a copy of the result."""
    return tomllib.loads(text)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's data; InputError located at the offending line when it is not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), 0, f"not UTF-8 text ({exc.reason}); save it as UTF-8")]) from exc
    except OSError as exc:
        raise InputError([Problem(str(path), 0, f"cannot read: {exc.strerror}")]) from exc
    try:
        return deepcopy(_parsed_toml(text))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message) or re.search(r"at line (\d+)", message)
        line = int(found.group(1)) if found else 0
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) if found else message
        raise InputError([Problem(str(path), line, f"invalid TOML: {reason}")]) from exc


def key_lines(text: str, table: str) -> dict[str, int]:
    """1-based line of each `key = ...` of `[table]` in a TOML text (best effort: the file is
    valid TOML; keys written as a dotted key or an inline table elsewhere get no line)."""
    lines: dict[str, int] = {}
    inside = table == ""
    header = re.compile(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    assignment = re.compile(r"""\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
    for number, line in enumerate(text.splitlines(), 1):
        found = header.match(line)
        if found and not line.lstrip().startswith("[["):
            inside = found.group(1).replace(" ", "").replace('"', "") == table
            continue
        if inside:
            key = assignment.match(line)
            if key:
                lines.setdefault(next(g for g in key.groups() if g), number)
    return lines


def _table_of(path: Path, data: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The eventmod table of a config file and its TOML table name."""
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("eventmod")
        return (table if isinstance(table, dict) else None), "tool.eventmod"
    return data, ""


def find_config(starts: list[Path]) -> Path | None:
    """The nearest pyproject.toml with a [tool.eventmod] table at or above the first start that
    has one (see the module docstring); InputError for an invalid pyproject.toml on the way."""
    for start in starts:
        start = start if start.is_dir() else start.parent
        for directory in [start, *start.parents]:
            candidate = directory / "pyproject.toml"
            if candidate.is_file():
                table, _ = _table_of(candidate, read_toml(candidate))
                if table is not None:
                    return candidate
    return None


def find_pyproject(start: Path) -> Path | None:
    """Nearest pyproject.toml with a [tool.eventmod] table, searching upward from `start`."""
    return find_config([start])


# -- building the configuration ----------------------------------------------------------------------
def _check_value(key: Key, value: Any, where: Path, line: int) -> tuple[Any, Problem | None]:
    """The value converted to the key's type, or a located problem."""
    name = f"[tool.eventmod] {key.toml}" if where.name == "pyproject.toml" else key.toml

    def bad(expected: str) -> tuple[Any, Problem]:
        return None, Problem(str(where), line, f"{name}: expected {key.expected or expected}, got {value!r}")

    converted, problem = _typed_value(key, value, bad, name, where, line)
    if problem is None and key.accept is not None and not key.accept(converted):
        return bad(key.expected)
    if problem is None and key.validate is not None:
        reason = key.validate(converted)
        if reason:
            return None, Problem(str(where), line, f"{name}: {reason}")
    return converted, problem


def _typed_value(key: Key, value: Any, bad: Callable[[str], tuple[Any, Problem]], name: str, where: Path,
                 line: int) -> tuple[Any, Problem | None]:
    default = key.default
    if key.table:
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return tuple(sorted(value.items())), None
        return bad("a table of strings, e.g. { name = \"value\" }")

    if isinstance(default, bool):
        return (value, None) if isinstance(value, bool) else bad("true or false")
    if isinstance(default, int) and not isinstance(value, bool) and isinstance(value, int):
        return value, None
    if isinstance(default, float) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value), None
        return bad("a list of strings")
    if isinstance(default, str):
        if not isinstance(value, str):
            return bad("a string")
        if key.choices and value not in key.choices:
            return None, Problem(str(where), line, f"{name} must be one of {', '.join(key.choices)}, got {value!r}{did_you_mean(value, key.choices)}")
        return value, None
    if isinstance(default, (int, float)):
        return bad("a number")
    return value, None  # pragma: no cover - no key of another type yet


def resolve_config(cwd: Path, *, config_file: Path | None = None, search_from: list[Path] | None = None,
                   **overrides: Any) -> Resolved:
    """The configuration with the origin of every value (see the module docstring).

    `overrides` are the flags, by field name (None: not given); `search_from` are extra places
    to discover the file from (the paths a command was given), tried before `cwd`."""
    root_flag = overrides.pop("root", None)
    specs_flag = overrides.pop("specs", None)
    keys = {k.name: k for k in config_keys()}
    if config_file is not None:
        path = config_file if config_file.is_absolute() else cwd / config_file
        if not path.is_file():
            raise InputError([Problem(str(config_file), 0, "--config: no such file")])
        source: Path | None = path
    else:
        starts = [cwd / Path(root_flag)] if root_flag else list(search_from or [])
        source = find_config([*starts, cwd])
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    base = cwd
    if source is not None:
        text = source.read_text(encoding="utf-8-sig")
        table, table_name = _table_of(source, read_toml(source))
        table = table or {}
        base = source.parent
        lines = key_lines(text, table_name)
        by_toml = {k.toml: k for k in keys.values()}
        problems: list[Problem] = []
        for toml_key, value in table.items():
            line = lines.get(toml_key, 0)
            key = by_toml.get(toml_key)
            if key is None:
                label = f"[{table_name}]: " if table_name else ""
                problems.append(Problem(str(source), line, f"{label}unknown key '{toml_key}'{did_you_mean(toml_key, by_toml)}"))
                continue
            if key.name in PATH_KEYS:
                if not isinstance(value, str):
                    problems.append(Problem(str(source), line, f"{toml_key}: expected a path string, got {value!r}"))
                    continue
                converted = value
            else:
                converted, problem = _check_value(key, value, source, line)
                if problem is not None:
                    problems.append(problem)
                    continue
            values[key.name] = converted
            origins[key.name] = Origin("file", source, line)
        if problems:
            raise InputError(problems)
    for name, default in PATH_KEYS.items():
        given = root_flag if name == "root" else specs_flag
        if given:
            values[name] = (cwd / Path(given)).resolve()
            origins[name] = Origin("flag", flag=keys[name].flag)
        else:
            values[name] = (base / values.get(name, default)).resolve()
    for name, value in overrides.items():
        if value is None:
            continue
        key = keys.get(name)
        if key is None:
            raise TypeError(f"not a configuration key: {name}")
        if key.choices and value not in key.choices:
            raise InputError([Problem(key.flag, 0, f"must be one of {', '.join(key.choices)}, got {value!r}{did_you_mean(str(value), key.choices)}")])
        values[name] = value
        origins[name] = Origin("flag", flag=key.flag)
    black, line_origin, string_origin = line_style_for(values["root"])
    config = Config(source=source, black=black, isort=import_sort_for(values["root"]), **values)
    return Resolved(config, origins, source, line_origin, string_origin)


def load_config(cwd: Path, *, config_file: Path | None = None, search_from: list[Path] | None = None,
                **overrides: Any) -> Config:
    """The configuration: defaults < the configuration file < `overrides` (flags)."""
    return resolve_config(cwd, config_file=config_file, search_from=search_from, **overrides).config


# -- the target project's formatter settings ---------------------------------------------------------
def line_style_for(root: Path) -> tuple[BlackSettings, Origin, Origin]:
    """Line length and string normalisation of the code at `root`: `[tool.black]` wins over
    ruff's `line-length`; the nearest directory at or above root that configures either counts."""
    for directory in [root, *root.parents]:
        black: dict[str, Any] | None = None
        black_lines: dict[str, int] = {}
        black_file: Path | None = None
        ruff: dict[str, Any] | None = None
        ruff_lines: dict[str, int] = {}
        ruff_file: Path | None = None
        ruff_table = ""
        for name in (".ruff.toml", "ruff.toml"):
            candidate = directory / name
            if candidate.is_file() and ruff is None:
                ruff, ruff_file = read_toml(candidate), candidate
                ruff_lines = key_lines(candidate.read_text(encoding="utf-8-sig"), "")
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = read_toml(pyproject)
            tool = data.get("tool", {})
            text = None
            if isinstance(tool.get("black"), dict):
                black, black_file = tool["black"], pyproject
                text = pyproject.read_text(encoding="utf-8-sig")
                black_lines = key_lines(text, "tool.black")
            if ruff is None and isinstance(tool.get("ruff"), dict):
                ruff, ruff_file, ruff_table = tool["ruff"], pyproject, "tool.ruff"
                ruff_lines = key_lines(text or pyproject.read_text(encoding="utf-8-sig"), "tool.ruff")
        if black is None and ruff is None:
            continue
        length, length_origin = 88, DEFAULT
        skip, skip_origin = False, DEFAULT
        if ruff is not None and ruff_file is not None:
            for key in ("line-length", "line_length"):
                if key in ruff:
                    length = _positive_int(ruff[key], ruff_file, ruff_lines.get(key, 0), key)
                    length_origin = Origin("file", ruff_file, ruff_lines.get(key, 0), detail=f"[{ruff_table}]" if ruff_table else "")
        if black is not None and black_file is not None:
            for key in ("line-length", "line_length"):
                if key in black:
                    length = _positive_int(black[key], black_file, black_lines.get(key, 0), key)
                    length_origin = Origin("file", black_file, black_lines.get(key, 0), detail="[tool.black]")
            for key in ("skip-string-normalization", "skip_string_normalization"):
                if key in black:
                    skip = bool(black[key])
                    skip_origin = Origin("file", black_file, black_lines.get(key, 0), detail="[tool.black]")
        uses, evidence = black_usage(root)
        return BlackSettings(line_length=length, skip_string_normalization=skip, uses_black=uses, evidence=evidence), length_origin, skip_origin
    uses, evidence = black_usage(root)
    return BlackSettings(uses_black=uses, evidence=evidence), DEFAULT, DEFAULT


# -- does the project format with black? how does it sort imports? ---------------------------------
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_DEV_GROUPS = ("dev", "devel", "develop", "development", "lint", "linting", "linters", "style", "format", "formatting",
               "fmt", "qa", "check", "checks", "test", "tests", "testing", "tools", "typing")
_BLACK_REQUIREMENT = re.compile(r"^\s*black\b(?![-\w])", re.I)
_BLACK_HOOK = re.compile(r"(psf/black|^\s*-?\s*id:\s*['\"]?(black|ruff-format)['\"]?\s*$)", re.M)
_DEV_REQUIREMENTS = ("requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt", "requirements-lint.txt",
                     "requirements/dev.txt", "requirements/lint.txt", "requirements/test.txt")


def project_dirs(root: Path) -> list[Path]:
    """Root and its parents up to the project's top: the first directory that holds a
    pyproject.toml, setup.py, setup.cfg or .git (all of them when none does)."""
    found = []
    for directory in [root, *root.parents]:
        found.append(directory)
        if any((directory / marker).exists() for marker in _PROJECT_MARKERS):
            break
    return found


def black_usage(root: Path) -> tuple[bool, str]:
    """Whether the project at `root` formats with black (or ruff's black-compatible formatter),
    and the evidence: a [tool.black] or [tool.ruff.format] table, a black/ruff-format hook in
    .pre-commit-config.yaml, or black among the development dependencies (pyproject groups,
    dev requirement files). Black as a runtime dependency is not evidence."""
    for directory in project_dirs(root):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = read_toml(pyproject)
            except InputError:
                data = {}
            tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
            if isinstance(tool.get("black"), dict):
                return True, f"[tool.black] in {display_path(pyproject)}"
            ruff = tool.get("ruff")
            if isinstance(ruff, dict) and isinstance(ruff.get("format"), dict):
                return True, f"[tool.ruff.format] in {display_path(pyproject)}"
            for group, requirements in _dev_dependency_groups(data):
                if any(isinstance(r, str) and _BLACK_REQUIREMENT.match(r) for r in requirements):
                    return True, f"black in the {group} dependencies of {display_path(pyproject)}"
        hooks = directory / ".pre-commit-config.yaml"
        if hooks.is_file():
            try:
                text = hooks.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            if _BLACK_HOOK.search(text):
                return True, f"a black hook in {display_path(hooks)}"
        for name in _DEV_REQUIREMENTS:
            candidate = directory / name
            if candidate.is_file():
                try:
                    lines = candidate.read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    continue
                if any(_BLACK_REQUIREMENT.match(line) for line in lines):
                    return True, f"black in {display_path(candidate)}"
    return False, "no [tool.black] or [tool.ruff.format] table, no black hook in .pre-commit-config.yaml, no black in the development dependencies"


def _dev_dependency_groups(data: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """(group label, requirement strings) of the development dependency groups a pyproject declares."""
    groups: list[tuple[str, list[Any]]] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    for name, requirements in (project.get("optional-dependencies") or {}).items():
        if name.lower() in _DEV_GROUPS and isinstance(requirements, list):
            groups.append((f"[project.optional-dependencies] {name}", requirements))
    for name, requirements in (data.get("dependency-groups") or {}).items():
        if isinstance(requirements, list):
            groups.append((f"[dependency-groups] {name}", requirements))
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    if isinstance(poetry.get("dev-dependencies"), dict):
        groups.append(("[tool.poetry.dev-dependencies]", list(poetry["dev-dependencies"])))
    for name, group in (poetry.get("group") or {}).items():
        if isinstance(group, dict) and isinstance(group.get("dependencies"), dict):
            groups.append((f"[tool.poetry.group.{name}]", list(group["dependencies"])))
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else {}
    for name, requirements in (pdm.get("dev-dependencies") or {}).items():
        if isinstance(requirements, list):
            groups.append((f"[tool.pdm.dev-dependencies] {name}", requirements))
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    if isinstance(uv.get("dev-dependencies"), list):
        groups.append(("[tool.uv] dev-dependencies", uv["dev-dependencies"]))
    return groups


_ISORT_KEYS = {"force_sort_within_sections": "force_sort_within_sections", "case_sensitive": "case_sensitive",
               "order_by_type": "order_by_type"}


def import_sort_for(root: Path) -> ImportSort:
    """The project's import-sorting settings: [tool.isort] (or .isort.cfg, setup.cfg/tox.ini
    [isort]), else ruff's isort settings ([tool.ruff.lint.isort], [tool.ruff.isort], ruff.toml);
    `configured` is False when the project configures neither isort nor ruff."""
    for directory in project_dirs(root):
        pyproject = directory / "pyproject.toml"
        data: dict[str, Any] = {}
        if pyproject.is_file():
            try:
                data = read_toml(pyproject)
            except InputError:
                data = {}
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        if isinstance(tool.get("isort"), dict):
            return _import_sort(tool["isort"], f"[tool.isort] in {display_path(pyproject)}")
        for name, section in ((".isort.cfg", "settings"), ("setup.cfg", "isort"), ("tox.ini", "isort")):
            candidate = directory / name
            if candidate.is_file():
                import configparser  # only for a project that has one of these files

                parser = configparser.ConfigParser()
                try:
                    parser.read(candidate, encoding="utf-8")
                except (configparser.Error, UnicodeDecodeError, OSError):
                    continue
                if parser.has_section(section):
                    values = {k: parser.get(section, k).strip().lower() in ("1", "true", "yes", "on") for k in parser.options(section)}
                    return _import_sort(values, f"[{section}] in {display_path(candidate)}")
        ruff_tables: list[tuple[dict[str, Any], str]] = []
        if isinstance(tool.get("ruff"), dict):
            ruff_tables.append((tool["ruff"], display_path(pyproject)))
        for name in (".ruff.toml", "ruff.toml"):
            candidate = directory / name
            if candidate.is_file():
                try:
                    ruff_tables.append((read_toml(candidate), display_path(candidate)))
                except InputError:
                    continue
        for table, where in ruff_tables:
            lint = table.get("lint") if isinstance(table.get("lint"), dict) else {}
            settings = lint.get("isort") if isinstance(lint.get("isort"), dict) else table.get("isort")
            if isinstance(settings, dict):
                label = "[lint.isort]" if isinstance(lint.get("isort"), dict) else "[isort]"
                return _import_sort(settings, f"ruff's {label} in {where}")
            selected = [rule for key in ("select", "extend-select") for scope in (lint, table)
                        for rule in (scope.get(key) or []) if isinstance(rule, str)]
            if any(rule in ("I", "ALL") or rule.startswith("I0") for rule in selected):
                return _import_sort({}, f"ruff's isort rules (I) selected in {where}")
    return ImportSort()


def _import_sort(table: dict[str, Any], source: str) -> ImportSort:
    values = {key.replace("-", "_"): value for key, value in table.items()}
    chosen = {field: bool(values[key]) for key, field in _ISORT_KEYS.items() if isinstance(values.get(key), bool)}
    return ImportSort(configured=True, source=source, **chosen)


def _positive_int(value: Any, path: Path, line: int, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError([Problem(str(path), line, f"{key}: expected a positive whole number, got {value!r}")])
    return value


def black_settings_for(root: Path) -> BlackSettings:
    """The formatter settings of the code at `root` (see `line_style_for`)."""
    return line_style_for(root)[0]


def settings_for(config: Config) -> Settings:
    """The picklable settings a worker plans with, including the target's line length."""
    from dataclasses import replace

    settings = Settings.from_config(config, config.black if config.black is not None else black_settings_for(config.root))
    return settings if config.isort is not None else replace(settings, isort=import_sort_for(config.root))


def target_python(root: Path) -> tuple[tuple[int, int], str]:
    """The oldest Python the instrumented project must run on: the lower bound of
    `requires-python` in the nearest pyproject.toml at or above `root` that declares it, else
    the running interpreter's version; with where it came from (for messages)."""
    for directory in [root, *root.parents]:
        candidate = directory / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            continue
        spec = data.get("project", {}).get("requires-python")
        if isinstance(spec, str):
            bound = lowest_python(spec)
            if bound is not None:
                return bound, f"requires-python {spec!r} in {candidate}"
    return sys.version_info[:2], "the running interpreter"


def lowest_python(spec: str) -> tuple[int, int] | None:
    """The smallest major.minor a PEP 440 specifier admits (`>=3.10`, `~=3.11`, `==3.12.*`,
    `>3.9,<4`), or None when it sets no lower bound."""
    import re

    bounds = [(int(major), int(minor)) for major, minor in re.findall(r"(?:>=|~=|==|>)\s*(\d+)\.(\d+)", spec)]
    return max(bounds) if bounds else None
