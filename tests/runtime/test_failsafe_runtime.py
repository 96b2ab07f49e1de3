"""Fail-safe at run time on the real bot: instrument a copy of the fixture with the whole
catalog, then run every scenario with a logger that fails for every event eventmod added (the
database is down, or the payload cannot be serialised). The scenarios assert the bot's own
results: they must all pass, exactly as they do on the un-instrumented bot."""
from __future__ import annotations

import pytest

from tests.runtime.test_catalog_runtime import PHASES, copy_fixture, run_apply, run_driver


@pytest.mark.parametrize("how", ["raise", "payload"])
def test_a_failing_logger_never_changes_what_the_bot_does(tmp_path, how):
    root = copy_fixture(tmp_path)
    for phase in PHASES:
        proc = run_apply(root, phase)
        assert proc.returncode == 0, proc.stderr
    backend = f"sqlite:{tmp_path / 'events.db'}"
    import subprocess
    import sys
    import json

    from tests.runtime.test_catalog_runtime import REPO

    summary_file = tmp_path / "summary.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.runtime.drive", "--root", str(root), "--backend", backend,
         "--summary", str(summary_file), "--fail-new-events", how],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    summary = json.loads(summary_file.read_text())
    assert proc.returncode == 0 and summary["scenarios_failed"] == 0, (summary, proc.stderr[-5000:])
    assert summary["failed_log_calls"] >= 150, summary  # every catalog event was attempted and failed
    assert "Could not log event" in proc.stderr  # reported through the modules' own loggers
    assert "Traceback" in proc.stderr and "monitoring database is down" in proc.stderr or how == "payload"
