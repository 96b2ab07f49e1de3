"""End to end for a project with nothing: `eventmod init` -> `suggest` -> `apply` -> run the
instrumented code -> the events are in SQLite and in PostgreSQL. And the contract of the logger
module init writes: it never raises, never blocks, drops (and counts) when its queue is full."""

from __future__ import annotations

import asyncio
import decimal
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from eventmod.init import logger_template as T
from tests.conftest import Eventmod
from tests.test_init import JOBS  # the same new project as the init tests

QUEUE = """\
    import logging


    class Queue:
        log = logging.getLogger("app.queue")

        def __init__(self):
            self.items = []

        async def push(self, item_id, item):
            self.items.append(item)
            self.log.info("item %(id)s queued at %(n)d", {"id": item_id, "n": len(self.items)})
            return len(self.items)

        async def drain(self):
            drained = list(self.items)
            self.items.clear()
            self.log.warning("drained %d items", len(drained))
            return drained
    """

DRIVER = """\
    import asyncio, json, os, sys
    sys.path.insert(0, os.path.join(sys.argv[1], "src"))
    from app.jobs import Worker
    from app.queue import Queue

    async def main():
        results = []
        w, q = Worker(), Queue()
        results.append(await w.run_job(7, [1, 2, 3]))
        try:
            await w.run_job(8, [1, "x"])
        except TypeError as exc:
            results.append(f"raised {type(exc).__name__}")
        results.append(await w.expire(["a", "b"]))
        results.append(await q.push("i1", {"x": 1}))
        results.append(await q.drain())
        try:
            from app.audit_events import get_event_logger, set_event_logger, EventLogger
        except ImportError:
            return results
        if os.environ.get("PG_DSN"):
            set_event_logger(EventLogger(os.environ["PG_DSN"]))
            results.append(await w.run_job(9, [4]))
        logger = get_event_logger()
        if logger is not None:
            await logger.close()
        return results

    print(json.dumps(asyncio.run(main())))
    """

EXPECTED_RESULTS = [6, "raised TypeError", 2, 1, [{"x": 1}]]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "proj"
    for rel, code in {"src/app/__init__.py": "", "src/app/jobs.py": JOBS, "src/app/queue.py": QUEUE, "drive.py": DRIVER}.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n')
    return project


def _drive(project: Path, **env: str) -> list:
    proc = subprocess.run([sys.executable, str(project / "drive.py"), str(project)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60, cwd=project)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _init_suggest_apply(project: Path) -> None:
    eventmod = Eventmod(project)
    result = eventmod("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 0, result.output
    result = eventmod("suggest", "src/app/queue.py", "--out", "event_specs/queue.yaml")
    assert result.exit_code == 0, result.output
    assert "wrote 2 entries" in result.stdout
    result = eventmod("apply", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert "6 event(s) inserted" in result.output


SQLITE_EVENTS = [
    ("job_started", {"job_id": 7}, "INFO"),
    ("job_finished", {"job_id": 7, "result": 6}, "INFO"),
    ("job_started", {"job_id": 8}, "INFO"),
    ("job_failed", {"job_id": 8, "error": "unsupported operand type(s) for +: 'int' and 'str'"}, "ERROR"),
    ("job_expired", {"job": "a"}, "WARNING"),
    ("job_expired", {"job": "b"}, "WARNING"),
    ("item_queued", {"id": "i1", "n": 1}, "INFO"),
    ("items_drained", {"drained_count": 1}, "WARNING"),
]


def test_init_suggest_apply_run_sqlite(tmp_path):
    project = _project(tmp_path)
    sources = [project / "src/app/jobs.py", project / "src/app/queue.py"]
    original = [p.read_bytes() for p in sources]
    assert _drive(project) == EXPECTED_RESULTS  # before: the project as it is
    _init_suggest_apply(project)
    assert [p.read_bytes() for p in sources] != original
    assert _drive(project) == EXPECTED_RESULTS  # instrumented, no logger configured: same results, no events
    db = tmp_path / "events" / "audit.db"
    assert _drive(project, AUDIT_EVENTS_URL=f"sqlite:///{db}") == EXPECTED_RESULTS
    rows = sqlite3.connect(db).execute("SELECT event_type, event_data, severity, created_at FROM events ORDER BY id").fetchall()
    assert [(t, json.loads(d), s) for t, d, s, _ in rows] == SQLITE_EVENTS
    assert all(datetime.fromisoformat(c).tzinfo is not None for *_, c in rows)
    # revert gives the code back byte for byte (the enum keeps its members)
    result = Eventmod(project)("revert", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert [p.read_bytes() for p in sources] == original


@pytest.mark.postgres
def test_init_suggest_apply_run_postgres(tmp_path, pg_dsn):
    import asyncpg

    project = _project(tmp_path)
    _init_suggest_apply(project)
    assert _drive(project, PG_DSN=pg_dsn) == EXPECTED_RESULTS + [4]

    async def read():
        conn = await asyncpg.connect(pg_dsn)
        try:
            return await conn.fetch("SELECT event_type, event_data, severity, created_at FROM monitoring.events ORDER BY id")
        finally:
            await conn.close()

    rows = asyncio.run(read())
    assert [(r["event_type"], json.loads(r["event_data"]), r["severity"]) for r in rows] == [
        ("job_started", {"job_id": 9}, "INFO"), ("job_finished", {"job_id": 9, "result": 4}, "INFO")]
    assert rows[0]["created_at"].tzinfo is not None


# -- the logger module's contract ------------------------------------------------------------------
def _rows(path: Path) -> list[tuple]:
    return sqlite3.connect(path).execute(
        "SELECT event_type, event_data, correlation_id, position_id, order_id, symbol, exchange, severity, error_message "
        "FROM events ORDER BY id").fetchall()


class Opaque:
    def __str__(self) -> str:
        return "opaque!"


def test_values_are_made_json_safe_and_keywords_fill_columns(tmp_path):
    db = tmp_path / "e.db"
    log = T.EventLogger(f"sqlite:///{db}")

    async def main():
        await log.log_event("kinds", {"d": decimal.Decimal("1.5"), "t": datetime(2024, 1, 2, tzinfo=timezone.utc), "s": {3, 1},
                                      "b": b"\xff", "nan": float("nan"), "o": Opaque(), "e": ValueError("v"),
                                      "u": uuid.UUID(int=1), "nested": {1: (2, 3)}},
                            severity="warning", correlation_id=uuid.UUID(int=2), symbol="AB", exchange="x",
                            order_id=12, position_id="42", error=KeyError("k"), tenant="t1")
        await log.log_event(T.EventType, "not a dict", position_id="abc")  # odd type and payload: still logged
        await log.log_event("big", {}, position_id=2**40)
        await log.close()

    asyncio.run(main())
    rows = _rows(db)
    assert rows[0][0] == "kinds"
    assert json.loads(rows[0][1]) == {"d": 1.5, "t": "2024-01-02T00:00:00+00:00", "s": [1, 3], "b": "/w==", "nan": "nan",
                                      "o": "opaque!", "e": "ValueError: v", "u": str(uuid.UUID(int=1)),
                                      "nested": {"1": [2, 3]}, "_context": {"tenant": "t1"}}
    assert rows[0][2:] == (str(uuid.UUID(int=2)), 42, "12", "AB", "x", "WARNING", "KeyError: 'k'")
    assert json.loads(rows[1][1]) == {"value": "not a dict", "_context": {"position_id": "abc"}} and rows[1][3] is None
    assert json.loads(rows[2][1]) == {"_context": {"position_id": 2**40}} and rows[2][3] is None
    assert (log.events_logged, log.events_written, log.failures, log.dropped) == (3, 3, 0, 0)


def test_a_failing_database_never_reaches_the_caller(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    log = T.EventLogger(f"sqlite:///{blocker}/cannot/be/here.db")

    async def main():
        for i in range(5):
            assert await log.log_event("e", {"i": i}) is None
        await log.flush()
        await log.close()

    asyncio.run(main())
    assert log.events_written == 0 and log.failures == 5 and log.events_logged == 5


def test_one_bad_row_does_not_take_the_batch_down(tmp_path):
    db = tmp_path / "e.db"
    log = T.EventLogger(f"sqlite:///{db}", flush_interval=0.5)
    real = log._backend.insert_many

    def picky(rows):
        if any(r[0] == "poison" for r in rows):
            raise RuntimeError("rejected")
        real(rows)

    log._backend.insert_many = picky

    async def main():
        for kind in ("a", "poison", "b"):
            await log.log_event(kind, {})
        await log.close()

    asyncio.run(main())
    assert [r[0] for r in _rows(db)] == ["a", "b"]
    assert (log.events_written, log.failures) == (2, 1)


def test_a_full_queue_drops_and_counts_without_blocking(tmp_path):
    release = threading.Event()
    log = T.EventLogger(f"sqlite:///{tmp_path / 'e.db'}", max_queue=3, batch_size=1, flush_interval=0.01)
    connect = log._backend.connect

    def slow_connect():
        release.wait(10)
        connect()

    log._backend.connect = slow_connect

    async def main():
        started = time.monotonic()
        for i in range(50):
            await log.log_event("e", {"i": i})
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    assert elapsed < 0.5  # never waited for the database
    assert log.dropped >= 45 and log.events_logged + log.dropped == 50
    release.set()
    log.close_sync()
    assert log.events_written == log.events_logged


def test_events_from_several_loops_threads_and_sync_code_are_written(tmp_path):
    db = tmp_path / "e.db"
    log = T.EventLogger(f"sqlite:///{db}")
    asyncio.run(log.log_event("loop1", {}))
    asyncio.run(log.log_event("loop2", {}))  # a second event loop: the writer is a thread, not a task
    worker = threading.Thread(target=log.log_event_nowait, args=("thread", {}))
    worker.start()
    worker.join()
    log.log_event_nowait("sync", {})
    assert log.flush_sync()
    log.close_sync()
    log.close_sync()  # idempotent
    asyncio.run(log.log_event("after close", {}))  # dropped, not raised
    assert sorted(r[0] for r in _rows(db)) == ["loop1", "loop2", "sync", "thread"]
    assert log.dropped == 1


def _fresh_module():
    spec = importlib.util.spec_from_file_location(f"audit_{uuid.uuid4().hex}", T.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_getter_reads_the_environment_once_and_set_wins(tmp_path, monkeypatch):
    monkeypatch.delenv(T.EVENTS_URL_ENV, raising=False)
    module = _fresh_module()
    assert module.get_event_logger() is None
    monkeypatch.setenv(T.EVENTS_URL_ENV, f"sqlite:///{tmp_path / 'env.db'}")
    module = _fresh_module()
    first = module.get_event_logger()
    assert isinstance(first, module.EventLogger) and module.get_event_logger() is first
    module.set_event_logger(None)
    assert module.get_event_logger() is None
    monkeypatch.setenv(T.EVENTS_URL_ENV, "mysql://nope")
    module = _fresh_module()
    assert module.get_event_logger() is None  # an unusable URL: logged, no logger, no exception


@pytest.mark.parametrize("url, kind", [
    ("sqlite:///rel.db", T.SQLiteBackend), ("sqlite:////abs/x.db", T.SQLiteBackend), ("plain.db", T.SQLiteBackend),
    ("postgresql://u@h/db", T.PostgresBackend), ("postgres://u@h/db", T.PostgresBackend),
])
def test_backend_for(url, kind):
    assert isinstance(T.backend_for(url), kind)


@pytest.mark.postgres
def test_postgres_backend_writes_jsonb_in_batches(pg_dsn):
    import asyncpg

    log = T.EventLogger(pg_dsn, batch_size=10)

    async def main():
        for i in range(25):
            await log.log_event("pg", {"i": i, "d": decimal.Decimal("2.5")}, position_id=i)
        await log.close()
        conn = await asyncpg.connect(pg_dsn)
        try:
            return await conn.fetch("SELECT event_data, position_id FROM monitoring.events ORDER BY id")
        finally:
            await conn.close()

    rows = asyncio.run(main())
    assert [json.loads(r["event_data"]) for r in rows] == [{"i": i, "d": 2.5} for i in range(25)]
    assert [r["position_id"] for r in rows] == list(range(25))
    assert (log.events_written, log.failures) == (25, 0)
