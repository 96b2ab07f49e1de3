"""Read-only commands: validate, check, plan, coverage, report. None of them writes a file."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from eventmod.cli import common as c
from eventmod.cli import options as o
from eventmod.cli.output import ExitCode, github_annotation, problem_json


def validate(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    fmt: Annotated[str, o.format_option("text", "json", "github", help="text, json (for bots) or github (annotations in GitHub Actions).")] = "text",
) -> None:
    """Check the specs against the code and report every problem.

    Exit 2 when there is any problem; warnings are printed and do not change the exit code.
    """
    from eventmod.model.results import Status
    from eventmod.reports.summary import Summary, behaviour_changes

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    project, selection = c.prepare(common, report)
    run = c.plan(project, selection, common, report)
    if run.errors():
        report.fail(run.all_problems())
    summary = Summary.of(run)
    valid = summary.pending + summary.present + summary.reemit
    changes = behaviour_changes(run, (Status.PENDING, Status.PRESENT, Status.REEMIT))
    if fmt == "json":
        report.json({"ok": True, "events": valid, "present": summary.present, "pending": summary.pending,
                     "behaviour_changes": changes,
                     "problems": [problem_json(p, report.paths) for p in run.all_problems()]})
        return
    report.warnings(run.all_problems())
    for line in changes:
        report.err(f"behaviour change: {line}")
    files = len({o.event.spec_file for o in run.outcomes()})
    line = f"ok: {valid} event(s) valid in {files} spec file(s) ({summary.present} present, {summary.pending} pending)"
    if fmt == "github":
        report.note(line)
    elif not quiet:
        report.out(line)


def check(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    fmt: Annotated[str, o.format_option("text", "json", "github", help="text, json (for bots) or github (annotations in GitHub Actions).")] = "text",
    strict_style: Annotated[bool, typer.Option(
        "--strict-style", show_default=False,
        help="Also exit 1 for a block written in another house style than the one learned (quotes, trailing commas, blank lines, comment prefix).")] = False,
) -> None:
    """Exit 1 when a selected event is pending, drifted or re-emit.

    Re-emit: the block is emitted in another mode than its spec says. Lines read `path:line: id (EVENT): status`, in file and line order. Pass the same --emit and
    --failsafe as `apply` was given, so that `check` agrees with it. Style never fails `check`
    without --strict-style, and never makes `apply` rewrite a block.
    """
    from eventmod import api
    from eventmod.model.results import Status
    from eventmod.reports.summary import Summary, findings

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    project, selection = c.prepare(common, report)
    result = api.check(project, selection, jobs=c.jobs(common), strict_style=strict_style)
    if result.invalid:
        report.fail(list(result.invalid))
    run = result.plan
    if fmt == "json":
        report.json({
            "ok": not result.findings,
            "events": [{"id": o.event.id, "event": o.event.event, "status": o.status.value, "file": f.path,
                        "path": report.paths.code_path(f.path), "lines": list(o.lines),
                        **({"style": o.style} if strict_style and o.style else {}),
                        "problems": [problem_json(p, report.paths) for p in o.problems]} for f in run.files for o in f.outcomes],
        })
        c.exit_with(ExitCode.FINDINGS if result.findings else ExitCode.OK)
        return
    found = findings(run, strict_style=strict_style)
    shown = sorted(((report.show(f.path), f) for f in found), key=lambda t: (t[0], t[1].line, t[1].event_id))
    for path, finding in shown:
        if fmt == "github":
            message = f"{finding.event_id} ({finding.event}): {finding.status}" + (f": {finding.detail}" if finding.detail else "")
            report.out(github_annotation("error", path, finding.line, message))
        else:
            report.err(finding.text(path))
    report.warnings([p for o in run.outcomes() if o.status is not Status.DRIFTED for p in o.problems])
    summary = Summary.of(run)
    line = f"{summary.present} present, {summary.pending} pending, {summary.drifted} drifted, {summary.reemit} shape mismatch"
    if strict_style:
        line += f", {sum(1 for o in run.outcomes() if o.style)} style mismatch"
    if fmt == "github":
        report.note(line)
    elif not quiet:
        report.out(line)
    c.exit_with(ExitCode.FINDINGS if result.findings else ExitCode.OK)


def plan(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    fmt: Annotated[str, o.format_option("text", "markdown", "json")] = "text",
) -> None:
    """The rollout plan: per phase, day and component, the events.

    Counts the events present, pending and invalid. Spec problems are printed too, and make the
    exit code 2.
    """
    from eventmod.reports.coverage import rollout_plan
    from eventmod.reports.summary import plan_text

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    project, selection = c.prepare(common, report)
    run = c.plan(project, selection, common, report)
    report.raw(plan_text(rollout_plan(project.selected_catalog(selection), run), fmt))
    problems = run.all_problems()
    if run.errors():
        report.fmt = "text"  # the table is on stdout; the problems go to stderr
        report.fail(problems)
    report.fmt = "text"
    report.warnings(problems)


def coverage(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    fmt: Annotated[str, o.format_option("text", "markdown", "json", "html",
                                        help="text, markdown, json, or html (one self-contained page with the plan).")] = "text",
    fail_under: Annotated[Optional[float], typer.Option(
        "--fail-under", metavar="PCT", min=0, max=100, show_default=False,
        help="Exit 1 when the total coverage is below PCT percent.")] = None,
    target: Annotated[float, typer.Option(
        "--target", metavar="PCT", min=0, max=100, help="The coverage goal shown in the total row.")] = 90.0,
) -> None:
    """The audit table, measured from the code.

    Per component: the events specified and how many are instrumented, plus the files with
    log_event calls that no spec names. With selectors, only the selected components are
    measured. Spec problems (a missing spec directory or enum file included) exit 2: a coverage
    gate never passes on broken input.
    """
    from eventmod.api import Selectors
    from eventmod.model.settings import CallShape
    from eventmod.reports.coverage import measure_coverage
    from eventmod.reports.summary import coverage_text

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    project, selection = c.prepare(common, report)
    selectors = Selectors(common.phase, common.day, common.component, common.event)
    whole_components = selection
    if selectors != Selectors():  # measure whole components, so every event of a row has a status
        names = tuple(comp.component for comp in project.selected_catalog(selection).components)
        whole_components = Selectors(components=names).selection() if names else selection
    run = c.plan(project, whole_components, common, report)
    if run.errors():
        report.fmt = "text" if fmt != "json" else "json"
        report.fail(run.all_problems())
    catalog = project.selected_catalog(whole_components)
    result = measure_coverage(project.config.root, catalog, run, target, include_unspecified=selectors == Selectors(),
                              call=CallShape.from_config(project.config))
    if fmt == "html":
        from eventmod.reports.coverage import rollout_plan
        from eventmod.reports.html import coverage_html

        report.raw(coverage_html(result, rollout_plan(catalog, run)))
    else:
        report.raw(coverage_text(result, fmt))
    if fmt != "json":
        report.fmt = "text"
        report.warnings(run.all_problems())
    if fail_under is not None and result.percent < fail_under:
        report.err(f"coverage {result.percent:.1f}% is under --fail-under {fail_under:g}%")
        c.exit_with(ExitCode.FINDINGS)


def report(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    fmt: Annotated[str, o.format_option("markdown", "json")] = "markdown",
) -> None:
    """A pull-request description of the selection.

    Lists its events, anchors, payloads and enum members, the checks passed, and the coverage
    before and after.
    """
    from eventmod import api
    from eventmod.model.problems import display_path
    from eventmod.model.settings import CallShape
    from eventmod.reports.coverage import measure_coverage
    from eventmod.reports.pr import pr_report

    common = o.Common.of(locals())
    out = c.reporter(common, "json" if fmt == "json" else "text")
    project, selection = c.prepare(common, out)
    selected = c.plan_or_fail(project, selection, common, out)
    whole = api.plan(project, jobs=c.jobs(common))
    before = measure_coverage(project.config.root, project.catalog, whole, call=CallShape.from_config(project.config))
    specs_label = display_path(project.config.specs).rstrip("/") + "/"
    out.raw(pr_report(selection, project.catalog, selected, before, fmt, enum_class=project.config.enum_class,
                      specs=specs_label))
