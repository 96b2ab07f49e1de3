"""One test per error class: a located message, exit code 2, and not a byte changed on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import tree_hash

ENUM = '''from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, data, symbol=None, position_id=None, severity="INFO"):
        pass


def get_event_logger():
    return None
'''

MODULE = '''import logging

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        logger.info(f"Closing {symbol}")
        try:
            await self.exchange.close(symbol)
        except ValueError as e:
            logger.error(f"Close failed: {e}")
        logger.info(f"Closed {symbol}")
        logger.info(f"Closed {symbol}")
        return True
'''

GOOD_EVENT = """\
  - id: pm_closed
    event: POSITION_CLOSED
    in: Manager.close
    after_log: Closing
    payload:
      symbol: symbol
    severity: INFO
"""


def spec(events: str = GOOD_EVENT, header: str | None = None) -> str:
    header = header if header is not None else "component: manager\nfile: app/manager.py\nphase: 1\ndays: [1, 2]\npriority: CRITICAL\n"
    return header + "events:\n" + events


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "core").mkdir(parents=True)
    (root / "app").mkdir()
    (root / "core" / "event_logger.py").write_text(ENUM)
    (root / "app" / "manager.py").write_text(MODULE)
    (tmp_path / "specs").mkdir()
    return tmp_path


def run_bad(project: Path, eventmod, spec_text: str, *, command: str = "apply", extra_files: dict[str, str] | None = None):
    (project / "specs" / "manager.yaml").write_text(spec_text)
    for name, text in (extra_files or {}).items():
        (project / "specs" / name).write_text(text)
    before = tree_hash(project)
    result = eventmod(command, "--root", str(project / "root"), "--specs", str(project / "specs"), "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert tree_hash(project) == before, "nothing on disk may change on an error"
    return result.output


def test_good_spec_applies(project, eventmod):
    (project / "specs" / "manager.yaml").write_text(spec())
    result = eventmod("apply", "--root", str(project / "root"), "--specs", str(project / "specs"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "EventType.POSITION_CLOSED" in (project / "root" / "app" / "manager.py").read_text()


@pytest.mark.parametrize("command", ["validate", "dry-run", "apply", "check"])
def test_yaml_syntax_error(project, eventmod, command):
    out = run_bad(project, eventmod, spec() + "    payload: [unclosed\n", command=command)
    assert "manager.yaml:" in out and "YAML syntax error" in out


def test_unknown_key_with_did_you_mean(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("    payload:", "    payloads:")))
    assert "manager.yaml:11: event pm_closed: unknown key 'payloads' in event (did you mean 'payload'?)" in out


def test_missing_key(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("    in: Manager.close\n", "")))
    assert "event pm_closed: missing key 'in'" in out


def test_wrong_type(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("    payload:\n      symbol: symbol\n", "    payload: [symbol]\n")))
    assert "manager.yaml:11: event pm_closed: payload must be a mapping, got a list" in out


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("severity: INFO", "severity: info", "bad severity 'info': expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL (did you mean 'INFO'?)"),
        ("severity: INFO", "severity: LOUD", "bad severity 'LOUD'"),
    ],
)
def test_bad_severity(project, eventmod, old, new, message):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace(old, new)))
    assert f"manager.yaml:13: event pm_closed: {message}" in out


def test_bad_priority_phase_day(project, eventmod):
    header = "component: manager\nfile: app/manager.py\nphase: 7\ndays: [0, 13]\npriority: URGENT\n"
    out = run_bad(project, eventmod, spec(header=header))
    assert "manager.yaml:3: phase must be a whole number from 1 to 4, got 7" in out
    assert "manager.yaml:4: days must be whole numbers from 1 to 12, got 0" in out
    assert "manager.yaml:5: bad priority 'URGENT'" in out


def test_duplicate_id_across_files(project, eventmod):
    other = spec(header="component: other\nfile: app/manager.py\nphase: 2\ndays: [5]\npriority: HIGH\n")
    out = run_bad(project, eventmod, spec(), extra_files={"other.yaml": other})
    assert "other.yaml:7: event pm_closed: duplicate id (first defined at" in out


def test_target_file_missing(project, eventmod):
    header = "component: manager\nfile: app/manger.py\nphase: 1\ndays: [1]\npriority: HIGH\n"
    out = run_bad(project, eventmod, spec(header=header))
    assert "manager.yaml:2: file 'app/manger.py' not found under root" in out
    assert "did you mean 'app/manager.py'?" in out


def test_target_outside_root_via_dotdot(project, eventmod):
    (project / "outside.py").write_text("async def f():\n    pass\n")
    header = "component: manager\nfile: ../outside.py\nphase: 1\ndays: [1]\npriority: HIGH\n"
    out = run_bad(project, eventmod, spec(header=header))
    assert "resolves outside root" in out


def test_target_outside_root_via_symlink(project, eventmod):
    (project / "outside.py").write_text("async def f():\n    pass\n")
    os.symlink(project / "outside.py", project / "root" / "app" / "link.py")
    header = "component: manager\nfile: app/link.py\nphase: 1\ndays: [1]\npriority: HIGH\n"
    out = run_bad(project, eventmod, spec(header=header))
    assert "manager.yaml:2: file 'app/link.py' resolves outside root" in out


def test_function_not_found_with_close_matches(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("Manager.close", "Manager.clse")))
    assert "manager.yaml:9: event pm_closed: function 'Manager.clse' not found in app/manager.py (did you mean 'Manager.close'?)" in out


def test_anchor_missing_lists_logger_calls_closest_first(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("after_log: Closing", "after_log: Close faild")))
    assert "manager.yaml:10: event pm_closed: anchor after_log: 'Close faild' not found in Manager.close" in out
    listed = out[out.index("closest first"):]
    assert listed.index("Close failed") < listed.index("Closing")
    assert "app/manager.py:12: logger.error('Close failed: {}')" in out


def test_anchor_ambiguous_lists_candidates(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("after_log: Closing", "after_log: Closed")))
    assert "is ambiguous in Manager.close: 2 matches; add `occurrence: N` (1-2)" in out
    assert "app/manager.py:13" in out and "app/manager.py:14" in out


def test_payload_not_a_single_expression(project, eventmod):
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("symbol: symbol", "symbol: price reached")))
    assert "manager.yaml:12: event pm_closed: payload 'symbol': not a single Python expression" in out
    assert "quote it" in out


def test_target_does_not_parse(project, eventmod):
    (project / "root" / "app" / "manager.py").write_text(MODULE.replace("return True", "return True)"))
    out = run_bad(project, eventmod, spec())
    assert "app/manager.py:15: target does not parse" in out


def test_all_problems_are_reported_together(project, eventmod):
    second = "  - id: second\n    event: X\n    in: Manager.nope\n    after_log: Closing\n    severity: INFO\n"
    out = run_bad(project, eventmod, spec(GOOD_EVENT.replace("payload:", "payloads:") + second))
    assert "unknown key 'payloads'" in out
    assert "event second: function 'Manager.nope' not found in app/manager.py" in out  # checked in the same run
    assert out.count("problem(s); nothing was written") == 1


def test_await_in_sync_function_suggests_background(project, eventmod):
    (project / "root" / "app" / "manager.py").write_text(MODULE + "\n\ndef sync_close(symbol):\n    logger.info('sync close')\n")
    event = GOOD_EVENT.replace("Manager.close", "sync_close").replace("after_log: Closing", "after_log: sync close") + "    emit: await\n"
    out = run_bad(project, eventmod, spec(event))
    assert "is not async, so `await` is illegal there; use `emit: auto` or `emit: background`" in out


def test_phase_days_and_priority_are_optional(project, eventmod):
    """A team without a rollout plan: phase 1, no days, priority MEDIUM."""
    from eventmod.spec.catalog import load_catalog

    (project / "specs" / "manager.yaml").write_text(spec(header="component: manager\nfile: app/manager.py\n"))
    catalog, problems = load_catalog(project / "specs", project / "root")
    assert problems == []
    component = catalog.components[0]
    assert (component.phase, component.days, component.priority) == (1, (), "MEDIUM")
    result = eventmod("apply", "--root", str(project / "root"), "--specs", str(project / "specs"), "--jobs", "1", "--phase", "1")
    assert result.exit_code == 0 and "EventType.POSITION_CLOSED" in (project / "root" / "app" / "manager.py").read_text(), result.output
