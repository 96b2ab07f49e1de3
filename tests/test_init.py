"""`eventmod init`: a project with no spec directory gets [tool.eventmod], drafted specs and,
when it has no audit logger and asks for one, a logger module."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from eventmod.config import black_settings_for
from eventmod.init.detect import detect_project, find_logger
from tests.conftest import FIXTURE, Eventmod, tree_hash

JOBS = """\
    import asyncio
    import logging

    logger = logging.getLogger(__name__)


    class Worker:
        async def run_job(self, job_id, payload):
            logger.info("job %s started", job_id)
            try:
                result = sum(payload)
            except Exception as e:
                logger.error(f"job {job_id} failed: {e}")
                raise
            logger.info("job %s finished with %d", job_id, result)
            return result

        async def expire(self, jobs):
            for j in jobs:
                logger.warning("job %s expired", j)
            return len(jobs)
    """


def _write(root: Path, rel: str, code: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))
    return path


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """An async project in a src layout, with no eventmod anything."""
    project = tmp_path / "proj"
    _write(project, "src/app/__init__.py", "")
    _write(project, "src/app/jobs.py", JOBS)
    return project


def _toml(path: Path) -> dict:
    return tomllib.loads(path.read_text())


# -- an empty project ------------------------------------------------------------------------------
def test_init_writes_config_logger_and_specs_that_validate(app):
    pyproject = app / "pyproject.toml"
    original = '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n'
    pyproject.write_text(original)
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 0, result.output
    text = pyproject.read_text()
    assert text.startswith(original)  # every existing byte kept
    assert _toml(pyproject)["tool"]["eventmod"] == {
        "root": "src", "specs": "event_specs", "logger_module": "app.audit_events", "enum_file": "app/audit_events.py",
        "enum_class": "EventType", "getter": "get_event_logger"}
    assert (app / "src/app/audit_events.py").read_text().startswith("# Written by `eventmod init`")
    spec = yaml.safe_load((app / "event_specs/jobs.yaml").read_text())
    assert spec["file"] == "app/jobs.py"
    assert [e["event"] for e in spec["events"]] == ["JOB_STARTED", "JOB_FAILED", "JOB_FINISHED", "JOB_EXPIRED"]
    assert spec["events"][3]["payload"] == {"job": "j"}
    assert "line length: 100 (from [tool.ruff])" in result.stdout
    assert "wrote event_specs/jobs.yaml: 4 drafted event(s)" in result.stdout
    validate = Eventmod(app)("validate")
    assert validate.exit_code == 0, validate.output
    assert "ok: 4 event(s) valid in 1 spec file(s)" in validate.output
    dry = Eventmod(app)("dry-run")
    assert dry.exit_code == 0 and "+from app.audit_events import EventType, get_event_logger" in dry.stdout
    assert black_settings_for(app / "src").line_length == 100  # ruff's line length shapes the blocks


def test_init_creates_pyproject_when_missing(app):
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 0, result.output
    assert set(_toml(app / "pyproject.toml")) == {"tool"}
    assert (app / "pyproject.toml").read_text().startswith("[tool.eventmod]\n")


@pytest.mark.parametrize("original", [
    '[project]\r\nname = "app"\r\n',  # CRLF kept
    '[project]\nname = "app"',  # no final newline
    "",  # empty
    "# only a comment\n",
    '[tool.black]\nline-length = 79\n\n[[tool.mypy.overrides]]\nmodule = "x"\n',  # array of tables last
])
def test_init_appends_without_touching_other_tables(app, original):
    (app / "pyproject.toml").write_bytes(original.encode())
    before = tomllib.loads(original)
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 0, result.output
    raw = (app / "pyproject.toml").read_bytes()
    assert raw.startswith(original.encode())
    after = tomllib.loads(raw.decode())
    tool = after.pop("tool")
    assert tool.pop("eventmod")["root"] == "src"
    if tool or "tool" in before:
        after["tool"] = tool
    assert after == before
    if "\r\n" in original:
        assert b"\n[tool.eventmod]\r\n" in raw and b"\r\n" in raw.split(b"[tool.eventmod]")[1]


@pytest.mark.parametrize("original, why", [
    ('tool = {black = {line-length = 90}}\n', "add this table by hand"),  # inline table: cannot append
    ('[tool.eventmod]\nroot = "src"\n', "already has [tool.eventmod]"),
    ("[project\nname = 1\n", "not valid TOML"),
])
def test_init_refuses_and_writes_nothing(app, original, why):
    (app / "pyproject.toml").write_text(original)
    before = tree_hash(app)
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 2 and why in result.output
    assert "nothing was written" in result.output
    assert tree_hash(app) == before


def test_init_refuses_an_existing_spec_directory(app):
    _write(app, "event_specs/x.yaml", "component: x\n")
    before = tree_hash(app)
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 2 and "already holds specs" in result.output
    assert tree_hash(app) == before
    (app / "event_specs/x.yaml").unlink()  # an empty directory is fine
    assert Eventmod(app)("init", "src/app/jobs.py", "--with-logger").exit_code == 0


def test_without_a_terminal_init_asks_for_a_decision(app):
    before = tree_hash(app)
    result = Eventmod(app)("init", "src/app/jobs.py")
    assert result.exit_code == 2
    assert "pass --with-logger to write one at src/app/audit_events.py, or --no-logger" in result.output
    assert tree_hash(app) == before


def test_no_logger_writes_config_for_the_users_own_module(app):
    result = Eventmod(app)("init", "src/app/jobs.py", "--no-logger")
    assert result.exit_code == 0, result.output
    assert not (app / "src/app/audit_events.py").exists()
    assert _toml(app / "pyproject.toml")["tool"]["eventmod"]["logger_module"] == "app.audit_events"
    assert "write app.audit_events" in result.stdout
    assert (app / "event_specs/jobs.yaml").is_file()


def test_logger_path_is_configurable_and_checked(app):
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger", "--logger-path", "src/app/obs/events.py")
    assert result.exit_code == 0, result.output
    assert (app / "src/app/obs/events.py").is_file()
    config = _toml(app / "pyproject.toml")["tool"]["eventmod"]
    assert (config["logger_module"], config["enum_file"]) == ("app.obs.events", "app/obs/events.py")
    assert Eventmod(app)("validate").exit_code == 0


@pytest.mark.parametrize("path, why", [
    ("elsewhere/events.py", "is not under the root src"),
    ("src/app/my-events.py", "not an importable module path"),
    ("src/app/jobs.py", "already exists"),
])
def test_bad_logger_paths(app, path, why):
    before = tree_hash(app)
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger", "--logger-path", path)
    assert result.exit_code == 2 and why in result.output
    assert tree_hash(app) == before


# -- detection --------------------------------------------------------------------------------------
@pytest.mark.parametrize("files, layout, root, package", [
    (["src/app/jobs.py"], {"src/app/__init__.py": ""}, "src", "app"),
    (["app/jobs.py"], {"app/__init__.py": ""}, ".", "app"),
    (["app/sub/jobs.py"], {"app/__init__.py": "", "app/sub/__init__.py": ""}, ".", "app"),
    (["scripts/jobs.py"], {}, "scripts", None),  # no package: the script's directory
    (["jobs.py"], {}, ".", None),
    ([], {"src/app/__init__.py": ""}, "src", None),
    ([], {}, ".", None),
])
def test_root_detection(tmp_path, files, layout, root, package):
    for rel, code in layout.items():
        _write(tmp_path, rel, code)
    for rel in files:
        _write(tmp_path, rel, JOBS)
    detected = detect_project(tmp_path, files)
    assert (detected.root, detected.package) == (root, package)


def test_files_with_different_roots_are_refused(tmp_path):
    _write(tmp_path, "a/__init__.py", "")
    _write(tmp_path, "a/x.py", JOBS)
    _write(tmp_path, "tools/y.py", JOBS)
    result = Eventmod(tmp_path)("init", "a/x.py", "tools/y.py", "--with-logger")
    assert result.exit_code == 2 and "different import roots (., tools)" in result.output
    result = Eventmod(tmp_path)("init", "a/x.py", "tools/y.py", "--with-logger", "--root", ".")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "event_specs").iterdir()} == {"x.yaml", "y.yaml"}


@pytest.mark.parametrize("args, why", [
    (["nope.py"], "not found in the project"),
    (["../outside.py"], "resolves outside the project"),
    (["README.md"], "not a Python file"),
    (["src/app/jobs.py", "--min-level", "loud"], "--min-level: must be one of"),
    (["src/app/jobs.py", "--root", "nowhere"], "is not a directory inside the project"),
])
def test_input_errors(app, args, why):
    (app / "README.md").write_text("hi\n")
    (app.parent / "outside.py").write_text("x = 1\n")
    result = Eventmod(app)("init", *args, "--with-logger")
    assert result.exit_code == 2 and why in result.output


AUDIT = """\
    import enum

    class AuditEvent(str, enum.Enum):
        USER_CREATED = "user_created"

    class Audit:
        async def log_event(self, event_type, data, **context):
            pass

    _audit = None

    def get_audit_logger():
        return _audit
    """


def test_an_existing_logger_is_detected_and_no_module_is_written(app):
    _write(app, "src/app/observability/audit.py", AUDIT)
    _write(app, "src/app/observability/__init__.py", "")
    (app / "pyproject.toml").write_text('[tool.black]\nline-length = 99\n')
    result = Eventmod(app)("init", "src/app/jobs.py", "--with-logger")
    assert result.exit_code == 0, result.output
    assert not (app / "src/app/audit_events.py").exists()
    config = _toml(app / "pyproject.toml")["tool"]["eventmod"]
    assert config == {"root": "src", "specs": "event_specs", "logger_module": "app.observability.audit",
                      "enum_file": "app/observability/audit.py", "enum_class": "AuditEvent", "getter": "get_audit_logger"}
    assert "found in the project; no logger module written" in result.stdout
    assert "--with-logger ignored" in result.output
    assert "line length: 99 (from [tool.black])" in result.stdout and "style: black" in result.stdout
    validate = Eventmod(app)("validate")
    assert validate.exit_code == 0, validate.output


def test_an_existing_sync_logger_gets_sync_true_and_validates(app):
    _write(app, "src/app/observability/audit.py", AUDIT.replace("        async def log_event(", "        def log_event("))
    _write(app, "src/app/observability/__init__.py", "")
    result = Eventmod(app)("init", "src/app/jobs.py")
    assert result.exit_code == 0, result.output
    config = _toml(app / "pyproject.toml")["tool"]["eventmod"]
    assert config["sync"] is True and config["getter"] == "get_audit_logger"
    validate = Eventmod(app)("validate")
    assert validate.exit_code == 0, validate.output


def test_the_fixture_logger_is_detected(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    found = find_logger(tmp_path / "bot")
    assert found is not None
    assert (found.module, found.path, found.getter, found.enum_class, found.log_event_async) == (
        "core.event_logger", "core/event_logger.py", "get_event_logger", "EventType", True)


@pytest.mark.parametrize("code", [
    "def log_event(): pass\n",  # no getter, no enum
    "import enum\nclass E(enum.Enum):\n    A = 1\ndef get_logger():\n    return None\n",  # no log_event
    "import enum\nclass E(enum.Enum):\n    A = 1\ndef get_event_logger(name):\n    pass\ndef log_event(): pass\n",  # getter takes args
])
def test_partial_loggers_are_not_audit_loggers(tmp_path, code):
    _write(tmp_path, "mod.py", code)
    assert find_logger(tmp_path) is None


def test_loggers_in_tests_and_virtualenvs_are_ignored(tmp_path):
    _write(tmp_path, "tests/fake_audit.py", AUDIT)
    _write(tmp_path, ".venv/lib/audit.py", AUDIT)
    _write(tmp_path, "venv/audit.py", AUDIT)
    assert find_logger(tmp_path) is None
    _write(tmp_path, "pkg/audit.py", AUDIT)
    assert find_logger(tmp_path).module == "pkg.audit"


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": "[tool.black]\nline-length = 120\n"}, (120, "[tool.black]", True)),
    ({"pyproject.toml": "[tool.ruff]\nline-length = 110\n"}, (110, "[tool.ruff]", False)),
    ({"ruff.toml": "line-length = 101\n"}, (101, "ruff.toml", False)),
    ({".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/psf/black\n"}, (None, None, True)),
    ({"pyproject.toml": '[project.optional-dependencies]\ndev = ["black>=24", "pytest"]\n'}, (None, None, True)),
    ({"pyproject.toml": '[dependency-groups]\ndev = ["ruff"]\n'}, (None, None, False)),
])
def test_line_length_and_black(tmp_path, files, expected):
    for rel, text in files.items():
        _write(tmp_path, rel, text)
    detected = detect_project(tmp_path, [])
    assert (detected.line_length, detected.line_length_from, detected.black) == expected


def test_ruff_line_length_reaches_the_renderer_but_black_wins(tmp_path):
    _write(tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert black_settings_for(tmp_path).line_length == 100
    _write(tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 100\n\n[tool.black]\nline-length = 90\n")
    assert black_settings_for(tmp_path).line_length == 90
