from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "fixtures" / "tradingbot"
SPECS = REPO / "event_specs"


@pytest.fixture(autouse=True, scope="session")
def _private_format_cache(tmp_path_factory):
    """Tests never write to the user's ~/.cache; subprocesses inherit the variable."""
    os.environ["EVENTMOD_CACHE_DIR"] = str(tmp_path_factory.mktemp("format-cache"))
    # Tests plan every file: a plan remembered by an earlier test would stand in for the
    # planning a test looks at (its parses, its proofs, what it monkeypatches). The plan
    # cache's own tests (tests/test_plan_cache.py) turn it on.
    os.environ["EVENTMOD_NO_PLAN_CACHE"] = "1"
    yield


class Eventmod:
    """Runs the CLI in-process from a directory with no pyproject, so only flags configure it."""

    def __init__(self, cwd: Path):
        self.cwd = cwd

    def __call__(self, *args: str):
        from eventmod.cli.app import app

        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)
        finally:
            os.chdir(old)
        return result


@pytest.fixture
def eventmod(tmp_path: Path) -> Eventmod:
    work = tmp_path / "cwd"
    work.mkdir()
    return Eventmod(work)


def tree_hash(root: Path) -> str:
    """Hash of every file's path, bytes and mode under root: proves 'nothing on disk changed'."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        else:
            digest.update(path.read_bytes())
            digest.update(str(path.stat().st_mode).encode())
    return digest.hexdigest()


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True)
    return dst


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventmod", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1"})


# The tests that take longest go first, so that with one worker per CPU (pytest-xdist) the
# longest one is not the last to start: the suite ends when the other workers do.
FIRST = ("tests/test_stdlib_corpus.py", "tests/test_scope_soundness.py", "tests/test_properties.py")


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return FIRST.index(path) if path in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the order within each group is kept
