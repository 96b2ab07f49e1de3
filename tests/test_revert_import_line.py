"""Revert takes apply's own import line away whole, even where un-merging its names would also
give apply's text back (found on aiocache: `from x import y` then two blank lines and code)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, Eventmod

SPEC = """\
    component: mod
    file: app/mod.py
    phase: 1
    days: [1]
    priority: LOW
    enum_group: Mod events
    events:
      - id: mod_done
        event: MOD_DONE
        in: work
        after_log: "done"
        payload: {n: n}
        severity: INFO
    """

CASES = {
    "two blank lines before a module-level assignment": """\
        import logging

        from app import helpers


        logger = logging.getLogger(__name__)


        async def work(n):
            logger.info("done %s", n)
        """,
    "one blank line before a def": """\
        import logging
        from app import helpers

        async def work(n):
            logging.info("done %s", n)
        """,
    "a docstring, then imports and three blank lines": '''\
        """Module."""
        import logging
        import os



        async def work(n):
            logging.info("done %s", n)
        ''',
}


def _project(tmp_path: Path, code: str) -> tuple[Path, Eventmod, bytes]:
    root = tmp_path / "proj"
    (root / "core").mkdir(parents=True)
    shutil.copy(FIXTURE / "core" / "event_logger.py", root / "core" / "event_logger.py")
    (root / "app").mkdir()
    (root / "app" / "mod.py").write_text(textwrap.dedent(code))
    (root / "specs").mkdir()
    (root / "specs" / "mod.yaml").write_text(textwrap.dedent(SPEC))
    (root / "pyproject.toml").write_text('[tool.eventmod]\nroot = "."\nspecs = "specs"\n')
    return root, Eventmod(root), (root / "app" / "mod.py").read_bytes()


@pytest.mark.parametrize("case", sorted(CASES))
def test_revert_removes_the_import_line_apply_wrote(tmp_path, case):
    root, eventmod, original = _project(tmp_path, CASES[case])
    assert eventmod("apply", "--allow-dirty").exit_code == 0
    applied = (root / "app" / "mod.py").read_text()
    assert "from core.event_logger import EventType, get_event_logger" in applied
    result = eventmod("revert", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert (root / "app" / "mod.py").read_bytes() == original


def test_names_merged_into_the_users_import_are_unmerged_only(tmp_path):
    code = """\
        import logging

        from core.event_logger import get_event_logger


        async def work(n):
            logging.info("done %s", n)
            if get_event_logger():
                pass
        """
    root, eventmod, original = _project(tmp_path, code)
    assert eventmod("apply", "--allow-dirty").exit_code == 0
    assert "from core.event_logger import EventType, get_event_logger\n" in (root / "app" / "mod.py").read_text()
    assert eventmod("revert", "--allow-dirty").exit_code == 0
    assert (root / "app" / "mod.py").read_bytes() == original
