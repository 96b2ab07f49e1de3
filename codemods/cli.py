"""The `eventmod` command line: parses flags, calls the pipeline, prints. No logic lives here.

Exit codes: 0 ok, 1 `check` found pending or drifted events, 2 invalid input (nothing written).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from codemods import __version__

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


def _prepare(root, specs, emit, phase, day, component, event):
    """Load config + catalog; on any problem print all of them and exit 2."""
    from codemods.config import load_config
    from codemods.problems import InputError
    from codemods.spec_loader import load_catalog
    from codemods.spec_model import Selection

    try:
        config = load_config(Path.cwd(), root=root, specs=specs, emit=emit)
    except InputError as exc:
        _fail(exc.problems)
    if not config.root.is_dir():
        _err(f"error: root {config.root} is not a directory; set `root` in [tool.eventmod] or pass --root")
        raise typer.Exit(EXIT_INVALID)
    catalog, problems = load_catalog(config.specs, config.root)
    selection = Selection(tuple(phase or ()), tuple(day or ()), tuple(component or ()), tuple(event or ()))
    selector_problems = _unknown_selectors(catalog, selection)
    if selector_problems:
        _fail(selector_problems)
    # Spec problems do not stop here: the valid events are still checked against the code, so
    # one run reports every problem.
    return config, catalog, selection, problems


def _unknown_selectors(catalog, selection):
    from codemods.problems import Problem, did_you_mean

    names = {c.component for c in catalog.components}
    ids = {e.id for e in catalog.events()}
    found = [Problem("--component", 0, f"no component '{c}'{did_you_mean(c, names)}") for c in selection.components if c not in names]
    found += [Problem("--event", 0, f"no event id '{e}'{did_you_mean(e, ids)}") for e in selection.events if e not in ids]
    found += [Problem("--phase", 0, f"phase must be 1-4, got {p}") for p in selection.phases if not 1 <= p <= 4]
    return found


def _fail(problems, fmt: str = "text") -> None:
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


def _plan(prepared, jobs, *, fail_on_errors: bool = True, fmt: str = "text", selection=None, overlay=None):
    """Plan the run; with `fail_on_errors`, any spec or code problem prints all and exits 2."""
    from codemods.engine import RunPlan, plan_run

    config, catalog, chosen, spec_problems = prepared
    bar = _Bar()
    try:
        plan = plan_run(config, catalog, selection or chosen, jobs=_jobs(jobs), progress=bar, overlay=overlay)
    finally:
        bar.close()
    plan = RunPlan(plan.files, (*spec_problems, *plan.problems))
    if fail_on_errors:
        if plan.errors():
            _fail(plan.all_problems(), fmt)
        if fmt != "json":
            for warning in plan.all_problems():
                _err(warning.format())
    return config, plan


def _jobs(jobs: Optional[int]) -> int:
    return jobs if jobs and jobs > 0 else (os.cpu_count() or 1)


def _use_color(mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


# -- commands ------------------------------------------------------------------------------------
@app.command()
def validate(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
    fmt: str = typer.Option("text", "--format", help="text | json (for CI bots)"),
) -> None:
    """Load all specs and check them against the code; report every problem (exit 2 if any)."""
    from codemods.report import Summary

    _, plan = _plan(_prepare(root, specs, None, phase, day, component, event), jobs, fmt=fmt)
    summary = Summary.of(plan)
    if fmt == "json":
        _echo_json({"ok": True, "events": summary.pending + summary.present + summary.reemit, "present": summary.present,
                    "pending": summary.pending, "problems": [_problem_json(p) for p in plan.all_problems()]})
        return
    summary = Summary.of(plan)
    typer.echo(f"ok: {summary.pending + summary.present} event(s) valid in {len({o.event.spec_file for o in plan.outcomes()})} spec file(s) ({summary.present} present, {summary.pending} pending)")


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
    from codemods.report import Summary, colorize, run_diff

    prepared = _prepare(root, specs, emit, phase, day, component, event)
    _, plan = _plan(prepared, jobs)
    if patch_dir is not None:
        _write_patch_dir(prepared, plan, patch_dir, jobs)
        return
    diff = run_diff(plan)
    if patch is not None:
        patch.write_text(diff, encoding="utf-8", newline="")
        typer.echo(Summary.of(plan).line())
        return
    sys.stdout.write(colorize(diff) if _use_color(color) else diff)
    sys.stdout.flush()
    _err(Summary.of(plan).line())


def _write_patch_dir(prepared, plan, directory: Path, jobs) -> None:
    """phase-N.patch for each selected phase, each on top of the previous ones (apply them in
    order), and phase-N-<component>.patch per component on top of the earlier phases (for
    review; components of a phase all touch the enum file, so apply the phase patch)."""
    from dataclasses import replace

    from codemods.report import Summary, run_diff

    _, catalog, selection, _ = prepared
    directory.mkdir(parents=True, exist_ok=True)
    selected = [c for c in catalog.components if any(selection.matches(c, e) for e in c.events)]
    written = []
    overlay: dict[str, bytes] = {}
    for phase_number in sorted({c.phase for c in selected}):
        phase_selection = replace(selection, phases=(phase_number,))
        _, phase_plan = _plan(prepared, jobs, selection=phase_selection, overlay=dict(overlay))
        name = directory / f"phase-{phase_number}.patch"
        name.write_text(run_diff(phase_plan), encoding="utf-8", newline="")
        written.append((name, Summary.of(phase_plan)))
        for component in sorted(c.component for c in selected if c.phase == phase_number):
            _, component_plan = _plan(prepared, jobs, selection=replace(phase_selection, components=(component,)), overlay=dict(overlay))
            name = directory / f"phase-{phase_number}-{component}.patch"
            name.write_text(run_diff(component_plan), encoding="utf-8", newline="")
            written.append((name, Summary.of(component_plan)))
        overlay.update({f.path: f.new for f in phase_plan.files if f.changed and f.new is not None})
    for name, summary in written:
        typer.echo(f"{name}: {summary.line()}")


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
    prepared = _prepare(root, specs, emit, phase, day, component, event)
    config, plan = _plan(prepared, jobs)
    if interactive:
        plan = _choose_interactively(prepared, plan, jobs)
    if commit:
        _apply_with_commits(prepared, plan, jobs, allow_dirty)
        return
    _write_plan(config, plan, allow_dirty)


def _choose_interactively(prepared, plan, jobs):
    """Ask about each pending event's hunk; skipped events stay pending."""
    from dataclasses import replace

    from codemods.engine import PENDING, REEMIT
    from codemods.report import colorize, run_diff

    _, _, selection, _ = prepared
    candidates = [o.event.id for o in plan.outcomes() if o.status in (PENDING, REEMIT)]
    accepted: list[str] = []
    for index, event_id in enumerate(candidates):
        _, single = _plan(prepared, jobs, selection=replace(selection, events=(event_id,)))
        diff = run_diff(single)
        typer.echo(colorize(diff) if _use_color("auto") else diff, nl=False)
        answer = ""
        while answer not in ("y", "n", "a", "q"):
            answer = typer.prompt(f"({index + 1}/{len(candidates)}) Apply {event_id} [y,n,a,q,?]", default="n", show_default=False).strip().lower()[:1]
            if answer == "?":
                typer.echo("y - apply this event\nn - skip it (stays pending)\na - apply this and all remaining\nq - quit; skip this and all remaining")
        if answer == "y":
            accepted.append(event_id)
        elif answer == "a":
            accepted.extend(candidates[index:])
            break
        elif answer == "q":
            break
    if not accepted:
        typer.echo("nothing selected; nothing was written.")
        raise typer.Exit(EXIT_OK)
    _, chosen = _plan(prepared, jobs, selection=replace(selection, events=tuple(accepted)))
    return chosen


def _apply_with_commits(prepared, plan, jobs, allow_dirty: bool) -> None:
    """Apply phase by phase, committing each phase's files with a conventional message."""
    import subprocess
    from dataclasses import replace

    from codemods.report import Summary
    from codemods.writer import dirty_files

    config, catalog, selection, _ = prepared
    if dirty_files(config.root, ["."]) is None:
        _err(f"error: --commit needs root {config.root} to be inside a git work tree; nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    phases = sorted({c.phase for c in catalog.components if any(selection.matches(c, e) for e in c.events)})
    for number in phases:
        _, phase_plan = _plan(prepared, jobs, selection=replace(selection, phases=(number,)))
        changed = _write_plan(config, phase_plan, allow_dirty)
        if not changed:
            continue
        summary = Summary.of(phase_plan)
        components = sorted({o.event.component for o in phase_plan.outcomes() if o.status != "present"})
        subject = f"feat(events): instrument phase {number} audit events ({summary.pending} events)"
        body = f"Components: {', '.join(components)}.\n{summary.line('inserted')}.\n\nGenerated by eventmod apply --commit."
        git = ["git", "-C", str(config.root)]
        subprocess.run([*git, "add", "--", *changed], check=True, capture_output=True)
        result = subprocess.run([*git, "commit", "-q", "-m", subject, "-m", body, "--", *changed], capture_output=True, text=True)
        if result.returncode != 0:
            _err(f"error: git commit failed: {result.stderr.strip()}")
            raise typer.Exit(EXIT_INVALID)
        typer.echo(f"committed phase {number}: {subject}")


def _write_files(config, changed, verb: str, allow_dirty: bool) -> None:
    """Write the changed files (staged, then renamed) unless git has uncommitted changes in
    them; any refusal or failure prints what happened and exits 2."""
    from codemods.writer import WriteError, dirty_files, write_files

    if changed and not allow_dirty:
        dirty = dirty_files(config.root, [f.path for f in changed]) or []
        if dirty:
            _err(f"error: uncommitted changes in file(s) {verb} would touch: " + ", ".join(dirty))
            _err("commit or stash them first, or pass --allow-dirty; nothing was written.")
            raise typer.Exit(EXIT_INVALID)
    try:
        write_files([(config.root / f.path, f.new) for f in changed])
    except WriteError as exc:
        where = Path(exc.path).resolve().relative_to(config.root.resolve()).as_posix()
        if exc.written == 0:
            _err(f"error: writing {where} failed: {exc.reason}; nothing was written.")
        else:
            _err(f"error: writing {where} failed: {exc.reason}; {exc.written} of {exc.total} files were written; run {verb} again to finish")
        raise typer.Exit(EXIT_INVALID)


def _write_plan(config, plan, allow_dirty: bool) -> list[str]:
    """Write every changed file atomically; returns their paths (relative to root)."""
    from codemods.engine import PRESENT
    from codemods.report import Summary, event_lines

    changed = [f for f in plan.files if f.changed]
    _write_files(config, changed, "apply", allow_dirty)
    for line in event_lines(plan, (PRESENT,)):
        _err(f"skipped (already present): {line}")
    typer.echo(Summary.of(plan).line("inserted"))
    return [f.path for f in changed]


@app.command()
def check(
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
    fmt: str = typer.Option("text", "--format", help="text | json (for CI bots)"),
) -> None:
    """Exit 1 when a selected event is pending, drifted, or emitted in another mode than its spec."""
    from codemods.engine import DRIFTED, INVALID, PENDING, REEMIT
    from codemods.report import Summary, event_lines

    _, plan = _plan(_prepare(root, specs, None, phase, day, component, event), jobs, fail_on_errors=False)
    invalid = [p for o in plan.outcomes() if o.status == INVALID for p in o.problems] + [p for p in plan.problems if p.severity == "error"]
    if invalid:
        _fail(invalid, fmt)
    if fmt == "json":
        summary = Summary.of(plan)
        _echo_json({
            "ok": not (summary.pending or summary.drifted or summary.reemit),
            "events": [{"id": o.event.id, "event": o.event.event, "status": o.status, "file": f.path, "lines": list(o.lines),
                        "problems": [_problem_json(p) for p in o.problems]} for f in plan.files for o in f.outcomes],
        })
        if summary.pending or summary.drifted or summary.reemit:
            raise typer.Exit(EXIT_FINDINGS)
        return
    drifted = [p for o in plan.outcomes() if o.status == DRIFTED for p in o.problems]
    for problem in drifted:
        _err("drifted: " + problem.format())
    for line in event_lines(plan, (PENDING,)):
        _err(f"pending: {line}")
    for line in event_lines(plan, (REEMIT,)):
        _err(f"emit mode differs from the spec: {line}")
    summary = Summary.of(plan)
    typer.echo(f"{summary.present} present, {summary.pending} pending, {summary.drifted} drifted, {summary.reemit} emit-mode mismatch")
    if summary.pending or summary.drifted or summary.reemit:
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
    from codemods.coverage import measure_coverage
    from codemods.engine import plan_run
    from codemods.report import pr_report

    prepared = _prepare(root, specs, None, phase, day, component, event)
    config, selected = _plan(prepared, jobs)
    catalog = prepared[1]
    whole = plan_run(config, catalog, jobs=_jobs(jobs))
    before = measure_coverage(config.root, catalog, whole)
    sys.stdout.write(pr_report(prepared[2], catalog, selected, before, fmt))


@app.command()
def schema(
    out: Optional[Path] = typer.Option(None, "--out", help="Write the schema to FILE instead of stdout."),
) -> None:
    """The JSON Schema of spec files, for editor completion (yaml-language-server)."""
    import json

    from codemods.spec_schema import json_schema

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
    from codemods.coverage import rollout_plan
    from codemods.report import plan_text
    from codemods.spec_model import Catalog

    _check_format(fmt)
    prepared = _prepare(root, specs, None, phase, day, component, event)
    _, run = _plan(prepared, jobs, fail_on_errors=False)
    _report_problems(run)
    _, catalog, selection, _ = prepared
    selected = Catalog(tuple(c for c in catalog.components if any(selection.matches(c, e) for e in c.events)))
    sys.stdout.write(plan_text(rollout_plan(selected, run), fmt))


@app.command()
def coverage(
    fmt: str = FormatOpt,
    fail_under: Optional[float] = typer.Option(None, "--fail-under", help="Exit 1 when total coverage is below PCT."),
    target: float = typer.Option(90.0, "--target", help="The coverage goal shown in the total row."),
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt, jobs: Optional[int] = JobsOpt,
) -> None:
    """The audit table measured from the code: per component, events specified vs instrumented."""
    from codemods.coverage import measure_coverage
    from codemods.report import coverage_text

    _check_format(fmt)
    prepared = _prepare(root, specs, None, None, None, None, None)
    config, run = _plan(prepared, jobs, fail_on_errors=False)
    _report_problems(run)
    result = measure_coverage(config.root, prepared[1], run, target)
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
    from codemods.revert import plan_revert

    config, catalog, selection, spec_problems = _prepare(root, specs, emit, phase, day, component, event)
    result = plan_revert(config, catalog, selection, jobs=_jobs(jobs))
    problems = [*spec_problems, *result.all_problems()]
    if any(p.severity == "error" for p in problems):
        _fail(problems)
    for warning in problems:
        _err(warning.format())
    changed = [f for f in result.files if f.changed]
    _write_files(config, changed, "revert", allow_dirty)
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
    from codemods.problems import InputError
    from codemods.suggest import run

    config, catalog, _, _ = _prepare(root, specs, None, None, None, None, None)
    try:
        outcome = run(config, catalog, components=list(component or ()), files=list(files or ()), min_level=min_level,
                      out=out, include_specified=include_specified)
    except InputError as exc:
        _fail(exc.problems)
    for note in outcome.notes():
        _err(f"note: {note}")
    if outcome.specified:
        _err(f"{outcome.specified} logger call(s) already anchored by a spec were skipped (--include-specified drafts them too)")
    if out is None:
        sys.stdout.write(outcome.text)
        _err(f"{outcome.count} entr{'y' if outcome.count == 1 else 'ies'} suggested")
    elif outcome.written is None:
        typer.echo(f"0 entries suggested; {out} was not {'changed' if out.exists() else 'written'}")
    else:
        typer.echo(f"{'appended' if outcome.merged else 'wrote'} {outcome.count} entr{'y' if outcome.count == 1 else 'ies'} to {out}")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
