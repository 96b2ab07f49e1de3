"""Every call shape `[tool.eventmod]` can describe, at run time: a sync audit API
(`audit.emit(...)`), a module-level `await log_event(...)`, another method name, the payload
by keyword, a logger without a severity parameter, and a sync module-level function. For each:
apply, run the instrumented code (async and sync functions, with and without an event loop, a
`finally`), check that presence and coverage see the blocks, and revert byte-identically."""

from __future__ import annotations

import asyncio
import json
import threading
import warnings

import pytest

from tests.instrumented import Project, cleanup_modules

MODULE = '''import logging

logger = logging.getLogger(__name__)


async def place(symbol, qty):
    logger.info("placing %s", symbol)
    if qty <= 0:
        raise ValueError("bad qty")
    return symbol * qty


def tick(symbol):
    logger.info("tick")
    return symbol.upper()


async def close(symbol):
    try:
        return symbol.lower()
    finally:
        logger.info("closed")
'''

_HEAD = '''from enum import Enum

EVENTS = []


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
'''

SYNC_API = _HEAD + '''

class Audit:
    def emit(self, kind, payload, level="INFO", symbol=None):
        EVENTS.append((kind.name, dict(payload), level))


def get_audit():
    return Audit()
'''

FUNCTION = _HEAD + '''

async def log_event(event_type, data, *, severity="INFO", symbol=None):
    EVENTS.append((event_type.name, dict(data), severity))
'''

SYNC_FUNCTION = _HEAD + '''

def emit(event_type, data, severity="INFO", symbol=None):
    EVENTS.append((event_type.name, dict(data), severity))
'''

RECORD = _HEAD + '''

class Recorder:
    async def record(self, event_type, data, severity="INFO", symbol=None):
        EVENTS.append((event_type.name, dict(data), severity))


def get_event_logger() -> Recorder:
    return Recorder()
'''

KEYWORD = _HEAD + '''

class EventLogger:
    async def log_event(self, event_type, *, data, severity="INFO", symbol=None):
        EVENTS.append((event_type.name, dict(data), severity))


def get_event_logger():
    return EventLogger()
'''

NO_SEVERITY = _HEAD + '''

class EventLogger:
    async def log_event(self, event_type, data, symbol=None):
        EVENTS.append((event_type.name, dict(data), None))


def get_event_logger():
    return EventLogger()
'''

# name: (logger module, [tool.eventmod] keys, the call is a plain def)
SHAPES = {
    "sync audit API": (SYNC_API, 'getter = "get_audit"\nmethod = "emit"\nsync = true\nseverity_arg = "level"\n', True),
    "module-level function": (FUNCTION, 'call = "function"\n', False),
    "sync module-level function": (SYNC_FUNCTION, 'call = "function"\nmethod = "emit"\nsync = true\n', True),
    "another method name": (RECORD, 'method = "record"\n', False),
    "payload by keyword": (KEYWORD, 'payload_arg = "data"\n', False),
    "no severity parameter": (NO_SEVERITY, 'severity_arg = ""\n', False),
}


def _spec(sync: bool) -> str:
    finally_emit = "" if sync else "\n    emit: background"  # auto awaits in an async function: refused in a finally
    return f'''component: mod
file: app/mod.py
events:
  - id: placing
    event: ORDER_PLACING
    in: place
    after_log: "placing %s"
    payload: {{qty: qty}}
    symbol: symbol
    severity: INFO
  - id: ticked
    event: TICKED
    in: tick
    after_log: tick
    payload: {{symbol: symbol}}
    severity: DEBUG
  - id: closed
    event: CLOSED
    in: close
    after_log: closed
    payload: {{symbol: symbol}}
    severity: WARNING{finally_emit}
'''


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_call_shape_runs_is_recognised_and_reverts(tmp_path, shape):
    logger, keys, sync = SHAPES[shape]
    project = Project(tmp_path, MODULE, _spec(sync), logger=logger, pyproject="[tool.eventmod]\n" + keys)
    project.apply()
    text = project.text()
    severity = None if shape == "no severity parameter" else "INFO"

    module, audit = project.load()
    assert asyncio.run(module.place("BTC", 2)) == "BTCBTC"
    assert audit.EVENTS == [("ORDER_PLACING", {"qty": 2}, severity)]
    with pytest.raises(ValueError, match="bad qty"):
        asyncio.run(module.place("BTC", 0))
    assert len(audit.EVENTS) == 2

    # A sync function, no event loop: a plain-def logger is called; an async one is skipped
    # (never a RuntimeError, never a coroutine left un-awaited).
    audit.EVENTS.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert module.tick("btc") == "BTC"
    assert [e[0] for e in audit.EVENTS] == (["TICKED"] if sync else [])

    async def in_a_loop():
        value = module.tick("eth")
        await asyncio.sleep(0)
        return value

    audit.EVENTS.clear()
    assert asyncio.run(in_a_loop()) == "ETH"
    assert [e[0] for e in audit.EVENTS] == ["TICKED"]

    # In a `finally`: background or sync emission, on every exit.
    audit.EVENTS.clear()

    async def closing():
        value = await module.close("XRP")
        await asyncio.sleep(0)
        return value

    assert asyncio.run(closing()) == "xrp"
    assert [e[:2] for e in audit.EVENTS] == [("CLOSED", {"symbol": "XRP"})]

    # Presence: a second apply changes nothing, check finds every event present, coverage counts them.
    again = project.apply()
    assert "0 event(s) inserted" in again.output and project.text() == text
    check = project.cli("check")
    assert check.exit_code == 0, check.output
    coverage = project.cli("coverage", "--format", "json")
    data = json.loads(coverage.output)
    assert data["total"]["instrumented"] == data["total"]["specified"] == 3, data
    assert [row["log_event_calls"] for row in data["components"] if row["file"] == "app/mod.py"] == [3], data

    # observe locates blocks through the same matcher (locate_run): every event is present.
    from eventmod.api import load_project
    from eventmod.model.results import Status
    from eventmod.transform.apply import locate_run

    loaded = load_project(project.cwd, root=project.root, specs=project.specs)
    located = locate_run(loaded.config, loaded.catalog)
    assert {o.event.id: o.status for o in located.outcomes()} == {"placing": Status.PRESENT, "ticked": Status.PRESENT,
                                                                  "closed": Status.PRESENT}

    revert = project.cli("revert", "--allow-dirty")
    assert revert.exit_code == 0, revert.output
    assert project.text() == MODULE


@pytest.mark.parametrize("shape", sorted(name for name, (_, _, sync) in SHAPES.items() if sync))
def test_a_plain_def_logger_logs_from_a_thread_and_from_a_finally_in_sync_code(tmp_path, shape):
    logger, keys, _ = SHAPES[shape]
    module_text = MODULE + '''

def reap(jobs):
    try:
        return len(jobs) // 0 if not jobs else len(jobs)
    finally:
        logger.info("reaped")
'''
    spec = _spec(True) + '''  - id: reaped
    event: REAPED
    in: reap
    after_log: reaped
    payload: {count: len(jobs)}
    severity: INFO
'''
    project = Project(tmp_path, module_text, spec, logger=logger, pyproject="[tool.eventmod]\n" + keys)
    project.apply()
    module, audit = project.load()
    thread = threading.Thread(target=module.tick, args=("sol",))
    thread.start()
    thread.join()
    assert [e[0] for e in audit.EVENTS] == ["TICKED"]
    assert module.reap([1, 2]) == 2
    with pytest.raises(ZeroDivisionError):
        module.reap([])
    assert [e[:2] for e in audit.EVENTS[1:]] == [("REAPED", {"count": 2}), ("REAPED", {"count": 0})]


def test_a_sync_logger_refuses_await_and_background_without_talking_of_await_for_sync(tmp_path):
    logger, keys, _ = SHAPES["sync audit API"]
    spec = _spec(True).replace("    severity: DEBUG\n", "    severity: DEBUG\n    emit: background\n")
    project = Project(tmp_path, MODULE, spec, logger=logger, pyproject="[tool.eventmod]\n" + keys)
    result = project.cli("validate")
    assert result.exit_code == 2
    assert "`emit: background` needs an async logging call, but `emit` is a plain def (`sync = true`): use `emit: sync` or `emit: auto`" in result.output
    async_logger = Project(tmp_path / "async", MODULE, _spec(False).replace("    severity: DEBUG\n", "    severity: DEBUG\n    emit: sync\n"),
                           logger=FUNCTION, pyproject='[tool.eventmod]\ncall = "function"\n')
    result = async_logger.cli("validate")
    assert result.exit_code == 2
    message = next(line for line in result.output.splitlines() if "emit: sync" in line)
    assert "offers no sync call" in message and "set `sync = true`" in message and "await" not in message, message


def test_a_function_shape_with_setup_and_no_guard_is_recognised_after_apply(tmp_path):
    spec = _spec(False).replace("    payload: {qty: qty}\n", "    setup: [\"total = qty * 2\"]\n    payload: {qty: qty, total: total}\n")
    project = Project(tmp_path, MODULE, spec, logger=FUNCTION, pyproject='[tool.eventmod]\ncall = "function"\n')
    project.apply()
    assert "        total = qty * 2\n        await log_event(\n" in project.text()
    module, audit = project.load()
    assert asyncio.run(module.place("A", 3)) == "AAA"
    assert audit.EVENTS == [("ORDER_PLACING", {"qty": 3, "total": 6}, "INFO")]
    assert project.cli("check").exit_code == 0
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == MODULE


def test_an_aliased_function_import_is_used_and_recognised(tmp_path):
    module = MODULE.replace("import logging\n", "import logging\n\nfrom app.helpers import log_event\n", 1)
    project = Project(tmp_path, module, _spec(False), logger=FUNCTION, pyproject='[tool.eventmod]\ncall = "function"\n',
                      files={"app/helpers.py": "def log_event(*args):\n    return 'not the audit log'\n"})
    project.apply()
    text = project.text()
    assert "from core.event_logger import EventType, log_event as log_event_" in text and "await log_event_(" in text
    loaded, audit = project.load()
    assert asyncio.run(loaded.place("B", 1)) == "B" and audit.EVENTS[0][0] == "ORDER_PLACING"
    assert loaded.log_event() == "not the audit log"
    assert project.cli("check").exit_code == 0
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == module
