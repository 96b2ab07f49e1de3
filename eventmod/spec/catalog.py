"""The spec directory -> a Catalog: every spec file read (`spec.loader`) or, when an earlier
run read the same bytes, remembered (a `SpecMemo`, `io.spec_cache`); ids and components
unique across files. A run whose spec files are all remembered imports no YAML reader.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from eventmod.model.problems import Problem
from eventmod.model.spec import Catalog, ComponentSpec
from eventmod.spec.targets import target_problem


class SpecMemo(Protocol):
    """Remembers what a spec file's bytes read as (a caller's persistent cache, `io.spec_cache`):
    only files that read without any problem are put, and a remembered file's target is checked
    again under root (it may have moved), so the answer is the one reading would give."""

    def get(self, raw: bytes, shown: str) -> ComponentSpec | None: ...
    def put(self, raw: bytes, shown: str, spec: ComponentSpec) -> None: ...


def load_catalog(spec_dir: Path, root: Path, memo: SpecMemo | None = None) -> tuple[Catalog, list[Problem]]:
    """Load every `*.yaml`/`*.yml` in `spec_dir` (sorted, so runs are deterministic). `memo`:
    what earlier runs read the same bytes as (see `SpecMemo`)."""
    problems: list[Problem] = []
    if not spec_dir.is_dir():
        return Catalog(()), [Problem(str(spec_dir), 0, "spec directory not found; set `specs` in [tool.eventmod] or pass --specs")]
    files = sorted(p for p in spec_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        problems.append(Problem(str(spec_dir), 0, "no spec files (*.yaml) found"))
    components: list[ComponentSpec] = []
    seen_ids: dict[str, str] = {}
    seen_components: dict[str, str] = {}
    for path in files:
        component, file_problems = load_spec_file(path, root, display=_display(path), memo=memo)
        problems.extend(file_problems)
        if component is None:
            continue
        where = f"{_display(path)}:{component.line}"
        if component.component in seen_components:
            problems.append(
                Problem(_display(path), component.line, f"duplicate component '{component.component}' (also in {seen_components[component.component]})")
            )
        seen_components.setdefault(component.component, where)
        for event in component.events:
            if event.id in seen_ids:
                problems.append(
                    Problem(event.spec_file, event.line, f"duplicate id (first defined at {seen_ids[event.id]})", event.id)
                )
            else:
                seen_ids[event.id] = f"{event.spec_file}:{event.line}"
        components.append(component)
    return Catalog(tuple(components)), problems


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def load_spec_file(path: Path, root: Path, display: str | None = None, memo: SpecMemo | None = None
                   ) -> tuple[ComponentSpec | None, list[Problem]]:
    shown = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 0, f"cannot read: {exc.strerror}")]
    if memo is not None:
        remembered = memo.get(raw, shown)
        if remembered is not None and target_problem(root, remembered.file) is None:
            return remembered, []
    from eventmod.spec.loader import load_spec_bytes  # YAML and the spec checks: only for a file not remembered

    component, problems = load_spec_bytes(raw, root, shown)
    if memo is not None and component is not None and not problems:
        memo.put(raw, shown, component)
    return component, problems
