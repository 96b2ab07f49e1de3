"""Names eventmod adds (the getter, the enum, `asyncio`, `logging`, the file's logger) never
rebind or get shadowed by the code's own names: an import of another enum, a local function or
class, a global assignment, a parameter or local of the instrumented function, a class
attribute of the enclosing class. Such names are imported under a free alias (`EventType_`,
`get_event_logger_`, `asyncio_`, then `_2`, ...), used consistently, and revert removes them."""

from __future__ import annotations

import pytest

from tests.instrumented import Project, cleanup_modules

OTHER = '''from enum import Enum


class EventType(Enum):
    """The module's own, unrelated enum."""

    RED = "red"
'''

CASES = {
    "imported_enum": (
        '''import logging

from app.other import EventType

logger = logging.getLogger(__name__)


async def paint(x):
    logger.info("painting")
    return EventType.RED.value + str(x)
''',
        "paint", "after_log: painting", (3,), "EventType as EventType_",
    ),
    "local_getter_function": (
        '''import logging

logger = logging.getLogger(__name__)


def get_event_logger():
    return "the module's own helper"


async def run(x):
    logger.info("running")
    return get_event_logger() + str(x)
''',
        "run", "after_log: running", (1,), "get_event_logger as get_event_logger_",
    ),
    "local_enum_class": (
        '''import logging

logger = logging.getLogger(__name__)


class EventType:
    KIND = "local"


async def run(x):
    logger.info("running")
    return EventType.KIND + str(x)
''',
        "run", "after_log: running", (1,), "EventType as EventType_",
    ),
    "global_assignment": (
        '''import logging

logger = logging.getLogger(__name__)
asyncio = "not the asyncio module"


async def run(x):
    logger.info("running")
    return asyncio + str(x)
''',
        "run", "after_log: running", (1,), "import asyncio as asyncio_",
    ),
    "parameter": (
        '''import logging

logger = logging.getLogger(__name__)


async def run(EventType, get_event_logger):
    logger.info("running")
    return EventType + get_event_logger
''',
        "run", "after_log: running", ("a", "b"),
        "from core.event_logger import (\n    EventType as EventType_,\n    get_event_logger as get_event_logger_,\n)\n",
    ),
    "local_variable": (
        '''import logging

logger = logging.getLogger(__name__)


async def run(x):
    EventType = {"kind": x}
    logger.info("running")
    return EventType["kind"]
''',
        "run", "after_log: running", (4,), "EventType as EventType_",
    ),
    "global_declared_in_a_function": (
        '''import logging

logger = logging.getLogger(__name__)


def reset():
    global get_event_logger
    get_event_logger = None


async def run(x):
    logger.info("running")
    return x
''',
        "run", "after_log: running", (5,), "get_event_logger as get_event_logger_",
    ),
}


def _spec(function: str, anchor: str, emit: str = "await") -> str:
    return (f"component: mod\nfile: app/mod.py\nphase: 1\nevents:\n"
            f"  - {{id: e, event: RAN, in: {function}, {anchor}, payload: {{n: 1}}, severity: INFO, emit: {emit}}}\n")


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


@pytest.mark.parametrize("name", sorted(CASES))
def test_added_names_never_rebind_or_get_shadowed(tmp_path, name):
    module, function, anchor, args, expected_import = CASES[name]
    emit = "background" if name == "global_assignment" else "await"
    project = Project(tmp_path, module, _spec(function, anchor, emit), files={"app/other.py": OTHER})
    before = project.call(function, *args)
    project.apply()
    text = project.text()
    assert expected_import in text, text
    compile(text, "mod.py", "exec")
    if emit == "background":
        module_obj, logging_module = project.load()
        recorder = logging_module.EventLogger()
        logging_module.set_event_logger(recorder)
        import asyncio

        async def run():
            value = await getattr(module_obj, function)(*args)
            await asyncio.sleep(0)
            return value

        assert repr(asyncio.run(run())) == repr(before.value)
        assert [e for e, _ in recorder.events] == ["RAN"]
    else:
        after = project.call(function, *args)
        assert after.behaviour() == before.behaviour(), (before, after)
        assert [e for e, _ in after.events] == ["RAN"]
    # idempotent, and revert gives the original bytes back (aliases included)
    assert "0 event(s) inserted, 1 present" in project.apply().output
    assert project.text() == text
    result = project.cli("revert", "--allow-dirty")
    assert result.exit_code == 0 and "1 event(s) reverted" in result.output, result.output
    assert project.text() == module


def test_a_class_attribute_of_the_enclosing_class_is_avoided(tmp_path):
    module = '''import logging

logger = logging.getLogger(__name__)


class Service:
    EventType = "a class attribute"

    async def run(self, x):
        logger.info("running")
        return self.EventType + str(x)
'''
    project = Project(tmp_path, module, _spec("Service.run", "after_log: running"))
    project.apply()
    assert "from core.event_logger import EventType as EventType_, get_event_logger" in project.text()
    module_obj, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    import asyncio

    assert asyncio.run(module_obj.Service().run(2)) == "a class attribute2"
    assert [e for e, _ in recorder.events] == ["RAN"]
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == module


def test_a_shadowed_file_logger_is_not_used_for_reports(tmp_path):
    """The fail-safe report goes through the module's logger, unless the function binds that
    name itself: then through `logging.getLogger(__name__)` (under an alias if `logging` is
    taken too)."""
    module = '''import logging

logger = logging.getLogger(__name__)


async def run(logger, logging):
    logger.append("called")
    return logging
'''
    project = Project(tmp_path, module, _spec("run", "at: start"))
    before = project.call("run", [], 3)
    project.apply()
    text = project.text()
    assert "import logging as logging_" in text and "logging_.getLogger(__name__).warning(" in text, text
    after = project.call("run", [], 3)
    assert after.behaviour() == before.behaviour() and [e for e, _ in after.events] == ["RAN"]
    failing = project.call("run", [], 3, logger_fail=RuntimeError("database down"))
    assert failing.behaviour() == before.behaviour()
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == module


def test_an_existing_aliased_import_is_reused_when_it_is_free(tmp_path):
    module = '''import logging

from core.event_logger import EventType as ET

logger = logging.getLogger(__name__)


async def run(EventType):
    logger.info("running")
    return ET.BOT_STARTED.value + EventType
'''
    project = Project(tmp_path, module, _spec("run", "after_log: running"))
    before = project.call("run", "!")
    project.apply()
    text = project.text()
    assert "from core.event_logger import EventType as ET, get_event_logger\n" in text and "ET.RAN," in text, text
    after = project.call("run", "!")
    assert after.behaviour() == before.behaviour() and [e for e, _ in after.events] == ["RAN"]
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == module
