"""The logger contract, checked as errors by validate, dry-run, apply and check: the logger
module resolves (under root, or installed, read without importing it), the getter or function
is defined there, the enum class exists, the call target exists and is `async def` for awaited
or scheduled emission and a plain `def` for `sync = true`, and its signature takes the payload
and severity the way the configuration passes them. Each error names the config key to change,
and nothing is written."""

from __future__ import annotations

import sys

import pytest

from eventmod.analysis.contract import LoggerSignature, installed_module_file, logger_contract, logger_signature
from eventmod.model.settings import Config
from eventmod.pyast.source import load_source
from tests.instrumented import LOGGER, Project, cleanup_modules

MODULE = '''import logging

logger = logging.getLogger(__name__)


async def run(x):
    logger.info("running")
    return x
'''

SPEC = "component: mod\nfile: app/mod.py\nevents:\n  - {id: e, event: RAN, in: run, after_log: running, payload: {x: x}, severity: INFO}\n"


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


def _broken(base, logger: str, pyproject: str = "", spec: str = SPEC) -> Project:
    return Project(base, MODULE, spec, logger=logger, pyproject=pyproject)


# (logger module text, [tool.eventmod] lines, what the error says, the config key it names)
CASES = {
    "enum class missing": (
        LOGGER.replace("class EventType(str, Enum):", "class Kind(str, Enum):"), "",
        "the enum class 'EventType' is not defined in core/event_logger.py", "set `enum_class`",
    ),
    "getter missing": (
        LOGGER.replace("def get_event_logger():", "def get_logger():"), "",
        "the getter 'get_event_logger' is not defined in core/event_logger.py", "set `getter`",
    ),
    "no class has the method": (
        LOGGER.replace("async def log_event(", "async def record(").replace("    def __init__", "    def __init__"), "",
        "no class in core/event_logger.py has a method 'log_event'", "set `method`",
    ),
    "the annotated class lacks the method": (
        LOGGER.replace("def get_event_logger():", "def get_event_logger() -> \"Sink | None\":") + "\n\nclass Sink:\n    def write(self, line):\n        pass\n",
        "", "the class Sink that 'get_event_logger' returns (core/event_logger.py:", "set `method`",
    ),
    "a plain def awaited": (
        LOGGER.replace("async def log_event(", "def log_event("), "",
        "`EventLogger.log_event` is a plain `def`, but blocks await it", "set `sync = true`",
    ),
    "an async def called sync": (
        LOGGER, "sync = true\n",
        "`EventLogger.log_event` is `async def`, but `sync = true` makes blocks call it without awaiting it", "remove `sync = true`",
    ),
    "method name wrong": (
        LOGGER, 'method = "emit"\n',
        "no class in core/event_logger.py has a method 'emit'", "set `method`",
    ),
    "function missing": (
        LOGGER, 'call = "function"\n',
        "the function 'log_event' is not defined in core/event_logger.py", "set `method`",
    ),
    "no severity keyword": (
        LOGGER.replace(', error=None, severity="INFO"):', ", error=None):"), "",
        "`EventLogger.log_event` takes no `severity=` keyword", "set `severity_arg`",
    ),
    "severity under another name": (
        LOGGER, 'severity_arg = "level"\n',
        "`EventLogger.log_event` takes no `level=` keyword", "set `severity_arg`",
    ),
    "payload keyword not taken": (
        LOGGER, 'payload_arg = "data"\n',
        "`EventLogger.log_event` takes no `data=` keyword", "set `payload_arg`",
    ),
    "payload cannot be positional": (
        LOGGER.replace("async def log_event(self, event_type, event_data, correlation_id=None,", "async def log_event(self, event_type, *, event_data=None, correlation_id=None,"),
        "", "takes 1 positional argument(s), but blocks pass the event type and the payload positionally", "set `payload_arg`",
    ),
    "sync companion missing": (
        LOGGER, 'sync_method = "log_now"\n',
        "has no method 'log_now' (`sync_method` in [tool.eventmod])", "set `sync_method`",
    ),
    "sync companion is async": (
        LOGGER.replace("def set_event_logger", "async def log_now(self, event_type, event_data, severity='INFO'):\n    pass\n\n\ndef set_event_logger").replace(
            "    async def log_event(", "    async def log_now(self, event_type, event_data, severity='INFO'):\n        pass\n\n    async def log_event("),
        'sync_method = "log_now"\n', "`EventLogger.log_now` (core/event_logger.py:", "set `sync_method` to a plain `def`",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_contract_failure_is_an_error_that_names_the_config_key(tmp_path, case):
    logger, keys, message, key = CASES[case]
    project = _broken(tmp_path, logger, "[tool.eventmod]\n" + keys if keys else "")
    result = project.cli("validate")
    assert result.exit_code == 2, result.output
    assert message in result.output and key in result.output, result.output


@pytest.mark.parametrize("command", ["validate", "dry-run", "apply", "check"])
def test_every_command_refuses_a_broken_contract_and_writes_nothing(tmp_path, command):
    project = _broken(tmp_path, LOGGER.replace("async def log_event(", "def log_event("))
    before = project.text()
    result = project.cli(command, *(["--allow-dirty"] if command == "apply" else []))
    assert result.exit_code == 2, result.output
    assert "core/event_logger.py:17: `EventLogger.log_event` is a plain `def`" in result.output
    assert project.text() == before


def test_a_sound_contract_in_each_shape_validates(tmp_path):
    sync_logger = LOGGER.replace("async def log_event(", "def log_event(")
    function_logger = LOGGER + "\n\nasync def emit(event_type, data, *, severity='INFO'):\n    pass\n"
    for name, logger, keys in [
        ("default", LOGGER, ""),
        ("sync", sync_logger, "sync = true\n"),
        ("function", function_logger, 'call = "function"\nmethod = "emit"\n'),
        ("no severity", LOGGER.replace(', error=None, severity="INFO"):', ", error=None):"), 'severity_arg = ""\n'),
        ("payload keyword", LOGGER, 'payload_arg = "event_data"\n'),
    ]:
        project = _broken(tmp_path / name.replace(" ", "_"), logger, "[tool.eventmod]\n" + keys)
        result = project.cli("validate")
        assert result.exit_code == 0, (name, result.output)


def test_kwargs_the_signature_does_not_take_are_errors_at_the_spec_line(tmp_path):
    spec = SPEC.replace("severity: INFO}", "severity: INFO, customer: x}")
    project = _broken(tmp_path, LOGGER, spec=spec)
    result = project.cli("validate")
    assert result.exit_code == 2 and "unknown key 'customer'" in result.output  # not a spec key (yet)
    spec = SPEC.replace("severity: INFO}", "severity: INFO, order_id: x}")
    ok = _broken(tmp_path / "ok", LOGGER, spec=spec)
    assert ok.cli("validate").exit_code == 0
    narrow = _broken(tmp_path / "narrow", LOGGER.replace("order_id=None,", ""), spec=spec)
    result = narrow.cli("validate")
    assert result.exit_code == 2 and "log_event in core/event_logger.py does not accept `order_id=`" in result.output, result.output


def test_the_getter_and_the_logger_class_may_be_re_exported(tmp_path):
    impl = LOGGER.replace("class EventType(str, Enum):\n    BOT_STARTED = \"bot_started\"\n", "")
    logger = ("from enum import Enum\n\nfrom core.impl import EventLogger, get_event_logger, set_event_logger\n\n\n"
              "class EventType(str, Enum):\n    BOT_STARTED = \"bot_started\"\n")
    project = Project(tmp_path, MODULE, SPEC, logger=logger, files={"core/impl.py": impl})
    assert project.cli("validate").exit_code == 0
    broken = Project(tmp_path / "b", MODULE, SPEC, logger=logger,
                     files={"core/impl.py": impl.replace("async def log_event(", "def log_event(")})
    result = broken.cli("validate")
    assert result.exit_code == 2 and "core/impl.py:" in result.output and "`EventLogger.log_event` is a plain `def`" in result.output, result.output


def test_a_base_class_method_counts(tmp_path):
    logger = LOGGER.replace("class EventLogger:", "class Base:").replace(
        "_event_logger = None", "class EventLogger(Base):\n    pass\n\n\n_event_logger = None")
    project = _broken(tmp_path, logger.replace("def get_event_logger():", "def get_event_logger() -> EventLogger:"))
    assert project.cli("validate").exit_code == 0


INSTALLED = '''raise RuntimeError("eventmod imported the installed logger module")
from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class AuditLogger:
    {kind} log_event(self, event_type, data, severity="INFO"):
        pass


def get_event_logger() -> AuditLogger:
    return AuditLogger()
'''


def test_an_installed_logger_module_is_read_without_importing_it(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "auditpkg" / "sub").mkdir(parents=True)
    (site / "auditpkg" / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (site / "auditpkg" / "sub" / "__init__.py").write_text("")
    (site / "auditpkg" / "sub" / "events.py").write_text(INSTALLED.format(kind="async def"))
    monkeypatch.syspath_prepend(str(site))
    path, unreadable = installed_module_file("auditpkg.sub.events")
    assert path == str(site / "auditpkg" / "sub" / "events.py") and not unreadable
    assert "auditpkg" not in sys.modules
    root = tmp_path / "root"
    root.mkdir()
    config = Config(root=root, specs=tmp_path, logger_module="auditpkg.sub.events")
    contract = logger_contract(config, lambda rel: load_source(root, rel))
    assert [p.message for p in contract.problems] == []
    assert contract.signature is not None and contract.signature.qualname == "AuditLogger.log_event" and contract.signature.is_async
    assert "auditpkg" not in sys.modules
    (site / "auditpkg" / "sub" / "events.py").write_text(INSTALLED.format(kind="def"))
    problems = logger_contract(config, lambda rel: load_source(root, rel)).problems
    assert any("is a plain `def`" in p.message and "set `sync = true`" in p.message for p in problems), problems
    missing = Config(root=root, specs=tmp_path, logger_module="auditpkg.sub.nothing")
    problems = logger_contract(missing, lambda rel: load_source(root, rel)).problems
    assert problems and "set `logger_module`" in problems[0].message and problems[0].severity == "error"
    assert "auditpkg" not in sys.modules


def test_logger_signature_is_the_one_reader(tmp_path):
    root = tmp_path / "root"
    (root / "core").mkdir(parents=True)
    (root / "core" / "event_logger.py").write_text(LOGGER)
    config = Config(root=root, specs=tmp_path)
    signature = logger_signature(config, lambda rel: load_source(root, rel))
    assert isinstance(signature, LoggerSignature)
    assert signature.qualname == "EventLogger.log_event" and signature.is_async and not signature.var_keyword
    assert signature.positional[:2] == ("event_type", "event_data") and signature.accepts("symbol")
    assert not signature.accepts("customer")
    from eventmod.model.settings import CallShape
    assert "event_data" not in signature.kwargs(CallShape()) and "severity" not in signature.kwargs(CallShape())
    assert "order_id" in signature.kwargs(CallShape())
    (root / "core" / "event_logger.py").write_text(LOGGER.replace("async def log_event(", "async def record("))
    missing = logger_signature(config, lambda rel: load_source(root, rel))
    assert not isinstance(missing, LoggerSignature) and "set `method`" in missing.message


def test_a_sync_companion_is_found_on_the_logger_class(tmp_path):
    logger = LOGGER.replace("    async def log_event(", "    def log_event_nowait(self, event_type, event_data, severity='INFO'):\n        pass\n\n    async def log_event(")
    root = tmp_path / "root"
    (root / "core").mkdir(parents=True)
    (root / "core" / "event_logger.py").write_text(logger)
    contract = logger_contract(Config(root=root, specs=tmp_path), lambda rel: load_source(root, rel))
    assert contract.call.sync_method == "log_event_nowait" and contract.sync_signature is not None
    assert contract.problems == ()
