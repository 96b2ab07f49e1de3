"""The rollout workflow: patches per phase and component, PR report, commits per phase,
interactive review, JSON Schema, JSON output for bots, colour and progress."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURE, REPO, SPECS, copy_tree, tree_hash

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def bot(tmp_path: Path) -> Path:
    return copy_tree(FIXTURE, tmp_path / "bot")


def _args(root: Path, specs: Path = SPECS) -> tuple[str, ...]:
    return ("--root", str(root), "--specs", str(specs), "--jobs", "1")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def _git_init(root: Path) -> None:
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "t@example.com")
    _git(root, "config", "user.name", "t")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "initial")


def test_patch_dir_writes_one_patch_per_phase_and_component(bot, tmp_path, eventmod):
    out = tmp_path / "patches"
    before = tree_hash(bot)
    result = eventmod("dry-run", "--phase", "1", "--phase", "2", "--patch-dir", str(out), *_args(bot))
    assert result.exit_code == 0, result.output
    assert tree_hash(bot) == before
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "phase-1-position_manager.patch", "phase-1-signal_processor_websocket.patch", "phase-1-trailing_stop.patch", "phase-1.patch",
        "phase-2-position_synchronizer.patch", "phase-2-stop_loss_manager.patch", "phase-2-zombie_manager.patch", "phase-2.patch",
    ]
    assert "a/protection/trailing_stop.py" in (out / "phase-1-trailing_stop.patch").read_text()
    assert "a/core/position_manager.py" not in (out / "phase-1-trailing_stop.patch").read_text()
    # the phase patches apply in order with git and give what apply gives
    for phase in ("1", "2"):
        subprocess.run(["git", "apply", str(out / f"phase-{phase}.patch")], cwd=bot, check=True)
    expected = copy_tree(FIXTURE, tmp_path / "expected")
    for phase in ("1", "2"):
        assert eventmod("apply", "--phase", phase, *_args(expected)).exit_code == 0
    assert tree_hash(bot) == tree_hash(expected)


def test_report_describes_the_phase_for_a_pull_request(bot, eventmod):
    result = eventmod("report", "--phase", "2", *_args(bot))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "## Audit events: phase 2 (days 5-8)" in text
    assert "Instruments **33 event(s)**" in text
    assert "| **total** | | **49/197 (24.9%)** | **82/197 (41.6%)** |" in text
    assert "| `ps_phantom_closed` | `PHANTOM_POSITION_CLOSED` | WARNING | after_log: 'Closed phantom position' | `core/position_synchronizer.py:" in text
    assert "### EventType members added" in text and "`ZOMBIE_ORDERS_DETECTED`" in text
    assert "- [x] **scope**" in text and "- [x] **safe mode**" in text
    data = json.loads(eventmod("report", "--phase", "2", "--format", "json", *_args(bot)).output)
    assert data["coverage"] == {"before": 24.9, "after": 41.6}
    assert len(data["events"]) == 33


def test_apply_commit_makes_one_conventional_commit_per_phase(bot, eventmod):
    _git_init(bot)
    result = eventmod("apply", "--commit", *_args(bot))
    assert result.exit_code == 0, result.output
    log = _git(bot, "log", "--format=%s").splitlines()
    assert log == [
        "feat(events): instrument phase 3 audit events (20 events)",
        "feat(events): instrument phase 2 audit events (33 events)",
        "feat(events): instrument phase 1 audit events (95 events)",
        "initial",
    ]
    assert _git(bot, "status", "--porcelain") == ""
    files = _git(bot, "show", "--name-only", "--format=", "HEAD~2").split()
    assert "core/position_manager.py" in files and "core/event_logger.py" in files and "main.py" not in files
    assert eventmod("check", *_args(bot)).exit_code == 0


def test_apply_commit_outside_git_is_refused(bot, eventmod):
    before = tree_hash(bot)
    result = eventmod("apply", "--commit", *_args(bot))
    assert result.exit_code == 2 and "needs root" in result.output
    assert tree_hash(bot) == before


def test_interactive_review_applies_only_accepted_events(tmp_path, eventmod):
    case = GOLDEN / "anchors"
    root = copy_tree(case / "input", tmp_path / "root")
    from eventmod.cli.app import app
    from typer.testing import CliRunner
    import os

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        # y for the first, n for the second, then a: the rest
        result = CliRunner().invoke(app, ["apply", "-i", *_args(root, case / "specs")], input="y\nn\na\n", env={"NO_COLOR": "1"})
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert "(1/9) Apply svc_order_placed" in result.output
    assert "(3/9) Apply svc_cancel_result" in result.output
    assert "(4/9)" not in result.output  # `a` accepted the rest without asking
    check = eventmod("check", *_args(root, case / "specs"))
    assert check.exit_code == 1
    assert f"{root / 'app' / 'service.py'}:43: svc_orders_cancelled (ORDERS_CANCELLED): pending" in check.output
    assert "8 present, 1 pending" in check.output


def test_interactive_quit_writes_nothing(tmp_path, eventmod):
    case = GOLDEN / "anchors"
    root = copy_tree(case / "input", tmp_path / "root")
    from eventmod.cli.app import app
    from typer.testing import CliRunner

    before = tree_hash(root)
    result = CliRunner().invoke(app, ["apply", "-i", *_args(root, case / "specs")], input="q\n", env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and "nothing selected; nothing was written." in result.output
    assert tree_hash(root) == before


def test_schema_is_generated_from_the_loader_tables_and_validates_specs(eventmod):
    from eventmod.spec.loader import COMPONENT_KEYS, EVENT_KEYS

    schema = json.loads(eventmod("schema").output)
    assert set(schema["properties"]) == set(COMPONENT_KEYS)
    assert set(schema["$defs"]["event"]["properties"]) == set(EVENT_KEYS)
    assert json.loads((REPO / "schema" / "eventmod-spec.schema.json").read_text()) == schema, "regenerate with `eventmod schema --out schema/eventmod-spec.schema.json`"
    validator = jsonschema.Draft202012Validator(schema)
    specs = [*SPECS.glob("*.yaml"), *GOLDEN.glob("*/specs/*.yaml")]
    assert len(specs) > 10
    for path in specs:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, (path, errors[0].message)
    bad = yaml.safe_load((SPECS / "trailing_stop.yaml").read_text())
    bad["events"][0]["payloads"] = bad["events"][0].pop("payload")
    assert not validator.is_valid(bad)
    bad["events"][0]["payload"] = bad["events"][0].pop("payloads")
    bad["events"][0]["severity"] = "LOUD"
    assert not validator.is_valid(bad)


def test_validate_and_check_speak_json(bot, eventmod):
    data = json.loads(eventmod("validate", "--format", "json", *_args(bot)).output)
    assert data["ok"] is True and data["events"] == 150 and data["pending"] == 148
    result = eventmod("check", "--format", "json", "--component", "zombie_manager", *_args(bot))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and {e["status"] for e in data["events"]} == {"pending"} and len(data["events"]) == 8


def test_validate_json_reports_problems_with_locations(tmp_path, eventmod):
    specs = copy_tree(GOLDEN / "anchors" / "specs", tmp_path / "specs")
    path = specs / "service.yaml"
    path.write_text(path.read_text().replace("    payload:\n      symbol: symbol\n      order_id", "    payloads:\n      symbol: symbol\n      order_id", 1))
    result = eventmod("validate", "--format", "json", "--root", str(GOLDEN / "anchors" / "input"), "--specs", str(specs), "--jobs", "1")
    assert result.exit_code == 2
    problems = json.loads(result.output)["problems"]
    # errors come first whatever the paths sort as (the spec dir and the root sit in different trees)
    assert [p["severity"] for p in problems] == sorted((p["severity"] for p in problems), key=lambda s: s != "error")
    problem = problems[0]
    assert problem["line"] == 14 and problem["event"] == "svc_order_placed" and "did you mean 'payload'" in problem["message"]


def test_no_color_is_respected_and_always_overrides(bot, eventmod, monkeypatch):
    from eventmod.cli.output import use_color as _use_color

    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color("auto") is False
    assert _use_color("always") is True
    plain = eventmod("dry-run", "--component", "zombie_manager", "--color", "auto", *_args(bot)).output
    assert "\x1b[" not in plain
    colored = eventmod("dry-run", "--component", "zombie_manager", "--color", "always", *_args(bot)).output
    assert "\x1b[32m+" in colored


def test_progress_is_reported_per_file(bot):
    from eventmod.config import load_config
    from eventmod.transform.apply import plan_run
    from eventmod.spec.catalog import load_catalog

    class Recorder:
        def __init__(self):
            self.total, self.done = None, 0

        def start(self, total):
            self.total = total

        def advance(self):
            self.done += 1

    config = load_config(bot, root=bot, specs=SPECS)
    catalog, problems = load_catalog(SPECS, bot)
    assert not problems
    for jobs in (1, 2):
        recorder = Recorder()
        plan = plan_run(config, catalog, jobs=jobs, progress=recorder)
        assert recorder.total == len(plan.files) == recorder.done == 9


def test_pre_commit_hook_definition_runs_eventmod_check():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    check = next(h for h in hooks if h["id"] == "eventmod-check")
    assert check["entry"] == "eventmod check" and check["pass_filenames"] is False and check["language"] == "python"


def test_apply_refuses_uncommitted_changes_in_files_it_would_touch(bot, eventmod):
    _git_init(bot)
    target = bot / "core" / "zombie_manager.py"
    target.write_text(target.read_text() + "\n# work in progress\n")
    before = tree_hash(bot)
    result = eventmod("apply", "--component", "zombie_manager", *_args(bot))
    assert result.exit_code == 2
    assert f"error: uncommitted changes in file(s) apply would touch: {target}" in result.output
    assert tree_hash(bot) == before
    # a dirty file apply does not touch is no obstacle; --allow-dirty overrides
    assert eventmod("apply", "--component", "trailing_stop", *_args(bot)).exit_code == 0
    assert eventmod("apply", "--component", "zombie_manager", "--allow-dirty", *_args(bot)).exit_code == 0
