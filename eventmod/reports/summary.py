"""Summaries and tables: the one-line run summary, per-event lines, coverage and plan tables."""

from __future__ import annotations

import json

from eventmod.model.record import record
from eventmod.model.results import RunPlan, Status


@record
class Summary:
    """The counts a run reports in one line (`Summary.of`): events by status, files touched, enum
    members added and behaviour changes."""

    pending: int
    present: int
    invalid: int
    drifted: int
    files_touched: int
    enum_added: int
    reemit: int = 0
    behaviour_changes: int = 0  # events to insert that change what the function does (`then: continue`)

    @classmethod
    def of(cls, plan: RunPlan) -> "Summary":
        counts = {status: 0 for status in Status}
        for outcome in plan.outcomes():
            counts[outcome.status] += 1
        return cls(
            pending=counts[Status.PENDING], present=counts[Status.PRESENT], invalid=counts[Status.INVALID],
            drifted=counts[Status.DRIFTED], files_touched=sum(1 for f in plan.files if f.changed),
            enum_added=sum(len(f.enum_added) for f in plan.files), reemit=counts[Status.REEMIT],
            behaviour_changes=sum(1 for o in plan.outcomes() if o.status is Status.PENDING and o.event.changes_behaviour),
        )

    def line(self, verb: str = "to insert", enum_class: str = "EventType") -> str:
        parts = [f"{self.pending} event(s) {verb}", f"{self.present} present"]
        if self.reemit:
            parts.append(f"{self.reemit} switched to the spec's shape")
        if self.invalid or self.drifted:
            parts.append(f"{self.invalid + self.drifted} invalid")
        parts.append(f"{self.files_touched} file(s) touched")
        if self.enum_added:
            parts.append(f"{self.enum_added} {enum_class} member(s) added")
        if self.behaviour_changes:
            parts.append(f"{self.behaviour_changes} behaviour change(s) (then: continue)")
        return ", ".join(parts)


@record
class Finding:
    """One event that `check` reports: where (a code path relative to root, or for drift the
    spec file), what, and why."""

    path: str
    line: int
    event_id: str
    event: str
    status: Status
    detail: str = ""
    in_code: bool = True  # `path` is a code file relative to root (else a spec file as given)

    def text(self, path: str | None = None) -> str:
        """`path:line: id (EVENT): status[: detail]`."""
        where = f"{path or self.path}:{self.line}" if self.line else (path or self.path)
        tail = f": {self.detail}" if self.detail else ""
        return f"{where}: {self.event_id} ({self.event}): {self.status}{tail}"


def findings(plan: RunPlan, statuses: tuple[Status, ...] = (Status.PENDING, Status.DRIFTED, Status.REEMIT),
             strict_style: bool = False) -> list[Finding]:
    """The events with one of `statuses`, one finding per event (drift: per problem); with
    `strict_style`, also the present blocks written in another house style."""
    found: list[Finding] = []
    for f in plan.files:
        for o in f.outcomes:
            if strict_style and o.style and o.status is Status.PRESENT:
                found.append(Finding(f.path, o.lines[0] if o.lines else 0, o.event.id, o.event.event, o.status,
                                     f"written in another house style ({o.style})"))
                continue
            if o.status not in statuses:
                continue
            if o.status is Status.DRIFTED:
                for p in o.problems or ():
                    found.append(Finding(p.path, p.line, o.event.id, o.event.event, o.status, p.message, in_code=False))
                if not o.problems:
                    found.append(Finding(o.event.spec_file, o.event.line, o.event.id, o.event.event, o.status, in_code=False))
                continue
            detail = ""
            if o.status is Status.REEMIT:
                detail = f"the block's shape differs from the spec ({o.reason})" if o.reason else "the block's shape differs from the spec"
            found.append(Finding(f.path, o.lines[0] if o.lines else 0, o.event.id, o.event.event, o.status, detail))
    return found


BEHAVIOUR_CHANGE = ("logs the failure and goes on (then: continue): the function no longer raises when the wrapped "
                    "statements fail")


def behaviour_changes(plan: RunPlan, statuses: tuple[Status, ...] = (Status.PENDING,)) -> list[str]:
    """One line per event that changes what the instrumented function does (an `on_error` with
    `then: continue`): `spec:line: id (EVENT) at file:line: ...`."""
    rows = [(f.path, o) for f in plan.files for o in f.outcomes if o.status in statuses and o.event.changes_behaviour]
    return [f"{o.event.spec_file}:{o.event.line_of('then')}: {o.event.id} ({o.event.event}) at {path}:{o.lines[0] if o.lines else 0}: "
            f"{BEHAVIOUR_CHANGE}" for path, o in sorted(rows, key=lambda r: (r[0], r[1].lines))]


# -- tables ------------------------------------------------------------------------------------
def format_table(headers: list[str], rows: list[list[str]], fmt: str, footer: list[str] | None = None) -> str:
    """A plain aligned table ("text") or a GitHub markdown table ("markdown")."""
    body = rows + ([footer] if footer else [])
    if fmt == "markdown":
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        if footer:
            lines.append("| " + " | ".join(f"**{c}**" if c else "" for c in footer) + " |")
        return "\n".join(lines) + "\n"
    widths = [max(len(str(r[i])) for r in [headers, *body]) for i in range(len(headers))]
    numeric = [all(_is_number(r[i]) for r in body) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]
    if footer:
        out += [line(["-" * w for w in widths]), line(footer)]
    return "\n".join(out) + "\n"


def percent_of(part: int, whole: int) -> float:
    """`part` as a percentage of `whole`; 100% when nothing is specified (nothing is missing)."""
    return 100.0 * part / whole if whole else 100.0


def _is_number(cell: str) -> bool:
    return cell.replace(".", "", 1).replace("%", "").replace("-", "", 1).isdigit() or cell == ""


def coverage_text(coverage, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({
            "components": [
                {"component": r.component, "file": r.file, "priority": r.priority, "specified": r.specified,
                 "instrumented": r.instrumented, "log_event_calls": r.log_calls, "has_spec": r.has_spec,
                 "coverage_percent": round(r.percent, 1)}
                for r in coverage.rows
            ],
            "total": {"specified": coverage.specified, "instrumented": coverage.instrumented,
                      "coverage_percent": round(coverage.percent, 1), "target_percent": coverage.target,
                      "meets_target": coverage.percent >= coverage.target},
        }, indent=2) + "\n"
    headers = ["component", "file", "priority", "events", "instrumented", "coverage"]
    rows = [[r.component + ("" if r.has_spec else " (no spec)"), r.file, r.priority, str(r.specified),
             str(r.instrumented), f"{r.percent:.0f}%"] for r in coverage.rows]
    footer = ["total", "", f"target {coverage.target:.0f}%", str(coverage.specified), str(coverage.instrumented),
              f"{coverage.percent:.1f}%"]
    return format_table(headers, rows, fmt, footer)


def plan_text(rows, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([
            {"phase": r.phase, "days": list(r.days), "component": r.component, "priority": r.priority,
             "events": r.events, "present": r.present, "pending": r.pending, "invalid": r.invalid}
            for r in rows
        ], indent=2) + "\n"
    headers = ["phase", "days", "component", "priority", "events", "present", "pending", "invalid"]
    body = [[str(r.phase), days_text(r.days), r.component, r.priority, str(r.events), str(r.present), str(r.pending),
             str(r.invalid)] for r in rows]
    footer = ["", "", "total", "", *(str(sum(getattr(r, k) for r in rows)) for k in ("events", "present", "pending", "invalid"))]
    return format_table(headers, body, fmt, footer)


def days_text(days: tuple[int, ...]) -> str:
    if not days:
        return "-"
    if len(days) > 1 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{days[0]}-{days[-1]}"
    return ",".join(map(str, days))


