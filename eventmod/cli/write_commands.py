"""Commands that produce changes: dry-run (the patch), apply and revert (the files)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from eventmod.cli import common as c
from eventmod.cli import options as o
from eventmod.cli.output import ExitCode, Reporter, use_color

# A dry-run's patch stays in memory up to this many characters, then goes to a temporary file
# until the run is known to be sound; it is read back in chunks of this many characters.
PATCH_SPOOL_CHARS = 1 << 20
PATCH_CHUNK_CHARS = 1 << 16

AllowDirty = Annotated[bool, typer.Option(
    "--allow-dirty", show_default=False, help="Write even if files to touch have uncommitted changes in git.")]


def patch_prefix(root: Path, relative: bool) -> str:
    """Where patch paths start: root's path in its git work tree (so `git apply` works from the
    top level), or nothing with --relative or outside git."""
    if relative:
        return ""
    from eventmod.io.git import toplevel

    top = toplevel(root)
    if top is None:
        return ""
    try:
        inside = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if inside in ("", ".") else inside + "/"


def dry_run(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    patch: Annotated[Optional[Path], typer.Option(
        "--patch", metavar="PATH", show_default=False, help="Write the patch to PATH instead of stdout (- means stdout).")] = None,
    patch_dir: Annotated[Optional[Path], typer.Option(
        "--patch-dir", metavar="DIR", show_default=False,
        help="Write one patch per phase and one per component into DIR (created if missing).")] = None,
    relative: Annotated[bool, typer.Option(
        "--relative", show_default=False,
        help="Patch paths relative to root (default: relative to the git work tree's top level when root is in one).")] = False,
    exit_code: Annotated[bool, typer.Option(
        "--exit-code", show_default=False, help="Exit 1 when the patch is not empty, like `git diff --exit-code`.")] = False,
    color: o.Color = "auto",
) -> None:
    """Show the patch `apply` would make (writes no code).

    The patch is a unified diff that `git apply` accepts, with paths relative to the top level
    of the git work tree root is in (or to root: --relative, or outside git). The summary goes
    to stderr.
    """
    from dataclasses import replace
    from functools import partial

    from eventmod.reports.diff import PatchSpool, colorize, digest
    from eventmod.reports.summary import Summary, behaviour_changes

    common = o.Common.of(locals())
    report = c.reporter(common)
    if patch is not None and patch_dir is not None:
        raise typer.BadParameter("--patch and --patch-dir cannot be used together; give one.", param_hint="'--patch'")
    patch_file = c.output_target(patch, report, "--patch")
    directory = c.output_target(patch_dir, report, "--patch-dir", directory=True)
    project, selection = c.prepare(common, report)
    prefix = patch_prefix(project.config.root, relative)
    colored = directory is None and patch_file is None and use_color(color)
    pieces = PatchSpool(PATCH_SPOOL_CHARS)

    def take_diff(plan):
        """Each file's diff as it is planned (taken where the file was planned: `digest`), then
        let go of (memory flat in the run's size); nothing is printed before the whole run is
        known to be sound."""
        if plan.diff:
            pieces.write(colorize(plan.diff) if colored else plan.diff)
        return replace(plan, diff=None)

    streamed = directory is None
    run = c.plan_or_fail(project, selection, common, report, sink=take_diff if streamed else None,
                         digest=partial(digest, prefix=prefix) if streamed else None)
    enum = project.config.enum_class
    changed = any(f.changed for f in run.files)
    if directory is not None:
        from eventmod.cli.workflows import phase_patches

        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            report.error(f"--patch-dir {directory}: cannot create: {exc.strerror or exc}")
        patches = phase_patches(project, selection, directory, jobs=c.jobs(common), prefix=prefix)
        for item in patches:
            c.write_output(item.path, item.text, report, "--patch-dir")
        for item in patches:
            report.out(f"{report.show(str(item.path))}: {item.summary.line(enum_class=enum)}")
    else:
        chunks = pieces.chunks(PATCH_CHUNK_CHARS)
        if patch_file is not None:
            c.write_output(patch_file, chunks, report, "--patch")
            report.note(f"wrote {report.show(str(patch_file))}")
        else:
            for chunk in chunks:
                report.raw(chunk)
        pieces.close()
        report.note(Summary.of(run).line(enum_class=enum))
        for line in behaviour_changes(run):
            report.note(f"behaviour change: {line}")
    if exit_code and changed:
        c.exit_with(ExitCode.FINDINGS)


def apply(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    allow_dirty: AllowDirty = False,
    commit: Annotated[bool, typer.Option(
        "--commit", show_default=False, help="Make one git commit per phase, with a conventional message.")] = False,
    interactive: Annotated[bool, typer.Option(
        "--interactive", "-i", show_default=False,
        help="Review each event's hunk and answer y/n/a/q/d (? for help), like `git add -p`.")] = False,
    color: o.Color = "auto",
) -> None:
    """Insert the selected events into the code.

    Everything is checked first; then each file is written atomically. Refuses (exit 2) when a
    file it would touch has uncommitted changes in git, unless --allow-dirty.
    """
    common = o.Common.of(locals())
    report = c.reporter(common, writes=True)
    project, selection = c.prepare(common, report)
    if commit:
        from eventmod.io.git import toplevel

        if toplevel(project.config.root) is None:
            report.error(f"--commit needs root {report.show(str(project.config.root))} to be inside a git work tree; nothing was written.")
    with c.writing(project, report):
        _apply(project, selection, common, report, allow_dirty, commit, interactive, color)


def _apply(project, selection, common: o.Common, report: Reporter, allow_dirty: bool, commit: bool, interactive: bool,
           color: str) -> None:
    """apply, holding the root's lock from planning to the last write."""
    from dataclasses import replace

    from eventmod import api

    run = c.plan_or_fail(project, selection, common, report)
    if interactive:
        from eventmod.cli.workflows import choose_events
        from eventmod.reports.diff import colorize

        colored = use_color(color)

        def show(text: str) -> None:
            report.raw(colorize(text) if colored else text)

        review = choose_events(project, selection, run, _ask, show, jobs=c.jobs(common),
                               prefix=patch_prefix(project.config.root, False))
        if review.ended_by_eof:
            report.raw("\n")
        if not review.accepted:
            report.out("nothing selected; nothing was written.")
            return
        selection = replace(selection, events=review.accepted)
        if len(review.accepted) < review.candidates:  # all accepted: the plan made before is the one
            run = api.plan(project, selection, jobs=c.jobs(common))
    if commit:
        _apply_with_commits(project, selection, common, report, allow_dirty)
        return
    _write(project, run, common, report, allow_dirty)


def _ask(prompt: str) -> Optional[str]:
    """One answer line from stdin; None at the end of input."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    return line if line else None


def _show_write(result, report: Reporter, verb: str) -> None:
    """Print why a write was refused or failed, and exit: 2 when nothing was written, 1 when some
    files were written before the failure."""
    if result.dirty:
        files = ", ".join(report.paths.code_path(p) for p in result.dirty)
        report.err(f"error: uncommitted changes in file(s) {verb} would touch: {files}")
        report.err("commit or stash them first, or pass --allow-dirty; nothing was written.")
        raise typer.Exit(int(ExitCode.INVALID))
    if result.refused:
        report.error(f"{result.refused}; nothing was written.")
    failure = result.failure
    if failure is not None:
        where = report.paths.code_path(failure.path)
        if failure.written == 0:
            report.error(f"writing {where} failed: {failure.reason}; nothing was written.")
        report.error(f"writing {where} failed: {failure.reason}; {failure.written} of {failure.total} files were written;"
                     f" run {verb} again to finish", ExitCode.FINDINGS)


def _apply_with_commits(project, selection, common: o.Common, report: Reporter, allow_dirty: bool) -> None:
    from eventmod.cli.workflows import apply_with_commits

    steps = apply_with_commits(project, selection, jobs=c.jobs(common), allow_dirty=allow_dirty)
    for step in steps:
        _show_write(step.write, report, "apply")
        if step.nothing_to_commit:
            report.out(f"phase {step.phase}: the files written equal HEAD; nothing to commit")
            continue
        if step.commit_error is not None:
            files = ", ".join(report.paths.code_path(p) for p in step.write.written)
            report.err(f"error: phase {step.phase}: the files were written ({files}) but git refused the commit: {step.commit_error}")
            report.err("commit them yourself, or fix the cause and run `eventmod apply --commit` again.")
            raise typer.Exit(int(ExitCode.FINDINGS))
        report.out(f"committed phase {step.phase}: {step.subject}")
    if not steps:
        report.out("nothing to insert; no commit made")


def _write(project, run, common: o.Common, report: Reporter, allow_dirty: bool) -> None:
    """Write every changed file atomically, then say what was done."""
    from eventmod import api
    from eventmod.model.results import Status
    from eventmod.reports.summary import Summary, findings

    _show_write(api.write_changes(project.config, list(run.files), allow_dirty=allow_dirty), report, "apply")
    done = {Status.PRESENT: "already present", Status.PENDING: "inserted", Status.REEMIT: "switched to the spec's shape"}
    for finding in sorted(findings(run, tuple(done)), key=lambda f: (f.path, f.line)):
        where = f"{report.paths.code_path(finding.path)}:{finding.line}"
        report.detail(f"{where}: {finding.event_id} ({finding.event}): {done[finding.status]}")
    report.out(Summary.of(run).line("inserted", project.config.enum_class))


def revert(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    allow_dirty: AllowDirty = False,
) -> None:
    """Remove the blocks eventmod inserted for the selected events.

    The imports left unused go too; blocks edited by hand since apply are left alone.
    """
    common = o.Common.of(locals())
    report = c.reporter(common, writes=True)
    project, selection = c.prepare(common, report)
    with c.writing(project, report):
        _revert(project, selection, common, report, allow_dirty)


def _revert(project, selection, common: o.Common, report: Reporter, allow_dirty: bool) -> None:
    """revert, holding the root's lock from planning to the last write."""
    from eventmod import api

    result = api.plan_revert(project, selection, jobs=c.jobs(common))
    problems = result.all_problems()
    if result.errors():
        report.fail(problems)
    report.warnings(problems)
    _show_write(api.write_changes(project.config, list(result.files), allow_dirty=allow_dirty), report, "revert")
    for line in result.edited():
        path, rest = line.split(":", 1)
        report.note(f"left alone: {report.paths.code_path(path)}:{rest}")
    for f in result.files:
        for note in f.notes:
            report.note(f"note: {note}")
    report.out(result.summary())
