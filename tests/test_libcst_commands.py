"""The LibCST codemod commands (`eventmod.codemods`, re-exported by the repository's `codemods/`):
LibCST's own runner writes exactly what `eventmod apply` / `eventmod revert` write; files LibCST
cannot reproduce byte for byte are skipped with the reason; problems are failures, never a
silent success; and libcst stays out of every other command."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst
import pytest
from libcst.codemod import CodemodContext, SkipFile, TransformSkip, parallel_exec_transform_with_prettyprint, transform_module
from libcst.codemod._cli import gather_files

from eventmod.codemods.command import CodemodRefused, reproduces
from eventmod.codemods.inject_events import InjectEvents
from eventmod.codemods.revert_events import RevertEvents
from tests.conftest import FIXTURE, REPO, SPECS, copy_tree

ENUM_FILE = "core/event_logger.py"
TARGET = "protection/trailing_stop.py"  # a target file of the catalog (component trailing_stop)
PROTECTION = ("trailing_stop", "stop_loss_manager")  # the components whose files are in protection/


def _protection_paths(root: Path) -> list[Path]:
    """protection/ (3 files, 2 of them targets) and the enum file: a fast, complete run."""
    return [root / "protection", root / ENUM_FILE]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _without(files: dict[str, bytes], *names: str) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name not in names}


def _run_libcst(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "libcst.tool", "codemod", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def _in_process(command, root: Path, *, paths: list[Path] | None = None, specs: Path = SPECS, jobs: int = 1,
                repo_root: Path | None = None, **arguments):
    """LibCST's parallel runner in this process (jobs=1: its synchronous executor)."""
    files = gather_files([str(p) for p in (paths or [root])])
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        result = parallel_exec_transform_with_prettyprint(
            command, files, jobs=jobs, hide_progress=True, repo_root=str(repo_root or root),
            codemod_args={"root": str(root), "specs": str(specs), **arguments},
        )
    return result, stderr.getvalue()


def _eventmod(eventmod, command: str, root: Path, *args: str, specs: Path = SPECS):
    result = eventmod(command, "--root", str(root), "--specs", str(specs), "--jobs", "1", "--allow-dirty", *args)
    assert result.exit_code == 0, result.output
    return result


def _repository_copy(tmp_path: Path) -> Path:
    """The parts of this repository the LibCST runner reads, so the README's command runs as is."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("pyproject.toml", ".libcst.codemod.yaml"):
        shutil.copy2(REPO / name, repo / name)
    copy_tree(REPO / "codemods", repo / "codemods")
    copy_tree(SPECS, repo / "event_specs")
    copy_tree(FIXTURE, repo / "fixtures" / "tradingbot")
    return repo


# -- LibCST's runner == eventmod, whole catalog ----------------------------------------------------
def test_libcst_tool_writes_what_eventmod_apply_writes_and_revert_restores(tmp_path, eventmod):
    """The command from the README, run by `python -m libcst.tool` (its process pool), against
    `eventmod apply` on a second copy; then `revert_events.RevertEvents` against `eventmod revert`."""
    repo = _repository_copy(tmp_path)
    bot = repo / "fixtures" / "tradingbot"
    original = _files(bot)
    proc = _run_libcst(repo, "inject_events.InjectEvents", "--specs", "event_specs", "fixtures/tradingbot")
    assert proc.returncode == 0, proc.stderr
    assert "Transformed 9 files successfully" in proc.stderr and "Failed to codemod 0 files" in proc.stderr, proc.stderr
    by_libcst = _files(bot)

    other = copy_tree(FIXTURE, tmp_path / "apply")
    assert "148 event(s) inserted" in _eventmod(eventmod, "apply", other).output
    by_eventmod = _files(other)
    assert by_libcst.keys() == by_eventmod.keys() == original.keys()
    differing = [name for name in original if by_libcst[name] != by_eventmod[name]]
    assert differing == []
    assert sum(by_libcst[name] != original[name] for name in original) == 9

    proc = _run_libcst(repo, "revert_events.RevertEvents", "-j", "1", "--specs", "event_specs", "fixtures/tradingbot")
    assert proc.returncode == 0, proc.stderr
    assert "Transformed 8 files successfully" in proc.stderr, proc.stderr
    # main.py's two hand-written blocks are not eventmod's layout: left alone, as warnings
    assert "2 warnings were generated" in proc.stderr and "WARNING: left alone: main.py:" in proc.stderr
    _eventmod(eventmod, "revert", other)
    reverted = _files(bot)
    assert reverted == _files(other)
    assert _without(reverted, ENUM_FILE) == _without(original, ENUM_FILE)
    assert reverted[ENUM_FILE] == by_eventmod[ENUM_FILE]  # enum members are kept, as by `eventmod revert`


@pytest.mark.parametrize("selectors", [
    {"component": ["trailing_stop", "zombie_manager"]},
    {"event": ["ts_created", "zm_cleanup_completed"], "emit": "background"},
])
def test_in_process_runner_with_selectors_matches_eventmod_apply(tmp_path, eventmod, selectors):
    flags = [f for key, values in selectors.items() if key != "emit" for value in values for f in (f"--{key}", str(value))]
    if "emit" in selectors:
        flags += ["--emit", selectors["emit"]]
    by_libcst = copy_tree(FIXTURE, tmp_path / "libcst")
    original = _files(by_libcst)
    result, stderr = _in_process(InjectEvents, by_libcst, **selectors)
    assert result.failures == 0, stderr
    by_eventmod = copy_tree(FIXTURE, tmp_path / "eventmod")
    _eventmod(eventmod, "apply", by_eventmod, *flags)
    assert _files(by_libcst) == _files(by_eventmod)
    assert _files(by_libcst) != original
    assert result.successes == sum(_files(by_libcst)[n] != original[n] for n in original)


def test_switching_emit_rewrites_the_blocks_as_eventmod_apply_does(tmp_path, eventmod):
    """Re-emit: blocks applied with `await`, then the command with `--emit background`."""
    by_libcst = copy_tree(FIXTURE, tmp_path / "libcst")
    by_eventmod = copy_tree(FIXTURE, tmp_path / "eventmod")
    for root in (by_libcst, by_eventmod):
        _eventmod(eventmod, "apply", root, "--component", "trailing_stop")
    awaited = _files(by_libcst)
    result, stderr = _in_process(InjectEvents, by_libcst, paths=_protection_paths(by_libcst), component=["trailing_stop"],
                                 emit="background")
    assert (result.successes, result.failures) == (1, 0), stderr
    _eventmod(eventmod, "apply", by_eventmod, "--component", "trailing_stop", "--emit", "background")
    assert _files(by_libcst) == _files(by_eventmod) != awaited
    assert b"asyncio.create_task(" in (by_libcst / TARGET).read_bytes()


@pytest.mark.parametrize("flags, kwargs", [
    (("--no-failsafe",), {"failsafe": False}),
    (("--emit", "auto", "--failsafe"), {"emit": "auto", "failsafe": True}),
])
def test_emit_and_failsafe_options_match_eventmod_apply(tmp_path, eventmod, flags, kwargs):
    """The commands take the CLI's emit modes and --failsafe/--no-failsafe, with its meaning."""
    by_libcst = copy_tree(FIXTURE, tmp_path / "libcst")
    by_eventmod = copy_tree(FIXTURE, tmp_path / "eventmod")
    original = _files(by_libcst)
    result, stderr = _in_process(InjectEvents, by_libcst, component=["zombie_manager"], **kwargs)
    assert result.failures == 0, stderr
    _eventmod(eventmod, "apply", by_eventmod, "--component", "zombie_manager", *flags)
    assert _files(by_libcst) == _files(by_eventmod) != original
    after = _files(by_libcst)
    added = sum(after[name].count(b"except Exception") - original[name].count(b"except Exception") for name in original)
    assert (added > 0) == kwargs["failsafe"]


def test_the_commands_parse_every_emit_mode_and_the_failsafe_switch():
    import argparse

    parser = argparse.ArgumentParser()
    InjectEvents.add_args(parser)
    for mode in ("auto", "await", "background", "sync"):
        assert parser.parse_args(["--emit", mode]).emit == mode
    assert parser.parse_args(["--no-failsafe"]).failsafe is False
    assert parser.parse_args([]).failsafe is None


def test_another_repository_lists_the_installed_package_and_passes_selectors(tmp_path, eventmod):
    """The README's setup for other repositories: `modules: ['eventmod.codemods']` in their own
    `.libcst.codemod.yaml`; the selectors, --root and --specs go through LibCST's argument parser."""
    project = tmp_path / "project"
    bot = copy_tree(FIXTURE, project / "src" / "bot")
    specs = copy_tree(SPECS, project / "audit" / "specs")
    (project / ".libcst.codemod.yaml").write_text("modules:\n  - 'eventmod.codemods'\nrepo_root: '.'\n", encoding="utf-8")
    proc = _run_libcst(project, "inject_events.InjectEvents", "--no-format", "--hide-progress", "--root", "src/bot",
                       "--specs", "audit/specs", "--component", "zombie_manager", "--component", "trailing_stop",
                       "--phase", "1", "--phase", "2", "src/bot/core", "src/bot/protection")
    assert proc.returncode == 0, proc.stderr
    assert "Transformed 3 files successfully" in proc.stderr, proc.stderr
    other = copy_tree(FIXTURE, tmp_path / "other")
    _eventmod(eventmod, "apply", other, "--component", "zombie_manager", "--component", "trailing_stop",
              "--phase", "1", "--phase", "2", specs=specs)
    assert _files(bot) == _files(other) != _files(FIXTURE)


def test_second_run_changes_nothing_and_says_why(tmp_path):
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    paths = [*_protection_paths(bot), bot / "core" / "models.py"]
    first, _ = _in_process(InjectEvents, bot, paths=paths, component=list(PROTECTION))
    assert (first.successes, first.failures) == (3, 0)
    applied = _files(bot)
    second, stderr = _in_process(InjectEvents, bot, paths=paths, component=list(PROTECTION))
    assert (second.successes, second.failures, second.skips) == (0, 0, 5)
    assert f"Skipped codemodding {bot / TARGET}: nothing to insert: 18 event(s) present" in stderr
    assert "no selected event targets core/models.py" in stderr
    assert _files(bot) == applied


def test_repeated_runs_in_one_process_plan_from_the_current_files(tmp_path, eventmod):
    """The per-process plan memo never hands out a stale plan: inject, revert, inject again, and
    a spec edited between two runs, all in one process."""
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    specs = copy_tree(SPECS, tmp_path / "specs")
    original = _files(bot)
    scope = {"paths": _protection_paths(bot), "specs": specs, "component": ["trailing_stop"]}
    _in_process(InjectEvents, bot, **scope)
    applied = _files(bot)
    assert applied != original
    _in_process(RevertEvents, bot, **scope)
    assert _without(_files(bot), ENUM_FILE) == _without(original, ENUM_FILE)
    _in_process(InjectEvents, bot, **scope)
    assert _files(bot) == applied
    _in_process(RevertEvents, bot, **scope)
    spec = specs / "trailing_stop.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("comment: Log trailing stop creation",
                                                             "comment: Log the creation of a trailing stop"), encoding="utf-8")
    result, stderr = _in_process(InjectEvents, bot, **scope)
    assert result.failures == 0, stderr
    assert b"# Log the creation of a trailing stop" in (bot / TARGET).read_bytes()
    other = copy_tree(FIXTURE, tmp_path / "other")
    _eventmod(eventmod, "apply", other, "--component", "trailing_stop", specs=specs)
    assert _without(_files(bot), ENUM_FILE) == _without(_files(other), ENUM_FILE)


# -- files LibCST cannot reproduce byte for byte -----------------------------------------------------
def _module_level_form_feed(data: bytes) -> bytes:
    at = data.index(b"\nclass ") + 1
    return data[:at] + b"\x0c" + data[at:]  # ^L page break before a class (LibCST#446 family)


def _indented_form_feed(data: bytes) -> bytes:
    return data.replace(b"\n    async def ", b"\n\x0c    async def ", 1)


def _backslash_blank_line(data: bytes) -> bytes:
    at = data.index(b"\nclass ") + 1
    return data[:at] + b"\\\n" + data[at:]  # an explicit line join on an empty line


UNREPRODUCIBLE = {"module_form_feed": _module_level_form_feed, "indented_form_feed": _indented_form_feed,
                  "backslash_blank_line": _backslash_blank_line}


@pytest.mark.parametrize("name", sorted(UNREPRODUCIBLE))
def test_a_file_libcst_cannot_reproduce_is_skipped_with_the_reason(tmp_path, eventmod, name):
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    data = UNREPRODUCIBLE[name]((bot / TARGET).read_bytes())
    compile(data, TARGET, "exec")  # valid Python ...
    assert libcst.parse_module(data).bytes != data  # ... that LibCST 1.9 regenerates differently
    (bot / TARGET).write_bytes(data)
    original = _files(bot)
    result, stderr = _in_process(InjectEvents, bot, paths=_protection_paths(bot), component=list(PROTECTION))
    assert (result.successes, result.failures) == (2, 0), stderr
    assert f"Skipped codemodding {bot / TARGET}: LibCST cannot reproduce {TARGET} byte for byte" in stderr
    assert "(its code generator changes line " in stderr
    assert (bot / TARGET).read_bytes() == data
    # eventmod itself instruments the file (splicing lines, no code generator) ...
    other = copy_tree(bot, tmp_path / "other")
    _eventmod(eventmod, "apply", other, *(f for c in PROTECTION for f in ("--component", c)))
    assert (other / TARGET).read_bytes() != data
    # ... and every other file is what eventmod wrote
    assert _without(_files(bot), TARGET) == _without(_files(other), TARGET)
    assert _files(bot) != original


def test_an_enum_file_libcst_cannot_reproduce_refuses_the_files_that_need_its_members(tmp_path):
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    enum = bot / ENUM_FILE
    enum.write_bytes(_module_level_form_feed(enum.read_bytes()))
    original = _files(bot)
    result, stderr = _in_process(InjectEvents, bot, paths=_protection_paths(bot), component=list(PROTECTION))
    assert result.successes == 0 and result.failures == 2, stderr
    assert f"Skipped codemodding {enum}: LibCST cannot reproduce {ENUM_FILE} byte for byte" in stderr
    assert (f"{TARGET}: eventmod refuses to change this file: its blocks use EventType member(s) "
            in stderr)
    assert f"but LibCST cannot reproduce {ENUM_FILE} byte for byte" in stderr
    assert _files(bot) == original  # no block that names a missing member was written


def test_reproduces_detects_libcst_round_trip_failures():
    plain = (FIXTURE / TARGET).read_bytes()
    assert reproduces(plain) and reproduces(b"") and reproduces(b"x = 1\r\ny = 2\r\n")
    for mutate in UNREPRODUCIBLE.values():
        assert not reproduces(mutate(plain))
    assert not reproduces(b"x = (\n")  # does not parse


def test_an_output_libcst_cannot_reproduce_is_skipped(tmp_path, monkeypatch):
    """eventmod's planned bytes are checked too: LibCST's runner writes `.bytes` of the module
    the command returns, which must be exactly eventmod's output (simulated: LibCST 1.9 has no
    input that round-trips whose instrumented form does not)."""
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    original = _files(bot)
    real_parse = libcst.parse_module

    def lossy_for_new_text(source, *args, **kwargs):
        module = real_parse(source, *args, **kwargs)
        if isinstance(source, bytes) and b"EventType.TRAILING_STOP_CREATED" in source:
            return module.with_changes(body=module.body[:-1])  # a code generator that loses a statement
        return module

    import eventmod.codemods.command as command

    monkeypatch.setattr(command.libcst, "parse_module", lossy_for_new_text)
    result, stderr = _in_process(InjectEvents, bot, paths=_protection_paths(bot), component=["trailing_stop"])
    monkeypatch.undo()
    assert result.failures == 0, stderr
    assert f"LibCST cannot reproduce eventmod's output for {TARGET} byte for byte (line " in stderr
    assert (bot / TARGET).read_bytes() == original[TARGET]


# -- problems are failures ------------------------------------------------------------------------------
def _break_function_name(specs: Path) -> str:
    spec = specs / "trailing_stop.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("in: SmartTrailingStopManager.create_trailing_stop",
                                                             "in: SmartTrailingStopManager.create_trailng_stop"), encoding="utf-8")
    return "function 'SmartTrailingStopManager.create_trailng_stop' not found in protection/trailing_stop.py"


def _break_yaml(specs: Path) -> str:
    spec = specs / "zombie_manager.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    return "zombie_manager.yaml:"


def _unknown_key(specs: Path) -> str:
    spec = specs / "stop_loss_manager.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("    payload:", "    payloads:", 1), encoding="utf-8")
    return "unknown key 'payloads'"


@pytest.mark.parametrize("breaker", [_break_function_name, _break_yaml, _unknown_key])
def test_a_spec_problem_fails_every_file_under_the_root_and_changes_nothing(tmp_path, breaker):
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    specs = copy_tree(SPECS, tmp_path / "specs")
    expected = breaker(specs)
    original = _files(bot)
    result, stderr = _in_process(InjectEvents, bot, specs=specs, paths=_protection_paths(bot), component=list(PROTECTION))
    assert (result.successes, result.failures, result.skips) == (0, 4, 0), stderr
    assert expected in stderr
    assert "eventmod refuses this run:" in stderr and "no file of the run is changed" in stderr
    assert _files(bot) == original


def test_a_spec_problem_is_a_failure_of_libcst_tool_with_its_process_pool(tmp_path):
    """The refusal crosses LibCST's worker processes (pickled) and the tool exits 1."""
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    specs = copy_tree(SPECS, tmp_path / "specs")
    expected = _break_function_name(specs)
    proc = _run_libcst(REPO, "inject_events.InjectEvents", "-j", "2", "--hide-progress", "--root", str(bot),
                       "--specs", str(specs), "--component", "trailing_stop", str(bot / "core"), str(bot / "protection"))
    assert proc.returncode == 1, proc.stderr
    assert "Failed to codemod 13 files" in proc.stderr and "Transformed 0 files" in proc.stderr
    assert expected in proc.stderr and "BrokenProcessPool" not in proc.stderr
    assert _files(bot) == _files(FIXTURE)


@pytest.mark.parametrize("arguments, expected", [
    ({"component": ["trailing_stopp"]}, "--component: no component 'trailing_stopp' (did you mean 'trailing_stop'?)"),
    ({"event": ["no_such_event"]}, "--event: no event id 'no_such_event'"),
    ({"phase": [7]}, "--phase: phase must be 1-4, got 7"),
])
def test_an_unknown_selector_is_a_failure(tmp_path, arguments, expected):
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    result, stderr = _in_process(RevertEvents if "event" in arguments else InjectEvents, bot, paths=_protection_paths(bot),
                                 **arguments)
    assert (result.successes, result.failures) == (0, 4), stderr
    assert expected in stderr
    assert _files(bot) == _files(FIXTURE)


def test_an_unusable_configuration_is_a_failure(tmp_path):
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    result, stderr = _in_process(InjectEvents, tmp_path / "missing", paths=_protection_paths(bot), repo_root=bot)
    assert (result.successes, result.failures) == (0, 4), stderr
    assert "root is not a directory" in stderr


def test_a_file_whose_blocks_need_members_the_run_does_not_add_fails(tmp_path):
    """Visiting `protection/` alone would write blocks naming EventType members that only the
    enum file (not visited) would define: those files fail; with the enum file they succeed."""
    bot = copy_tree(FIXTURE, tmp_path / "bot")
    result, stderr = _in_process(InjectEvents, bot, paths=[bot / "protection"], component=list(PROTECTION))
    assert (result.successes, result.failures) == (0, 2), stderr
    assert ("eventmod refuses to change this file: its blocks use EventType member(s) ALL_STOPS_CANCELLED, "
            "ATR_CALCULATION_FAILED, BREAKEVEN_TRIGGER_MET, EMERGENCY_STOP_PLACED and 11 more, which this run adds to "
            "core/event_logger.py, but this run does not visit core/event_logger.py") in stderr
    assert _files(bot) == _files(FIXTURE)
    result, stderr = _in_process(InjectEvents, bot, paths=_protection_paths(bot), component=list(PROTECTION))
    assert (result.successes, result.failures) == (3, 0), stderr
    # once the members exist, a later run over protection/ alone is fine
    other = copy_tree(FIXTURE, tmp_path / "other")
    first, _ = _in_process(InjectEvents, other, paths=[other / ENUM_FILE], component=list(PROTECTION))
    assert first.successes == 1
    later, stderr = _in_process(InjectEvents, other, paths=[other / "protection"], component=list(PROTECTION))
    assert (later.successes, later.failures) == (2, 0), stderr
    assert _files(other) == _files(bot)


# -- paths -------------------------------------------------------------------------------------------------
def test_libcst_paths_map_to_root_relative_paths(tmp_path, eventmod):
    """LibCST's repository root is not eventmod's root: files outside the root are skipped, files
    inside map to root-relative paths, whichever way LibCST spells them."""
    repo = tmp_path / "repo"
    bot = copy_tree(FIXTURE, repo / "services" / "bot")
    (repo / "tools").mkdir()
    (repo / "tools" / "script.py").write_text("print('hello')\n", encoding="utf-8")
    result, stderr = _in_process(InjectEvents, bot, paths=[*_protection_paths(bot), repo / "tools"], repo_root=repo,
                                 component=["trailing_stop"])
    assert (result.successes, result.failures) == (2, 0), stderr
    assert f"Skipped codemodding {repo / 'tools' / 'script.py'}: outside eventmod's root {bot.resolve()}" in stderr
    other = copy_tree(FIXTURE, tmp_path / "other")
    _eventmod(eventmod, "apply", other, "--component", "trailing_stop")
    assert _files(bot) == _files(other)

    link = tmp_path / "link"
    link.symlink_to(repo, target_is_directory=True)
    result, stderr = _in_process(RevertEvents, bot, paths=[link / "services" / "bot" / "protection"], repo_root=link,
                                 component=["trailing_stop"])
    assert (result.successes, result.failures) == (1, 0), stderr
    assert _without(_files(bot), ENUM_FILE) == _without(_files(FIXTURE), ENUM_FILE)


def test_code_without_a_file_name_is_skipped():
    command = InjectEvents(CodemodContext(), specs=str(SPECS), root=str(FIXTURE))
    result = transform_module(command, (FIXTURE / TARGET).read_text(encoding="utf-8"))
    assert isinstance(result, TransformSkip)
    assert "LibCST gave no file name" in result.skip_description


def test_refusal_survives_pickling():
    import pickle

    error = CodemodRefused.file("a.py", "why")
    assert str(pickle.loads(pickle.dumps(error))) == str(error) == "a.py: eventmod refuses to change this file: why"
    assert issubclass(SkipFile, Exception) and not issubclass(CodemodRefused, SkipFile)


def test_libcst_tool_lists_the_repository_commands():
    proc = subprocess.run([sys.executable, "-m", "libcst.tool", "list"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "inject_events.InjectEvents - Insert the selected audit events" in proc.stdout
    assert "revert_events.RevertEvents - Remove the blocks eventmod inserted" in proc.stdout


# -- libcst stays out of everything else ---------------------------------------------------------------------
ALLOWED_LIBCST_IMPORTERS = ("eventmod/codemods/",)


def _imports_libcst(path: Path) -> bool:
    tree = ast.parse(path.read_bytes(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "libcst" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "libcst" and not node.level:
            return True
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__") \
                and any(isinstance(a, ast.Constant) and str(a.value).startswith("libcst") for a in node.args):
            return True
    return False


def test_only_the_codemod_commands_import_libcst():
    importers = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "eventmod").rglob("*.py") if _imports_libcst(p))
    assert importers and all(p.startswith(ALLOWED_LIBCST_IMPORTERS) for p in importers), importers
    assert "eventmod/codemods/__init__.py" not in importers  # listing the package stays light



@pytest.mark.parametrize("source, imports", [
    ("import libcst\n", True), ("import libcst.codemod as c\n", True), ("from libcst import parse_module\n", True),
    ("def f():\n    from libcst.codemod import SkipFile\n", True), ("importlib.import_module('libcst')\n", True),
    ("SCRIPT = 'import libcst'\n", False), ("from .libcst import x\n", False), ("import libcstx\n", False),
])
def test_the_import_scanner_sees_every_form_of_import(tmp_path, source, imports):
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert _imports_libcst(path) is imports


@pytest.mark.parametrize("args", [["--version"], ["dry-run", "--jobs", "1"]])
def test_eventmod_commands_never_import_libcst(args):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "eventmod", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "eventmod" in imported  # the profile is there (`--version` stops before the command line)
    assert not [m for m in imported if m.split(".")[0] == "libcst"], [m for m in imported if "libcst" in m]


def test_a_project_with_its_own_codemods_package_does_not_shadow_eventmod(tmp_path):
    project = tmp_path / "project"
    (project / "codemods").mkdir(parents=True)
    (project / "codemods" / "__init__.py").write_text("raise ImportError('the project codemods package')\n", encoding="utf-8")
    (project / "codemods" / "cli.py").write_text("raise SystemExit('the project codemods.cli')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(project)}
    for command in (["eventmod", "--version"], [sys.executable, "-m", "eventmod", "--version"]):
        exe = shutil.which(command[0], path=str(Path(sys.executable).parent)) if command[0] == "eventmod" else command[0]
        assert exe is not None
        proc = subprocess.run([exe, *command[1:]], cwd=project, capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("eventmod ")
    # and the repository's own `codemods` is not installed
    proc = subprocess.run([sys.executable, "-c", "import importlib.util; print(importlib.util.find_spec('codemods'))"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "None", proc.stdout
