"""One incident's events in time order: severity, component (from the specs), a one-line payload.

Built from rows the caller read (the columns of `queries.TIMELINE_COLUMNS`); returns strings.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from eventmod.model.record import record
from eventmod.reports.observe import iso, when
from eventmod.reports.rows import SpecIndex, parse_timestamp

SUMMARY_WIDTH = 110


@record
class TimelineEntry:
    """One row of the events table on a timeline: when it was logged, the event and its severity,
    the component whose spec logs it, the optional columns and the decoded payload."""

    id: int | None
    at: datetime | None
    event_type: str
    event: str  # the EventType member name when a spec or the enum names it, else the stored value
    severity: str
    component: str | None  # None: no spec logs this event type
    spec_id: str | None
    correlation_id: str | None
    position_id: int | None
    order_id: str | None
    symbol: str | None
    exchange: str | None
    error: str | None
    payload: Any  # the decoded payload (a dict for well-formed rows)

    def summary(self, width: int = SUMMARY_WIDTH) -> str:
        text = payload_summary(self.payload)
        logged = isinstance(self.payload, dict) and str(self.payload.get("error", "")) == self.error
        if self.error and not logged:
            text = f"{text}; error: {self.error}" if text else f"error: {self.error}"
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"


@record
class Timeline:
    """One incident's events in time order (`build_timeline`): the rows whose `key` column holds
    `value`, read from the events table up to a limit."""

    key: str  # position_id | correlation_id | symbol | order_id
    value: str
    entries: tuple[TimelineEntry, ...]
    source: str
    table: str
    since: datetime | None = None
    until: datetime | None = None
    truncated: bool = False  # more rows than the limit

    def title(self) -> str:
        span = ""
        if self.entries:
            span = f", {when(self.entries[0].at)} .. {when(self.entries[-1].at)} UTC"
        more = " (limit reached: narrow with --since/--until or raise --limit)" if self.truncated else ""
        return f"timeline of {self.key} {self.value}: {len(self.entries)} event(s){span}{more}"


def payload_summary(payload: Any) -> str:
    """`key=value` pairs in the payload's order; nested values as compact JSON."""
    if payload is None:
        return ""
    if not isinstance(payload, dict):
        return _compact(payload)
    return " ".join(f"{k}={_value(v)}" for k, v in payload.items())


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value if value and not any(c.isspace() or c in "=\"'" for c in value) else json.dumps(value, ensure_ascii=False)
    return _compact(value)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _decode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def build_timeline(rows: Iterable[tuple], index: SpecIndex, members: dict[str, str], *, key: str, value: str,
                   source: str, table: str, since: datetime | None = None, until: datetime | None = None,
                   limit: int | None = None) -> Timeline:
    """`rows` in TIMELINE_COLUMNS order; `members` maps EventType values to member names."""
    entries = []
    for row in rows:
        row_id, at, event_type, severity, correlation_id, position_id, order_id, symbol, exchange, error, data = row
        payload = _decode(data)
        keys = tuple(sorted(payload)) if isinstance(payload, dict) else None
        event_type = str(event_type)
        spec = index.attribute(event_type, keys, str(severity or ""))
        entries.append(TimelineEntry(
            id=row_id, at=parse_timestamp(at), event_type=event_type,
            event=spec.event if spec else members.get(event_type, event_type), severity=str(severity or ""),
            component=spec.component if spec else None, spec_id=spec.id if spec else None,
            correlation_id=correlation_id, position_id=position_id, order_id=order_id, symbol=symbol,
            exchange=exchange, error=error, payload=payload,
        ))
    truncated = limit is not None and len(entries) > limit
    if truncated:
        entries = entries[:limit]
    return Timeline(key, value, tuple(entries), source, table, since, until, truncated)


def offset(entry: TimelineEntry, start: datetime | None) -> str:
    """Time since the first event: +SS.mmm s, +MM:SS, or +H:MM:SS."""
    if entry.at is None or start is None:
        return ""
    seconds = (entry.at - start).total_seconds()
    if seconds < 60:
        return f"+{seconds:.3f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"+{hours}:{minutes:02d}:{secs:02d}" if hours else f"+{minutes}:{secs:02d}"


def _millis(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return when(moment) + f".{moment.microsecond // 1000:03d}"


def timeline_text(timeline: Timeline, fmt: str) -> str:
    """text | json (html: eventmod.reports.html)."""
    if fmt == "json":
        return json.dumps(timeline_json(timeline), indent=2, default=str) + "\n"
    lines = [timeline.title()]
    if not timeline.entries:
        return lines[0] + "\n"
    start = timeline.entries[0].at
    width_event = max(len(e.event) for e in timeline.entries)
    width_component = max(len(e.component or "-") for e in timeline.entries)
    width_offset = max(len(offset(e, start)) for e in timeline.entries)
    for e in timeline.entries:
        lines.append(f"{_millis(e.at)}  {offset(e, start):>{width_offset}}  {e.severity:<8}  "
                     f"{(e.component or '-'):<{width_component}}  {e.event:<{width_event}}  {e.summary()}".rstrip())
    return "\n".join(lines) + "\n"


def timeline_json(timeline: Timeline) -> dict:
    return {
        "key": timeline.key, "value": timeline.value, "source": timeline.source, "table": timeline.table,
        "since": iso(timeline.since), "until": iso(timeline.until), "truncated": timeline.truncated,
        "events": [{
            "id": e.id, "at": iso(e.at), "event_type": e.event_type, "event": e.event, "severity": e.severity,
            "component": e.component, "spec_id": e.spec_id, "correlation_id": e.correlation_id,
            "position_id": e.position_id, "order_id": e.order_id, "symbol": e.symbol, "exchange": e.exchange,
            "error": e.error, "summary": e.summary(), "payload": e.payload,
        } for e in timeline.entries],
    }
