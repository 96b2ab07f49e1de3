"""The SQL eventmod runs against the events table, and the analysis SQL `eventmod queries` prints.

Every statement exists for both dialects (`postgresql`, `sqlite`) and is written once, as a
template whose parameters are `{name}`. A template is rendered either for a person (psql
variables `:name` / `:'name'`, SQLite named parameters `:name`) or for execution (`$n` / `?`
plus the values in order); the tests execute exactly the text `eventmod queries` prints.

On SQLite the events file is opened as the main database, so the table is named without the
schema of `events_table` (the audited bot ATTACHes that file under the schema's name).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Iterable

from eventmod.model.record import record
from eventmod.model.settings import EVENT_COLUMNS, Config
from eventmod.model.spec import Catalog, EventSpec

POSTGRESQL, SQLITE = "postgresql", "sqlite"
DIALECTS = (POSTGRESQL, SQLITE)
TIMELINE_KEYS = ("position_id", "correlation_id", "symbol", "order_id")
REQUIRED_COLUMNS = ("event_type", "event_data", "severity", "created_at")  # what observe cannot do without
PROBLEM_SEVERITIES = ("WARNING", "ERROR", "CRITICAL")

_INT_PARAMS = {"position_id", "limit"}
_TIME_PARAMS = {"since", "until"}
_PARAM = re.compile(r"\{([a-z_]+)\}")
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")
_RESERVED = {
    "all", "and", "as", "asc", "case", "check", "column", "constraint", "create", "default", "desc", "distinct", "do",
    "else", "end", "except", "false", "for", "foreign", "from", "grant", "group", "having", "in", "index", "into", "is",
    "join", "key", "limit", "not", "null", "offset", "on", "or", "order", "primary", "references", "select", "table",
    "then", "to", "true", "union", "unique", "user", "using", "values", "when", "where", "with",
}


def ident(name: str) -> str:
    """An identifier as SQL text: bare when that is unambiguous, else double-quoted."""
    if _PLAIN.fullmatch(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@record
class EventTable:
    """The configured events table: its schema, name and column names; `present` (when known)
    is the set of logical columns the table has, the others read as NULL."""

    schema: str | None
    name: str
    columns: tuple[tuple[str, str], ...] = ()  # logical -> name in the table (overrides only)
    present: frozenset[str] | None = None

    @classmethod
    def from_config(cls, config: Config) -> "EventTable":
        schema, _, name = config.events_table.rpartition(".")
        return cls(schema or None, name, config.event_columns)

    def column_name(self, logical: str) -> str:
        return dict(self.columns).get(logical, logical)

    def has(self, logical: str) -> bool:
        return self.present is None or logical in self.present

    def col(self, logical: str, alias: str = "") -> str:
        """A column reference, or NULL for a column the table does not have."""
        if not self.has(logical):
            return "NULL"
        return (f"{alias}." if alias else "") + ident(self.column_name(logical))

    def ref(self, dialect: str) -> str:
        if dialect == SQLITE or not self.schema:
            return ident(self.name)
        return f"{ident(self.schema)}.{ident(self.name)}"

    def display(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def with_present(self, names: Iterable[str]) -> "EventTable":
        """Which logical columns exist, given the table's actual column names."""
        actual = set(names)
        return EventTable(self.schema, self.name, self.columns,
                          frozenset(c for c in EVENT_COLUMNS if self.column_name(c) in actual))


@record
class Statement:
    """One SQL template and the dialect it is written in."""

    template: str
    dialect: str

    @property
    def params(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for name in _PARAM.findall(self.template):
            seen.setdefault(name)
        return tuple(seen)

    def text(self) -> str:
        """For a person: psql variables (`:name`, `:'name'` for text) or SQLite `:name`."""

        def one(match: re.Match) -> str:
            name = match.group(1)
            if self.dialect == POSTGRESQL and name not in _INT_PARAMS:
                return f":'{name}'"
            return f":{name}"

        return _PARAM.sub(one, self.template)

    def bind(self, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """For execution: `$n` (PostgreSQL, typed) or `?` (SQLite) and the values in order."""
        order: list[str] = []

        def one(match: re.Match) -> str:
            name = match.group(1)
            if self.dialect == SQLITE:
                order.append(name)
                return "?"
            if name not in order:
                order.append(name)
            n = order.index(name) + 1
            if name in _TIME_PARAMS:
                return f"${n}::timestamptz"
            return f"${n}::bigint" if name in _INT_PARAMS else f"${n}::text"

        sql = _PARAM.sub(one, self.template)
        missing = [n for n in order if n not in values]
        if missing:
            raise KeyError(f"no value for parameter(s) {', '.join(missing)}")
        return sql, [_value(values[n], n, self.dialect) for n in order]


def _value(value: Any, name: str, dialect: str) -> Any:
    if dialect == SQLITE and isinstance(value, datetime):
        return value.isoformat()
    if dialect == POSTGRESQL and name in _TIME_PARAMS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _after(column: str, param: str, dialect: str) -> str:
    if dialect == SQLITE:
        return f"julianday({column}) >= julianday({{{param}}})"
    return f"{column} >= {{{param}}}"


def _before(column: str, param: str, dialect: str) -> str:
    if dialect == SQLITE:
        return f"julianday({column}) < julianday({{{param}}})"
    return f"{column} < {{{param}}}"


def _payload_text(table: EventTable, dialect: str, alias: str = "") -> str:
    column = table.col("event_data", alias)
    return f"{column}::text" if dialect == POSTGRESQL and column != "NULL" else column


# -- what observe and timeline run ------------------------------------------------------------
def observe_statement(table: EventTable, dialect: str, since: bool) -> Statement:
    """Rows grouped by (event_type, severity, payload keys): count, first and last seen. Key
    order is whatever the database yields; the caller sorts."""
    data = table.col("event_data")
    if dialect == POSTGRESQL:
        keys = (f"CASE WHEN jsonb_typeof({data}::jsonb) = 'object' "
                f"THEN ARRAY(SELECT jsonb_object_keys({data}::jsonb)) END")
    else:
        keys = (f"CASE WHEN json_valid({data}) AND json_type({data}) = 'object' "
                f"THEN (SELECT json_group_array(key) FROM json_each({data})) END")
    created = table.col("created_at")
    where = f"\nWHERE {_after(created, 'since', dialect)}" if since else ""
    return Statement(
        f"SELECT {table.col('event_type')}, {table.col('severity')}, {keys} AS payload_keys,\n"
        f"       count(*), min({created}), max({created})\n"
        f"FROM {table.ref(dialect)}{where}\n"
        f"GROUP BY 1, 2, 3",
        dialect,
    )


BUCKETS = ("second", "minute", "hour", "day", "month")
_SQLITE_BUCKET = {"second": "%Y-%m-%d %H:%M:%S", "minute": "%Y-%m-%d %H:%M:00", "hour": "%Y-%m-%d %H:00:00",
                  "day": "%Y-%m-%d 00:00:00", "month": "%Y-%m-01 00:00:00"}


def bucket_for(seconds: float) -> str:
    """A bucket width that gives a readable number of bars for a time span."""
    if seconds <= 120:
        return "second"
    if seconds <= 2 * 3600:
        return "minute"
    if seconds <= 4 * 86400:
        return "hour"
    if seconds <= 120 * 86400:
        return "day"
    return "month"


def buckets_statement(table: EventTable, dialect: str, unit: str, since: bool) -> Statement:
    """Rows per (time bucket, severity)."""
    created = table.col("created_at")
    if dialect == POSTGRESQL:
        bucket = f"date_trunc('{unit}', {created})"
    else:
        bucket = f"strftime('{_SQLITE_BUCKET[unit]}', {created})"
    where = f"\nWHERE {_after(created, 'since', dialect)}" if since else ""
    return Statement(
        f"SELECT {bucket} AS bucket, {table.col('severity')}, count(*)\n"
        f"FROM {table.ref(dialect)}{where}\n"
        f"GROUP BY 1, 2\nORDER BY 1, 2",
        dialect,
    )


TIMELINE_COLUMNS = ("id", "created_at", "event_type", "severity", "correlation_id", "position_id", "order_id", "symbol",
                    "exchange", "error_message", "event_data")


def timeline_statement(table: EventTable, dialect: str, key: str, since: bool, until: bool) -> Statement:
    """One incident's rows in time order (`limit` rows at most)."""
    if key not in TIMELINE_KEYS:
        raise ValueError(f"timeline key must be one of {', '.join(TIMELINE_KEYS)}")
    columns = [table.col(c) if c != "event_data" else _payload_text(table, dialect) for c in TIMELINE_COLUMNS]
    created = table.col("created_at")
    where = [f"{table.col(key)} = {{{key}}}"]
    if since:
        where.append(_after(created, "since", dialect))
    if until:
        where.append(_before(created, "until", dialect))
    order = f"{created}, {table.col('id')}" if table.has("id") else created
    return Statement(
        f"SELECT {', '.join(columns)}\n"
        f"FROM {table.ref(dialect)}\n"
        f"WHERE {' AND '.join(where)}\n"
        f"ORDER BY {order}\n"
        f"LIMIT {{limit}}",
        dialect,
    )


# -- what `eventmod queries` prints -----------------------------------------------------------
@record
class AnalysisQuery:
    """One of the analysis queries `eventmod queries` prints: its short name, its title, the SQL
    statement and the notes printed above it."""

    name: str
    title: str
    statement: Statement
    notes: tuple[str, ...] = ()


def spec_components(catalog: Catalog) -> list[tuple[str, str]]:
    """(event_type value, component) per value; a value several components log reads 'a | b'."""
    owners: dict[str, list[str]] = {}
    for event in catalog.events():
        names = owners.setdefault(event.value, [])
        if event.component not in names:
            names.append(event.component)
    return sorted((value, " | ".join(sorted(names))) for value, names in owners.items())


def _values(rows: list[tuple[str, ...]], indent: str = "    ") -> str:
    if not rows:  # VALUES needs one row: an impossible one keeps the query valid
        return f"{indent}(NULL, NULL, NULL)"
    return ",\n".join(f"{indent}(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


def _components_cte(catalog: Catalog) -> str:
    rows = spec_components(catalog)
    body = _values(rows) if rows else "    (NULL, NULL)"
    return f"WITH spec_components (event_type, component) AS (VALUES\n{body}\n)\n"


def analysis_queries(table: EventTable, dialect: str, catalog: Catalog, expected: list[EventSpec]) -> list[AnalysisQuery]:
    """The five analysis queries: `catalog` names the component of each event type (all specs);
    `expected` is the list of events the never-seen query checks (the selection)."""
    t = table.ref(dialect)
    col = table.col
    components = _components_cte(catalog)
    shared = "a value several components log shows as 'a | b'"
    chain_columns = ", ".join(col(c) for c in ("created_at", "event_type", "severity", "correlation_id", "position_id",
                                                "order_id", "symbol", "error_message"))
    chain_columns += f", {_payload_text(table, dialect)} AS payload"
    order = col("created_at") + (f", {col('id')}" if table.has("id") else "")
    join = f"FROM {t} AS e\nLEFT JOIN spec_components AS c ON c.event_type = {col('event_type', 'e')}\n"
    if dialect == POSTGRESQL:
        hour = f"date_trunc('hour', {col('created_at')})"
    else:
        hour = f"strftime('%Y-%m-%d %H:00:00', {col('created_at')})"
    severity = col("severity", "e")
    problem = f"(upper({severity}) IN ({', '.join(literal(s) for s in PROBLEM_SEVERITIES)})"
    problem += f" OR {col('error_message', 'e')} IS NOT NULL)" if table.has("error_message") else ")"
    expected_rows = sorted({(e.component, e.id, e.value) for e in expected})
    return [
        AnalysisQuery(
            "position_timeline", "Timeline of one position_id: its events, oldest first",
            Statement(f"SELECT {chain_columns}\nFROM {t}\nWHERE {col('position_id')} = {{position_id}}\n"
                      f"ORDER BY {order};", dialect),
            ("`eventmod timeline --position-id N` shows the same rows with each event's component",),
        ),
        AnalysisQuery(
            "correlation_chain", "Chain of one correlation_id: its events, oldest first",
            Statement(f"SELECT {chain_columns}\nFROM {t}\nWHERE {col('correlation_id')} = {{correlation_id}}\n"
                      f"ORDER BY {order};", dialect),
        ),
        AnalysisQuery(
            "error_summary", "Error summary by component and severity (WARNING and above, or an error message)",
            Statement(f"{components}SELECT coalesce(c.component, '(no spec)') AS component, {severity} AS severity, "
                      f"count(*) AS events,\n       count(DISTINCT {col('event_type', 'e')}) AS event_types, "
                      f"min({col('created_at', 'e')}) AS first_seen, max({col('created_at', 'e')}) AS last_seen\n"
                      f"{join}WHERE {problem} AND {_after(col('created_at', 'e'), 'since', dialect)}\n"
                      f"GROUP BY 1, 2\nORDER BY events DESC, component, severity;", dialect),
            (f"component comes from the specs ({shared})",),
        ),
        AnalysisQuery(
            "events_per_hour", "Events per hour and severity",
            Statement(f"SELECT {hour} AS hour, {col('severity')} AS severity, count(*) AS events\nFROM {t}\n"
                      f"WHERE {_after(col('created_at'), 'since', dialect)}\nGROUP BY 1, 2\nORDER BY 1, 2;", dialect),
        ),
        AnalysisQuery(
            "never_seen_since", "Expected events never seen since a date (the selected specs)",
            Statement(f"WITH expected (component, event_id, event_type) AS (VALUES\n{_values(expected_rows)}\n)\n"
                      f"SELECT x.component, x.event_id, x.event_type\nFROM expected AS x\n"
                      f"WHERE x.event_type IS NOT NULL AND NOT EXISTS (\n"
                      f"    SELECT 1 FROM {t} AS e\n"
                      f"    WHERE {col('event_type', 'e')} = x.event_type AND {_after(col('created_at', 'e'), 'since', dialect)}\n"
                      f")\nORDER BY x.component, x.event_id;", dialect),
            ("matches on event_type only; `eventmod observe` also tells apart specs that share an event type "
             "by their payload keys",),
        ),
    ]


@record
class IndexDef:
    """An index the analysis queries and `timeline` need: its name, its logical columns, the column
    a PostgreSQL partial index requires, and what it serves."""

    name: str
    columns: tuple[str, ...]  # logical
    partial: str | None  # logical column that must be NOT NULL (PostgreSQL partial index)
    serves: str


def index_defs() -> list[IndexDef]:
    return [
        IndexDef("position_time", ("position_id", "created_at"), "position_id", "position_id timeline, timeline --position-id"),
        IndexDef("correlation_time", ("correlation_id", "created_at"), "correlation_id", "correlation_id chain, timeline --correlation-id"),
        IndexDef("order_time", ("order_id", "created_at"), "order_id", "timeline --order-id"),
        IndexDef("symbol_time", ("symbol", "created_at"), None, "timeline --symbol"),
        IndexDef("type_time", ("event_type", "created_at"), None,
                 "expected events never seen since a date (covers an index on event_type alone)"),
        IndexDef("created_at", ("created_at",), None, "error summary, events per hour, observe --since"),
    ]


def index_statements(table: EventTable, dialect: str) -> list[tuple[IndexDef, str]]:
    """CREATE INDEX statements for the analysis queries and the timeline command. PostgreSQL:
    CONCURRENTLY (no write lock on a live table; run outside a transaction, as psql does), and
    partial on the mostly-NULL id columns."""
    found = []
    for index in index_defs():
        name = ident(f"idx_{table.name}_{index.name}")
        columns = ", ".join(ident(table.column_name(c)) for c in index.columns)
        if dialect == POSTGRESQL:
            where = f" WHERE {ident(table.column_name(index.partial))} IS NOT NULL" if index.partial else ""
            found.append((index, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table.ref(dialect)} ({columns}){where};"))
        else:
            found.append((index, f"CREATE INDEX IF NOT EXISTS {name} ON {table.ref(dialect)} ({columns});"))
    return found


def _psql_setup(statements: list[AnalysisQuery]) -> list[str]:
    examples = {"position_id": "42", "correlation_id": "'open-BTCUSDT-1'", "since": "'2025-01-01 00:00:00+00'"}
    names = sorted({p for q in statements for p in q.statement.params})
    return [f"\\set {n} {examples.get(n, repr(n))}" for n in names]


def queries_text(table: EventTable, dialect: str, queries: list[AnalysisQuery]) -> str:
    names = sorted({p for q in queries for p in q.statement.params})
    lines = [f"-- eventmod analysis queries ({dialect}) for the events table {table.display()}"]
    if dialect == POSTGRESQL:
        lines.append("-- parameters are psql variables; set them first, e.g.:")
        lines += [f"--   {line}" for line in _psql_setup(queries)]
    else:
        lines.append(f"-- the events file is the main database: table {table.ref(dialect)}; parameters are named "
                     f"({', '.join(':' + n for n in names)}), e.g. in the sqlite3 shell:")
        lines.append("--   .param set :position_id 42")
        lines.append("--   .param set :since '2025-01-01T00:00:00+00:00'")
    lines.append("-- the indexes these queries need: eventmod queries --indexes")
    for number, query in enumerate(queries, 1):
        lines += ["", f"-- {number}. {query.title} [{query.name}]"]
        lines += [f"--    {note}" for note in query.notes]
        lines.append(query.statement.text())
    return "\n".join(lines) + "\n"


def indexes_text(table: EventTable, dialect: str) -> str:
    lines = [f"-- indexes for eventmod's analysis queries and timeline ({dialect}), table {table.display()}"]
    if dialect == POSTGRESQL:
        lines.append("-- CONCURRENTLY builds without blocking the application's inserts; run each statement on its own (psql does)")
    for index, sql in index_statements(table, dialect):
        lines += [f"-- {index.serves}", sql]
    return "\n".join(lines) + "\n"
