"""Rows of the events table as data, and which spec event a row belongs to.

Several spec events may log the same event type (a manager and a helper both log
`trailing_stop_updated`); a row is attributed to the spec whose payload keys and severity it
matches, else to the closest one (same keys, then same severity, then most keys in common), so
a changed payload shows up as a difference of that spec rather than as a missing event.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable

from eventmod.model.record import record
from eventmod.model.spec import EventSpec


@record
class RowGroup:
    """Rows with one (event_type, severity, payload keys): how many, first and last seen."""

    event_type: str
    severity: str
    keys: tuple[str, ...] | None  # sorted payload keys; None: the payload is not a JSON object
    count: int
    first: datetime | None
    last: datetime | None


def parse_timestamp(value: Any) -> datetime | None:
    """A database timestamp as an aware datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def decode_keys(value: Any) -> tuple[str, ...] | None:
    """Payload keys as the database returns them (a PostgreSQL array, a SQLite JSON array)."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return tuple(sorted(str(k) for k in value))


def merge_groups(raw: Iterable[tuple]) -> list[RowGroup]:
    """(event_type, severity, keys, count, first, last) tuples -> RowGroups, merged once the
    keys are sorted (the database may yield the same key set in different orders)."""
    merged: dict[tuple, list] = {}
    for event_type, severity, keys, count, first, last in raw:
        key = (str(event_type), str(severity if severity is not None else ""), decode_keys(keys))
        first_at, last_at = parse_timestamp(first), parse_timestamp(last)
        slot = merged.get(key)
        if slot is None:
            merged[key] = [int(count), first_at, last_at]
        else:
            slot[0] += int(count)
            slot[1] = _earliest(slot[1], first_at)
            slot[2] = _latest(slot[2], last_at)
    return [RowGroup(t, s, k, c, f, l) for (t, s, k), (c, f, l) in sorted(merged.items(), key=lambda kv: _sort_key(kv[0]))]


def _sort_key(key: tuple) -> tuple:
    event_type, severity, keys = key
    return (event_type, severity, keys is None, keys or ())


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def payload_keys(event: EventSpec) -> tuple[str, ...]:
    return tuple(sorted(key for key, _ in event.payload))


class SpecIndex:
    """event type value -> the spec events that log it, and the attribution of a row."""

    def __init__(self, events: Iterable[EventSpec]) -> None:
        self.by_value: dict[str, list[EventSpec]] = {}
        for event in events:
            self.by_value.setdefault(event.value, []).append(event)

    def attribute(self, event_type: str, keys: tuple[str, ...] | None, severity: str) -> EventSpec | None:
        candidates = self.by_value.get(event_type)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        given = set(keys or ())
        wanted = (severity or "").upper()

        def score(event: EventSpec) -> tuple:
            spec_keys = set(payload_keys(event))
            union = given | spec_keys
            overlap = len(given & spec_keys) / len(union) if union else 1.0
            return (keys is not None and given == spec_keys, event.severity == wanted, overlap)

        best = candidates[0]
        for event in candidates[1:]:
            if score(event) > score(best):
                best = event
        return best
