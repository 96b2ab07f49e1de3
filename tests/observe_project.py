"""A small project unlike the fixture bot, and events databases for it, for the observe /
timeline / queries tests: another table and column names, shared event types, an enum member no
spec names, rows with wrong severities, changed payloads and unknown types."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

LOGGER = '''\
from enum import Enum


class EventType(str, Enum):
    HAND_WRITTEN = "hand_written"
    ORDER_PLACED = "order_placed"


_logger = None


def get_event_logger():
    return _logger


class EventLogger:
    async def log_event(self, event_type, event_data, correlation_id=None, position_id=None, order_id=None,
                        symbol=None, exchange=None, severity="INFO", error=None):
        return None
'''

DESK = '''\
import logging

logger = logging.getLogger(__name__)


class Desk:
    async def place(self, order_id, qty, venue):
        logger.info(f"placing {order_id}")
        if qty <= 0:
            logger.warning("rejected: bad quantity")
            return None
        logger.info("placed")
        return order_id

    async def cancel(self, order_id, reason):
        logger.info("cancel requested")
        logger.warning(f"cancelled {order_id}")
'''

RISK = '''\
import logging

logger = logging.getLogger(__name__)


class Risk:
    async def check(self, order_id, limit):
        logger.error("limit breached")
        return False
'''

DESK_SPEC = '''\
component: desk
file: svc/desk.py
phase: 1
days: [1, 2]
priority: HIGH
events:
  - id: desk_placed
    event: ORDER_PLACED
    in: Desk.place
    after_log: "placed"
    level: info
    payload:
      order_id: order_id
      qty: qty
    order_id: order_id
    severity: INFO
  - id: desk_rejected
    event: ORDER_REJECTED
    in: Desk.place
    after_log: "rejected"
    payload:
      order_id: order_id
      qty: qty
    severity: WARNING
  - id: desk_cancelled
    event: ORDER_CANCELLED
    in: Desk.cancel
    after_log: "cancelled"
    payload:
      order_id: order_id
      reason: reason
    order_id: order_id
    severity: WARNING
'''

RISK_SPEC = '''\
component: risk
file: svc/risk.py
phase: 2
days: [5]
priority: CRITICAL
events:
  - id: risk_rejected
    event: ORDER_REJECTED
    in: Risk.check
    after_log: "limit breached"
    payload:
      order_id: order_id
      limit: limit
    severity: ERROR
'''

# Where each event's block goes in the un-instrumented code: the line after its anchor.
SITES = {"desk_placed": "svc/desk.py:13", "desk_rejected": "svc/desk.py:11", "desk_cancelled": "svc/desk.py:18",
         "risk_rejected": "svc/risk.py:9"}

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Row:
    event_type: str
    data: object  # dict, or raw text
    severity: str
    at: datetime
    order_id: str | None = None
    position_id: int | None = None
    correlation_id: str | None = None
    symbol: str | None = None
    error: str | None = None


def rows() -> list[Row]:
    """The standard data: desk_placed (3 rows, one with a wrong severity), desk_rejected (1 row
    with an extra key), risk_rejected (2 rows), desk_cancelled never; one unknown type, one row
    of an enum member no spec names, rows inserted out of time order."""
    return [
        Row("order_placed", {"order_id": "A-1", "qty": 5}, "INFO", T0 + timedelta(seconds=30), order_id="A-1",
            position_id=7, correlation_id="c-1", symbol="XYZ"),
        Row("order_placed", {"order_id": "A-2", "qty": 2}, "INFO", T0 + timedelta(minutes=5), order_id="A-2"),
        Row("order_placed", {"qty": 1, "order_id": "A-3"}, "ERROR", T0 + timedelta(minutes=6), order_id="A-3"),
        Row("order_rejected", {"order_id": "A-1", "qty": 0, "note": "retry"}, "WARNING", T0 + timedelta(seconds=10),
            order_id="A-1", position_id=7, correlation_id="c-1", symbol="XYZ"),
        Row("order_rejected", {"order_id": "A-1", "limit": 10}, "ERROR", T0, position_id=7, correlation_id="c-1",
            symbol="XYZ", error="limit 10 breached"),
        Row("order_rejected", {"order_id": "B-9", "limit": 3}, "ERROR", T0 + timedelta(hours=2)),
        Row("mystery_thing", {"x": 1}, "INFO", T0 + timedelta(minutes=1)),
        Row("hand_written", {"y": 2}, "DEBUG", T0 + timedelta(minutes=2), position_id=7),
    ]


def make_project(base: Path, config: str = "") -> Path:
    """root/ and specs/ under `base`, and a pyproject.toml naming them (plus `config` lines)."""
    root = base / "proj"
    (root / "core").mkdir(parents=True)
    (root / "svc").mkdir()
    (root / "core" / "__init__.py").write_text("")
    (root / "core" / "event_logger.py").write_text(LOGGER)
    (root / "svc" / "desk.py").write_text(DESK)
    (root / "svc" / "risk.py").write_text(RISK)
    specs = base / "specs"
    specs.mkdir()
    (specs / "desk.yaml").write_text(DESK_SPEC)
    (specs / "risk.yaml").write_text(RISK_SPEC)
    (base / "pyproject.toml").write_text(
        '[tool.eventmod]\nroot = "proj"\nspecs = "specs"\n' + textwrap.dedent(config)
    )
    return base


FIXTURE_SCHEMA = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_type TEXT NOT NULL, event_data TEXT, correlation_id TEXT,
    position_id INTEGER, order_id TEXT, symbol TEXT, exchange TEXT, severity TEXT NOT NULL DEFAULT 'INFO',
    error_message TEXT, created_at TIMESTAMP NOT NULL)
"""

# Another team's table: other names, no exchange column, 'Z' timestamps.
CUSTOM_SCHEMA = """
CREATE TABLE log_rows (
    row_no INTEGER PRIMARY KEY, kind TEXT NOT NULL, body TEXT, corr TEXT, position_id INTEGER, order_ref TEXT,
    symbol TEXT, level TEXT, error_message TEXT, logged_at TEXT NOT NULL)
"""
CUSTOM_CONFIG = """
events_table = "audit.log_rows"
event_columns = { id = "row_no", event_type = "kind", event_data = "body", correlation_id = "corr", order_id = "order_ref", severity = "level", created_at = "logged_at" }
"""


def write_sqlite(path: Path, data: list[Row], custom: bool = False) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(CUSTOM_SCHEMA if custom else FIXTURE_SCHEMA)
    for row in data:
        payload = row.data if isinstance(row.data, str) else json.dumps(row.data)
        if custom:
            conn.execute(
                "INSERT INTO log_rows (kind, body, corr, position_id, order_ref, symbol, level, error_message, logged_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.event_type, payload, row.correlation_id, row.position_id, row.order_id, row.symbol, row.severity,
                 row.error, row.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
            )
        else:
            conn.execute(
                "INSERT INTO events (event_type, event_data, correlation_id, position_id, order_id, symbol, exchange, "
                "severity, error_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.event_type, payload, row.correlation_id, row.position_id, row.order_id, row.symbol, "venue-1",
                 row.severity, row.error, row.at.isoformat()),
            )
    conn.commit()
    conn.close()
    return path
