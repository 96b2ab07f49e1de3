"""Runtime proof of the forms a real team writes (capture, wrap-and-continue with a message) on
the bot's own event logger and a real database (SQLite, PostgreSQL).

A small module is instrumented with `eventmod apply`, then driven in a subprocess (a clean
interpreter per run): a stop moved twice logs the old and the new value (captured before the
statement that overwrites it); a database write that fails is logged through the module's own
logger and as a DATABASE_ERROR event, and the function goes on and returns what it returns
when the write succeeds; the events reach `monitoring.events`.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "tradingbot"

MODULE = '''\
import logging

logger = logging.getLogger(__name__)


class StopManager:
    def __init__(self, repository):
        self.repository = repository
        self.positions = {}

    async def move_stop(self, symbol, new_stop):
        position = self.positions.setdefault(symbol, {'symbol': symbol, 'stop': None})
        position['stop'] = new_stop
        await self.repository.save_stop(symbol, new_stop)
        logger.info(f"Stop for {symbol} moved to {new_stop}")
        return position['stop']
'''

SPEC = '''\
component: stops
file: app/stops.py
phase: 1
events:
  - id: stop_moved
    event: STOP_LOSS_UPDATED
    in: StopManager.move_stop
    after_log: "Stop for {symbol} moved"
    capture:
      old_stop: "position['stop']"
    capture_before: "position['stop'] = new_stop"
    payload:
      symbol: symbol
      old_stop_price: "float(old_stop) if old_stop is not None else None"
      new_stop_price: float(new_stop)
    symbol: symbol
    severity: INFO
  - id: stop_db_error
    event: DATABASE_ERROR
    in: StopManager.move_stop
    on_error: await self.repository.save_stop(symbol, new_stop)
    as: db_error
    then: continue
    message: "Failed to save the stop for {symbol}: {db_error}"
    payload:
      symbol: symbol
      operation: "'save_stop'"
      error: str(db_error)
    symbol: symbol
    error: db_error
    severity: ERROR
'''

DRIVER = '''\
import asyncio, json, logging, sys
sys.path.insert(0, sys.argv[1])
from core import event_logger as el
from app.stops import StopManager

records = []


class Capture(logging.Handler):
    def emit(self, record):
        records.append((record.name, record.levelname, record.getMessage()))


logging.getLogger().addHandler(Capture())
logging.getLogger().setLevel(logging.INFO)


class Repository:
    def __init__(self, fail):
        self.fail = fail
        self.saved = []

    async def save_stop(self, symbol, stop):
        if self.fail:
            raise ConnectionError("database is down")
        self.saved.append((symbol, stop))


async def main(backend_spec):
    kind, _, target = backend_spec.partition(":")
    backend = el.SQLiteBackend(target) if kind == "sqlite" else el.PostgresBackend(target)
    logger = el.EventLogger(backend, flush_interval=0.01)
    await logger.start()
    el.set_event_logger(logger)
    results = {}
    ok = StopManager(Repository(fail=False))
    results["first"] = await ok.move_stop("BTCUSDT", 100.5)
    results["second"] = await ok.move_stop("BTCUSDT", 101.25)
    broken = StopManager(Repository(fail=True))
    try:
        results["failing"] = await broken.move_stop("ETHUSDT", 2000.0)
    except Exception as exc:
        results["failing_raised"] = type(exc).__name__
    await logger.flush()
    await logger.close()
    rows = await logger.fetch_events()
    results["events"] = [{"type": r["event_type"], "data": r["event_data"] if isinstance(r["event_data"], dict) else json.loads(r["event_data"]),
                          "symbol": r["symbol"], "error": r["error_message"], "severity": r["severity"]} for r in rows]
    results["log"] = [r for r in records if r[0] == "app.stops"]
    print(json.dumps(results))


asyncio.run(main(sys.argv[2]))
'''


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "bot"
    (root / "core").mkdir(parents=True)
    shutil.copy(FIXTURE / "core" / "event_logger.py", root / "core" / "event_logger.py")
    (root / "core" / "__init__.py").write_text("")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "stops.py").write_text(MODULE)
    (root / "specs").mkdir()
    (root / "specs" / "stops.yaml").write_text(SPEC)
    (root / "pyproject.toml").write_text('[tool.eventmod]\nroot = "."\nspecs = "specs"\n')
    return root


def _drive(root: Path, backend: str) -> dict:
    driver = root.parent / "drive.py"
    driver.write_text(DRIVER)
    proc = subprocess.run([sys.executable, str(driver), str(root), backend], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _apply(root: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "eventmod", "apply", "--allow-dirty"], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (root / "app" / "stops.py").read_text()


def _check(before: dict, after: dict) -> None:
    # without instrumentation: the stop moves, the failing write raises out of the function
    assert (before["first"], before["second"], before.get("failing_raised")) == (100.5, 101.25, "ConnectionError")
    assert before["events"] == []
    # instrumented: same results where the write succeeds; the failing write is logged and the
    # function goes on (the behaviour change `then: continue` asks for) and returns the new stop
    assert (after["first"], after["second"]) == (100.5, 101.25)
    assert "failing_raised" not in after and after["failing"] == 2000.0
    moved = [e for e in after["events"] if e["type"] == "stop_loss_updated"]
    assert [(e["data"]["old_stop_price"], e["data"]["new_stop_price"]) for e in moved] == [(None, 100.5), (100.5, 101.25), (None, 2000.0)]
    assert all(e["data"]["old_stop_price"] != e["data"]["new_stop_price"] for e in moved)
    errors = [e for e in after["events"] if e["type"] == "database_error"]
    assert len(errors) == 1, after["events"]
    assert errors[0]["data"] == {"symbol": "ETHUSDT", "operation": "save_stop", "error": "database is down"}
    assert errors[0]["severity"] == "ERROR" and errors[0]["error"] == "database is down" and errors[0]["symbol"] == "ETHUSDT"
    assert ["app.stops", "ERROR", "Failed to save the stop for ETHUSDT: database is down"] in after["log"]


def test_capture_and_wrap_and_continue_on_sqlite(tmp_path):
    root = _project(tmp_path)
    before = _drive(root, f"sqlite:{tmp_path / 'before.db'}")
    text = _apply(root)
    assert "old_stop = position['stop']" in text and "except Exception as db_error:" in text
    after = _drive(root, f"sqlite:{tmp_path / 'after.db'}")
    _check(before, after)


@pytest.mark.postgres
def test_capture_and_wrap_and_continue_on_postgres(tmp_path, pg_dsn):
    root = _project(tmp_path)
    before = _drive(root, f"sqlite:{tmp_path / 'before.db'}")
    _apply(root)
    after = _drive(root, f"postgres:{pg_dsn}")
    _check(before, after)
