"""`check` and `validate` see what would fail at run time: an EventType member an existing block
logs (eventmod's or a person's) must exist in the enum (or be added by the run), the logger
module must resolve and define the getter, and a block's getter assignment must be intact.
Each is a located error that names the config key to change."""

from __future__ import annotations

import re

import pytest

from tests.instrumented import Project, cleanup_modules

MODULE = '''import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def fill(order):
    logger.info("filled")
    await get_event_logger().log_event(EventType.ORDER_FILLD, {"order": order})
    return order


async def run(x):
    logger.info("running")
    return x
'''

SPEC = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: RAN, in: run, after_log: running, payload: {x: x}, severity: INFO}\n"


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


@pytest.mark.parametrize("command", ["check", "validate", "apply"])
def test_a_block_logging_a_missing_member_is_an_error(tmp_path, command):
    project = Project(tmp_path, MODULE, SPEC)
    result = project.cli(command, *(["--allow-dirty"] if command == "apply" else []))
    assert result.exit_code == 2, result.output
    assert "app/mod.py:10: EventType.ORDER_FILLD is not a member of EventType in core/event_logger.py" in result.output
    assert "check `enum_file`/`enum_class` in [tool.eventmod]" in result.output
    assert project.text() == MODULE


@pytest.mark.parametrize("reference", [
    "EventType.RAN",  # added by this very run
    "ET.BOT_STARTED",  # an alias of the enum
    "EventType.BOT_STARTED",
])
def test_members_the_enum_has_or_the_run_adds_are_fine(tmp_path, reference):
    module = MODULE.replace("EventType.ORDER_FILLD", reference).replace(
        "from core.event_logger import EventType, get_event_logger", "from core.event_logger import EventType, get_event_logger\nfrom core.event_logger import EventType as ET")
    project = Project(tmp_path, module, SPEC)
    assert project.cli("validate").exit_code == 0
    project.apply()


def test_a_member_referenced_through_a_function_local_import_is_checked(tmp_path):
    module = MODULE.replace("from core.event_logger import EventType, get_event_logger\n", "").replace(
        '    await get_event_logger().log_event(EventType.ORDER_FILLD, {"order": order})\n',
        '    from core.event_logger import EventType as Kind, get_event_logger\n\n'
        '    await get_event_logger().log_event(Kind.ORDER_FILLD, {"order": order})\n')
    project = Project(tmp_path, module, SPEC)
    result = project.cli("check")
    assert result.exit_code == 2 and "EventType.ORDER_FILLD is not a member of EventType" in result.output, result.output


def test_a_missing_logger_module_names_the_config_key(tmp_path):
    module = MODULE.replace("EventType.ORDER_FILLD", "EventType.BOT_STARTED")
    project = Project(tmp_path, module, SPEC, pyproject='[tool.eventmod]\nlogger_module = "core.audit"\n')
    result = project.cli("check")
    assert result.exit_code == 2, result.output
    assert "logger_module 'core.audit' resolves to no file under root" in result.output
    assert "set `logger_module` in [tool.eventmod]" in result.output


def test_a_missing_getter_names_the_config_key(tmp_path):
    module = MODULE.replace("EventType.ORDER_FILLD", "EventType.BOT_STARTED")
    project = Project(tmp_path, module, SPEC, pyproject='[tool.eventmod]\ngetter = "get_audit_logger"\n')
    for command in ("validate", "check"):
        result = project.cli(command)
        assert result.exit_code == 2, result.output
        assert "core/event_logger.py:1: the getter 'get_audit_logger' is not defined in core/event_logger.py" in result.output
        assert "set `getter` in [tool.eventmod]" in result.output


@pytest.mark.parametrize("failsafe", [True, False])
def test_a_block_whose_getter_assignment_is_gone_is_an_error(tmp_path, failsafe):
    module = MODULE.replace("EventType.ORDER_FILLD", "EventType.BOT_STARTED")
    project = Project(tmp_path, module, SPEC, pyproject="" if failsafe else "[tool.eventmod]\nfailsafe = false\n")
    project.apply()
    text = project.text()
    assert project.cli("check").exit_code == 0
    without = re.sub(r"\n *event_logger = get_event_logger\(\)\n", "\n", text, count=1)
    assert without != text
    project.module_path.write_text(without)
    result = project.cli("check")
    assert result.exit_code == 2, result.output
    assert "reads `event_logger`, but its getter assignment (`event_logger = get_event_logger()`) is gone" in result.output
    # bound earlier in the function on every path: fine
    edited = without.replace(
        'async def run(x):\n', 'async def run(x):\n    event_logger = get_event_logger()\n')
    project.module_path.write_text(edited)
    assert project.cli("check").exit_code == 0, project.cli("check").output


def test_a_block_whose_getter_import_is_gone_is_an_error(tmp_path):
    module = MODULE.replace("EventType.ORDER_FILLD", "EventType.BOT_STARTED")
    project = Project(tmp_path, module, SPEC)
    project.apply()
    project.module_path.write_text(project.text().replace("from core.event_logger import EventType, get_event_logger\n", "from core.event_logger import EventType\n"))
    result = project.cli("check")
    assert result.exit_code == 2
    assert "uses the getter `get_event_logger`, which nothing in app/mod.py binds" in result.output
