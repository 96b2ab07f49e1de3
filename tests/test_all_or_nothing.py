"""All-or-nothing apply when the disk misbehaves: a write failure or a crash between two files
leaves every file either fully old or fully new (never a mix, never a stray temp file), `apply`
says clearly what happened, and a second run finishes the work with the same result as one
clean run."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_tree, tree_hash

ENUM = '''from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, event_data, **context):
        pass


def get_event_logger():
    return None
'''

MODULE = '''import logging

logger = logging.getLogger(__name__)


async def handle_{name}(symbol):
    logger.info(f"{name} started for {{symbol}}")
    result = await work(symbol)
    logger.info("{name} done")
    return result
'''

SPEC = '''component: {name}
file: pkg_{name}/mod.py
phase: 1
days: [1]
priority: HIGH
enum_group: {name} events
events:
  - id: {name}_started
    event: {upper}_STARTED
    in: handle_{name}
    after_log: "{name} started"
    payload:
      symbol: symbol
    symbol: symbol
    severity: INFO
  - id: {name}_done
    event: {upper}_DONE
    in: handle_{name}
    before: return result
    payload:
      result: str(result)
    severity: INFO
'''

NAMES = ("alpha", "bravo", "charlie")
# apply writes in path order: core/event_logger.py (the enum), then pkg_alpha, pkg_bravo, pkg_charlie.
TARGETS = ("core/event_logger.py", *(f"pkg_{n}/mod.py" for n in NAMES))


def make_project(base: Path) -> Path:
    root = base / "root"
    (root / "core").mkdir(parents=True)
    (root / "core" / "event_logger.py").write_text(ENUM)
    (base / "specs").mkdir()
    for name in NAMES:
        (root / f"pkg_{name}").mkdir()
        (root / f"pkg_{name}" / "mod.py").write_text(MODULE.format(name=name))
        (base / "specs" / f"{name}.yaml").write_text(SPEC.format(name=name, upper=name.upper()))
    return base


def apply_args(project: Path) -> list[str]:
    return ["apply", "--root", str(project / "root"), "--specs", str(project / "specs"), "--jobs", "1", "--allow-dirty"]


@pytest.fixture
def projects(tmp_path: Path, eventmod):
    """(project, reference): two identical projects; `reference` gets one clean apply."""
    project = make_project(tmp_path / "project")
    reference = copy_tree(project, tmp_path / "reference")
    result = eventmod(*apply_args(reference))
    assert result.exit_code == 0, result.output
    return project, reference


def snapshot(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in TARGETS}


def assert_old_or_new(project: Path, old: dict[str, bytes], reference: Path, crashed: bool = False) -> tuple[list[str], list[str]]:
    """Every target is byte-identical to its original or to the clean run's result. After a
    crash, staged temporaries may remain (no cleanup code ran); the next run removes them."""
    new = snapshot(reference / "root")
    now = snapshot(project / "root")
    assert all(old[rel] != new[rel] for rel in TARGETS), "each target must change in a clean run"
    fresh, stale = [], []
    for rel in TARGETS:
        assert now[rel] in (old[rel], new[rel]), f"{rel} is neither the old nor the new file (a torn write)"
        (fresh if now[rel] == new[rel] else stale).append(rel)
    leftovers = [p.relative_to(project).as_posix() for p in project.rglob(".*.eventmod")]
    assert crashed or not leftovers, f"temporary files left behind: {leftovers}"
    return fresh, stale


def assert_second_run_completes(project: Path, reference: Path, eventmod) -> None:
    result = eventmod(*apply_args(project))
    assert result.exit_code == 0, result.output
    assert not list(project.rglob(".*.eventmod")), "the resumed run must remove staged leftovers"
    assert tree_hash(project / "root") == tree_hash(reference / "root"), "resumed run differs from a clean run"
    again = eventmod(*apply_args(project))  # and a third run is a no-op
    assert again.exit_code == 0, again.output
    assert tree_hash(project / "root") == tree_hash(reference / "root")


# -- (a) a read-only target among several ----------------------------------------------------------
def _make_read_only(path: Path, monkeypatch) -> str:
    """Make `path` impossible to replace; returns how.

    apply replaces a file with a temporary file and os.replace(), so a plain `chmod 444` on the
    file does not stop it (rename needs write access to the directory, not to the file). As a
    normal user the file's directory is made read-only instead (chmod 555), so the temporary
    file cannot be created. root bypasses permission bits entirely, so as root the file is made
    immutable with `chattr +i` (rename over an immutable file fails with EPERM); where chattr is
    unavailable (no CAP_LINUX_IMMUTABLE, or a filesystem without the flag) the failure is
    simulated by making the pre-flight open raise the PermissionError the kernel would raise.
    """
    os.chmod(path, 0o444)
    if os.geteuid() != 0:
        os.chmod(path.parent, 0o555)
        return "chmod"
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode == 0:
        return "chattr"
    import builtins

    real_open = builtins.open

    def refuse(target, mode="r", *args, **kwargs):
        if "+" in mode and Path(target).resolve() == path.resolve():
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(target))
        return real_open(target, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    return "monkeypatch"


def _undo_read_only(path: Path, how: str, monkeypatch) -> None:
    if how == "chattr":
        subprocess.run([shutil.which("chattr") or "chattr", "-i", str(path)], check=True)
    elif how == "chmod":
        os.chmod(path.parent, 0o755)
    else:
        monkeypatch.undo()
    os.chmod(path, 0o644)


def test_read_only_file_fails_cleanly_and_a_second_run_finishes(projects, eventmod, monkeypatch):
    project, reference = projects
    old = snapshot(project / "root")
    locked = project / "root" / "pkg_bravo" / "mod.py"
    how = _make_read_only(locked, monkeypatch)
    try:
        result = eventmod(*apply_args(project))
        assert result.exit_code != 0
        assert "Traceback" not in result.output
        # the pre-flight check finds the file before anything is touched: nothing is written
        assert f"error: writing {locked} failed: " in result.output, result.output
        assert "nothing was written." in result.output, result.output
        fresh, stale = assert_old_or_new(project, old, reference)
        assert fresh == [] and len(stale) == 4
    finally:
        _undo_read_only(locked, how, monkeypatch)
    # The reference's file is 0644 after its run; the mode is part of the tree hash.
    assert_second_run_completes(project, reference, eventmod)


# -- (b) disk full on the second file ----------------------------------------------------------------
def test_disk_full_on_second_file(projects, eventmod, monkeypatch):
    """fsync of the 2nd file's temporary copy fails with ENOSPC while staging: every temporary
    file is removed, nothing is replaced, and apply stops with a clear message."""
    project, reference = projects
    old = snapshot(project / "root")
    real_fsync = os.fsync
    calls = {"n": 0}

    def full_disk(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    result = eventmod(*apply_args(project))
    monkeypatch.undo()
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    where = project / "root" / "pkg_alpha" / "mod.py"
    assert f"error: writing {where} failed: {os.strerror(errno.ENOSPC)}; nothing was written." in result.output, result.output
    fresh, stale = assert_old_or_new(project, old, reference)
    assert fresh == []
    assert_second_run_completes(project, reference, eventmod)


@pytest.mark.parametrize("failing_call", [1, 3, 4])
def test_disk_full_on_any_file_leaves_no_torn_or_temp_files(projects, eventmod, monkeypatch, failing_call):
    project, reference = projects
    old = snapshot(project / "root")
    real_replace = os.replace
    calls = {"n": 0}

    def full_disk(src, dst, **kwargs):
        if not Path(dst).is_relative_to(project):
            return real_replace(src, dst, **kwargs)  # eventmod's caches: not the project's files
        calls["n"] += 1
        if calls["n"] == failing_call:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    result = eventmod(*apply_args(project))
    monkeypatch.undo()
    assert result.exit_code != 0 and "Traceback" not in result.output
    if failing_call == 1:
        assert "nothing was written." in result.output, result.output
    else:
        assert f"{failing_call - 1} of 4 files were written; run apply again to finish" in result.output, result.output
    fresh, _ = assert_old_or_new(project, old, reference)
    assert len(fresh) == failing_call - 1
    assert_second_run_completes(project, reference, eventmod)


# -- (c) SIGKILL between two files -------------------------------------------------------------------
KILLING_APPLY = """
import os, signal, sys
import eventmod.io.writer as writer

real = writer.write_files
kill_after = int(sys.argv[1])

def killing(items, *, after_replace=None):
    def crash(done):
        if done == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # like a power cut: no cleanup code runs
    return real(items, after_replace=crash)

writer.write_files = killing
from eventmod.cli.app import app
app(sys.argv[2:], prog_name="eventmod")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("kill_after", [1, 3])
def test_sigkill_between_files(projects, eventmod, kill_after):
    """The apply process SIGKILLs itself right after its N-th file is replaced: the crash is
    injected by this test through write_files' `after_replace` callback (production code has no
    hook that could be triggered from outside)."""
    project, reference = projects
    old = snapshot(project / "root")
    cwd = project / "cwd"
    cwd.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", KILLING_APPLY, str(kill_after), *apply_args(project)],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, "NO_COLOR": "1"},
    )
    shutil.rmtree(cwd)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout, proc.stderr)
    fresh, _ = assert_old_or_new(project, old, reference, crashed=True)
    assert fresh == list(TARGETS[:kill_after])
    assert_second_run_completes(project, reference, eventmod)


def test_the_crash_hook_is_not_reachable_from_the_environment():
    """The writer reads no test switch from the environment (the old EVENTMOD_TEST_KILL_AFTER_WRITES)."""
    import eventmod.io.writer as writer

    source = Path(writer.__file__).read_text()
    assert "environ" not in source and "SIGKILL" not in source and "os.kill" not in source


def test_modes_survive_an_interrupted_run(projects, eventmod, monkeypatch):
    """A file's mode is kept across the partial and the resumed run."""
    project, reference = projects
    for base in (project, reference):
        os.chmod(base / "root" / "pkg_charlie" / "mod.py", 0o750)
    # The reference was already applied: re-derive its expected bytes with a fresh run.
    calls = {"n": 0}
    real_replace = os.replace

    def fail_third(src, dst, **kwargs):
        if not Path(dst).is_relative_to(project):
            return real_replace(src, dst, **kwargs)  # eventmod's caches: not the project's files
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", fail_third)
    assert eventmod(*apply_args(project)).exit_code != 0
    monkeypatch.undo()
    assert eventmod(*apply_args(project)).exit_code == 0
    assert stat.S_IMODE((project / "root" / "pkg_charlie" / "mod.py").stat().st_mode) == 0o750
    assert tree_hash(project / "root") == tree_hash(reference / "root")
