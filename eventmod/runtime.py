"""The public core for runtime verification: what reached the events table, and one incident's
events. Like `eventmod.api` (this is its runtime half), nothing here prints; unusable input
raises `InputError` with located problems.

    url = database_url(project.config, "--db value or None", Path.cwd())
    result = observe(project, selection, url, since=parse_time("24h", flag="--since"))
    tl = timeline(project, url, "position_id", 42)

The database is only read: see `eventmod.io.eventdb`.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventmod.io.eventdb import POSTGRESQL, DatabaseURL, EventDB, open_database, parse_url
from eventmod.model.problems import InputError, Problem, did_you_mean
from eventmod.model.record import record
from eventmod.model.settings import Config
from eventmod.model.spec import Selection
from eventmod.reports.observe import ObserveReport, TimeBucket, build_report, sites_from_plan
from eventmod.reports.queries import (
    REQUIRED_COLUMNS, TIMELINE_KEYS, EventTable, bucket_for, buckets_statement, observe_statement, timeline_statement,
)
from eventmod.reports.rows import SpecIndex, merge_groups, parse_timestamp
from eventmod.reports.timeline import Timeline, build_timeline

if TYPE_CHECKING:
    from eventmod.api import Project

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)", re.IGNORECASE)
_UNITS = {"s": "seconds", "sec": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
TIME_FORMS = "a duration back from now (30m, 24h, 7d, 2w) or an ISO date or time (2025-01-31, 2025-01-31T08:00:00+00:00)"


def parse_time(text: str, *, flag: str, now: datetime | None = None) -> datetime:
    """`24h` / `7d` / `30m` / `2w` / `90s` back from now, or an ISO date (midnight UTC) or
    date-time (UTC when it has no offset)."""
    now = now or datetime.now(timezone.utc)
    value = text.strip()
    match = _DURATION.fullmatch(value)
    if match:
        return now - timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
    moment = parse_timestamp(value.replace(" ", "T", 1) if len(value) > 10 else value)
    if moment is None:
        raise InputError([Problem(flag, 0, f"expected {TIME_FORMS}, got '{text}'")])
    return moment


def database_url(config: Config, flag: str | None, cwd: Path) -> DatabaseURL:
    """--db, else the variable named by `database_url_env` (when set), else `database_url`."""
    if flag:
        return parse_url(flag, origin="--db", base=cwd)
    where = str(config.source) if config.source else "[tool.eventmod]"
    if config.database_url_env:
        value = os.environ.get(config.database_url_env)
        if value:
            return parse_url(value, origin=f"${config.database_url_env} (database_url_env)", base=cwd)
        if not config.database_url:
            raise InputError([Problem(where, 0, f"database_url_env names the environment variable "
                                                f"{config.database_url_env}, which is not set; set it, or pass --db URL")])
    if config.database_url:
        base = config.source.parent if config.source else cwd
        return parse_url(config.database_url, origin=f"{where}: database_url", base=base)
    raise InputError([Problem("--db", 0, "no database given: pass --db URL (sqlite:///path.db or postgresql://...), or set "
                                         "database_url or database_url_env in [tool.eventmod]")])


def open_events(config: Config, url: DatabaseURL, needed: tuple[str, ...] = REQUIRED_COLUMNS) -> tuple[EventDB, EventTable]:
    """A read-only session and the table, checked: it exists and has the `needed` columns."""
    table = EventTable.from_config(config)
    db = open_database(url)
    try:
        schema = table.schema if url.dialect == POSTGRESQL else None
        columns = db.columns(schema, table.name)
        name = table.display() if url.dialect == POSTGRESQL else table.name
        if not columns:
            tables = db.tables(schema)
            listing = f" (tables there: {', '.join(tables[:12])}{', ...' if len(tables) > 12 else ''})" if tables else " (it has no tables)"
            hint = did_you_mean(table.name, tables)
            raise url.problem(f"table {name} not found{hint}{listing}; set events_table in [tool.eventmod]")
        table = table.with_present(columns)
        missing = [c for c in needed if not table.has(c)]
        if missing:
            described = ", ".join(f"{c} (looked for '{table.column_name(c)}')" for c in missing)
            raise url.problem(f"table {name} has no column {described}; its columns are {', '.join(columns)}; "
                              f"map them with event_columns in [tool.eventmod]")
    except BaseException:
        db.close()
        raise
    return db, table


def enum_members(config: Config) -> dict[str, str]:
    """EventType value -> member name, read from the enum file (empty when it cannot be read)."""
    from eventmod.analysis.enum_state import read_enum
    from eventmod.pyast.source import load_source

    loaded = load_source(config.root, config.enum_file)
    if isinstance(loaded, Problem):
        return {}
    source, tree = loaded
    state = read_enum(source, tree, config.enum_class)
    if isinstance(state, Problem):
        return {}
    return {value: name for name, value in state.members.items()}


@record
class ObserveResult:
    """What `observe` returns: the runtime coverage report, and the spec and plan problems (the
    events they affect count as invalid)."""

    report: ObserveReport
    problems: tuple[Problem, ...]  # spec problems: the affected events count as invalid


def observe(project: "Project", selection: Selection, url: DatabaseURL, *, since: datetime | None = None,
            target: float = 90.0, jobs: int = 1) -> ObserveResult:
    """Runtime coverage of the selection: the catalog against the rows (read-only). Each event's
    file:line and code status come from locating its anchor and block (no checks or rendering:
    observe needs no patch)."""
    from eventmod.transform.apply import locate_run

    config = project.config
    run = locate_run(config, project.catalog, selection, jobs=jobs)
    db, table = open_events(config, url)
    with db:
        sql, params = observe_statement(table, db.dialect, since is not None).bind({"since": since})
        groups = merge_groups(db.fetch(sql, params))
        firsts = [g.first for g in groups if g.first]
        lasts = [g.last for g in groups if g.last]
        unit = bucket_for((max(lasts) - min(firsts)).total_seconds()) if firsts and lasts else "hour"
        buckets: list[TimeBucket] = []
        if groups:
            sql, params = buckets_statement(table, db.dialect, unit, since is not None).bind({"since": since})
            for start, severity, count in db.fetch(sql, params):
                moment = parse_timestamp(start)
                if moment is not None:
                    buckets.append(TimeBucket(moment, str(severity or ""), int(count)))
    report = build_report(
        project.catalog, selection, sites_from_plan(run), set(enum_members(config)), groups,
        source=url.display, table=table.display() if url.dialect == POSTGRESQL else table.name, since=since,
        bucket_unit=unit, buckets=buckets, target=target,
    )
    return ObserveResult(report, (*project.spec_problems, *run.all_problems()))


def timeline(project: "Project", url: DatabaseURL, key: str, value: Any, *, since: datetime | None = None,
             until: datetime | None = None, limit: int = 1000) -> Timeline:
    """The rows whose `key` column (position_id, correlation_id, symbol, order_id) equals `value`."""
    if key not in TIMELINE_KEYS:
        raise InputError([Problem("timeline", 0, f"key must be one of {', '.join(TIMELINE_KEYS)}, got '{key}'")])
    config = project.config
    db, table = open_events(config, url, needed=(*REQUIRED_COLUMNS, key))
    with db:
        statement = timeline_statement(table, db.dialect, key, since is not None, until is not None)
        sql, params = statement.bind({key: value, "since": since, "until": until, "limit": limit + 1})
        rows = db.fetch(sql, params)
    return build_timeline(
        rows, SpecIndex(project.catalog.events()), enum_members(config), key=key, value=str(value),
        source=url.display, table=table.display() if url.dialect == POSTGRESQL else table.name,
        since=since, until=until, limit=limit,
    )
