"""The `eventmod` command line: each command parses its flags, calls one core function
(`eventmod.api`, or a workflow in `eventmod.cli.workflows`) and prints what it returns.

Exit codes: 0 ok, 1 findings (`check` pending or drifted events, `coverage` under
`--fail-under`), 2 invalid input (nothing written).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

from eventmod import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Instrument an async codebase with structured audit events from YAML specs.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2

# -- shared options ------------------------------------------------------------------------------
PhaseOpt = typer.Option(None, "--phase", help="Select events of rollout phase N (repeatable).")
DayOpt = typer.Option(None, "--day", help="Select events planned on day D (repeatable).")
ComponentOpt = typer.Option(None, "--component", help="Select a component by name (repeatable).")
EventOpt = typer.Option(None, "--event", help="Select one event by id (repeatable).")
RootOpt = typer.Option(None, "--root", help="The code to instrument (default: [tool.eventmod] root).")
SpecsOpt = typer.Option(None, "--specs", help="The spec directory (default: [tool.eventmod] specs).")
EmitOpt = typer.Option(None, "--emit", help="Default emit mode: await | background.")
JobsOpt = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count; 1 = in process).")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"eventmod {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """eventmod: YAML specs -> guarded `log_event` blocks, applied as reviewable codemods."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _selectors(phase, day, component, event):
    from eventmod.api import Selectors

    return Selectors(tuple(phase or ()), tuple(day or ()), tuple(component or ()), tuple(event or ()))


def _project(root, specs, emit=None):
    """Load config + catalog; an unusable configuration prints its problems and exits 2."""
    from eventmod.api import load_project
    from eventmod.model.problems import InputError

    try:
        return load_project(Path.cwd(), root=root, specs=specs, emit=emit)
    except InputError as exc:
        _fail(exc.problems)


def _prepare(root, specs, emit, selectors):
    """The project and the validated selection (unknown selectors: exit 2)."""
    from eventmod.model.problems import InputError

    project = _project(root, specs, emit)
    try:
        return project, project.select(selectors)
    except InputError as exc:
        _fail(exc.problems)


def _fail(problems, fmt: str = "text") -> NoReturn:
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "json":
        _echo_json({"ok": False, "problems": [_problem_json(p) for p in problems]})
        raise typer.Exit(EXIT_INVALID)
    for problem in sorted(problems, key=lambda p: (p.path, p.line)):
        _err(problem.format())
    _err(f"{len(errors)} problem(s); nothing was written.")
    raise typer.Exit(EXIT_INVALID)


def _problem_json(problem) -> dict:
    return {"path": problem.path, "line": problem.line, "event": problem.event_id, "severity": problem.severity,
            "message": problem.message}


def _echo_json(data) -> None:
    import json

    typer.echo(json.dumps(data, indent=2))


class _Bar:
    """A progress bar on stderr for runs over more than a handful of files, only on a terminal."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, total: int) -> None:
        if total > 8 and sys.stderr.isatty() and not os.environ.get("CI"):
            self._bar = typer.progressbar(length=total, label="planning", file=sys.stderr)
            self._bar.__enter__()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _plan(project, selection, jobs, *, fail_on_errors: bool = True, fmt: str = "text"):
    """Plan the run; with `fail_on_errors`, any spec or code problem prints all and exits 2."""
    from eventmod import api

    bar = _Bar()
    try:
        run = api.plan(project, selection, jobs=_jobs(jobs), progress=bar)
    finally:
        bar.close()
    if fail_on_errors:
        if run.errors():
            _fail(run.all_problems(), fmt)
        if fmt != "json":
            for warning in run.all_problems():
                _err(warning.format())
    return run


def _jobs(jobs: Optional[int]) -> int:
    return jobs if jobs and jobs > 0 else (os.cpu_count() or 1)


def _use_color(mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _show_write(result, verb: str) -> None:
    """Print why a write was refused or failed, and exit 2; nothing when it succeeded."""
    if result.dirty:
        _err(f"error: uncommitted changes in file(s) {verb} would touch: " + ", ".join(result.dirty))
        _err("commit or stash them first, or pass --allow-dirty; nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    if result.refused:
        _err(f"error: {result.refused}; nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    failure = result.failure
    if failure is not None:
        if failure.written == 0:
            _err(f"error: writing {failure.path} failed: {failure.reason}; nothing was written.")
        else:
            _err(f"error: writing {failure.path} failed: {failure.reason}; {failure.written} of {failure.total} files were written; run {verb} again to finish")
        raise typer.Exit(EXIT_INVALID)


# -- commands ------------------------------------------------------------------------------------
@app.command()
def validate(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
    fmt: str = typer.Option("text", "--format", help="text | json (for CI bots)"),
) -> None:
    """Load all specs and check them against the code; report every problem (exit 2 if any)."""
    from eventmod.reports.summary import Summary

    project, selection = _prepare(root, specs, None, _selectors(phase, day, component, event))
    run = _plan(project, selection, jobs, fmt=fmt)
    summary = Summary.of(run)
    if fmt == "json":
        _echo_json({"ok": True, "events": summary.pending + summary.present + summary.reemit, "present": summary.present,
                    "pending": summary.pending, "problems": [_problem_json(p) for p in run.all_problems()]})
        return
    files = len({o.event.spec_file for o in run.outcomes()})
    typer.echo(f"ok: {summary.pending + summary.present} event(s) valid in {files} spec file(s) ({summary.present} present, {summary.pending} pending)")


@app.command("dry-run")
def dry_run(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    patch: Optional[Path] = typer.Option(None, "--patch", help="Write the patch to FILE instead of stdout."),
    patch_dir: Optional[Path] = typer.Option(None, "--patch-dir", help="Write one patch per phase and one per component into DIR."),
    color: str = typer.Option("auto", "--color", help="auto | always | never"),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, emit: Optional[str] = EmitOpt,
    jobs: Optional[int] = JobsOpt,
) -> None:
    """Show the patch `apply` would make (a unified diff that `git apply` accepts). Writes nothing."""
    from eventmod.reports.diff import colorize, run_diff
    from eventmod.reports.summary import Summary

    project, selection = _prepare(root, specs, emit, _selectors(phase, day, component, event))
    run = _plan(project, selection, jobs)
    if patch_dir is not None:
        from eventmod.cli.workflows import phase_patches

        patch_dir.mkdir(parents=True, exist_ok=True)
        patches = phase_patches(project, selection, patch_dir, jobs=_jobs(jobs))
        for item in patches:
            item.path.write_text(item.text, encoding="utf-8", newline="")
        for item in patches:
            typer.echo(f"{item.path}: {item.summary.line()}")
        return
    diff = run_diff(run)
    if patch is not None:
        patch.write_text(diff, encoding="utf-8", newline="")
        typer.echo(Summary.of(run).line())
        return
    sys.stdout.write(colorize(diff) if _use_color(color) else diff)
    sys.stdout.flush()
    _err(Summary.of(run).line())


@app.command()
def apply(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Write even if files to touch have uncommitted changes."),
    commit: bool = typer.Option(False, "--commit", help="Make one git commit per phase (conventional message)."),
    interactive: bool = typer.Option(False, "--interactive", "-i", help="Review each event's hunk: y/n/a/q, like git add -p."),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, emit: Optional[str] = EmitOpt,
    jobs: Optional[int] = JobsOpt,
) -> None:
    """Insert the selected events: validate everything first, then write each file atomically."""
    project, selection = _prepare(root, specs, emit, _selectors(phase, day, component, event))
    with _writing(project):
        _apply(project, selection, jobs, allow_dirty, commit, interactive)


@contextmanager
def _writing(project):
    """The root's lock, held from planning to the last write; a timeout prints and exits 2."""
    from eventmod import api
    from eventmod.model.problems import InputError

    lock = api.writing(project.config)
    try:
        lock.__enter__()
    except InputError as exc:
        _fail(exc.problems)
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _apply(project, selection, jobs, allow_dirty: bool, commit: bool, interactive: bool) -> None:
    from dataclasses import replace

    from eventmod import api

    run = _plan(project, selection, jobs)
    if interactive:
        from eventmod.cli.workflows import choose_events
        from eventmod.reports.diff import colorize

        def show(text: str) -> None:
            typer.echo(colorize(text) if _use_color("auto") else text, nl=False)

        def ask(prompt: str) -> str:
            return typer.prompt(prompt, default="n", show_default=False)

        accepted = choose_events(project, selection, run, ask, show, jobs=_jobs(jobs))
        if not accepted:
            typer.echo("nothing selected; nothing was written.")
            raise typer.Exit(EXIT_OK)
        selection = replace(selection, events=tuple(accepted))
        run = api.plan(project, selection, jobs=_jobs(jobs))
    if commit:
        _apply_with_commits(project, selection, jobs, allow_dirty)
        return
    _write_plan(project, run, allow_dirty)


def _apply_with_commits(project, selection, jobs, allow_dirty: bool) -> None:
    from eventmod.cli.workflows import apply_with_commits
    from eventmod.io.git import GitError, dirty_files

    try:
        outside = dirty_files(project.config.root, ["."]) is None
    except GitError as exc:
        _err(f"error: git failed in {project.config.root} ({exc}); nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    if outside:
        _err(f"error: --commit needs root {project.config.root} to be inside a git work tree; nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    for step in apply_with_commits(project, selection, jobs=_jobs(jobs), allow_dirty=allow_dirty):
        _show_write(step.write, "apply")
        if step.commit_error is not None:
            _err(f"error: git commit failed: {step.commit_error}")
            raise typer.Exit(EXIT_INVALID)
        typer.echo(f"committed phase {step.phase}: {step.subject}")


def _write_plan(project, run, allow_dirty: bool) -> None:
    """Write every changed file atomically, then say what was done."""
    from eventmod import api
    from eventmod.model.results import Status
    from eventmod.reports.summary import Summary, event_lines

    _show_write(api.write_changes(project.config, list(run.files), allow_dirty=allow_dirty), "apply")
    for line in event_lines(run, (Status.PRESENT,)):
        _err(f"skipped (already present): {line}")
    typer.echo(Summary.of(run).line("inserted"))


@app.command()
def check(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
    fmt: str = typer.Option("text", "--format", help="text | json (for CI bots)"),
) -> None:
    """Exit 1 when a selected event is pending, drifted, or emitted in another mode than its spec."""
    from eventmod import api
    from eventmod.model.results import Status
    from eventmod.reports.summary import Summary, event_lines

    project, selection = _prepare(root, specs, None, _selectors(phase, day, component, event))
    result = api.check(project, selection, jobs=_jobs(jobs))
    if result.invalid:
        _fail(list(result.invalid), fmt)
    run = result.plan
    if fmt == "json":
        _echo_json({
            "ok": not result.findings,
            "events": [{"id": o.event.id, "event": o.event.event, "status": o.status.value, "file": f.path, "lines": list(o.lines),
                        "problems": [_problem_json(p) for p in o.problems]} for f in run.files for o in f.outcomes],
        })
        if result.findings:
            raise typer.Exit(EXIT_FINDINGS)
        return
    for problem in (p for o in run.outcomes() if o.status is Status.DRIFTED for p in o.problems):
        _err("drifted: " + problem.format())
    for line in event_lines(run, (Status.PENDING,)):
        _err(f"pending: {line}")
    for line in event_lines(run, (Status.REEMIT,)):
        _err(f"block shape differs from the spec: {line}")
    summary = Summary.of(run)
    typer.echo(f"{summary.present} present, {summary.pending} pending, {summary.drifted} drifted, {summary.reemit} shape mismatch")
    if result.findings:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def report(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    fmt: str = typer.Option("markdown", "--format", help="markdown | json"),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
) -> None:
    """A pull-request description for the selection: events, anchors, payloads, enum members,
    checks passed, coverage before -> after."""
    from eventmod import api
    from eventmod.reports.coverage import measure_coverage
    from eventmod.reports.pr import pr_report

    project, selection = _prepare(root, specs, None, _selectors(phase, day, component, event))
    selected = _plan(project, selection, jobs)
    whole = api.plan(project, jobs=_jobs(jobs))
    before = measure_coverage(project.config.root, project.catalog, whole)
    sys.stdout.write(pr_report(selection, project.catalog, selected, before, fmt))


@app.command()
def schema(
    out: Optional[Path] = typer.Option(None, "--out", help="Write the schema to FILE instead of stdout."),
) -> None:
    """The JSON Schema of spec files, for editor completion (yaml-language-server)."""
    import json

    from eventmod.spec.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


FormatOpt = typer.Option("table", "--format", help="table | markdown | json")


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "markdown", "json"):
        _err(f"error: --format must be table, markdown or json, got '{fmt}'")
        raise typer.Exit(EXIT_INVALID)


@app.command()
def plan(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    fmt: str = FormatOpt, root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt,
    jobs: Optional[int] = JobsOpt,
) -> None:
    """The rollout plan from the specs: per phase/day/component, events present/pending/invalid."""
    from eventmod.reports.coverage import rollout_plan
    from eventmod.reports.summary import plan_text

    _check_format(fmt)
    project, selection = _prepare(root, specs, None, _selectors(phase, day, component, event))
    run = _plan(project, selection, jobs, fail_on_errors=False)
    _report_problems(run)
    sys.stdout.write(plan_text(rollout_plan(project.selected_catalog(selection), run), fmt))


@app.command()
def coverage(
    fmt: str = FormatOpt,
    fail_under: Optional[float] = typer.Option(None, "--fail-under", help="Exit 1 when total coverage is below PCT."),
    target: float = typer.Option(90.0, "--target", help="The coverage goal shown in the total row."),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
) -> None:
    """The audit table measured from the code: per component, events specified vs instrumented."""
    from eventmod.model.spec import Selection
    from eventmod.reports.coverage import measure_coverage
    from eventmod.reports.summary import coverage_text

    _check_format(fmt)
    project = _project(root, specs)
    run = _plan(project, Selection(), jobs, fail_on_errors=False)
    _report_problems(run)
    result = measure_coverage(project.config.root, project.catalog, run, target)
    sys.stdout.write(coverage_text(result, fmt))
    if fail_under is not None and result.percent < fail_under:
        _err(f"coverage {result.percent:.1f}% is under --fail-under {fail_under:g}%")
        raise typer.Exit(EXIT_FINDINGS)


def _report_problems(run) -> None:
    problems = run.all_problems()
    for problem in problems:
        _err(problem.format())
    if problems:
        _err(f"{len(problems)} problem(s) in the specs; affected events count as invalid.")


@app.command()
def revert(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Write even if files to touch have uncommitted changes."),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, emit: Optional[str] = EmitOpt,
    jobs: Optional[int] = JobsOpt,
) -> None:
    """Remove the blocks eventmod inserted for the selected events (and imports left unused)."""
    project, selection = _prepare(root, specs, emit, _selectors(phase, day, component, event))
    with _writing(project):
        _revert(project, selection, jobs, allow_dirty)


def _revert(project, selection, jobs, allow_dirty: bool) -> None:
    from eventmod import api

    result = api.plan_revert(project, selection, jobs=_jobs(jobs))
    problems = result.all_problems()
    if result.errors():
        _fail(problems)
    for warning in problems:
        _err(warning.format())
    _show_write(api.write_changes(project.config, list(result.files), allow_dirty=allow_dirty), "revert")
    for line in result.edited():
        _err(f"left alone: {line}")
    for f in result.files:
        for note in f.notes:
            _err(f"note: {note}")
    typer.echo(result.summary())


@app.command()
def suggest(
    files: Optional[List[str]] = typer.Argument(None, help="Files to scan, relative to root (instead of --component)."),
    component: Optional[List[str]] = typer.Option(None, "--component", help="Scan the file of this component's spec (repeatable)."),
    min_level: str = typer.Option("info", "--min-level", help="debug | info | warning | error | critical"),
    out: Optional[Path] = typer.Option(None, "--out", help="Write a new spec file, or append the entries to this existing one."),
    include_specified: bool = typer.Option(False, "--include-specified", help="Also draft entries for log calls a spec already anchors at."),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt,
) -> None:
    """Draft spec entries for logger calls in async functions that no log_event follows yet."""
    from eventmod.io.writer import write_atomic
    from eventmod.model.problems import InputError
    from eventmod.suggest import run

    project = _project(root, specs)
    try:
        outcome = run(project.config, project.catalog, components=list(component or ()), files=list(files or ()),
                      min_level=min_level, out=out, include_specified=include_specified)
    except InputError as exc:
        _fail(exc.problems)
    for note in outcome.notes():
        _err(f"note: {note}")
    if outcome.specified:
        _err(f"{outcome.specified} logger call(s) already anchored by a spec were skipped (--include-specified drafts them too)")
    count = f"{outcome.count} entr{'y' if outcome.count == 1 else 'ies'}"
    if out is None:
        sys.stdout.write(outcome.text)
        _err(f"{count} suggested")
    elif outcome.written is None or outcome.data is None:
        typer.echo(f"0 entries suggested; {out} was not {'changed' if out.exists() else 'written'}")
    else:
        if not outcome.merged:
            out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, outcome.data)
        typer.echo(f"{'appended' if outcome.merged else 'wrote'} {count} to {out}")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
