"""Import cycles: when the logger module imports the target (directly, through other modules
under root, or through its package's `__init__`), a top-level logger import would make both
modules fail to import; eventmod then imports the getter and the enum inside the block
(config `import = "auto"`, the default; `"local"` everywhere; `"top"` never)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from eventmod.analysis.cycles import import_time_imports, imported_by
from tests.instrumented import LOGGER, Project, cleanup_modules

# The logger module needs a name from the target at import time: a real two-module cycle.
CYCLIC_LOGGER = "from app.registry import REGISTRY_NAME\n" + LOGGER

REGISTRY = '''import logging

logger = logging.getLogger(__name__)

REGISTRY_NAME = "main"


async def register(name, EventType=None):
    logger.info("registered")
    return f"{REGISTRY_NAME}:{name}"


def sync_register(name):
    logger.info("sync registered")
    return name
'''

SPEC = '''component: registry
file: app/registry.py
phase: 1
events:
  - {id: e, event: REGISTERED, in: register, after_log: registered, payload: {name: name}, severity: INFO}
  - {id: s, event: SYNC_REGISTERED, in: sync_register, after_log: sync registered, payload: {name: name}, severity: INFO, emit: background}
'''


def _project(tmp_path, logger=CYCLIC_LOGGER, pyproject=""):
    project = Project(tmp_path, "", "component: x\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: unused, event: X, in: nothing, at: start, severity: INFO}\n",
                      logger=logger, pyproject=pyproject, files={"app/registry.py": REGISTRY})
    (project.specs / "mod.yaml").write_text(SPEC)
    return project


def _import_both(project: Project, first: str) -> subprocess.CompletedProcess:
    code = (f"import asyncio, {first}\n"
            "import app.registry as r, core.event_logger as l\n"
            "recorder = l.EventLogger(); l.set_event_logger(recorder)\n"
            "async def main():\n"
            "    value = await r.register('a'); r.sync_register('b'); await asyncio.sleep(0); return value\n"
            "print(asyncio.run(main()), [e for e, _ in recorder.events])\n")
    return subprocess.run([sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True)


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


def test_a_top_level_import_would_break_both_modules(tmp_path):
    project = _project(tmp_path, pyproject='[tool.eventmod]\nimport = "top"\n')
    project.apply()
    assert "from core.event_logger import EventType as EventType_, get_event_logger" in (project.root / "app" / "registry.py").read_text()
    for first in ("app.registry", "core.event_logger"):
        result = _import_both(project, first)
        assert result.returncode != 0 and "ImportError" in result.stderr, result.stderr


@pytest.mark.parametrize("first", ["app.registry", "core.event_logger"])
def test_the_cycle_is_detected_and_the_import_goes_into_the_block(tmp_path, first):
    project = _project(tmp_path)
    before = _import_both(project, first)
    assert before.returncode == 0 and before.stdout.strip() == "main:a []", before.stderr
    project.apply()
    text = (project.root / "app" / "registry.py").read_text()
    assert "\nfrom core.event_logger" not in text  # no top-level import
    # the parameter named EventType is not shadowed by the local import: an alias is used
    assert "        from core.event_logger import EventType as EventType_, get_event_logger\n\n" in text, text
    assert "        from core.event_logger import EventType, get_event_logger\n\n" in text  # sync_register has no conflict
    after = _import_both(project, first)
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "main:a ['REGISTERED', 'SYNC_REGISTERED']"
    # idempotent, and revert gives the file back
    assert "0 event(s) inserted, 2 present" in project.apply().output
    assert project.cli("revert", "--allow-dirty").exit_code == 0
    assert (project.root / "app" / "registry.py").read_text() == REGISTRY


def test_a_cycle_through_another_module_and_the_package_init(tmp_path):
    logger = "import app.helpers\n" + LOGGER
    project = _project(tmp_path, logger=logger)
    (project.root / "app" / "helpers.py").write_text("from app import registry  # noqa: F401\n")
    project.apply()
    assert "        from core.event_logger import" in (project.root / "app" / "registry.py").read_text()
    cleanup_modules()
    # through the logger's package: core/__init__.py imports the target
    project = _project(tmp_path / "init")
    (project.root / "core" / "event_logger.py").write_text(LOGGER)
    (project.root / "core" / "__init__.py").write_text("from app import registry  # noqa: F401\n")
    project.apply()
    assert "        from core.event_logger import" in (project.root / "app" / "registry.py").read_text()


def test_no_cycle_means_a_top_level_import_and_local_forces_it_everywhere(tmp_path):
    project = _project(tmp_path, logger=LOGGER)
    project.apply()
    assert "\nfrom core.event_logger import EventType as EventType_, get_event_logger\n" in (project.root / "app" / "registry.py").read_text()
    cleanup_modules()
    project = _project(tmp_path / "local", logger=LOGGER, pyproject='[tool.eventmod]\nimport = "local"\n')
    project.apply()
    text = (project.root / "app" / "registry.py").read_text()
    assert "\nfrom core.event_logger" not in text and text.count("        from core.event_logger import") == 2


def test_switching_the_import_mode_re_emits_the_blocks(tmp_path):
    project = _project(tmp_path, logger=LOGGER)
    project.apply()
    top = (project.root / "app" / "registry.py").read_text()
    (project.cwd / "pyproject.toml").write_text('[tool.eventmod]\nimport = "local"\n')
    check = project.cli("check")
    assert check.exit_code == 1, check.output
    path = project.root / "app" / "registry.py"  # not under the current directory: shown absolute
    for event_id, event in (("e", "REGISTERED"), ("s", "SYNC_REGISTERED")):
        assert re.search(rf"^{re.escape(str(path))}:\d+: {event_id} \({event}\): re-emit: "
                         r"the block's shape differs from the spec \(import top -> local\)$", check.output, re.M), check.output
    assert "0 present, 0 pending, 0 drifted, 2 shape mismatch" in check.output
    assert "2 switched to the spec's shape" in project.apply().output
    assert "        from core.event_logger import" in (project.root / "app" / "registry.py").read_text()
    (project.cwd / "pyproject.toml").write_text('[tool.eventmod]\nimport = "top"\n')
    assert "2 switched to the spec's shape" in project.apply().output
    assert (project.root / "app" / "registry.py").read_text() == top


def test_a_bad_import_mode_is_refused(tmp_path):
    project = _project(tmp_path, pyproject='[tool.eventmod]\nimport = "inline"\n')
    result = project.apply(ok=False)
    assert result.exit_code == 2 and "import must be one of auto, top, local, got 'inline'" in result.output


def test_import_time_imports_skip_functions_and_type_checking():
    import ast

    tree = ast.parse(
        "import a.b.c\nfrom . import sibling\nfrom .pkg import thing\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import hidden\nelse:\n    import shown\n"
        "try:\n    import fast\nexcept ImportError:\n    import slow\n"
        "def f():\n    import inside\n"
        "class C:\n    import in_class\n"
    )
    found = import_time_imports(tree, "top.mod", is_package=False)
    assert {"a", "a.b", "a.b.c", "top", "top.sibling", "top.pkg", "top.pkg.thing", "shown", "fast", "slow", "in_class"} <= set(found)
    assert "hidden" not in found and "inside" not in found


def test_imported_by_reads_only_modules_under_root(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("")
    (tmp_path / "core" / "log.py").write_text("import json\nfrom app import a\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "a.py").write_text("from app.b import x\n")
    (tmp_path / "app" / "b.py").write_text("x = 1\n")
    (tmp_path / "app" / "c.py").write_text("import core.log\n")
    from eventmod.pyast.source import load_source

    found = imported_by(tmp_path, "core.log", lambda rel: load_source(tmp_path, rel))
    assert found == {"app", "app.a", "app.b"}
