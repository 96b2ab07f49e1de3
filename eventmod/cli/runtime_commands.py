"""`eventmod observe`, `timeline` and `queries`: the events table at runtime.

Registered on the main typer app by `register(app)`. Each command parses its flags, calls one
function of `eventmod.runtime` (or `eventmod.reports.queries`) and prints or writes the string
it returns. Exit codes: 0 ok, 1 runtime coverage under `--fail-under`, 2 invalid input (a bad
flag, URL, table or column, an unreachable database), always as a located message.

Imports stay inside the commands: `eventmod --version` must not pay for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2
OBSERVE_FORMATS = ("text", "json", "markdown", "html")
TIMELINE_FORMATS = ("text", "json", "html")

PhaseOpt = typer.Option(None, "--phase", help="Select events of rollout phase N (repeatable).")
DayOpt = typer.Option(None, "--day", help="Select events planned on day D (repeatable).")
ComponentOpt = typer.Option(None, "--component", help="Select a component by name (repeatable).")
EventOpt = typer.Option(None, "--event", help="Select one event by id (repeatable).")
RootOpt = typer.Option(None, "--root", help="The instrumented code (default: [tool.eventmod] root).")
SpecsOpt = typer.Option(None, "--specs", help="The spec directory (default: [tool.eventmod] specs).")
DbOpt = typer.Option(None, "--db", help="sqlite:///path.db or postgresql://user@host/db (default: [tool.eventmod] "
                                        "database_url / database_url_env).")
SinceOpt = typer.Option(None, "--since", help="Only rows since then: 24h, 7d, 30m, or an ISO date/time.")
OutOpt = typer.Option(None, "--out", help="Write the report to FILE instead of stdout.")


def fail(problems) -> NoReturn:
    for problem in problems:
        typer.echo(problem.format(), err=True)
    raise typer.Exit(EXIT_INVALID)


def check_choice(flag: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        typer.echo(f"error: {flag} must be one of {', '.join(choices)}, got '{value}'", err=True)
        raise typer.Exit(EXIT_INVALID)


def load(root, specs):
    """The project (config + catalog); an unusable configuration exits 2."""
    from eventmod.api import load_project
    from eventmod.model.problems import InputError

    try:
        return load_project(Path.cwd(), root=root, specs=specs)
    except InputError as exc:
        fail(exc.problems)


def select(project, phase, day, component, event):
    from eventmod.api import Selectors
    from eventmod.model.problems import InputError

    try:
        return project.select(Selectors(tuple(phase or ()), tuple(day or ()), tuple(component or ()), tuple(event or ())))
    except InputError as exc:
        fail(exc.problems)


def emit(text: str, out: Optional[Path]) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from eventmod.io.writer import write_atomic

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, text.encode("utf-8"))
    except OSError as exc:
        typer.echo(f"{out}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"wrote {out}", err=True)


def observe(
    db: Optional[str] = DbOpt,
    since: Optional[str] = SinceOpt,
    fail_under: Optional[float] = typer.Option(None, "--fail-under", help="Exit 1 when runtime coverage is below PCT."),
    target: float = typer.Option(90.0, "--target", help="The runtime coverage goal shown in the report."),
    fmt: str = typer.Option("text", "--format", help="text | json | markdown | html"),
    out: Optional[Path] = OutOpt,
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt,
) -> None:
    """Which specified events reached the events table: per phase and component, specified vs
    seen, never-seen events with file:line, severity and payload differences. Read-only."""
    from eventmod import runtime
    from eventmod.model.problems import InputError

    check_choice("--format", fmt, OBSERVE_FORMATS)
    project = load(root, specs)
    selection = select(project, phase, day, component, event)
    try:
        window = runtime.parse_time(since, flag="--since") if since else None
        url = runtime.database_url(project.config, db, Path.cwd())
        result = runtime.observe(project, selection, url, since=window, target=target)
    except InputError as exc:
        fail(exc.problems)
    for problem in result.problems:
        typer.echo(problem.format(), err=True)
    if result.problems:
        typer.echo(f"{len(result.problems)} problem(s) in the specs; affected events are listed with their spec's file.", err=True)
    report = result.report
    if fmt == "html":
        from eventmod.reports.html import observe_html

        text = observe_html(report)
    else:
        from eventmod.reports.observe import observe_text

        text = observe_text(report, fmt)
    emit(text, out)
    if fail_under is not None and report.percent < fail_under:
        typer.echo(f"runtime coverage {report.percent:.1f}% is under --fail-under {fail_under:g}%", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def timeline(
    position_id: Optional[int] = typer.Option(None, "--position-id", help="The events of one position."),
    correlation_id: Optional[str] = typer.Option(None, "--correlation-id", help="The events of one correlation id."),
    symbol: Optional[str] = typer.Option(None, "--symbol", help="The events of one symbol."),
    order_id: Optional[str] = typer.Option(None, "--order-id", help="The events of one order id."),
    since: Optional[str] = SinceOpt,
    until: Optional[str] = typer.Option(None, "--until", help="Only rows before then: 1h, 2d, or an ISO date/time."),
    limit: int = typer.Option(1000, "--limit", help="At most N events (the earliest)."),
    fmt: str = typer.Option("text", "--format", help="text | json | html"),
    out: Optional[Path] = OutOpt,
    db: Optional[str] = DbOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt,
) -> None:
    """One incident's events in time order: severity, component (from the specs), payload."""
    from eventmod import runtime
    from eventmod.model.problems import InputError

    check_choice("--format", fmt, TIMELINE_FORMATS)
    keys = {"position_id": position_id, "correlation_id": correlation_id, "symbol": symbol, "order_id": order_id}
    given = {k: v for k, v in keys.items() if v is not None}
    if len(given) != 1:
        flags = ", ".join("--" + k.replace("_", "-") for k in keys)
        typer.echo(f"error: timeline needs exactly one of {flags}; got {len(given)}", err=True)
        raise typer.Exit(EXIT_INVALID)
    if limit < 1:
        typer.echo(f"error: --limit must be at least 1, got {limit}", err=True)
        raise typer.Exit(EXIT_INVALID)
    (key, value), = given.items()
    project = load(root, specs)
    try:
        start = runtime.parse_time(since, flag="--since") if since else None
        end = runtime.parse_time(until, flag="--until") if until else None
        url = runtime.database_url(project.config, db, Path.cwd())
        result = runtime.timeline(project, url, key, value, since=start, until=end, limit=limit)
    except InputError as exc:
        fail(exc.problems)
    if fmt == "html":
        from eventmod.reports.html import timeline_html

        text = timeline_html(result)
    else:
        from eventmod.reports.timeline import timeline_text

        text = timeline_text(result, fmt)
    emit(text, out)


def queries(
    dialect: Optional[str] = typer.Option(None, "--dialect", help="postgresql | sqlite (default: the configured "
                                                                   "database's, else postgresql)"),
    indexes: bool = typer.Option(False, "--indexes", help="Print the CREATE INDEX statements the queries need instead."),
    phase: Optional[List[int]] = PhaseOpt, day: Optional[List[int]] = DayOpt,
    component: Optional[List[str]] = ComponentOpt, event: Optional[List[str]] = EventOpt,
    root: Optional[Path] = RootOpt, specs: Optional[Path] = SpecsOpt,
) -> None:
    """The analysis SQL: per-position timeline, per-correlation chain, error summary, events per
    hour, expected events (the selection) never seen since a date."""
    from eventmod.reports.queries import DIALECTS, EventTable, analysis_queries, indexes_text, queries_text

    if dialect is not None:
        check_choice("--dialect", dialect, DIALECTS)
    project = load(root, specs)
    selection = select(project, phase, day, component, event)
    chosen = dialect or configured_dialect(project.config)
    table = EventTable.from_config(project.config)
    if indexes:
        emit(indexes_text(table, chosen), None)
        return
    expected = [e for c in project.catalog.components for e in c.events if selection.matches(c, e)]
    emit(queries_text(table, chosen, analysis_queries(table, chosen, project.catalog, expected)), None)


def configured_dialect(config) -> str:
    """The dialect of the configured database URL when it names one, else postgresql."""
    import os

    url = (os.environ.get(config.database_url_env) if config.database_url_env else None) or config.database_url
    return "sqlite" if url and url.strip().lower().startswith("sqlite:") else "postgresql"


def register(app: typer.Typer) -> None:
    app.command()(observe)
    app.command()(timeline)
    app.command()(queries)
