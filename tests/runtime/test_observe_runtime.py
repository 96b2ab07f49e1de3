"""`eventmod observe`, `timeline` and `queries` against the real thing: a copy of the fixture bot
instrumented with the whole catalog, driven through the catalog scenarios (and an incident
scenario) against SQLite and PostgreSQL, then read back by eventmod.

A module-scoped copy of the bot and one database per backend are shared; every test that
changes rows works on its own copy of that database."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from eventmod.io.eventdb import open_database, parse_url
from eventmod.model.problems import InputError
from tests.runtime.test_catalog_runtime import PHASES, REPO, SPECS, copy_fixture, load_catalog, row_triple, run_apply, triple

INCIDENT = Path(__file__).resolve().parent / "incidents" / "position_incident.py"
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------- databases
@dataclass
class Database:
    """One events database: `url` for eventmod, `backend` for the driver, direct access for checks."""

    kind: str  # sqlite | postgres
    target: str  # file path or DSN
    server: str = ""  # postgres: the server DSN (to copy and drop databases)
    cleanup: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.target}" if self.kind == "sqlite" else self.target

    @property
    def backend(self) -> str:
        return f"{self.kind}:{self.target}"

    def fetch(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.target)
            try:
                return [tuple(r) for r in conn.execute(sql, params)]
            finally:
                conn.close()

        async def go():
            import asyncpg

            conn = await asyncpg.connect(self.target)
            try:
                return [tuple(r) for r in await conn.fetch(sql, *params)]
            finally:
                await conn.close()

        return asyncio.run(go())

    def execute(self, *statements: str) -> None:
        """Each statement on its own, outside any transaction (CREATE INDEX CONCURRENTLY)."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.target)
            try:
                for statement in statements:
                    conn.execute(statement)
                conn.commit()
            finally:
                conn.close()
            return

        async def go():
            import asyncpg

            conn = await asyncpg.connect(self.target)
            try:
                for statement in statements:
                    await conn.execute(statement)
            finally:
                await conn.close()

        asyncio.run(go())

    @property
    def table(self) -> str:
        return "events" if self.kind == "sqlite" else "monitoring.events"

    def rows(self) -> list[dict]:
        names = ["id", "event_type", "event_data", "correlation_id", "position_id", "order_id", "symbol", "severity",
                 "error_message", "created_at"]
        data = ", ".join(names[:2]) + (", event_data::text" if self.kind == "postgres" else ", event_data") + ", " + ", ".join(names[3:])
        return [dict(zip(names, r)) for r in self.fetch(f"SELECT {data} FROM {self.table} ORDER BY id")]

    def delete_ids(self, ids: list[int]) -> None:
        for chunk in range(0, len(ids), 500):
            listed = ", ".join(str(int(i)) for i in ids[chunk: chunk + 500])
            self.execute(f"DELETE FROM {self.table} WHERE id IN ({listed})")

    def fingerprint(self) -> tuple:
        """Everything a write would change: SQLite's bytes; PostgreSQL's rows, ids and contents."""
        if self.kind == "sqlite":
            return (hashlib.sha256(Path(self.target).read_bytes()).hexdigest(), Path(self.target).stat().st_mtime_ns)
        return self.fetch(
            "SELECT count(*), coalesce(max(id), 0), md5(coalesce(string_agg(id::text || event_type || "
            "coalesce(event_data::text, '') || severity || created_at::text, '|' ORDER BY id), '')) FROM monitoring.events"
        )[0] + self.fetch("SELECT count(*) FROM pg_indexes WHERE schemaname = 'monitoring'")[0]

    def copy(self, tmp: Path) -> "Database":
        if self.kind == "sqlite":
            target = tmp / f"copy-{uuid.uuid4().hex[:6]}.db"
            shutil.copyfile(self.target, target)
            return Database("sqlite", str(target))
        name = f"eventmod_obs_{uuid.uuid4().hex[:10]}"
        source = urlsplit(self.target).path.lstrip("/")
        _admin(self.server, f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        copy = Database("postgres", urlunsplit(urlsplit(self.server)._replace(path=f"/{name}")), self.server)
        self.cleanup.append(lambda: _admin(self.server, f'DROP DATABASE IF EXISTS "{name}"'))
        return copy

    def fresh(self, tmp: Path) -> "Database":
        """An empty database of the same kind."""
        if self.kind == "sqlite":
            return Database("sqlite", str(tmp / f"fresh-{uuid.uuid4().hex[:6]}.db"))
        name = f"eventmod_obs_{uuid.uuid4().hex[:10]}"
        _admin(self.server, f'CREATE DATABASE "{name}"')
        self.cleanup.append(lambda: _admin(self.server, f'DROP DATABASE IF EXISTS "{name}"'))
        return Database("postgres", urlunsplit(urlsplit(self.server)._replace(path=f"/{name}")), self.server)


def _admin(server: str, sql: str) -> None:
    async def go():
        import asyncpg

        conn = await asyncpg.connect(server)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def drive(root: Path, db: Database, tmp: Path, *scenarios: Path) -> dict:
    summary = tmp / f"summary-{uuid.uuid4().hex[:6]}.json"
    cmd = [sys.executable, "-m", "tests.runtime.drive", "--root", str(root), "--backend", db.backend, "--summary", str(summary)]
    for scenario in scenarios:
        cmd += ["--scenario", str(scenario)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    data = json.loads(summary.read_text())
    assert data["scenarios_failed"] == 0 and data["serialization_failures"] == 0, data
    return data


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def instrumented(tmp_path_factory) -> Path:
    root = copy_fixture(tmp_path_factory.mktemp("observe-bot"))
    for phase in PHASES:
        proc = run_apply(root, phase)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def scenario_db(request, kind, instrumented, tmp_path_factory):
    """The catalog scenarios' rows, once per backend and module."""
    tmp = tmp_path_factory.mktemp(f"observe-{kind}")
    if kind == "sqlite":
        db = Database("sqlite", str(tmp / "events.db"))
    else:
        server = request.getfixturevalue("pg_server_dsn")
        db = Database("postgres", "", server).fresh(tmp)
        db.server = server
    drive(instrumented, db, tmp)
    yield db
    for drop in reversed(db.cleanup):
        try:
            drop()
        except Exception:
            pass


@pytest.fixture
def cli(eventmod, instrumented):
    """eventmod in process, on the instrumented copy and the catalog specs."""

    def call(*args: str):
        result = eventmod(*args, "--root", str(instrumented), "--specs", str(SPECS))
        return result.exit_code, result.stdout, result.stderr

    return call


def observe_json(cli, db: Database, *args: str) -> dict:
    code, out, err = cli("observe", "--db", db.url, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def is_pg(db: Database) -> bool:
    return db.kind == "postgres"


# ----------------------------------------------------------------------------- observe
def test_observe_sees_every_catalog_event(cli, scenario_db):
    report = observe_json(cli, scenario_db, "--fail-under", "100")
    assert report["total"]["specified"] == 150 and report["total"]["seen"] == 150, report["never_seen"]
    assert report["never_seen"] == []
    assert all(c["seen"] == c["specified"] for c in report["components"]), report["components"]
    events = [e for c in report["components"] for e in c["events"]]
    assert [e["id"] for e in events if e["severity_mismatch_rows"]] == []
    assert [e["id"] for e in events if e["payload_differences"]] == []
    assert report["unknown_event_types"] == []
    hand_written = {u["event_type"] for u in report["unspecified_members"]}
    assert {"atomic_operation_started", "atomic_operation_completed"} <= hand_written  # the reference component
    assert [p["status"] for p in report["phases"] if p["specified"]] == ["verified", "verified", "verified"]
    code, out, _ = cli("observe", "--db", scenario_db.url)
    assert code == 0 and "runtime coverage 150/150 (100.0%), target 90%; statically instrumented 150/150" in out


def test_deleting_one_component_reports_exactly_its_events_with_their_sites(cli, scenario_db, instrumented, tmp_path):
    db = scenario_db.copy(tmp_path)
    catalog = load_catalog()
    component = [e for e in catalog if e["component"] == "trailing_stop"]
    doomed = {triple(e) for e in component}
    rows = db.rows()
    ids = [r["id"] for r in rows if row_triple(r) in doomed]
    assert ids
    db.delete_ids(ids)

    report = observe_json(cli, db)
    assert report["total"]["seen"] == 132
    never = {n["id"]: n for n in report["never_seen"]}
    assert sorted(never) == sorted(e["id"] for e in component)
    source = (instrumented / "protection" / "trailing_stop.py").read_text().splitlines()
    for entry in never.values():
        assert entry["file"] == "protection/trailing_stop.py" and entry["code_status"] == "present", entry
        block = "\n".join(source[entry["line"] - 1: entry["line"] + 12])
        assert f"EventType.{entry['event']}," in block, (entry, block)  # the line is where its block is
    code, out, _ = cli("observe", "--db", db.url, "--component", "trailing_stop")
    for entry in never.values():
        assert f"protection/trailing_stop.py:{entry['line']}: trailing_stop: {entry['id']} ({entry['event']})" in out
    # the gate: 132/150 = 88.0%
    code, _, err = cli("observe", "--db", db.url, "--fail-under", "90")
    assert code == 1 and "runtime coverage 88.0% is under --fail-under 90%" in err
    assert cli("observe", "--db", db.url, "--fail-under", "88")[0] == 0
    assert cli("observe", "--db", db.url, "--phase", "2", "--fail-under", "100")[0] == 0
    assert cli("observe", "--db", db.url, "--phase", "1", "--fail-under", "90")[0] == 1


def test_observe_and_timeline_never_write(cli, scenario_db):
    before = scenario_db.fingerprint()
    for args in (["observe", "--format", "json"], ["observe", "--format", "html"], ["observe", "--since", "1h"],
                 ["timeline", "--position-id", "1"], ["timeline", "--symbol", "BTC/USDT", "--format", "html"]):
        code, _, err = cli(*args, "--db", scenario_db.url)
        assert code == 0, err
    assert scenario_db.fingerprint() == before
    with open_database(parse_url(scenario_db.url, origin="--db")) as session:
        if is_pg(scenario_db):
            assert session.fetch("SHOW transaction_read_only") == [("on",)]
        for statement in (f"DELETE FROM {scenario_db.table}",
                          f"INSERT INTO {scenario_db.table} (event_type, severity, created_at) VALUES ('x', 'INFO', '2026-01-01')",
                          f"UPDATE {scenario_db.table} SET severity = 'INFO'", "CREATE TABLE eventmod_was_here (x int)"):
            with pytest.raises(InputError) as caught:
                session.fetch(statement)
            message = caught.value.problems[0].message
            assert ("read-only transaction" in message) if is_pg(scenario_db) else ("readonly database" in message), message
            if is_pg(scenario_db):
                break  # the failed statement aborts the transaction; the rest would fail for that reason
    assert scenario_db.fingerprint() == before


# ----------------------------------------------------------------------------- timeline
POSITION_STORY = [
    ("position_manager", "POSITION_CREATED_ATOMICALLY", "INFO"),
    ("trailing_stop", "TRAILING_STOP_CREATED", "INFO"),
    ("trailing_stop", "TRAILING_STOP_BREAKEVEN", "INFO"),
    ("trailing_stop", "POSITION_STATE_CHANGED", "INFO"),
    ("trailing_stop", "STOP_ORDER_CANCELLED", "INFO"),
    ("trailing_stop", "STOP_ORDER_PLACED", "INFO"),
    ("trailing_stop", "POSITION_STATE_CHANGED", "INFO"),
    ("trailing_stop", "TRAILING_STOP_ACTIVATED", "INFO"),
    ("trailing_stop", "MOMENTUM_BASED_ADJUSTMENT", "INFO"),
    ("trailing_stop", "STOP_ORDER_CANCELLED", "INFO"),
    ("trailing_stop", "TRAILING_STOP_UPDATED", "INFO"),
    ("trailing_stop", "TRAILING_STOP_TRIGGERED", "WARNING"),
    ("trailing_stop", "POSITION_STATE_CHANGED", "INFO"),
    ("position_manager", "POSITION_CLOSED", "INFO"),
    ("trailing_stop", "TRAILING_STOP_REMOVED", "INFO"),
]


def test_incident_timeline(cli, scenario_db, instrumented, tmp_path):
    """open -> trailing stop -> stop-loss exit -> close, and a failed wave, read back in order."""
    db = scenario_db.fresh(tmp_path)
    drive(instrumented, db, tmp_path, INCIDENT)

    code, out, err = cli("timeline", "--db", db.url, "--position-id", "1", "--format", "json")
    assert code == 0, err
    events = json.loads(out)["events"]
    story = [(e["component"], e["event"], e["severity"]) for e in events]
    # the Protection SL cancel is emitted in the background: its place is between creation and trigger
    background = ("trailing_stop", "PROTECTION_SL_CANCELLED", "INFO")
    assert story.count(background) == 1
    assert 1 < story.index(background) < story.index(("trailing_stop", "TRAILING_STOP_TRIGGERED", "WARNING"))
    assert [s for s in story if s != background] == POSITION_STORY
    times = [e["at"] for e in events]
    assert times == sorted(times)
    by_event = {e["event"]: e for e in events}
    assert "entry_price=65000.0" in by_event["POSITION_CREATED_ATOMICALLY"]["summary"]
    assert "activation_price=66100.0" in by_event["TRAILING_STOP_ACTIVATED"]["summary"]
    assert "trigger_price=66000.0" in by_event["TRAILING_STOP_TRIGGERED"]["summary"]
    assert "reason=trailing_stop" in by_event["POSITION_CLOSED"]["summary"]
    assert {e["position_id"] for e in events} == {1}

    code, text, _ = cli("timeline", "--db", db.url, "--position-id", "1")
    lines = text.splitlines()
    assert lines[0].startswith("timeline of position_id 1: 16 event(s), ")
    assert lines[1].split()[4:6] == ["position_manager", "POSITION_CREATED_ATOMICALLY"]
    assert lines[-1].split()[4:6] == ["trailing_stop", "TRAILING_STOP_REMOVED"]

    code, out, err = cli("timeline", "--db", db.url, "--correlation-id", "wave_2026-02-01T08:00:00+00:00", "--format", "json")
    assert code == 0, err
    wave = [(e["component"], e["event"], e["severity"]) for e in json.loads(out)["events"]]
    assert wave == [
        ("wave_signal_processor", "WAVE_PROCESSING_STARTED", "INFO"),
        ("wave_signal_processor", "SIGNAL_VALIDATION_ERROR", "WARNING"),
        ("wave_signal_processor", "INSUFFICIENT_FUNDS", "ERROR"),
        ("wave_signal_processor", "WAVE_PROCESSING_COMPLETED", "INFO"),
        ("wave_signal_processor", "WAVE_FAILURES_DETAILED", "WARNING"),
    ]
    code, out, _ = cli("timeline", "--db", db.url, "--symbol", "BTC/USDT", "--until", "1h")
    assert code == 0 and out.startswith("timeline of symbol BTC/USDT: 0 event(s)")  # all rows are newer than an hour ago
    code, out, _ = cli("timeline", "--db", db.url, "--symbol", "BTC/USDT", "--since", "1h")
    assert code == 0 and "POSITION_OPEN_REQUESTED" in out.splitlines()[1]


# ----------------------------------------------------------------------------- queries
def run_query(db: Database, cli, name: str, values: dict) -> list[tuple]:
    """SQLite: exactly the text `eventmod queries --dialect sqlite` prints, with named parameters.
    PostgreSQL: the same templates bound to $n (psql variables are a psql feature)."""
    if db.kind == "sqlite":
        code, out, _ = cli("queries", "--dialect", "sqlite")
        assert code == 0
        for block in out.split("\n\n")[1:]:
            if block.splitlines()[0].endswith(f"[{name}]"):
                sql = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
                conn = sqlite3.connect(db.target)
                try:
                    return [tuple(r) for r in conn.execute(sql, values)]
                finally:
                    conn.close()
        raise AssertionError(f"no query {name}")
    from eventmod.api import load_project
    from eventmod.reports.queries import EventTable, analysis_queries

    project = load_project(REPO, root=None, specs=str(SPECS))
    queries = {q.name: q for q in analysis_queries(EventTable("monitoring", "events"), "postgresql", project.catalog,
                                                   project.catalog.events())}
    sql, params = queries[name].statement.bind(values)
    return db.fetch(sql, tuple(params))


def test_queries_return_the_expected_rows(cli, scenario_db):
    db = scenario_db
    rows = db.rows()
    since = EPOCH.isoformat() if db.kind == "sqlite" else EPOCH
    future = (datetime.now(timezone.utc) + timedelta(hours=1))
    future = future.isoformat() if db.kind == "sqlite" else future

    def ordered(selected):
        return [(r["event_type"], r["severity"]) for r in selected]

    position = 3
    got = run_query(db, cli, "position_timeline", {"position_id": position})
    assert [(r[1], r[2]) for r in got] == ordered(r for r in rows if r["position_id"] == position)
    chain = next(r["correlation_id"] for r in rows if r["correlation_id"] and r["correlation_id"].startswith("wave_"))
    got = run_query(db, cli, "correlation_chain", {"correlation_id": chain})
    assert [(r[1], r[2]) for r in got] == ordered(r for r in rows if r["correlation_id"] == chain) and got

    summary = run_query(db, cli, "error_summary", {"since": since})
    problems = [r for r in rows if r["severity"].upper() in ("WARNING", "ERROR", "CRITICAL") or r["error_message"]]
    assert sum(r[2] for r in summary) == len(problems)
    catalog = load_catalog()
    expected = {}
    for r in problems:
        owners = sorted({e["component"] for e in catalog if e["value"] == r["event_type"]})
        key = (" | ".join(owners) if owners else "(no spec)", r["severity"])
        expected[key] = expected.get(key, 0) + 1
    assert {(r[0], r[1]): r[2] for r in summary} == expected

    hourly = run_query(db, cli, "events_per_hour", {"since": since})
    assert sum(r[2] for r in hourly) == len(rows)
    assert run_query(db, cli, "events_per_hour", {"since": future}) == []

    assert run_query(db, cli, "never_seen_since", {"since": since}) == []
    unseen = run_query(db, cli, "never_seen_since", {"since": future})
    assert sorted(r[1] for r in unseen) == sorted(e["id"] for e in load_catalog())


@pytest.mark.parametrize("kind", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_postgres_timeline_queries_use_their_indexes(cli, scenario_db, tmp_path):
    """EXPLAIN: with the indexes from `queries --indexes`, the per-position timeline (printed and
    the command's own), the correlation chain, the order timeline and the never-seen query use
    them. 200,000 generated rows are added to the scenario rows so the planner prefers the
    indexes on its own (no enable_seqscan tricks); without them the timelines scan the table
    (never-seen already had the bot's own event_type index)."""
    db = scenario_db.copy(tmp_path)
    db.execute(
        "INSERT INTO monitoring.events (event_type, event_data, correlation_id, position_id, order_id, symbol, exchange,"
        " severity, created_at) SELECT 'generated_' || (g % 40), '{\"n\": 1}'::jsonb, 'corr-' || (g % 20000),"
        " g % 5000, 'ord-' || g, 'SYM' || (g % 50), 'binance', 'INFO', now() - (g || ' seconds')::interval"
        " FROM generate_series(1, 200000) AS g",
        "ANALYZE monitoring.events",
    )
    from eventmod.api import load_project
    from eventmod.reports.queries import EventTable, analysis_queries, timeline_statement

    project = load_project(REPO, root=None, specs=str(SPECS))
    table = EventTable("monitoring", "events")
    queries = {q.name: q.statement for q in analysis_queries(table, "postgresql", project.catalog, project.catalog.events())}
    cases = {
        "position_timeline": (queries["position_timeline"], {"position_id": 3}, "idx_events_position_time"),
        "timeline --position-id": (timeline_statement(table, "postgresql", "position_id", True, False),
                                   {"position_id": 3, "since": EPOCH, "limit": 1001}, "idx_events_position_time"),
        "correlation_chain": (queries["correlation_chain"], {"correlation_id": "corr-17"}, "idx_events_correlation_time"),
        "timeline --order-id": (timeline_statement(table, "postgresql", "order_id", False, False),
                                {"order_id": "ord-77", "limit": 1001}, "idx_events_order_time"),
        # the planner picks (event_type, created_at), (created_at) or the bot's own (event_type) index
        # depending on how selective `since` is: any index, never a scan of the table
        "never_seen_since": (queries["never_seen_since"], {"since": datetime.now(timezone.utc) - timedelta(hours=1)},
                             {"idx_events_type_time", "idx_events_created_at", "idx_events_type"}),
    }

    def plan_of(statement, values) -> dict:
        sql, params = statement.bind(values)
        return json.loads(db.fetch("EXPLAIN (FORMAT JSON) " + sql, tuple(params))[0][0])[0]["Plan"]

    def nodes(plan: dict):
        yield plan
        for child in plan.get("Plans", []):
            yield from nodes(child)

    for name, (statement, values, _) in cases.items():
        kinds = {n["Node Type"] for n in nodes(plan_of(statement, values)) if n.get("Relation Name") == "events"}
        if name != "never_seen_since":
            assert "Seq Scan" in kinds, (name, kinds)  # without the indexes: a full scan

    code, out, _ = cli("queries", "--indexes")
    assert code == 0
    db.execute(*[line for line in out.splitlines() if line.startswith("CREATE INDEX")])
    db.execute("ANALYZE monitoring.events")
    for name, (statement, values, index) in cases.items():
        plan = list(nodes(plan_of(statement, values)))
        used = {n["Index Name"] for n in plan if "Index Name" in n}
        assert used and (used <= index if isinstance(index, set) else used == {index}), (name, used)
        assert not [n for n in plan if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "events"], (name, plan)


def test_every_present_event_is_located_at_its_block(instrumented):
    """The file:line observe gives for a never-seen event is where its block starts (its comment
    line, else its getter), for every anchor kind, including `before` and `at: end`."""
    from eventmod import api

    project = api.load_project(REPO, root=str(instrumented), specs=str(SPECS))
    run = api.plan(project)
    kinds = set()
    for f in run.files:
        lines = (instrumented / f.path).read_text(encoding="utf-8").splitlines()
        for o in f.outcomes:
            assert o.status.value == "present", (o.event.id, o.status)
            for line in o.lines:
                start = lines[line - 1].strip()
                if o.event.anchor.kind == "on_error":  # the wrapped statement, the first line of the try body
                    assert lines[line - 2].strip() == "try:", (o.event.id, line)
                else:
                    assert start.startswith("#") or start.startswith("event_logger"), (o.event.id, line, start)
                block = "\n".join(lines[line - 1: line + 30])
                assert f"EventType.{o.event.event}," in block, (o.event.id, line)
                kinds.add(o.event.anchor.kind)
    assert kinds == {"after_log", "after", "before", "at", "in_except", "on_error"}
    # observe locates events without planning a patch: the same lines and statuses as the plan
    from eventmod.transform.apply import locate_run

    located = {o.event.id: (o.status, o.lines) for o in locate_run(project.config, project.catalog).outcomes()}
    assert located == {o.event.id: (o.status, o.lines) for o in run.outcomes()}
