"""Sync code and code without an event loop, safely (`emit: auto`, the default): a sync
function calls the logger's sync call when it offers one (a plain-def companion such as
`log_event_nowait`), otherwise schedules the event on the running loop only when there is one
and otherwise skips it with a debug line. Never a RuntimeError, never an un-awaited coroutine.
`finally` blocks take background or sync emission (only `await` is refused). Checked by
calling the instrumented functions with and without a running loop, in a thread, in a plain
script, and on every exit of a `finally`."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import warnings

import pytest

from tests.instrumented import LOGGER, Project, cleanup_modules

# The recording logger with a plain-def companion for sync code.
COMPANION = LOGGER.replace(
    "    async def log_event(",
    "    def log_event_nowait(self, event_type, event_data, severity=\"INFO\"):\n"
    "        self.events.append((event_type.name, dict(event_data)))\n\n"
    "    async def log_event(",
)

MODULE = '''import logging

logger = logging.getLogger(__name__)


class Reaper:
    def __init__(self):
        self.reaped = 0

    def reap(self, jobs):
        expired = [j for j in jobs if j.startswith("old")]
        logger.warning("reaped %d jobs", len(expired))
        self.reaped += len(expired)
        return len(expired)

    def on_signal(self, signum, frame=None):
        try:
            if signum == 0:
                raise ValueError("no signal")
            return signum
        finally:
            logger.info("signal handled")

    async def poll(self, source):
        try:
            for item in source:
                if item is None:
                    raise RuntimeError("source closed")
            return len(source)
        finally:
            logger.info("polling stopped")
'''

SPEC = '''component: reaper
file: app/mod.py
events:
  - id: reaped
    event: JOBS_REAPED
    in: Reaper.reap
    after_log: "reaped %d jobs"
    payload: {count: len(expired)}
    severity: WARNING
  - id: signal_handled
    event: SIGNAL_HANDLED
    in: Reaper.on_signal
    after_log: signal handled
    payload: {signal: signum}
    severity: INFO
  - id: polling_stopped
    event: POLLING_STOPPED
    in: Reaper.poll
    after_log: polling stopped
    payload: {items: len(source)}
    severity: INFO
    emit: {poll_emit}
'''


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


def _project(base, logger: str, poll_emit: str) -> Project:
    project = Project(base, MODULE, SPEC.replace("{poll_emit}", poll_emit), logger=logger)
    project.apply()
    return project


def _names(recorder) -> list[str]:
    return [name for name, _ in recorder.events]


def test_without_a_sync_call_sync_code_schedules_only_on_a_running_loop(tmp_path, caplog):
    project = _project(tmp_path, LOGGER, "background")
    text = project.text()
    assert text.count("asyncio.get_running_loop()") == 2 and "log_event_nowait" not in text
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    reaper = module.Reaper()

    # 1. No loop at all: skipped with a debug line, no RuntimeError, no coroutine left behind.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.DEBUG, logger="app.mod"):
            assert reaper.reap(["old1", "new", "old2"]) == 2
            assert reaper.on_signal(15) == 15
            with pytest.raises(ValueError, match="no signal"):
                reaper.on_signal(0)
    assert recorder.events == []
    skipped = [r.getMessage() for r in caplog.records if "No running event loop" in r.getMessage()]
    assert skipped == ["No running event loop: event JOBS_REAPED not logged"] + ["No running event loop: event SIGNAL_HANDLED not logged"] * 2

    # 2. Called from code running on a loop: scheduled there.
    async def on_the_loop():
        count = reaper.reap(["old"])
        handled = reaper.on_signal(2)
        await asyncio.sleep(0)
        return count, handled

    assert asyncio.run(on_the_loop()) == (1, 2)
    assert _names(recorder) == ["JOBS_REAPED", "SIGNAL_HANDLED"]

    # 3. From a worker thread while the main thread runs a loop: that thread has no loop.
    recorder.events.clear()
    results = []

    async def main_with_a_worker_thread():
        thread = threading.Thread(target=lambda: results.append(reaper.reap(["old", "old"])))
        thread.start()
        await asyncio.to_thread(thread.join)
        await asyncio.sleep(0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asyncio.run(main_with_a_worker_thread())
    assert results == [2] and recorder.events == []


def test_with_a_sync_companion_sync_code_logs_without_any_loop(tmp_path):
    project = _project(tmp_path, COMPANION, "sync")
    text = project.text()
    assert text.count("event_logger.log_event_nowait(") == 3 and "get_running_loop" not in text
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    reaper = module.Reaper()
    assert reaper.reap(["old"]) == 1
    thread = threading.Thread(target=reaper.on_signal, args=(9,))
    thread.start()
    thread.join()
    assert _names(recorder) == ["JOBS_REAPED", "SIGNAL_HANDLED"]


@pytest.mark.parametrize("logger,poll_emit", [(LOGGER, "background"), (COMPANION, "sync"), (COMPANION, "background")])
def test_a_finally_logs_on_every_exit_and_the_exception_is_unchanged(tmp_path, logger, poll_emit):
    project = _project(tmp_path, logger, poll_emit)
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    reaper = module.Reaper()

    async def run(source):
        try:
            return await reaper.poll(source)
        finally:
            await asyncio.sleep(0)  # a scheduled event runs

    assert asyncio.run(run([1, 2])) == 2
    with pytest.raises(RuntimeError, match="source closed"):
        asyncio.run(run([1, None]))
    assert recorder.events == [("POLLING_STOPPED", {"items": 2}), ("POLLING_STOPPED", {"items": 2})]


def test_in_a_plain_script_without_a_loop(tmp_path):
    """A sync CLI-style script: importing and calling the instrumented code with warnings as
    errors must work with both loggers (skipped without a sync call, logged with one)."""
    script = (
        "import warnings; warnings.simplefilter('error')\n"
        "from core import event_logger\n"
        "from app.mod import Reaper\n"
        "recorder = event_logger.EventLogger()\n"
        "event_logger.set_event_logger(recorder)\n"
        "assert Reaper().reap(['old', 'x']) == 1\n"
        "assert Reaper().on_signal(1) == 1\n"
        "print(len(recorder.events))\n"
    )
    for logger, poll_emit, logged in [(LOGGER, "background", "0"), (COMPANION, "sync", "2")]:
        project = _project(tmp_path / poll_emit, logger, poll_emit)
        env = {**os.environ, "PYTHONPATH": str(project.root)}
        proc = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == logged


def test_await_in_a_finally_is_refused_with_the_reason_and_the_alternatives(tmp_path):
    for logger, poll_emit, alternatives in [
        (LOGGER, "await", "use `emit: background` (scheduled, never awaited there)"),
        (COMPANION, "auto", "use `emit: sync` (the logger's sync call) or `emit: background`"),
    ]:
        project = Project(tmp_path / poll_emit, MODULE, SPEC.replace("{poll_emit}", poll_emit), logger=logger)
        result = project.cli("validate")
        assert result.exit_code == 2, result.output
        message = next(line for line in result.output.splitlines() if "polling_stopped" in line)
        assert "refusing to insert an awaited block into a `finally` block" in message
        assert "an `await` there runs during cancellation and exception unwinding" in message and alternatives in message, message
