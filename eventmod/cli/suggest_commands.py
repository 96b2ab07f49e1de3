"""`eventmod suggest`: draft spec entries from the code's logger calls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from eventmod.cli import common as c
from eventmod.cli import options as o
from eventmod.cli.output import ExitCode
from eventmod.cli.typer_compat import choice, choices_metavar

LEVELS = ("debug", "info", "warning", "error", "critical")


def suggest(
    paths: Annotated[Optional[List[Path]], typer.Argument(
        metavar="[PATH]...", show_default=False,
        help="Files or directories to scan, relative to the current directory (default: every Python file under root"
             " with an async function that calls a logger).")] = None,
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    min_level: Annotated[str, typer.Option(
        "--min-level", metavar=choices_metavar(*LEVELS), callback=choice(*LEVELS),
        help="Draft entries for logger calls at this level or above.")] = "info",
    out: Annotated[Optional[Path], o.output_option(
        "Merge the entries into this spec file, or write a new spec file; a directory: per scanned file, merge into"
        " the spec there whose `file:` is that file, else write a new one.")] = None,
    include_specified: Annotated[bool, typer.Option(
        "--include-specified", show_default=False, help="Also draft entries for logger calls a spec already anchors at.")] = False,
) -> None:
    """Draft spec entries for logger calls that no log_event follows.

    Scans async functions. The selectors (--phase, --day, --component, --event) scan the files of the selected
    components instead of PATHs. Every entry printed or written passes `eventmod validate`.
    """
    from eventmod.api import Selectors
    from eventmod.io.writer import write_atomic
    from eventmod.model.problems import InputError
    from eventmod.suggest import run

    common = o.Common.of(locals())
    if paths and (common.phase or common.day or common.component or common.event):
        raise typer.BadParameter("give either PATH arguments or selectors (--phase, --day, --component, --event), not both.",
                                 param_hint="'[PATH]...'")
    target = c.output_target(out, c.reporter(common), "--out", directory=bool(out and out.is_dir()))
    report = c.reporter(common, writes=target is not None)
    cwd = Path.cwd()
    project = c.load(common, report, search_from=[cwd / p for p in paths or ()][:1] or None)
    selectors = Selectors(common.phase, common.day, common.component, common.event)
    names: list[str] = []
    if selectors != Selectors():
        selection = c.prepare_selection(project, selectors, report)
        names = [comp.component for comp in project.selected_catalog(selection).components]
        if not names:
            report.error("the selectors select no component")
    try:
        outcome = run(project.config, project.catalog, components=names, files=list(paths or ()), min_level=min_level,
                      out=target, include_specified=include_specified, cwd=cwd)
    except InputError as exc:
        report.fail(exc.problems)
    for note in outcome.notes():
        path, _, rest = note.partition(":")
        report.note(f"note: {report.paths.code_path(path)}:{rest}")
    if outcome.specified:
        report.note(f"{outcome.specified} logger call(s) already anchored by a spec were skipped (--include-specified drafts them too)")
    count = outcome.count
    entries = f"{count} entr{'y' if count == 1 else 'ies'}"
    if target is None:
        report.raw(outcome.text)
        report.note(f"{entries} suggested in {sum(1 for f in outcome.files if f.entries)} file(s)")
        return
    for done, write in enumerate(outcome.writes):
        try:
            write_atomic(write.path, write.data)
        except OSError as exc:
            reason = f"--out {report.show(str(write.path))}: cannot write: {exc.strerror or exc}"
            if done:  # the spec files before it are written
                report.error(f"{reason}; {done} of {len(outcome.writes)} spec files were written", ExitCode.FINDINGS)
            report.error(reason)
        added = f"{write.count} entr{'y' if write.count == 1 else 'ies'}"
        report.out(f"{'appended' if write.merged else 'wrote'} {added} to {report.show(str(write.path))}")
    for path in outcome.unchanged:
        report.out(f"0 entries suggested; {report.show(str(path))} was not {'changed' if path.exists() else 'written'}")
    if not outcome.writes and not outcome.unchanged:
        report.out("0 entries suggested; nothing was written")
