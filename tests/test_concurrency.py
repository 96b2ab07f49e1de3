"""Concurrency and files: two applies on one tree keep each other's work (a lock on root), a
file that changed since it was planned is never overwritten (all or nothing), a symlinked
target is written through, owner/group/mode are kept, and a failing git refuses to write
unless --allow-dirty."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eventmod import api
from eventmod.io.lock import LockTimeout, root_lock
from tests.conftest import tree_hash
from tests.test_all_or_nothing import NAMES, make_project


def _apply_cmd(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "eventmod", "apply", "--root", str(project / "root"), "--specs", str(project / "specs"),
            "--jobs", "1", "--allow-dirty", *args]


def _env() -> dict:
    return {**os.environ, "NO_COLOR": "1"}


def test_two_applies_at_once_keep_both_sets_of_members_and_blocks(tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for round_ in range(3):  # a few fresh trees: the runs really overlap (each takes ~0.3 s to plan)
        project = make_project(tmp_path / f"project{round_}")
        runs = [subprocess.Popen(_apply_cmd(project, "--component", name), cwd=cwd, env=_env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in NAMES]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert all(run.returncode == 0 for run in runs), outputs
        enum = (project / "root" / "core" / "event_logger.py").read_text()
        compile(enum, "event_logger.py", "exec")
        for name in NAMES:
            upper = name.upper()
            assert enum.count(f'{upper}_STARTED = "{name}_started"') == 1 and enum.count(f'{upper}_DONE = "{name}_done"') == 1, enum
            module = (project / "root" / f"pkg_{name}" / "mod.py").read_text()
            assert module.count(f"EventType.{upper}_STARTED") == 1 and module.count(f"EventType.{upper}_DONE") == 1


def test_a_second_run_waits_for_the_lock_and_refuses_after_the_timeout(tmp_path):
    project = make_project(tmp_path / "project")
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / "pyproject.toml").write_text("[tool.eventmod]\nlock_timeout = 0.5\n")
    before = tree_hash(project / "root")
    with root_lock(project / "root", 1):
        started = time.monotonic()
        blocked = subprocess.run(_apply_cmd(project), cwd=tmp_path / "cwd", env=_env(), capture_output=True, text=True)
        assert time.monotonic() - started >= 0.5
    assert blocked.returncode == 2, blocked.stderr
    assert "another eventmod run has been writing in" in blocked.stderr and "nothing was written" in blocked.stderr
    assert tree_hash(project / "root") == before
    done = subprocess.run(_apply_cmd(project), cwd=tmp_path / "cwd", env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_lock_is_exclusive_and_released(tmp_path):
    with root_lock(tmp_path, 1):
        with pytest.raises(LockTimeout):
            with root_lock(tmp_path, 0.1):
                pass
    with root_lock(tmp_path, 0.1):
        pass


@pytest.mark.parametrize("changed", ["core/event_logger.py", "pkg_charlie/mod.py"])
def test_a_file_changed_since_planning_refuses_every_write(tmp_path, changed):
    project = make_project(tmp_path / "project")
    loaded = api.load_project(tmp_path, root=project / "root", specs=project / "specs")
    run = api.plan(loaded)
    assert not run.errors()
    path = project / "root" / changed
    path.write_text(path.read_text() + "# edited meanwhile\n")
    before = tree_hash(project / "root")
    result = api.write_changes(loaded.config, list(run.files), allow_dirty=True)
    assert not result.ok and result.failure is not None
    assert result.failure.written == 0 and result.failure.path == changed
    assert "changed on disk since this run read it" in result.failure.reason
    assert tree_hash(project / "root") == before  # all or nothing: the other files are untouched
    assert not list((project / "root").rglob(".*.eventmod"))


def test_a_symlinked_target_is_written_through(tmp_path):
    project = make_project(tmp_path / "project")
    root = project / "root"
    real = root / "common" / "alpha_impl.py"
    real.parent.mkdir()
    shutil.move(root / "pkg_alpha" / "mod.py", real)
    (root / "pkg_alpha" / "mod.py").symlink_to(Path("..") / "common" / "alpha_impl.py")
    result = subprocess.run(_apply_cmd(project), cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    link = root / "pkg_alpha" / "mod.py"
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "common" / "alpha_impl.py")
    assert "EventType.ALPHA_STARTED" in real.read_text()


def test_mode_owner_and_group_are_kept(tmp_path):
    project = make_project(tmp_path / "project")
    target = project / "root" / "pkg_bravo" / "mod.py"
    os.chmod(target, 0o640)
    if os.geteuid() == 0:
        os.chown(target, 4321, 4321)
    result = subprocess.run(_apply_cmd(project), cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    info = target.stat()
    assert "EventType.BRAVO_STARTED" in target.read_text()
    assert stat.S_IMODE(info.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (4321, 4321)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("breakage", ["corrupt index", "dubious ownership"])
def test_a_failing_git_refuses_to_write_unless_allow_dirty(tmp_path, breakage):
    project = make_project(tmp_path / "project")
    root = project / "root"
    _git(root, "init", "-q", ".")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    if breakage == "corrupt index":
        (root / ".git" / "index").write_bytes(b"DIRC garbage")
    else:
        if os.geteuid() != 0:
            pytest.skip("needs root to hand the repository to another user")
        for path in [root, *root.rglob("*")]:
            os.lchown(path, 4321, 4321)
    before = tree_hash(root)
    command = [arg for arg in _apply_cmd(project) if arg != "--allow-dirty"]
    refused = subprocess.run(command, cwd=tmp_path, env={**_env(), "GIT_CONFIG_GLOBAL": os.devnull}, capture_output=True, text=True)
    assert refused.returncode == 2, refused.stderr
    assert "error: git failed in" in refused.stderr and "pass --allow-dirty to write anyway; nothing was written." in refused.stderr
    assert tree_hash(root) == before
    forced = subprocess.run(_apply_cmd(project), cwd=tmp_path, env={**_env(), "GIT_CONFIG_GLOBAL": os.devnull}, capture_output=True, text=True)
    assert forced.returncode == 0, forced.stderr


def test_outside_a_git_repository_apply_writes(tmp_path):
    project = make_project(tmp_path / "project")
    command = [arg for arg in _apply_cmd(project) if arg != "--allow-dirty"]
    result = subprocess.run(command, cwd=tmp_path, env={**_env(), "GIT_CEILING_DIRECTORIES": str(tmp_path)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
