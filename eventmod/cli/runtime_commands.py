"""`eventmod observe`, `timeline` and `queries`: the events table at runtime. None of them
writes to the database (SQLite is opened read-only, PostgreSQL in a READ ONLY transaction).

Each command parses its flags, calls one function of `eventmod.runtime` (or
`eventmod.reports.queries`) and prints or writes the string it returns. Exit codes as every
command: 0 ok, 1 runtime coverage under `--fail-under`, 2 invalid input (a bad flag, URL, table
or column, an unreachable database), always as a located message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from eventmod.cli import common as c
from eventmod.cli import options as o
from eventmod.cli.output import ExitCode, format_problem, sort_problems
from eventmod.cli.typer_compat import choice

Db = Annotated[Optional[str], typer.Option(
    "--db", metavar="URL", show_default=False,
    help="sqlite:///path.db or postgresql://user@host/db (default: database_url or database_url_env of the configuration).")]
Since = Annotated[Optional[str], typer.Option(
    "--since", metavar="WHEN", show_default=False, help="Only rows since then: 24h, 7d, 30m, or an ISO date/time.")]


def _emit(text: str, out: Optional[Path], report, flag: str = "--out") -> None:
    target = c.output_target(out, report, flag)
    if target is None:
        report.raw(text)
        return
    c.write_output(target, text, report, flag)
    report.note(f"wrote {report.show(str(target))}")


def observe(
    db: Db = None,
    since: Since = None,
    fail_under: Annotated[Optional[float], typer.Option(
        "--fail-under", metavar="PCT", min=0, max=100, show_default=False,
        help="Exit 1 when the runtime coverage is below PCT percent.")] = None,
    target: Annotated[float, typer.Option(
        "--target", metavar="PCT", min=0, max=100, help="The runtime coverage goal shown in the report.")] = 90.0,
    fmt: Annotated[str, o.format_option("text", "json", "markdown", "html")] = "text",
    out: Annotated[Optional[Path], o.output_option("Write the report to PATH instead of stdout.")] = None,
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, jobs: o.Jobs = None,
    quiet: o.Quiet = False, verbose: o.Verbose = False,
) -> None:
    """Which specified events reached the events table.

    Per phase and component: specified vs seen at runtime, the events never seen (with the
    file:line of their block and their anchor), counts, first and last seen, the severity mix,
    rows whose severity differs from the spec, rows whose event type no spec or enum member
    names, and payload keys that differ from the spec's. Read-only.
    """
    from eventmod import runtime
    from eventmod.model.problems import InputError

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    c.output_target(out, report, "--out")
    project, selection = c.prepare(common, report)
    try:
        window = runtime.parse_time(since, flag="--since") if since else None
        url = runtime.database_url(project.config, db, Path.cwd())
        result = runtime.observe(project, selection, url, since=window, target=target, jobs=c.jobs(common))
    except InputError as exc:
        report.fail(exc.problems)
    if result.problems:  # on stderr whatever the format: stdout holds the report
        for problem in sort_problems(result.problems, report.paths):
            report.err(format_problem(problem, report.paths))
        report.err(f"{len(result.problems)} problem(s) in the specs; affected events are listed with their spec's file.")
    if fmt == "html":
        from eventmod.reports.html import observe_html

        text = observe_html(result.report)
    else:
        from eventmod.reports.observe import observe_text

        text = observe_text(result.report, fmt)
    _emit(text, out, report)
    if fail_under is not None and result.report.percent < fail_under:
        report.err(f"runtime coverage {result.report.percent:.1f}% is under --fail-under {fail_under:g}%")
        c.exit_with(ExitCode.FINDINGS)


def timeline(
    position_id: Annotated[Optional[int], typer.Option("--position-id", metavar="N", show_default=False,
                                                       help="The events whose `position_id` is N.")] = None,
    correlation_id: Annotated[Optional[str], typer.Option("--correlation-id", metavar="ID", show_default=False,
                                                          help="The events whose `correlation_id` is ID.")] = None,
    symbol: Annotated[Optional[str], typer.Option("--symbol", metavar="S", show_default=False,
                                                  help="The events whose `symbol` is S.")] = None,
    order_id: Annotated[Optional[str], typer.Option("--order-id", metavar="ID", show_default=False,
                                                    help="The events whose `order_id` is ID.")] = None,
    since: Since = None,
    until: Annotated[Optional[str], typer.Option(
        "--until", metavar="WHEN", show_default=False, help="Only rows before then: 1h, 2d, or an ISO date/time.")] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, help="At most N events (the earliest).")] = 1000,
    fmt: Annotated[str, o.format_option("text", "json", "html")] = "text",
    out: Annotated[Optional[Path], o.output_option("Write the timeline to PATH instead of stdout.")] = None,
    db: Db = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None,
    quiet: o.Quiet = False, verbose: o.Verbose = False,
) -> None:
    """One incident's events, oldest first.

    Each event with its time, severity, component (from the specs) and a one-line payload
    summary. Give exactly one of --position-id, --correlation-id, --symbol, --order-id.
    """
    from eventmod import runtime
    from eventmod.model.problems import InputError

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    keys = {"position_id": position_id, "correlation_id": correlation_id, "symbol": symbol, "order_id": order_id}
    given = {k: v for k, v in keys.items() if v is not None}
    if len(given) != 1:
        flags = ", ".join("--" + k.replace("_", "-") for k in keys)
        report.error(f"timeline needs exactly one of {flags}; got {len(given)}")
    (key, value), = given.items()
    c.output_target(out, report, "--out")
    project = c.load(common, report)
    try:
        start = runtime.parse_time(since, flag="--since") if since else None
        end = runtime.parse_time(until, flag="--until") if until else None
        url = runtime.database_url(project.config, db, Path.cwd())
        result = runtime.timeline(project, url, key, value, since=start, until=end, limit=limit)
    except InputError as exc:
        report.fail(exc.problems)
    if fmt == "html":
        from eventmod.reports.html import timeline_html

        text = timeline_html(result)
    else:
        from eventmod.reports.timeline import timeline_text

        text = timeline_text(result, fmt)
    _emit(text, out, report)


def queries(
    dialect: Annotated[Optional[str], typer.Option(
        "--dialect", metavar="postgresql|sqlite", callback=choice("postgresql", "sqlite"), show_default=False,
        help="postgresql or sqlite (default: the configured database's, else postgresql).")] = None,
    indexes: Annotated[bool, typer.Option(
        "--indexes", help="Print the CREATE INDEX statements the queries need instead.")] = False,
    out: Annotated[Optional[Path], o.output_option("Write the SQL to PATH instead of stdout.")] = None,
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None,
    quiet: o.Quiet = False, verbose: o.Verbose = False,
) -> None:
    """The analysis SQL for the events table.

    The timeline of one position_id, the chain of one correlation_id, the error summary by
    component and severity, events per hour, and the expected events (the selection) never seen
    since a date.
    """
    from eventmod.reports.queries import EventTable, analysis_queries, indexes_text, queries_text

    common = o.Common.of(locals())
    report = c.reporter(common)
    c.output_target(out, report, "--out")
    project, selection = c.prepare(common, report)
    chosen = dialect or configured_dialect(project.config)
    table = EventTable.from_config(project.config)
    if indexes:
        _emit(indexes_text(table, chosen), out, report)
        return
    expected = [e for comp in project.catalog.components for e in comp.events if selection.matches(comp, e)]
    _emit(queries_text(table, chosen, analysis_queries(table, chosen, project.catalog, expected)), out, report)


def configured_dialect(config) -> str:
    """The dialect of the configured database URL when it names one, else postgresql."""
    import os

    url = (os.environ.get(config.database_url_env) if config.database_url_env else None) or config.database_url
    return "sqlite" if url and url.strip().lower().startswith("sqlite:") else "postgresql"
