"""`eventmod init`: plan the files a project needs to start with eventmod, in memory.

- `[tool.eventmod]` appended to pyproject.toml (created when missing; every other byte kept);
- the spec directory, with one spec per named file drafted by `eventmod suggest`;
- a logger module (from `logger_template.py`) when the project has no audit logger and the
  user asked for one.

Nothing here writes: `plan_init` returns the bytes and the caller writes them, all or nothing.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath

from eventmod.model.record import record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from eventmod.init.detect import Detected
from eventmod.model.problems import InputError, Problem
from eventmod.model.settings import DEFAULT_ENUM_CLASS, DEFAULT_GETTER, Config
from eventmod.model.spec import Catalog

LOGGER_FILE = "audit_events.py"
HEADER = "# Written by `eventmod init` (the audit-event logger eventmod instruments code for).\n"


def logger_module_text() -> str:
    """The logger module `eventmod init --with-logger` writes: the header and the template."""
    return HEADER + resources.files("eventmod.init").joinpath("logger_template.py").read_text(encoding="utf-8")


@record
class LoggerChoice:
    """The audit logger the new configuration points at: the project's own, or the module `eventmod
    init` writes, and whether blocks call it without `await`."""

    module: str  # dotted, from the root
    path: str  # relative to the root, POSIX
    getter: str
    enum_class: str
    written: bool  # True: init writes it; False: the project's own (or to be written by the user)
    sync: bool = False  # the project's log_event is a plain def: blocks call it without await


@dataclass
class InitPlan:
    """Everything `eventmod init` would write, in memory (`plan_init`): the files and directories,
    the [tool.eventmod] keys, the logger chosen and the specs drafted."""

    writes: list[tuple[Path, bytes]] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)  # to create before writing
    config: dict[str, str | bool] = field(default_factory=dict)  # the [tool.eventmod] keys written
    logger: LoggerChoice | None = None
    specs_written: list[tuple[str, int]] = field(default_factory=list)  # (spec path, entries)
    notes: list[str] = field(default_factory=list)


def default_logger_path(detected: Detected) -> str:
    """`<package>/audit_events.py` beside the named files' package, else at the root."""
    return f"{detected.package}/{LOGGER_FILE}" if detected.package else LOGGER_FILE


def plan_init(detected: Detected, *, with_logger: bool, logger_path: str | None = None, specs: str = "event_specs",
              min_level: str = "info") -> InitPlan:
    """The files to write for `detected`; an InputError when init would clobber something."""
    plan = InitPlan()
    project, root_dir = detected.project, detected.root_dir
    problems: list[Problem] = []
    pyproject_path = project / "pyproject.toml"
    if detected.pyproject is not None and "eventmod" in detected.pyproject.get("tool", {}):
        problems.append(Problem(str(pyproject_path), 0, "already has [tool.eventmod]; draft more specs with `eventmod suggest FILE --out SPEC`"))
    specs_dir = (project / specs).resolve()
    if not specs_dir.is_relative_to(project):
        problems.append(Problem("--specs", 0, f"{specs!r} resolves outside the project {project}"))
    elif specs_dir.exists() and (not specs_dir.is_dir() or any(specs_dir.glob("*.yaml")) or any(specs_dir.glob("*.yml"))):
        problems.append(Problem(str(specs_dir), 0, "already holds specs (or is not a directory); init is for a project without a spec directory — use `eventmod suggest`"))
    logger = _logger_choice(detected, with_logger, logger_path, problems)
    if problems:
        raise InputError(problems)
    plan.logger = logger
    overlay: tuple[tuple[str, bytes], ...] = ()
    if detected.logger is None:
        # drafted against the module init writes (or, with --no-logger, the one the user will
        # write to the same contract), which is not on disk yet
        overlay = ((logger.path, logger_module_text().encode("utf-8")),)
    if logger.written:
        target = root_dir / logger.path
        plan.writes.append((target, overlay[0][1]))
        if not target.parent.is_dir():
            plan.directories.append(target.parent)
    plan.config = {
        "root": detected.root,
        "specs": PurePosixPath(specs_dir.relative_to(project).as_posix()).as_posix(),
        "logger_module": logger.module,
        "enum_file": logger.path,
        "enum_class": logger.enum_class,
        "getter": logger.getter,
    }
    if logger.sync:
        plan.config["sync"] = True
    text = _pyproject_text(pyproject_path, plan.config)
    plan.writes.insert(0, (pyproject_path, text.encode("utf-8")))
    if not specs_dir.is_dir():
        plan.directories.append(specs_dir)
    config = Config(root=root_dir, specs=specs_dir, logger_module=logger.module, enum_file=logger.path,
                    enum_class=logger.enum_class, getter=logger.getter, sync=logger.sync)
    _draft_specs(detected, config, specs_dir, min_level, plan, overlay)
    return plan


def _logger_choice(detected: Detected, with_logger: bool, logger_path: str | None, problems: list[Problem]) -> LoggerChoice:
    if detected.logger is not None:
        found = detected.logger
        if with_logger:
            detected.notes.append(f"the project already has an audit logger ({found.path}); --with-logger ignored, no logger module written")
        if logger_path:
            detected.notes.append(f"--logger-path ignored: the project's logger {found.path} is used")
        return LoggerChoice(found.module, found.path, found.getter, found.enum_class, written=False, sync=not found.log_event_async)
    rel = logger_path or None
    if rel is not None:
        absolute = (detected.project / rel).resolve()
        if not absolute.is_relative_to(detected.root_dir):
            problems.append(Problem("--logger-path", 0, f"{rel!r} is not under the root {detected.root}; the logger must be importable from it"))
            return LoggerChoice("", "", DEFAULT_GETTER, DEFAULT_ENUM_CLASS, with_logger)
        rel = absolute.relative_to(detected.root_dir).as_posix()
    else:
        rel = default_logger_path(detected)
    module = ".".join(PurePosixPath(rel).with_suffix("").parts)
    if not rel.endswith(".py") or not all(part.isidentifier() for part in module.split(".")):
        problems.append(Problem("--logger-path", 0, f"{rel!r} is not an importable module path (identifiers, ending in .py)"))
    elif with_logger and (detected.root_dir / rel).exists():
        problems.append(Problem("--logger-path", 0, f"{detected.root_dir / rel} already exists; choose another --logger-path"))
    return LoggerChoice(module, rel, DEFAULT_GETTER, DEFAULT_ENUM_CLASS, with_logger)


# -- pyproject.toml ----------------------------------------------------------------------------------
def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def table_text(config: dict[str, str | bool]) -> str:
    lines = ["[tool.eventmod]", "# Written by `eventmod init`; the keys are described in eventmod's README (Configuration)."]
    lines += [f"{key} = {('true' if value else 'false') if isinstance(value, bool) else _toml_string(value)}"
              for key, value in config.items()]
    return "\n".join(lines) + "\n"


def _pyproject_text(path: Path, config: dict[str, str | bool]) -> str:
    """pyproject.toml with the table appended: every existing byte kept, the result parsed back
    and compared, so no other table can change."""
    table = table_text(config)
    if not path.is_file():
        return table
    try:
        existing = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), 0, f"not UTF-8 text ({exc})")]) from exc
    newline = "\r\n" if "\r\n" in existing else "\n"
    table = table.replace("\n", newline)
    if not existing.strip():
        text = existing + table
    else:
        text = (existing if existing.endswith("\n") else existing + newline) + newline + table
    try:
        before = tomllib.loads(existing)
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(str(path), 0, f"cannot append [tool.eventmod] ({exc}); add this table by hand:\n{table}")]) from exc
    tool = dict(after.get("tool", {}))
    added = tool.pop("eventmod", None)
    rest = {**after, "tool": tool} if tool or "tool" in before else {k: v for k, v in after.items() if k != "tool"}
    if added != config or rest != before:
        raise InputError([Problem(str(path), 0, f"appending [tool.eventmod] would change other tables; add this table by hand:\n{table}")])
    return text


# -- specs -------------------------------------------------------------------------------------------
def _draft_specs(detected: Detected, config: Config, specs_dir: Path, min_level: str, plan: InitPlan,
                 overlay: tuple[tuple[str, bytes], ...]) -> None:
    from eventmod.suggest.drafts import Target, draft

    components: set[str] = set()
    targets: list[Target] = []
    for rel in detected.files:
        stem = re.sub(r"\W", "_", PurePosixPath(rel).stem)
        if stem == "__init__":
            parent = PurePosixPath(rel).parent.name
            stem = re.sub(r"\W", "_", parent) or "package"
        name, n = stem, 2
        while name in components:
            name, n = f"{stem}_{n}", n + 1
        components.add(name)
        targets.append(Target(rel, name, name))
    if not targets:
        return
    for found, text in draft(config, Catalog(()), targets, min_level, overlay=overlay):
        plan.notes += found.notes
        if not found.entries:
            plan.notes.append(f"{found.target.path}: no logger call in an async function to draft an event for; no spec written")
            continue
        spec_path = specs_dir / f"{found.target.component}.yaml"
        plan.writes.append((spec_path, text.encode("utf-8")))
        plan.specs_written.append((spec_path.relative_to(detected.project).as_posix(), len(found.entries)))
