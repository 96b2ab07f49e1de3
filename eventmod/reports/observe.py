"""Runtime coverage: which specified events reached the events table, per phase and component.

The inputs are data (the catalog, a static plan of the code for each event's file:line, the
EventType values, row groups read by the caller); the outputs are strings. Nothing here opens
a database.
"""

from __future__ import annotations

import json
from dataclasses import field
from datetime import datetime, timezone
from typing import Iterable

from eventmod.model.record import record
from eventmod.model.results import RunPlan, Status
from eventmod.model.spec import Catalog, ComponentSpec, EventSpec, Selection
from eventmod.reports.rows import RowGroup, SpecIndex, payload_keys
from eventmod.reports.summary import days_text, format_table, percent_of

SEVERITY_ORDER = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@record
class Site:
    """Where an event's block is (or would go) in the code, from a static plan."""

    file: str
    line: int | None
    status: str  # Status value: present, pending, drifted, invalid, re-emit

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def sites_from_plan(plan: RunPlan) -> dict[str, Site]:
    """event id -> Site (the block's first line when present, the insertion point when pending)."""
    return {o.event.id: Site(f.path, o.lines[0] if o.lines else None, o.status.value)
            for f in plan.files for o in f.outcomes}


@record
class PayloadDiff:
    """How the payloads of some rows of an event differ from the keys its spec passes: the keys
    missing and extra, and how many rows differ that way."""

    missing: tuple[str, ...]  # spec keys the rows lack
    extra: tuple[str, ...]  # keys the rows have and the spec does not
    rows: int
    not_object: bool = False  # the payload is not a JSON object at all

    def describe(self) -> str:
        if self.not_object:
            return "payload is not a JSON object"
        parts = []
        if self.missing:
            parts.append("missing " + ", ".join(self.missing))
        if self.extra:
            parts.append("extra " + ", ".join(self.extra))
        return "; ".join(parts)


@record
class EventObservation:
    """What the events table shows of one specified event: where its block is, how many rows, when
    first and last logged, their severities and payload differences."""

    event: EventSpec
    site: Site
    rows: int = 0
    first: datetime | None = None
    last: datetime | None = None
    severities: tuple[tuple[str, int], ...] = ()  # (severity as stored, rows)
    payload_diffs: tuple[PayloadDiff, ...] = ()

    @property
    def seen(self) -> bool:
        return self.rows > 0

    @property
    def severity_mismatches(self) -> tuple[tuple[str, int], ...]:
        return tuple((s, n) for s, n in self.severities if s.upper() != self.event.severity)


class Rates:
    """`percent` (seen at runtime) and `static_percent` (instrumented in the code) of the events
    specified, for a class with `specified`, `seen` and `instrumented` counts."""

    specified: int
    seen: int
    instrumented: int

    @property
    def percent(self) -> float:
        return percent_of(self.seen, self.specified)

    @property
    def static_percent(self) -> float:
        return percent_of(self.instrumented, self.specified)


@record
class ComponentObservation(Rates):
    """One component's specified events as the events table shows them, with how many are
    instrumented in the code."""

    spec: ComponentSpec
    events: tuple[EventObservation, ...]
    instrumented: int  # statically: events whose block is in the code

    @property
    def specified(self) -> int:
        return len(self.events)

    @property
    def seen(self) -> int:
        return sum(1 for e in self.events if e.seen)

    @property
    def rows(self) -> int:
        return sum(e.rows for e in self.events)

    @property
    def first(self) -> datetime | None:
        return min((e.first for e in self.events if e.first), default=None)

    @property
    def last(self) -> datetime | None:
        return max((e.last for e in self.events if e.last), default=None)

    @property
    def severities(self) -> tuple[tuple[str, int], ...]:
        return merge_severities(s for e in self.events for s in e.severities)


@record
class PhaseObservation:
    """One phase's totals in the rollout plan: events specified, instrumented in the code and seen
    in the events table."""

    phase: int
    days: tuple[int, ...]
    specified: int
    instrumented: int
    seen: int

    @property
    def status(self) -> str:
        """not started | in progress | instrumented | partly seen | verified (every event seen)."""
        if self.specified and self.seen == self.specified:
            return "verified"
        if self.seen:
            return "partly seen"
        if self.specified and self.instrumented == self.specified:
            return "instrumented"
        return "in progress" if self.instrumented else "not started"


@record
class TypeRows:
    """Rows of one event type that no selected spec accounts for."""

    event_type: str
    rows: int
    first: datetime | None
    last: datetime | None


@record
class TimeBucket:
    """How many rows of one severity were logged in one time bucket (from `start`, one `bucket_unit`
    of the report long)."""

    start: datetime
    severity: str
    count: int


@record
class ObserveReport(Rates):
    """The runtime coverage report (`observe`): the selected components' events against the events
    table, the rows no spec accounts for, and the rows over time."""

    source: str  # the database, password masked
    table: str
    components: tuple[ComponentObservation, ...]
    unknown: tuple[TypeRows, ...] = ()  # no spec and no EventType member names the type
    unspecified: tuple[TypeRows, ...] = ()  # EventType members no spec names (hand-written events)
    unselected_rows: int = 0  # rows of specs outside the selection
    total_rows: int = 0
    since: datetime | None = None
    generated: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    bucket_unit: str = "hour"
    buckets: tuple[TimeBucket, ...] = ()
    target: float = 90.0

    @property
    def specified(self) -> int:
        return sum(c.specified for c in self.components)

    @property
    def seen(self) -> int:
        return sum(c.seen for c in self.components)

    @property
    def instrumented(self) -> int:
        return sum(c.instrumented for c in self.components)

    def events(self) -> list[EventObservation]:
        return [e for c in self.components for e in c.events]

    def never_seen(self) -> list[tuple[ComponentObservation, EventObservation]]:
        return [(c, e) for c in self.components for e in c.events if not e.seen]

    def phases(self) -> list[PhaseObservation]:
        return phase_rows((c.spec.phase, c.spec.days, c.specified, c.instrumented, c.seen) for c in self.components)


def phase_rows(components: Iterable[tuple[int, tuple[int, ...], int, int, int]]) -> list[PhaseObservation]:
    """(phase, days, specified, instrumented, seen) per component -> one row per phase 1-4."""
    totals: dict[int, list] = {p: [set(), 0, 0, 0] for p in range(1, 5)}
    for phase, days, specified, instrumented, seen in components:
        slot = totals.setdefault(phase, [set(), 0, 0, 0])
        slot[0].update(days)
        slot[1] += specified
        slot[2] += instrumented
        slot[3] += seen
    return [PhaseObservation(p, tuple(sorted(d)), s, i, n) for p, (d, s, i, n) in sorted(totals.items())]


def merge_severities(pairs: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for severity, rows in pairs:
        counts[severity] = counts.get(severity, 0) + rows
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return tuple(sorted(counts.items(), key=lambda kv: (rank.get(kv[0].upper(), len(rank)), kv[0])))


def build_report(catalog: Catalog, selection: Selection, sites: dict[str, Site], enum_values: set[str],
                 groups: list[RowGroup], *, source: str, table: str, since: datetime | None = None,
                 bucket_unit: str = "hour", buckets: Iterable[TimeBucket] = (), target: float = 90.0,
                 generated: datetime | None = None) -> ObserveReport:
    """Attribute every row group to a spec event (the whole catalog decides, so rows of an
    unselected spec sharing an event type are never credited to a selected one)."""
    index = SpecIndex(catalog.events())
    selected = {e.id for c in catalog.components for e in c.events if selection.matches(c, e)}
    per_event: dict[str, list[RowGroup]] = {}
    unknown: dict[str, list[RowGroup]] = {}
    unspecified: dict[str, list[RowGroup]] = {}
    unselected = 0
    for group in groups:
        event = index.attribute(group.event_type, group.keys, group.severity)
        if event is None:
            bucket = unspecified if group.event_type in enum_values else unknown
            bucket.setdefault(group.event_type, []).append(group)
        elif event.id in selected:
            per_event.setdefault(event.id, []).append(group)
        else:
            unselected += group.count
    components = []
    for spec in catalog.components:
        observations = []
        for event in spec.events:
            if event.id not in selected:
                continue
            site = sites.get(event.id) or Site(spec.file, None, Status.INVALID.value)
            observations.append(_observe(event, site, per_event.get(event.id, [])))
        if observations:
            instrumented = sum(1 for o in observations if Status(o.site.status).instrumented)
            components.append(ComponentObservation(spec, tuple(observations), instrumented))
    components.sort(key=lambda c: (c.spec.phase, min(c.spec.days or (99,)), c.spec.component))
    return ObserveReport(
        source=source, table=table, components=tuple(components), unknown=_type_rows(unknown),
        unspecified=_type_rows(unspecified), unselected_rows=unselected, total_rows=sum(g.count for g in groups),
        since=since, generated=generated or datetime.now(timezone.utc), bucket_unit=bucket_unit,
        buckets=tuple(buckets), target=target,
    )


def _observe(event: EventSpec, site: Site, groups: list[RowGroup]) -> EventObservation:
    if not groups:
        return EventObservation(event, site)
    expected = payload_keys(event)
    diffs: dict[tuple, int] = {}
    for group in groups:
        if group.keys is None:
            diffs[((), (), True)] = diffs.get(((), (), True), 0) + group.count
        elif group.keys != expected:
            key = (tuple(k for k in expected if k not in group.keys), tuple(k for k in group.keys if k not in expected), False)
            diffs[key] = diffs.get(key, 0) + group.count
    return EventObservation(
        event, site, rows=sum(g.count for g in groups),
        first=min((g.first for g in groups if g.first), default=None),
        last=max((g.last for g in groups if g.last), default=None),
        severities=merge_severities((g.severity, g.count) for g in groups),
        payload_diffs=tuple(PayloadDiff(m, x, n, o) for (m, x, o), n in sorted(diffs.items())),
    )


def _type_rows(found: dict[str, list[RowGroup]]) -> tuple[TypeRows, ...]:
    rows = []
    for event_type, groups in found.items():
        rows.append(TypeRows(event_type, sum(g.count for g in groups),
                             min((g.first for g in groups if g.first), default=None),
                             max((g.last for g in groups if g.last), default=None)))
    return tuple(sorted(rows, key=lambda r: (-r.rows, r.event_type)))


# -- output ------------------------------------------------------------------------------------
def when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def severities_text(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{s} {n}" for s, n in pairs) or "-"


def window_text(report: ObserveReport) -> str:
    return f"since {when(report.since)} UTC" if report.since else "all time"


def observe_text(report: ObserveReport, fmt: str) -> str:
    """text | markdown | json (html: eventmod.reports.html)."""
    if fmt == "json":
        return json.dumps(observe_json(report), indent=2) + "\n"
    return _observe_tables(report, "markdown" if fmt == "markdown" else "table")


def _observe_tables(report: ObserveReport, fmt: str) -> str:
    md = fmt == "markdown"
    out: list[str] = []

    def heading(text: str) -> None:
        out.append(f"\n### {text}\n" if md else f"\n{text}:")

    title = (f"runtime coverage from {report.source} ({report.table}), {report.total_rows} row(s), "
             f"{window_text(report)}")
    out.append(f"## Runtime coverage\n\n{title}\n" if md else title)
    headers = ["phase", "days", "component", "priority", "specified", "seen", "never seen", "coverage", "rows",
               "first seen", "last seen", "severities"]
    rows = [[str(c.spec.phase), days_text(c.spec.days), c.spec.component, c.spec.priority, str(c.specified),
             str(c.seen), str(c.specified - c.seen), f"{c.percent:.0f}%", str(c.rows), when(c.first), when(c.last),
             severities_text(c.severities)] for c in report.components]
    footer = ["", "", "total", f"target {report.target:g}%", str(report.specified), str(report.seen),
              str(report.specified - report.seen), f"{report.percent:.1f}%", str(sum(c.rows for c in report.components)),
              "", "", ""]
    out.append(format_table(headers, rows, fmt, footer).rstrip("\n"))
    heading("per phase")
    phase_headers = ["phase", "days", "specified", "instrumented", "seen", "coverage", "status"]
    phase_rows_ = [[str(p.phase), days_text(p.days), str(p.specified), str(p.instrumented), str(p.seen),
                    f"{100.0 * p.seen / p.specified:.0f}%" if p.specified else "-", p.status]
                   for p in report.phases() if p.specified]
    out.append(format_table(phase_headers, phase_rows_, fmt).rstrip("\n"))
    out.append(("\n" if md else "") + f"runtime coverage {report.seen}/{report.specified} ({report.percent:.1f}%), "
               f"target {report.target:g}%; statically instrumented {report.instrumented}/{report.specified}")

    never = report.never_seen()
    if never:
        heading(f"never seen ({len(never)}): drive a scenario that reaches each site")
        if md:
            out.append(format_table(["file:line", "component", "id", "event", "anchor", "in the code"],
                                    [[f"`{e.site.where()}`", c.spec.component, e.event.id, e.event.event,
                                      f"`{e.event.function}` {e.event.anchor.describe()}", e.site.status]
                                     for c, e in never], "markdown").rstrip("\n"))
        else:
            for c, e in never:
                out.append(f"  {e.site.where()}: {c.spec.component}: {e.event.id} ({e.event.event}) in "
                           f"{e.event.function}, {e.event.anchor.describe()} [{e.site.status}]")
    mismatched = [e for e in report.events() if e.severity_mismatches]
    if mismatched:
        heading(f"severity differs from the spec ({sum(n for e in mismatched for _, n in e.severity_mismatches)} row(s))")
        for e in mismatched:
            got = severities_text(e.severity_mismatches)
            out.append(f"{'- ' if md else '  '}{e.event.id} ({e.event.event}): spec {e.event.severity}, rows {got}")
    diffs = [e for e in report.events() if e.payload_diffs]
    if diffs:
        heading(f"payload keys differ from the spec ({sum(d.rows for e in diffs for d in e.payload_diffs)} row(s))")
        for e in diffs:
            for d in e.payload_diffs:
                out.append(f"{'- ' if md else '  '}{e.event.id} ({e.event.event}): {d.rows} row(s): {d.describe()}")
    if report.unknown:
        heading(f"event types no spec or EventType member names ({len(report.unknown)} type(s), "
                f"{sum(r.rows for r in report.unknown)} row(s))")
        for r in report.unknown:
            out.append(f"{'- ' if md else '  '}{r.event_type}: {r.rows} row(s), {when(r.first)} .. {when(r.last)}")
    notes = []
    if report.unspecified:
        notes.append(f"{sum(r.rows for r in report.unspecified)} row(s) of {len(report.unspecified)} EventType "
                     f"member(s) no spec names ({', '.join(r.event_type for r in report.unspecified[:5])}"
                     f"{', ...' if len(report.unspecified) > 5 else ''})")
    if report.unselected_rows:
        notes.append(f"{report.unselected_rows} row(s) of specs outside the selection")
    if notes:
        out.append(("\n" if md else "") + "not counted: " + "; ".join(notes))
    return "\n".join(out).lstrip("\n") + "\n"


def observe_json(report: ObserveReport) -> dict:
    def event_json(e: EventObservation) -> dict:
        return {
            "id": e.event.id, "event": e.event.event, "event_type": e.event.value, "severity": e.event.severity,
            "seen": e.seen, "rows": e.rows, "first_seen": iso(e.first), "last_seen": iso(e.last),
            "severities": dict(e.severities), "severity_mismatch_rows": sum(n for _, n in e.severity_mismatches),
            "payload_differences": [{"missing": list(d.missing), "extra": list(d.extra), "rows": d.rows,
                                     "not_object": d.not_object} for d in e.payload_diffs],
            "file": e.site.file, "line": e.site.line, "code_status": e.site.status, "function": e.event.function,
            "anchor": e.event.anchor.describe(),
        }

    return {
        "source": report.source, "table": report.table, "since": iso(report.since), "generated": iso(report.generated),
        "rows": report.total_rows,
        "total": {"specified": report.specified, "seen": report.seen, "never_seen": report.specified - report.seen,
                  "instrumented": report.instrumented, "coverage_percent": round(report.percent, 1),
                  "target_percent": report.target, "meets_target": report.percent >= report.target},
        "phases": [{"phase": p.phase, "days": list(p.days), "specified": p.specified, "instrumented": p.instrumented,
                    "seen": p.seen, "status": p.status} for p in report.phases()],
        "components": [{
            "component": c.spec.component, "file": c.spec.file, "phase": c.spec.phase, "days": list(c.spec.days),
            "priority": c.spec.priority, "specified": c.specified, "instrumented": c.instrumented, "seen": c.seen,
            "coverage_percent": round(c.percent, 1), "rows": c.rows, "first_seen": iso(c.first), "last_seen": iso(c.last),
            "severities": dict(c.severities), "events": [event_json(e) for e in c.events],
        } for c in report.components],
        "never_seen": [{"component": c.spec.component, "id": e.event.id, "event": e.event.event, "file": e.site.file,
                        "line": e.site.line, "function": e.event.function, "anchor": e.event.anchor.describe(),
                        "code_status": e.site.status} for c, e in report.never_seen()],
        "unknown_event_types": [{"event_type": r.event_type, "rows": r.rows, "first_seen": iso(r.first),
                                 "last_seen": iso(r.last)} for r in report.unknown],
        "unspecified_members": [{"event_type": r.event_type, "rows": r.rows} for r in report.unspecified],
        "unselected_rows": report.unselected_rows,
        "over_time": {"bucket": report.bucket_unit,
                      "buckets": [{"start": iso(b.start), "severity": b.severity, "rows": b.count} for b in report.buckets]},
    }
