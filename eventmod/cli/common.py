"""The steps every spec-reading command shares: flags -> configuration -> project -> selection ->
plan, each failure printed by the command's `Reporter` with the contract's exit code."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import typer

from eventmod.cli.options import Common
from eventmod.cli.output import ExitCode, Paths, ProgressBar, Reporter

if TYPE_CHECKING:
    from eventmod.api import Project
    from eventmod.model.results import RunPlan
    from eventmod.model.spec import Selection


def reporter(common: Common, fmt: str = "text", *, writes: bool = False) -> Reporter:
    """The command's reporter; -q together with -v is a usage error."""
    if common.quiet and common.verbose:
        raise typer.BadParameter("-q/--quiet and -v/--verbose cannot be used together.", param_hint="'-q' / '-v'")
    return Reporter(fmt=fmt, quiet=common.quiet, verbose=common.verbose, writes=writes)


def jobs(common: Common) -> int:
    return common.jobs or os.cpu_count() or 1


def load(common: Common, report: Reporter, *, search_from: list[Path] | None = None) -> "Project":
    """Configuration and catalog; an unusable configuration prints its problems and exits 2."""
    from eventmod.api import load_project
    from eventmod.model.problems import InputError

    try:
        project = load_project(Path.cwd(), config_file=common.config, search_from=search_from, root=common.root,
                               specs=common.specs, emit=common.emit, failsafe=common.failsafe)
    except InputError as exc:
        report.fail(exc.problems)
    report.paths = paths_for(project)
    config = project.config
    report.detail(f"configuration: {report.show(str(config.source)) if config.source else 'defaults (no [tool.eventmod] found)'}")
    report.detail(f"root: {report.show(str(config.root))}; specs: {report.show(str(config.specs))}")
    return project


def paths_for(project: "Project") -> Paths:
    code = {c.file for c in project.catalog.components} | {Path(project.config.enum_file).as_posix()}
    module = project.config.logger_module.replace(".", "/")
    code |= {f"{module}.py", f"{module}/__init__.py"}
    return Paths(project.config.root, frozenset(code))


def prepare(common: Common, report: Reporter) -> tuple["Project", "Selection"]:
    """The project and the validated selection (an unknown component or event: exit 2)."""
    from eventmod.api import Selectors

    project = load(common, report)
    return project, prepare_selection(project, Selectors(common.phase, common.day, common.component, common.event), report)


def prepare_selection(project: "Project", selectors, report: Reporter) -> "Selection":
    from eventmod.model.problems import InputError

    try:
        return project.select(selectors)
    except InputError as exc:
        report.fail(exc.problems)


def plan(project: "Project", selection: "Selection", common: Common, report: Reporter, sink=None, digest=None) -> "RunPlan":
    """Plan the selection with a progress bar on a terminal (`sink`, `digest`: see `api.plan`)."""
    from eventmod import api

    bar = ProgressBar(enabled=not common.quiet)
    try:
        return api.plan(project, selection, jobs=jobs(common), progress=bar, sink=sink, digest=digest)
    finally:
        bar.close()


def plan_or_fail(project: "Project", selection: "Selection", common: Common, report: Reporter, sink=None,
                 digest=None) -> "RunPlan":
    """Plan; any spec or code problem prints every problem and exits 2; warnings are printed."""
    run = plan(project, selection, common, report, sink, digest)
    if run.errors():
        report.fail(run.all_problems())
    report.warnings(run.all_problems())
    return run


@contextmanager
def writing(project: "Project", report: Reporter) -> Iterator[None]:
    """The root's lock, held from planning to the last write (apply, revert); a timeout is exit 2."""
    from eventmod import api
    from eventmod.model.problems import InputError

    lock = api.writing(project.config)
    try:
        lock.__enter__()
    except InputError as exc:
        report.fail(exc.problems)
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def output_target(path: Path | None, report: Reporter, flag: str, *, directory: bool = False) -> Path | None:
    """An output path checked before any work: None or `-` is stdout (returns None); a missing
    parent directory, or a directory where a file is expected (or a file where a directory is),
    is a usage error (exit 2, nothing written)."""
    if path is None or str(path) == "-":
        return None
    if directory:
        if path.exists() and not path.is_dir():
            report.error(f"{flag} {path}: is a file, not a directory")
        return path
    if path.is_dir():
        report.error(f"{flag} {path}: is a directory; give a file name (or - for stdout)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        report.error(f"{flag} {path}: the directory {parent} does not exist")
    return path


def write_output(path: Path, text: "str | Iterator[str]", report: Reporter, flag: str) -> None:
    """Write a text output file (a patch, a schema), given whole or in pieces; an OS error is
    exit 2 with its reason."""
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            for piece in [text] if isinstance(text, str) else text:
                out.write(piece)
    except OSError as exc:
        report.error(f"{flag} {path}: cannot write: {exc.strerror or exc}")


def exit_with(code: ExitCode) -> None:
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))
