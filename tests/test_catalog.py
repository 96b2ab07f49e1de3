"""The whole audit as specs: plan, coverage, the full catalog's patch, and the complete rollout."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURE, REPO, SPECS, copy_tree, run_module, tree_hash
from tests.golden_tool import CATALOG_PATCH, catalog_patch

AUDIT_COUNTS = {
    "position_manager": 52, "trailing_stop": 18, "signal_processor_websocket": 25, "stop_loss_manager": 15,
    "position_synchronizer": 10, "zombie_manager": 8, "wave_signal_processor": 12, "main": 10,
}
PLAN = {  # component: (phase, days, priority)
    "position_manager": (1, [1, 2], "CRITICAL"), "trailing_stop": (1, [2, 3], "CRITICAL"),
    "signal_processor_websocket": (1, [3, 4], "CRITICAL"), "stop_loss_manager": (2, [5, 6], "HIGH"),
    "position_synchronizer": (2, [6, 7], "HIGH"), "zombie_manager": (2, [7, 8], "HIGH"),
    "wave_signal_processor": (3, [9], "MEDIUM"), "main": (3, [10], "MEDIUM"),
}


def test_commands_run_from_a_fresh_clone_with_no_flags():
    before = tree_hash(FIXTURE)
    for args in (["plan"], ["coverage"], ["dry-run", "--phase", "1"], ["validate"]):
        result = run_module(*args, cwd=REPO)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout
    assert tree_hash(FIXTURE) == before


def test_plan_matches_the_audit_table_and_the_12_day_plan():
    rows = json.loads(run_module("plan", "--format", "json", cwd=REPO).stdout)
    assert {r["component"]: r["events"] for r in rows} == AUDIT_COUNTS
    assert {r["component"]: (r["phase"], r["days"], r["priority"]) for r in rows} == PLAN
    assert sum(r["present"] for r in rows) == 2  # main's BOT_STARTED and BOT_STOPPED
    assert sum(r["pending"] for r in rows) == 148
    assert [r["phase"] for r in rows] == sorted(r["phase"] for r in rows)


def test_coverage_before_any_apply_reproduces_the_audit():
    data = json.loads(run_module("coverage", "--format", "json", cwd=REPO).stdout)
    rows = {r["component"]: r for r in data["components"]}
    assert rows["atomic_position_manager"]["has_spec"] is False
    assert rows["atomic_position_manager"]["instrumented"] == 47
    assert rows["main"]["instrumented"] == 2
    assert data["total"]["specified"] == 197 and data["total"]["instrumented"] == 49
    assert data["total"]["coverage_percent"] == pytest.approx(24.9, abs=0.1)  # the audit's ~25%
    failed = run_module("coverage", "--fail-under", "90", cwd=REPO)
    assert failed.returncode == 1 and "under --fail-under 90" in failed.stderr


def test_check_on_the_unapplied_fixture_reports_pending():
    result = run_module("check", "--phase", "2", cwd=REPO)
    assert result.returncode == 1
    # `path:line: id (EVENT): pending`, paths relative to the current directory
    assert "\nfixtures/tradingbot/core/position_synchronizer.py:35: ps_sync_started (SYNCHRONIZATION_STARTED): pending\n" in "\n" + result.stderr
    lines = result.stderr.splitlines()
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert keys == sorted(keys) and len(keys) == 33  # in file and line order


def test_full_rollout_phase_by_phase_then_check_and_coverage(tmp_path):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    common = ["--root", str(root), "--specs", str(SPECS)]
    for phase in ("1", "2", "3"):
        result = run_module("apply", "--phase", phase, *common, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert run_module("check", *common, cwd=tmp_path).returncode == 0
    assert run_module("coverage", "--fail-under", "90", *common, cwd=tmp_path).returncode == 0
    data = json.loads(run_module("coverage", "--format", "json", *common, cwd=tmp_path).stdout)
    assert data["total"]["coverage_percent"] == 100.0
    rows = json.loads(run_module("plan", "--format", "json", *common, cwd=tmp_path).stdout)
    assert all(r["pending"] == 0 and r["invalid"] == 0 for r in rows)
    for path in root.rglob("*.py"):
        compile(path.read_bytes(), str(path), "exec")
    # the 31 EventType members the plan proposes are all there, with the plan's values
    import yaml

    audit = REPO / "tests" / "data" / "audit" / "events.yaml"  # the audit's facts, copied into the repository
    proposed = yaml.safe_load(audit.read_text())["proposed_event_types"]
    assert len(proposed) == 31
    enum_text = (root / "core" / "event_logger.py").read_text()
    for name, value in proposed.items():
        assert f'{name} = "{value}"' in enum_text


def test_full_catalog_patch_snapshot():
    """Any change in generated output shows up here; regenerate with `python -m tests.golden_tool`."""
    assert catalog_patch() == CATALOG_PATCH.read_text(encoding="utf-8")
