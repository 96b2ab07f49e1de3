"""What the LibCST commands share: planning through `eventmod.api`, and handing LibCST the bytes.

LibCST's runner (`python -m libcst.tool codemod`, `parallel_exec_transform_with_prettyprint`)
creates one command per file, in process or in a pool of workers; for each file it parses the
bytes on disk, calls `transform_module` and writes back the `.bytes` of the module it gets. eventmod
never regenerates a file from a syntax tree, so a command:

1. plans the whole selection once per process through the public core (`api.load_project`,
   `Project.select`, `api.plan` / `api.plan_revert`). All or nothing, like `eventmod apply`:
   when the run has an error, every file under the root fails with the located problems, so
   no file of the run is changed;
2. maps LibCST's file name to eventmod's root-relative path, and skips (`SkipFile`, with the
   reason) a file outside the root, a file no selected event targets, and a file whose plan
   changes nothing;
3. skips a file LibCST cannot reproduce byte for byte (`parse_module(code).bytes != code`, for
   example a form feed at the start of a line, LibCST#446): writing LibCST's regenerated text
   would change bytes eventmod did not touch;
4. returns `parse_module(planned bytes)`, whose `.bytes` are exactly eventmod's planned bytes.

The blocks of one file may use `EventType` members that the run adds to the enum file. Such a
file fails when the run does not visit the enum file, or when LibCST cannot reproduce it: its
blocks would name members that do not exist, which breaks the instrumented function.

The plan memo below is the one piece of process state in eventmod, and it exists because LibCST
creates the command once per file: without it every file would reload and replan the project.
It is keyed by the command and its arguments, is replanned when the configuration or a spec
file changes, and a file's planned "before" bytes are compared with the file on disk before they
are used (a stale plan is redone, so repeated runs in one process see each other's writes).
"""

from __future__ import annotations

import argparse
import os
from abc import abstractmethod
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

import libcst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from eventmod import api
from eventmod.config import find_pyproject
from eventmod.model.problems import InputError, Problem
from eventmod.model.record import record
from eventmod.model.settings import EMIT_MODES
from eventmod.model.spec import Selection


class CodemodRefused(Exception):
    """eventmod refuses the run (or this file); LibCST reports the file as a failure. Only the
    message is kept: LibCST's worker processes send the exception back pickled."""

    @classmethod
    def of(cls, path: str, problems: Sequence[Problem], *, listed_elsewhere: bool = False) -> "CodemodRefused":
        errors = [p for p in problems if p.severity == "error"]
        if listed_elsewhere:
            return cls(f"{path}: eventmod refuses this run: {len(errors)} problem(s), listed with each file the specs "
                       "target; no file of the run is changed")
        lines = [p.format() for p in sorted(problems, key=lambda p: (p.path, p.line))]
        return cls(f"{path}: eventmod refuses this run: {len(errors)} problem(s); no file of the run is changed\n" + "\n".join(lines))

    @classmethod
    def file(cls, path: str, reason: str) -> "CodemodRefused":
        """Only this file is refused; the run's other files are changed."""
        return cls(f"{path}: eventmod refuses to change this file: {reason}")


@record
class RunArguments:
    """What a command was asked to do (the key of the plan memo, with the command's name)."""

    cwd: str
    specs: str | None = None
    root: str | None = None
    emit: str | None = None
    selectors: api.Selectors = api.Selectors()
    failsafe: bool | None = None


@record
class FileChange:
    """One file's part of the planned run."""

    path: str  # relative to root, POSIX
    old: bytes | None
    new: bytes | None
    warnings: tuple[str, ...] = ()
    unchanged: str = ""  # why nothing changes (the skip reason when `changed` is false)
    needs_members: tuple[str, ...] = ()  # enum members its new blocks use that the run adds

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old


@record
class Planned:
    """What a command's planner returns for a loaded project."""

    files: tuple[FileChange, ...]
    errors: tuple[Problem, ...]
    enum_reproducible: bool = True  # LibCST reproduces the enum file before and after the run
    enum_before: bytes | None = None  # the enum file before and after the run (when it adds members)
    enum_after: bytes | None = None


@record
class PlannedRun:
    """One command's plan of the whole selection, kept per process (the plan memo): each file's
    change by root-relative path, the errors, the enum file's bytes, and the inputs' fingerprint
    that tells when to plan again."""

    root: Path | None  # None: the configuration itself could not be loaded
    files: dict[str, FileChange]
    errors: tuple[Problem, ...]
    enum_file: str = ""
    enum_class: str = ""
    enum_reproducible: bool = True
    enum_before: bytes | None = None
    enum_after: bytes | None = None
    inputs: tuple[Path, ...] = ()  # the configuration and the spec directory
    fingerprint: tuple[Any, ...] = ()

    def enum_on_disk(self) -> bytes | None:
        try:
            return (self.root / self.enum_file).read_bytes() if self.root is not None else None
        except OSError:
            return None


# -- the plan memo (see the module docstring) -----------------------------------------------------
_PLANS: dict[tuple[str, RunArguments], PlannedRun] = {}
_MAX_PLANS = 8


def input_fingerprint(inputs: Sequence[Path]) -> tuple[Any, ...]:
    """(path, mtime, size) of the configuration file and of each spec file."""
    stamps: list[tuple[str, int | None, int | None]] = []
    for path in inputs:
        try:
            entries = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        except OSError:
            entries = [path]
        for entry in entries:
            try:
                stat = entry.stat()
                stamps.append((str(entry), stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append((str(entry), None, None))
    return tuple(stamps)


def reproduces(data: bytes | None) -> bool:
    """Whether LibCST's parse + code generation gives `data` back byte for byte."""
    if data is None:
        return True
    try:
        return libcst.parse_module(data).bytes == data
    except Exception:  # noqa: BLE001 - any parser failure means "cannot reproduce"
        return False


def first_difference(old: bytes, new: bytes) -> tuple[int, bytes]:
    """1-based line number of the first line that differs, and that line of `old`."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for number, (a, b) in enumerate(zip(old_lines, new_lines), start=1):
        if a != b:
            return number, a
    number = min(len(old_lines), len(new_lines)) + 1
    return number, old_lines[number - 1] if number <= len(old_lines) else b""


def relative_to_root(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None


# -- the commands' base class ----------------------------------------------------------------------
class EventmodCommand(CodemodCommand):
    """A LibCST command that writes what an eventmod command would write, file by file."""

    KIND = ""

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        group = arg_parser.add_argument_group("eventmod")
        group.add_argument("--specs", default=None, help="The spec directory (default: [tool.eventmod] specs).")
        group.add_argument("--root", default=None, help="The code to instrument (default: [tool.eventmod] root).")
        group.add_argument("--phase", type=int, action="append", default=None, help="Select events of rollout phase N (repeatable).")
        group.add_argument("--day", type=int, action="append", default=None, help="Select events planned on day D (repeatable).")
        group.add_argument("--component", action="append", default=None, help="Select a component by name (repeatable).")
        group.add_argument("--event", action="append", default=None, help="Select one event by id (repeatable).")
        group.add_argument("--emit", choices=EMIT_MODES, default=None, help="Default emit mode (default: [tool.eventmod] emit).")
        group.add_argument("--failsafe", action=argparse.BooleanOptionalAction, default=None,
                           help="Wrap blocks so that no logging failure reaches the caller (default: [tool.eventmod] failsafe).")

    def __init__(self, context: CodemodContext, specs: str | None = None, root: str | None = None,
                 phase: Sequence[int] | None = None, day: Sequence[int] | None = None,
                 component: Sequence[str] | None = None, event: Sequence[str] | None = None,
                 emit: str | None = None, failsafe: bool | None = None) -> None:
        super().__init__(context)
        selectors = api.Selectors(tuple(phase or ()), tuple(day or ()), tuple(component or ()), tuple(event or ()))
        self.arguments = RunArguments(os.getcwd(), None if specs is None else str(specs),
                                      None if root is None else str(root), emit, selectors, failsafe)

    @abstractmethod
    def plan_changes(self, project: api.Project, selection: Selection) -> Planned:
        """Plan the selection and describe each file's change."""

    # -- planning, once per process ------------------------------------------------------------
    def planned(self, *, refresh: bool = False) -> PlannedRun:
        key = (self.KIND, self.arguments)
        current = _PLANS.get(key)
        if current is None or refresh or input_fingerprint(current.inputs) != current.fingerprint:
            if len(_PLANS) >= _MAX_PLANS:
                _PLANS.clear()
            current = _PLANS[key] = self._plan()
        return current

    def _plan(self) -> PlannedRun:
        arguments = self.arguments
        cwd = Path(arguments.cwd)
        try:
            project = api.load_project(cwd, root=arguments.root, specs=arguments.specs, emit=arguments.emit,
                                          failsafe=arguments.failsafe)
        except InputError as exc:
            inputs = tuple(p for p in (find_pyproject(cwd), Path(arguments.specs) if arguments.specs else None) if p is not None)
            return PlannedRun(None, {}, tuple(exc.problems), inputs=inputs, fingerprint=input_fingerprint(inputs))
        config = project.config
        inputs = tuple(p for p in (config.source, config.specs) if p is not None)
        fingerprint = input_fingerprint(inputs)  # before reading: a spec edited meanwhile replans
        enum_file = Path(config.enum_file).as_posix()
        try:
            selection = project.select(arguments.selectors)
        except InputError as exc:
            return PlannedRun(config.root, {}, (*project.spec_problems, *exc.problems), enum_file, config.enum_class,
                              inputs=inputs, fingerprint=fingerprint)
        planned = self.plan_changes(project, selection)
        return PlannedRun(config.root, {f.path: f for f in planned.files}, planned.errors, enum_file, config.enum_class,
                          planned.enum_reproducible, planned.enum_before, planned.enum_after, inputs, fingerprint)

    # -- one file --------------------------------------------------------------------------------
    def transform_module(self, tree: libcst.Module) -> libcst.Module:
        """Straight to `transform_module_impl`: the command declares no metadata and schedules no
        follow-up import visitors, and the base class would deep-copy the whole tree for them
        (a third of the run's time on the fixture catalog)."""
        return self.transform_module_impl(tree)

    def transform_module_impl(self, tree: libcst.Module) -> libcst.Module:
        filename = self.context.filename
        if not filename:
            raise SkipFile("eventmod changes files under its root; LibCST gave no file name (code from stdin?)")
        run = self.planned()
        if run.root is None:
            raise CodemodRefused.of(filename, run.errors)
        path = self._locate(filename)
        rel = relative_to_root(path, run.root)
        if rel is None:
            raise SkipFile(f"outside eventmod's root {run.root}")
        change = run.files.get(rel)
        disk = path.read_bytes() if change is not None else b""
        if change is not None and self._stale(run, change, disk):  # e.g. planned by an earlier run in this process
            run = self.planned(refresh=True)
            change = run.files.get(rel)
            if change is not None and self._stale(run, change, disk):
                raise CodemodRefused.file(rel, "it changed on disk while the run was planned; run the command again")
        if run.errors:
            raise CodemodRefused.of(rel, run.errors, listed_elsewhere=change is None and bool(run.files))
        if change is None:
            raise SkipFile(f"no selected event targets {rel}")
        for warning in change.warnings:
            self.warn(warning)
        if not change.changed:
            raise SkipFile(change.unchanged)
        regenerated = tree.bytes
        if regenerated != disk:
            line, text = first_difference(disk, regenerated)
            raise SkipFile(
                f"LibCST cannot reproduce {rel} byte for byte (its code generator changes line {line}: {text!r}); "
                "left alone so that no byte eventmod did not write changes. `eventmod apply` changes it without LibCST."
            )
        if change.needs_members:
            self._check_enum(run, filename, rel, change)
        assert change.new is not None
        try:
            new_tree = libcst.parse_module(change.new)
        except libcst.ParserSyntaxError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SkipFile(f"LibCST cannot parse eventmod's output for {rel} ({first}); left alone. "
                           "`eventmod apply` changes it without LibCST.") from None
        if new_tree.bytes != change.new:
            line, text = first_difference(change.new, new_tree.bytes)
            raise SkipFile(f"LibCST cannot reproduce eventmod's output for {rel} byte for byte (line {line}: {text!r}); "
                           "left alone. `eventmod apply` changes it without LibCST.")
        return new_tree

    @staticmethod
    def _stale(run: PlannedRun, change: FileChange, disk: bytes) -> bool:
        """The file, or the enum file its blocks depend on, is not what the plan read (the enum
        file may already hold this run's members: another file of the run wrote them)."""
        if change.old is not None and disk != change.old:
            return True
        return bool(change.needs_members) and run.enum_on_disk() not in (run.enum_before, run.enum_after)

    def _locate(self, filename: str) -> Path:
        """LibCST's file name as a path: absolute from its runner; a relative one is read from
        the working directory (as LibCST opens it), else from LibCST's repository root."""
        path = Path(filename)
        if path.is_absolute() or path.exists():
            return path.absolute()
        manager = self.context.metadata_manager
        if manager is not None and (Path(manager.root_path) / path).exists():
            return Path(manager.root_path).absolute() / path
        return path.absolute()

    def _check_enum(self, run: PlannedRun, filename: str, rel: str, change: FileChange) -> None:
        """The members this file's blocks use reach the enum file in the same run, or refuse."""
        shown = ", ".join(change.needs_members[:4]) + (f" and {len(change.needs_members) - 4} more" if len(change.needs_members) > 4 else "")
        uses = f"its blocks use {run.enum_class} member(s) {shown}, which this run adds to {run.enum_file}"
        if run.enum_on_disk() == run.enum_after:
            return  # the members exist already (this run, or an earlier one, wrote the enum file)
        if not run.enum_reproducible:
            raise CodemodRefused.file(rel, f"{uses}, but LibCST cannot reproduce {run.enum_file} byte for byte, "
                                           "so this command leaves it alone; run `eventmod apply` instead")
        manager = self.context.metadata_manager
        if manager is None:
            self.warn(f"{rel}: {uses}; codemod {run.enum_file} in the same run")
            return
        depth = len(PurePosixPath(rel).parts)
        base = Path(filename).parents[depth - 1] if len(Path(filename).parents) >= depth else Path(filename).parent
        candidates = {os.path.join(str(base), *run.enum_file.split("/")), str(run.root / run.enum_file) if run.root else ""}
        for candidate in filter(None, candidates):
            try:
                manager.get_cache_for_path(candidate)  # raises ValueError for a file not in this run
                return
            except ValueError:
                continue
        raise CodemodRefused.file(rel, f"{uses}, but this run does not visit {run.enum_file}: "
                                       "include it (or the whole root) in the paths")


# -- shared helpers for the two commands ----------------------------------------------------------
def with_run_warnings(files: list[FileChange], warnings: Sequence[Problem]) -> tuple[FileChange, ...]:
    """Attach run-level warnings to the file they name, else to the first file of the run, so
    LibCST prints each one once."""
    if not files or not warnings:
        return tuple(files)
    extra: dict[str, list[str]] = {}
    paths = {f.path for f in files}
    for problem in warnings:
        extra.setdefault(problem.path if problem.path in paths else files[0].path, []).append(problem.format())
    return tuple(FileChange(f.path, f.old, f.new, (*f.warnings, *extra.get(f.path, ())), f.unchanged, f.needs_members)
                 for f in files)


def counted(counts: Counter, verb: str) -> str:
    parts = [f"{n} event(s) {status}" for status, n in sorted(counts.items(), key=lambda item: str(item[0]))]
    return f"nothing to {verb}" + (f": {', '.join(parts)}" if parts else "")


