"""Coverage and the rollout plan, measured from the code rather than trusted from the specs.

Coverage scans the target files for `log_event(<Enum>.<MEMBER>, ...)` calls (awaited, inside
`create_task`, guarded or not) with stdlib `ast`; files no spec names are scanned too, so the
hand-instrumented reference component counts. A text pre-filter keeps files without
`log_event` from being parsed at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

from eventmod.analysis.presence import CallMatcher, log_event_calls
from eventmod.model.record import record
from eventmod.model.results import RunPlan, Status
from eventmod.model.settings import CallShape
from eventmod.model.spec import Catalog, ComponentSpec
from eventmod.reports.summary import percent_of

_SKIP_DIRS = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".tox", "build", "dist"}


@record
class LoggedCall:
    """One event-logging call `scan_calls` found in a file: the enum member it logs and its line."""

    member: str
    line: int


def scan_calls(text: str, call: CallShape = CallShape()) -> list[LoggedCall]:
    """Every logging call (`log_event`, or the configured method or function) with an
    `X.MEMBER` first argument in `text`."""
    matcher = CallMatcher.loose(call)
    if not any(marker in text for marker in matcher.markers()):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    calls = [LoggedCall(c.member, c.line) for c in log_event_calls(tree, matcher) if c.member is not None]
    return sorted(calls, key=lambda c: c.line)


@record
class CoverageRow:
    """One row of the static coverage report: a component, or a file no spec names, and how many of
    its events the code logs."""

    component: str
    file: str
    priority: str
    specified: int  # events the audit/specs call for (for an unspecified file: its calls)
    instrumented: int  # of those, found in the code
    log_calls: int  # log_event calls in the file, spec'd or not
    has_spec: bool

    @property
    def percent(self) -> float:
        return percent_of(self.instrumented, self.specified)


@record
class Coverage:
    """The static coverage report (`measure_coverage`): one row per component or unspecified file,
    and the percentage aimed at."""

    rows: tuple[CoverageRow, ...]
    target: float

    @property
    def specified(self) -> int:
        return sum(r.specified for r in self.rows)

    @property
    def instrumented(self) -> int:
        return sum(r.instrumented for r in self.rows)

    @property
    def percent(self) -> float:
        return percent_of(self.instrumented, self.specified)


def measure_coverage(root: Path, catalog: Catalog, plan: RunPlan, target: float = 90.0, *,
                     include_unspecified: bool = True, call: CallShape = CallShape()) -> Coverage:
    """Per component: spec'd events and how many are present at their anchors (from `plan`, a
    run over the whole catalog); plus (with `include_unspecified`) one row per other file with
    log_event calls."""
    status = plan.status_of()
    spec_files = {c.file for c in catalog.components}
    rows = []
    for component in catalog.components:
        text = _read(root / component.file)
        present = sum(1 for e in component.events if e.id in status and status[e.id].instrumented)
        rows.append(CoverageRow(component.component, component.file, component.priority, len(component.events),
                                present, len(scan_calls(text, call)), True))
    for path in (_python_files(root) if include_unspecified else []):
        rel = path.relative_to(root).as_posix()
        if rel in spec_files:
            continue
        calls = scan_calls(_read(path), call)
        if calls:
            rows.append(CoverageRow(path.stem, rel, "-", len(calls), len(calls), len(calls), False))
    return Coverage(tuple(rows), target)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def _python_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if not any(part in _SKIP_DIRS for part in path.relative_to(root).parts):
            found.append(path)
    return found


@record
class PlanRow:
    """One row of the rollout plan (`rollout_plan`): a component's phase, days and priority, and how
    many of its events are present, pending or failed."""

    phase: int
    days: tuple[int, ...]
    component: str
    priority: str
    events: int
    present: int
    pending: int
    invalid: int


def rollout_plan(catalog: Catalog, plan: RunPlan) -> list[PlanRow]:
    status = plan.status_of()
    rows = []
    for component in sorted(catalog.components, key=_plan_order):
        counts = [status.get(e.id, Status.INVALID) for e in component.events]
        rows.append(PlanRow(
            component.phase, component.days, component.component, component.priority, len(counts),
            sum(1 for s in counts if s.instrumented), counts.count(Status.PENDING), sum(1 for s in counts if s.failed),
        ))
    return rows


def _plan_order(component: ComponentSpec) -> tuple:
    return (component.phase, min(component.days or (99,)), component.component)
