"""The `eventmod init` command (registered on the app in `eventmod.cli.app`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

EXIT_INVALID = 2


def init(
    files: Optional[List[str]] = typer.Argument(None, metavar="[FILE]...", show_default=False, help="Files to draft specs for, relative to the project (e.g. src/app/jobs.py)."),
    with_logger: Optional[bool] = typer.Option(
        None, "--with-logger/--no-logger",
        help="Write a logger module when the project has no audit logger (default: ask on a terminal)."),
    logger_path: Optional[str] = typer.Option(None, "--logger-path", metavar="PATH", help="Where to write the logger module, relative to the project (default: <package>/audit_events.py)."),
    root: Optional[str] = typer.Option(None, "--root", metavar="PATH", help="The import root, relative to the project (default: detected from the files)."),
    specs: str = typer.Option("event_specs", "--specs", metavar="PATH", help="The spec directory to create, relative to the project."),
    min_level: str = typer.Option("info", "--min-level", metavar="LEVEL", help="debug, info, warning, error or critical (for the drafted specs)."),
    project: Optional[Path] = typer.Option(None, "--project", metavar="DIR", help="The project directory (default: the current directory)."),
) -> None:
    """Start using eventmod in a project.

    Writes [tool.eventmod] into the project's pyproject.toml (detected from the code), drafts
    specs for the FILEs with `suggest`, and writes a small audit logger module when the project
    has none (asked on a terminal, or --with-logger / --no-logger).
    """
    from eventmod.init.detect import detect_project
    from eventmod.init.scaffold import default_logger_path, plan_init
    from eventmod.io.writer import WriteError, write_files
    from eventmod.model.problems import InputError
    from eventmod.suggest.drafts import MIN_LEVELS

    if min_level not in MIN_LEVELS:
        _fail([f"--min-level: must be one of {', '.join(MIN_LEVELS)}, got '{min_level}'"])
    directory = (project or Path.cwd()).resolve()
    try:
        detected = detect_project(directory, list(files or ()), root)
    except InputError as exc:
        _fail([p.format() for p in exc.problems])
    if detected.logger is None and with_logger is None:
        where = f"{detected.root}/{logger_path or default_logger_path(detected)}".removeprefix("./")
        if sys.stdin.isatty() and sys.stdout.isatty():
            with_logger = typer.confirm(f"No audit logger found under {detected.root}. Write one at {where}?", default=True)
        else:
            _fail([f"init: no audit logger found under {detected.root} (a module with log_event, a get_*logger() getter "
                   f"and an Enum); pass --with-logger to write one at {where}, or --no-logger to write your own"])
    try:
        plan = plan_init(detected, with_logger=bool(with_logger), logger_path=logger_path, specs=specs, min_level=min_level)
    except InputError as exc:
        _fail([p.format() for p in exc.problems])
    try:
        for path in plan.directories:
            path.mkdir(parents=True, exist_ok=True)
        write_files(plan.writes)
    except (OSError, WriteError) as exc:
        _fail([f"init: cannot write: {exc}"])
    _report(detected, plan)


def _report(detected, plan) -> None:
    echo = typer.echo
    logger = plan.logger
    echo(f"root: {detected.root}")
    if detected.logger is not None:
        echo(f"audit logger: {logger.module} (getter {logger.getter}, enum {logger.enum_class}) — found in the project; no logger module written")
    elif logger.written:
        echo(f"audit logger: wrote {Path(detected.root, logger.path).as_posix().removeprefix('./')} "
             f"(EventType, EventLogger, get_event_logger/set_event_logger; SQLite by default, PostgreSQL from a URL)")
    else:
        echo(f"audit logger: none; write {logger.module} (getter {logger.getter}, enum {logger.enum_class}) before `eventmod apply`")
    if detected.line_length is not None:
        echo(f"line length: {detected.line_length} (from {detected.line_length_from})")
    echo(f"style: {'black' if detected.black else 'learned from each file (quotes, indentation, newlines)'}")
    echo(f"wrote [tool.eventmod] to {detected.project / 'pyproject.toml'}")
    for spec, count in plan.specs_written:
        echo(f"wrote {spec}: {count} drafted event(s)")
    for note in [*detected.notes, *plan.notes]:
        typer.echo(f"note: {note}", err=True)
    echo("next: review the drafted specs, then `eventmod dry-run` and `eventmod apply`")
    if logger.written:
        echo(f"at start-up, call set_event_logger(EventLogger(\"sqlite:///audit_events.db\")) from {logger.module}, "
             "or set AUDIT_EVENTS_URL (sqlite:///path.db or postgresql://...)")


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    typer.echo(f"{len(lines)} problem(s); nothing was written.", err=True)
    raise typer.Exit(EXIT_INVALID)
