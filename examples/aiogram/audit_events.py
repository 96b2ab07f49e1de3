# Written by `eventmod init` (the audit-event logger eventmod instruments code for).
"""Structured audit events: `EventType`, and an `EventLogger` that writes them in batches.

Written by `eventmod init`; yours to edit. Instrumented code does

    event_logger = get_event_logger()
    if event_logger:
        await event_logger.log_event(EventType.JOB_EXPIRED, {"job_id": job_id}, severity="WARNING")

Contract:
- `log_event` never raises and never blocks the caller: it serialises the payload (JSON-safe:
  Decimal, datetime, Enum, UUID, sets, bytes and anything else are converted), puts one row on
  a bounded queue and returns. A full queue drops the event and counts it (`dropped`).
- One writer thread takes rows off the queue and inserts them in batches: SQLite (stdlib
  sqlite3) by default, PostgreSQL (asyncpg, on the thread's own event loop) for a
  `postgresql://` URL. Every failure is logged and counted, never raised; a failing batch is
  retried row by row so one bad row does not take the others down.
- `get_event_logger()` returns the logger set with `set_event_logger(...)`; when none is set
  and the environment variable AUDIT_EVENTS_URL is (e.g. `sqlite:///var/audit.db`), it creates
  one from that URL. Otherwise it returns None and instrumented code logs nothing.

Rows go to the table `events` (SQLite) or `monitoring.events` (PostgreSQL), with the columns
event_type, event_data (JSON), correlation_id, position_id, order_id, symbol, exchange,
severity, error_message, created_at. Keywords of `log_event` named like a column fill that
column (`error=` fills error_message); any other keyword goes into event_data under "_context".
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import dataclasses
import datetime as _dt
import decimal
import enum
import json
import logging
import math
import os
import queue
import sqlite3
import threading
import time
import uuid
from pathlib import PurePath
from typing import Any

logger = logging.getLogger(__name__)

EVENTS_URL_ENV = "AUDIT_EVENTS_URL"
COLUMNS = ("event_type", "event_data", "correlation_id", "position_id", "order_id", "symbol", "exchange",
           "severity", "error_message", "created_at")
_COLUMN_KEYWORDS = ("position_id", "order_id", "symbol", "exchange", "error")


class EventType(str, enum.Enum):
    """Audit event types; `eventmod apply` adds the members its specs use."""


# -- JSON-safe values ---------------------------------------------------------------------------
def json_safe(value: Any, _depth: int = 0) -> Any:
    """`value` as something json.dumps accepts (and PostgreSQL's JSONB: no NaN or infinity)."""
    if _depth > 20:
        return str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return json_safe(value.value, _depth + 1)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (uuid.UUID, PurePath)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    if isinstance(value, dict):
        return {str(k): json_safe(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [json_safe(v, _depth + 1) for v in items]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value), _depth + 1)
    return str(value)


def _integer(value: Any) -> int | None:
    """An INTEGER column's value: ints and digit strings within 32 bits, else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value) if isinstance(value, (int, str)) else None
    except ValueError:
        return None
    return number if number is not None and -2**31 <= number < 2**31 else None


# -- backends (called from the writer thread only) ------------------------------------------------
class SQLiteBackend:
    """stdlib sqlite3; the table `events` in the database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def connect(self) -> None:
        if self._conn is not None:
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_type TEXT NOT NULL,
                event_data TEXT,
                correlation_id TEXT,
                position_id INTEGER,
                order_id TEXT,
                symbol TEXT,
                exchange TEXT,
                severity TEXT NOT NULL DEFAULT 'INFO',
                error_message TEXT,
                created_at TIMESTAMP NOT NULL
            )
            """
        )
        conn.execute("CREATE INDEX IF NOT EXISTS idx_events_type ON events (event_type)")
        conn.commit()
        self._conn = conn

    def insert_many(self, rows: list[tuple]) -> None:
        assert self._conn is not None
        placeholders = ", ".join("?" for _ in COLUMNS)
        self._conn.executemany(
            f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            [row[:-1] + (row[-1].isoformat(),) for row in rows],
        )
        self._conn.commit()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PostgresBackend:
    """asyncpg on the writer thread's own event loop; schema `monitoring`, table `events`."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: Any = None

    def connect(self) -> None:
        if self._conn is not None:
            return
        import asyncpg

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        self._conn = self._loop.run_until_complete(asyncpg.connect(self.dsn))
        self._loop.run_until_complete(self._conn.execute("CREATE SCHEMA IF NOT EXISTS monitoring"))
        self._loop.run_until_complete(self._conn.execute(
            """
            CREATE TABLE IF NOT EXISTS monitoring.events (
                id SERIAL PRIMARY KEY,
                event_type VARCHAR(100) NOT NULL,
                event_data JSONB,
                correlation_id VARCHAR(100),
                position_id INTEGER,
                order_id VARCHAR(100),
                symbol VARCHAR(50),
                exchange VARCHAR(50),
                severity VARCHAR(20) NOT NULL DEFAULT 'INFO',
                error_message TEXT,
                created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
            )
            """
        ))
        self._loop.run_until_complete(self._conn.execute(
            "CREATE INDEX IF NOT EXISTS idx_events_type ON monitoring.events (event_type)"
        ))

    def insert_many(self, rows: list[tuple]) -> None:
        assert self._conn is not None and self._loop is not None
        self._loop.run_until_complete(self._conn.executemany(
            f"INSERT INTO monitoring.events ({', '.join(COLUMNS)}) "
            "VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10)",
            rows,
        ))

    def close(self) -> None:
        if self._conn is not None and self._loop is not None:
            try:
                self._loop.run_until_complete(self._conn.close())
            finally:
                self._conn = None
        if self._loop is not None:
            self._loop.close()
            self._loop = None


def backend_for(url: str) -> SQLiteBackend | PostgresBackend:
    """`sqlite:///relative.db`, `sqlite:////absolute.db`, a plain file path, or a
    `postgresql://` / `postgres://` URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(url)
    if url.startswith("sqlite:///"):
        return SQLiteBackend(url[len("sqlite:///"):])
    if "://" in url:
        raise ValueError(f"unsupported events URL {url!r}: use sqlite:///path.db or postgresql://...")
    return SQLiteBackend(url)


# -- the logger -----------------------------------------------------------------------------------
_STOP = object()


class EventLogger:
    """Queues events and writes them in batches from one writer thread; never raises."""

    def __init__(self, url: str = "sqlite:///audit_events.db", *, batch_size: int = 100,
                 flush_interval: float = 0.2, max_queue: int = 10_000) -> None:
        self.url = url
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._backend = backend_for(url)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.events_logged = 0  # accepted by log_event
        self.events_written = 0
        self.dropped = 0  # queue full, or logged after close()
        self.failures = 0  # serialisation and write failures

    # called by instrumented code --------------------------------------------------------------
    async def log_event(self, event_type: Any, data: Any, *, severity: str = "INFO",
                        correlation_id: str | None = None, **context: Any) -> None:
        """Queue one event. Never raises, never waits for the database."""
        self.log_event_nowait(event_type, data, severity=severity, correlation_id=correlation_id, **context)

    def log_event_nowait(self, event_type: Any, data: Any, *, severity: str = "INFO",
                         correlation_id: str | None = None, **context: Any) -> None:
        """The same from sync code (a thread, a callback, a CLI)."""
        try:
            if self._closed:
                self.dropped += 1
                return
            row = self._row(event_type, data, severity, correlation_id, context)
            self._ensure_thread()
            self._queue.put_nowait(row)
            self.events_logged += 1
        except queue.Full:
            self.dropped += 1
            if self.dropped in (1, 10, 100) or self.dropped % 1000 == 0:
                logger.warning("EventLogger: queue full, %d event(s) dropped so far", self.dropped)
        except Exception as exc:  # the contract: nothing reaches the caller
            self.failures += 1
            logger.warning("EventLogger: cannot log %r: %s", event_type, exc)

    def _row(self, event_type: Any, data: Any, severity: str, correlation_id: Any, context: dict) -> tuple:
        payload = dict(json_safe(data)) if isinstance(data, dict) else {"value": json_safe(data)}
        columns = {key: context.pop(key) for key in _COLUMN_KEYWORDS if key in context}
        position_id = _integer(columns.get("position_id"))
        if position_id is None and columns.get("position_id") is not None:
            context["position_id"] = columns["position_id"]  # not an integer: kept in the payload
        if context:
            payload["_context"] = json_safe(context)
        kind = event_type.value if isinstance(event_type, enum.Enum) else event_type
        error = columns.get("error")

        def text(value: Any) -> str | None:
            return None if value is None else str(value)

        return (
            str(kind),
            json.dumps(payload, allow_nan=False),
            text(correlation_id),
            position_id,
            text(columns.get("order_id")),
            text(columns.get("symbol")),
            text(columns.get("exchange")),
            str(severity or "INFO").upper(),
            None if error is None else (f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)),
            _dt.datetime.now(_dt.timezone.utc),
        )

    # the writer thread ------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="event-logger-writer", daemon=True)
                self._thread.start()
                atexit.register(self._shutdown_at_exit)

    def _run(self) -> None:
        stop = False
        while not stop:
            batch: list[tuple] = []
            try:
                item = self._queue.get(timeout=self.flush_interval)
            except queue.Empty:
                continue
            deadline = time.monotonic() + self.flush_interval
            while item is not _STOP:
                batch.append(item)
                if len(batch) >= self.batch_size:
                    break
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
            if item is _STOP:
                stop = True
            if batch:
                self._write(batch)
            for _ in range(len(batch) + (1 if item is _STOP else 0)):
                self._queue.task_done()
        self._close_backend()

    def _write(self, batch: list[tuple]) -> None:
        try:
            self._backend.connect()
            self._backend.insert_many(batch)
            self.events_written += len(batch)
            return
        except Exception as exc:
            if len(batch) == 1:
                self.failures += 1
                logger.warning("EventLogger: cannot write a %s event: %s", batch[0][0], exc)
                self._reset_backend()
                return
            logger.warning("EventLogger: a batch of %d events failed (%s); retrying one by one", len(batch), exc)
            self._reset_backend()
        for row in batch:
            self._write([row])

    def _reset_backend(self) -> None:
        try:
            self._backend.close()
        except Exception as exc:
            logger.debug("EventLogger: closing the backend failed: %s", exc)

    def _close_backend(self) -> None:
        self._reset_backend()

    # lifecycle --------------------------------------------------------------------------------
    def flush_sync(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event has been handed to the database (True) or `timeout`."""
        end = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > end or self._thread is None or not self._thread.is_alive():
                return not self._queue.unfinished_tasks
            time.sleep(0.01)
        return True

    async def flush(self, timeout: float = 10.0) -> bool:
        """`flush_sync` without blocking the event loop."""
        try:
            return await asyncio.to_thread(self.flush_sync, timeout)
        except Exception as exc:
            logger.warning("EventLogger: flush failed: %s", exc)
            return False

    def close_sync(self, timeout: float = 10.0) -> None:
        """Write what is queued, stop the writer thread and close the database."""
        try:
            if self._closed:
                return
            self._closed = True
            if self._thread is not None and self._thread.is_alive():
                self._queue.put(_STOP, timeout=timeout)
                self._thread.join(timeout)
            else:
                self._close_backend()
        except Exception as exc:
            logger.warning("EventLogger: close failed: %s", exc)

    async def close(self, timeout: float = 10.0) -> None:
        try:
            await asyncio.to_thread(self.close_sync, timeout)
        except Exception as exc:
            logger.warning("EventLogger: close failed: %s", exc)

    def _shutdown_at_exit(self) -> None:
        self.close_sync(timeout=5.0)


_event_logger: EventLogger | None = None
_from_environment = False


def get_event_logger() -> EventLogger | None:
    """The process's event logger, or None (then instrumented code logs nothing)."""
    global _event_logger, _from_environment
    if _event_logger is None and not _from_environment:
        _from_environment = True
        url = os.environ.get(EVENTS_URL_ENV)
        if url:
            try:
                _event_logger = EventLogger(url)
            except Exception as exc:
                logger.warning("EventLogger: cannot use %s=%r: %s", EVENTS_URL_ENV, url, exc)
    return _event_logger


def set_event_logger(event_logger: EventLogger | None) -> None:
    global _event_logger, _from_environment
    _event_logger = event_logger
    _from_environment = True
