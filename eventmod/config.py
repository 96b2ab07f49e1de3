"""`[tool.eventmod]` configuration: discovered upward from the working directory like black/ruff."""

from __future__ import annotations

import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from eventmod.model.problems import InputError, Problem, did_you_mean
from eventmod.model.settings import EMIT_MODES, BlackSettings, Config, Settings

_KEYS = {f.name for f in fields(Config)} - {"source"}


def find_pyproject(start: Path) -> Path | None:
    """Nearest pyproject.toml with a [tool.eventmod] table, searching upward from `start`."""
    for directory in [start, *start.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if "eventmod" in data.get("tool", {}):
                return candidate
    return None


def load_config(cwd: Path, *, config_file: Path | None = None, **overrides: Any) -> Config:
    """Build the configuration: defaults < pyproject [tool.eventmod] < CLI overrides."""
    pyproject = config_file or find_pyproject(cwd)
    table: dict[str, Any] = {}
    base = cwd
    if pyproject is not None:
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError([Problem(str(pyproject), 0, f"invalid TOML: {exc}")]) from exc
        table = data.get("tool", {}).get("eventmod", {})
        base = pyproject.parent
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise InputError(
                [
                    Problem(str(pyproject), 0, f"[tool.eventmod]: unknown key '{k}'{did_you_mean(k, _KEYS)}")
                    for k in unknown
                ]
            )
    values: dict[str, Any] = dict(table)
    for key in ("hot_paths", "integer_kwargs"):
        if key in values:
            values[key] = tuple(values[key])
    root = overrides.pop("root", None)
    specs = overrides.pop("specs", None)
    values["root"] = (Path(root) if root else base / values.get("root", ".")).resolve()
    values["specs"] = (Path(specs) if specs else base / values.get("specs", "event_specs")).resolve()
    config = Config(source=pyproject, **values).with_overrides(**overrides)
    if config.emit not in EMIT_MODES:
        where = str(pyproject) if pyproject else "--emit"
        raise InputError([Problem(where, 0, f"emit must be one of {', '.join(EMIT_MODES)}, got '{config.emit}'")])
    return config


def black_settings_for(root: Path) -> BlackSettings:
    """[tool.black] of the nearest pyproject.toml at or above `root` (the instrumented project)."""
    for directory in [root, *root.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                return BlackSettings()
            table = data.get("tool", {}).get("black")
            if table is None:
                continue
            return BlackSettings(
                line_length=int(table.get("line-length", table.get("line_length", 88))),
                skip_string_normalization=bool(
                    table.get("skip-string-normalization", table.get("skip_string_normalization", False))
                ),
            )
    return BlackSettings()


def settings_for(config: Config) -> Settings:
    """The picklable settings a worker plans with, including the target's [tool.black]."""
    return Settings.from_config(config, black_settings_for(config.root))


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
