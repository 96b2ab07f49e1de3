"""observe / timeline / queries on SQLite, in process: a small project unlike the fixture (another
table and column names, shared event types, an enum member no spec names), bad input, read-only.
The fixture bot driven through its scenarios, on SQLite and PostgreSQL: tests/runtime."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from eventmod.io.eventdb import PostgresEventDB, mask_password, open_database, parse_url
from eventmod.model.problems import InputError
from eventmod.runtime import parse_time
from tests.observe_project import CUSTOM_CONFIG, SITES, T0, Row, make_project, rows, write_sqlite


def run(eventmod, *args):
    result = eventmod(*args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(eventmod):
    """The project in the CLI's working directory, with the standard data in events.db."""
    make_project(eventmod.cwd)
    write_sqlite(eventmod.cwd / "events.db", rows())
    return eventmod


def observe_json(eventmod, *args) -> dict:
    code, out, err = run(eventmod, "observe", "--db", "sqlite:///events.db", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def by_id(report: dict) -> dict:
    return {e["id"]: e for c in report["components"] for e in c["events"]}


# -- URLs and times --------------------------------------------------------------------------
@pytest.mark.parametrize("text, dialect, target", [
    ("sqlite:///events.db", "sqlite", "/base/events.db"),
    ("sqlite:///sub/dir/e.db", "sqlite", "/base/sub/dir/e.db"),
    ("sqlite:////var/lib/e.db", "sqlite", "/var/lib/e.db"),
    ("SQLITE:///e.db", "sqlite", "/base/e.db"),
    ("postgresql://bot@db.internal:5433/trading", "postgresql", "postgresql://bot@db.internal:5433/trading"),
    ("postgres://bot@localhost/trading", "postgresql", "postgresql://bot@localhost/trading"),
    ("postgresql+asyncpg://bot@localhost/trading", "postgresql", "postgresql://bot@localhost/trading"),
    ("postgresql:///trading?host=/run/postgresql", "postgresql", "postgresql:///trading?host=/run/postgresql"),
])
def test_database_urls(text, dialect, target):
    url = parse_url(text, origin="--db", base=Path("/base"))
    assert (url.dialect, url.target) == (dialect, target)


@pytest.mark.parametrize("text, message", [
    ("mysql://u@h/db", "unsupported database URL scheme 'mysql'"),
    ("events.db", "not a database URL"),
    ("sqlite://events.db", "three slashes"),
    ("sqlite:///", "three slashes"),
    ("postgresql://", "names a server or a database"),
])
def test_bad_database_urls_are_located(text, message):
    with pytest.raises(InputError) as caught:
        parse_url(text, origin="--db", base=Path("/base"))
    [problem] = caught.value.problems
    assert problem.path == "--db" and message in problem.message


def test_passwords_never_show():
    url = parse_url("postgresql://bot:s3cret@db:5432/trading", origin="--db")
    assert "s3cret" not in url.display and url.display == "postgresql://bot:***@db:5432/trading"
    assert mask_password("postgresql://bot@db/trading") == "postgresql://bot@db/trading"


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("24h", NOW - timedelta(hours=24)),
    ("7d", NOW - timedelta(days=7)),
    ("30m", NOW - timedelta(minutes=30)),
    ("90s", NOW - timedelta(seconds=90)),
    ("2w", NOW - timedelta(weeks=2)),
    ("1.5h", NOW - timedelta(minutes=90)),
    ("2026-03-01", datetime(2026, 3, 1, tzinfo=timezone.utc)),
    ("2026-03-01T08:30:00", datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)),
    ("2026-03-01 08:30", datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)),
    ("2026-03-01T08:30:00+02:00", datetime(2026, 3, 1, 6, 30, tzinfo=timezone.utc)),
    ("2026-03-01T08:30:00Z", datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)),
])
def test_since_forms(text, expected):
    assert parse_time(text, flag="--since", now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "24", "h24", "2026-13-01", "-5d", ""])
def test_bad_since_is_located(text):
    with pytest.raises(InputError) as caught:
        parse_time(text, flag="--since", now=NOW)
    assert caught.value.problems[0].path == "--since"
    assert "24h" in caught.value.problems[0].message


# -- observe ---------------------------------------------------------------------------------
def test_observe_counts_seen_and_never_seen_with_their_sites(project):
    report = observe_json(project)
    assert report["total"] == {"specified": 4, "seen": 3, "never_seen": 1, "instrumented": 0, "coverage_percent": 75.0,
                               "target_percent": 90.0, "meets_target": False}
    events = by_id(report)
    assert events["desk_placed"]["rows"] == 3 and events["desk_placed"]["severities"] == {"INFO": 2, "ERROR": 1}
    assert events["desk_placed"]["first_seen"] == (T0 + timedelta(seconds=30)).isoformat()
    assert events["desk_placed"]["last_seen"] == (T0 + timedelta(minutes=6)).isoformat()
    [never] = report["never_seen"]
    assert never["id"] == "desk_cancelled" and f"{never['file']}:{never['line']}" == SITES["desk_cancelled"]
    assert never["anchor"] == "after_log: 'cancelled'" and never["function"] == "Desk.cancel"
    assert never["code_status"] == "pending"
    phases = {p["phase"]: p for p in report["phases"]}
    assert (phases[1]["specified"], phases[1]["seen"], phases[1]["status"]) == (3, 2, "partly seen")
    assert (phases[2]["seen"], phases[2]["status"]) == (1, "verified")
    assert phases[4]["specified"] == 0


def test_shared_event_type_is_attributed_by_payload_keys_and_severity(project):
    """order_rejected is logged by desk (order_id, qty; WARNING) and risk (order_id, limit; ERROR)."""
    events = by_id(observe_json(project))
    assert events["risk_rejected"]["rows"] == 2 and events["risk_rejected"]["payload_differences"] == []
    assert events["desk_rejected"]["rows"] == 1
    assert events["desk_rejected"]["payload_differences"] == [{"missing": [], "extra": ["note"], "rows": 1, "not_object": False}]


def test_rows_of_one_spec_are_never_credited_to_another_that_shares_the_type(project):
    """With only risk rows left for the shared type, desk_rejected is never seen."""
    conn = sqlite3.connect(project.cwd / "events.db")
    conn.execute("DELETE FROM events WHERE event_type = 'order_rejected' AND event_data LIKE '%qty%'")
    conn.commit()
    conn.close()
    report = observe_json(project)
    assert sorted(e["id"] for e in report["never_seen"]) == ["desk_cancelled", "desk_rejected"]
    assert by_id(report)["risk_rejected"]["rows"] == 2


def test_severity_payload_and_unknown_type_differences(project):
    report = observe_json(project)
    events = by_id(report)
    assert events["desk_placed"]["severity_mismatch_rows"] == 1
    assert events["risk_rejected"]["severity_mismatch_rows"] == 0
    assert report["unknown_event_types"] == [{"event_type": "mystery_thing", "rows": 1,
                                              "first_seen": (T0 + timedelta(minutes=1)).isoformat(),
                                              "last_seen": (T0 + timedelta(minutes=1)).isoformat()}]
    assert report["unspecified_members"] == [{"event_type": "hand_written", "rows": 1}]
    code, out, _ = run(project, "observe", "--db", "sqlite:///events.db")
    assert code == 0
    assert "svc/desk.py:18: desk: desk_cancelled (ORDER_CANCELLED) in Desk.cancel, after_log: 'cancelled' [pending]" in out
    assert "desk_placed (ORDER_PLACED): spec INFO, rows ERROR 1" in out
    assert "desk_rejected (ORDER_REJECTED): 1 row(s): extra note" in out
    assert "mystery_thing: 1 row(s)" in out
    assert "runtime coverage 3/4 (75.0%)" in out


def test_payload_that_is_not_an_object_and_missing_keys(eventmod):
    make_project(eventmod.cwd)
    write_sqlite(eventmod.cwd / "events.db", [
        Row("order_placed", "not json at all", "INFO", T0),
        Row("order_placed", [1, 2], "INFO", T0),
        Row("order_cancelled", {"order_id": "Q"}, "warning", T0),
    ])
    events = by_id(observe_json(eventmod))
    assert events["desk_placed"]["payload_differences"] == [{"missing": [], "extra": [], "rows": 2, "not_object": True}]
    assert events["desk_cancelled"]["payload_differences"] == [{"missing": ["reason"], "extra": [], "rows": 1, "not_object": False}]
    assert events["desk_cancelled"]["severity_mismatch_rows"] == 0  # 'warning' is WARNING


def test_since_narrows_the_window(project):
    report = observe_json(project, "--since", (T0 + timedelta(minutes=5)).isoformat())
    events = by_id(report)
    assert report["rows"] == 3  # 09:05, 09:06, 11:00
    assert events["desk_placed"]["rows"] == 2 and events["risk_rejected"]["rows"] == 1
    assert not events["desk_rejected"]["seen"]


def test_selectors_narrow_the_report_and_other_rows_are_not_unknown(project):
    report = observe_json(project, "--component", "risk")
    assert [c["component"] for c in report["components"]] == ["risk"]
    assert report["total"]["specified"] == 1 and report["total"]["seen"] == 1
    assert report["unselected_rows"] == 4  # desk's rows: counted apart, never as unknown
    assert [u["event_type"] for u in report["unknown_event_types"]] == ["mystery_thing"]
    assert observe_json(project, "--phase", "1")["total"]["specified"] == 3


def test_fail_under_exit_codes(project):
    assert run(project, "observe", "--db", "sqlite:///events.db", "--fail-under", "75")[0] == 0
    code, out, err = run(project, "observe", "--db", "sqlite:///events.db", "--fail-under", "80")
    assert code == 1 and "runtime coverage 75.0% is under --fail-under 80%" in err and "never seen" in out
    assert run(project, "observe", "--db", "sqlite:///events.db", "--component", "risk", "--fail-under", "100")[0] == 0


def test_custom_table_and_columns_from_config(eventmod):
    make_project(eventmod.cwd, CUSTOM_CONFIG + 'database_url = "sqlite:///data/custom.db"\n')
    (eventmod.cwd / "data").mkdir()
    write_sqlite(eventmod.cwd / "data" / "custom.db", rows(), custom=True)
    code, out, err = run(eventmod, "observe", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["table"] == "log_rows" and report["total"]["seen"] == 3
    assert by_id(report)["desk_placed"]["first_seen"] == (T0 + timedelta(seconds=30)).isoformat()
    code, out, err = run(eventmod, "timeline", "--order-id", "A-1")
    assert code == 0, err
    assert [line.split()[5] for line in out.splitlines()[1:]] == ["ORDER_REJECTED", "ORDER_PLACED"]


def test_database_url_from_an_environment_variable(eventmod, monkeypatch):
    make_project(eventmod.cwd, 'database_url_env = "EVENTMOD_TEST_EVENTS_URL"\n')
    write_sqlite(eventmod.cwd / "events.db", rows())
    monkeypatch.delenv("EVENTMOD_TEST_EVENTS_URL", raising=False)
    code, _, err = run(eventmod, "observe")
    assert code == 2 and "EVENTMOD_TEST_EVENTS_URL, which is not set" in err
    monkeypatch.setenv("EVENTMOD_TEST_EVENTS_URL", f"sqlite:///{eventmod.cwd / 'events.db'}")
    code, out, err = run(eventmod, "observe")
    assert code == 0, err
    assert "runtime coverage 3/4" in out
    monkeypatch.setenv("EVENTMOD_TEST_EVENTS_URL", "mysql://x@y/z")
    code, _, err = run(eventmod, "observe")
    assert code == 2 and err.startswith("$EVENTMOD_TEST_EVENTS_URL (database_url_env): unsupported database URL scheme")


def test_markdown_and_text_formats(project):
    code, out, _ = run(project, "observe", "--db", "sqlite:///events.db", "--format", "markdown")
    assert code == 0
    assert out.startswith("## Runtime coverage") and "| desk |" in out.replace("  ", " ")
    assert "| `svc/desk.py:18` | desk | desk_cancelled | ORDER_CANCELLED |" in out


# -- bad input: exit 2, located, never a traceback ---------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--db", "sqlite:///missing.db"], "missing.db: the SQLite file does not exist"),
    (["--db", "sqlite:///notadb.db"], "notadb.db: cannot read it as a SQLite database: file is not a database"),
    (["--db", "sqlite:///."], "the SQLite file is a directory"),
    (["--db", "sqlite:///other.db"], "other.db: table events not found (did you mean 'event'?) (tables there: event)"),
    (["--db", "sqlite:///nocols.db"], "table events has no column created_at (looked for 'created_at')"),
    (["--db", "oracle://x"], "--db: unsupported database URL scheme 'oracle'"),
    (["--db", "postgresql://nobody@127.0.0.1:1/none"], "postgresql://nobody@127.0.0.1:1/none: cannot connect:"),
    (["--db", "sqlite:///events.db", "--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of text, json, markdown, html"),
    (["--db", "sqlite:///events.db", "--since", "last week"], "--since: expected a duration back from now"),
    (["--db", "sqlite:///events.db", "--component", "desc"], "no component 'desc' (did you mean 'desk'?)"),
    ([], "no database given: pass --db URL"),
])
def test_bad_input_exits_2_with_a_located_message(project, args, message):
    (project.cwd / "notadb.db").write_text("hello, I am text\n" * 100)
    conn = sqlite3.connect(project.cwd / "other.db")
    conn.execute("CREATE TABLE event (x)")
    conn.close()
    conn = sqlite3.connect(project.cwd / "nocols.db")
    conn.execute("CREATE TABLE events (event_type, event_data, severity)")
    conn.close()
    code, out, err = run(project, "observe", *args)
    assert code == 2, (out, err)
    assert message in err, err
    assert "Traceback" not in err + out


def test_postgres_without_asyncpg_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    with pytest.raises(InputError) as caught:
        PostgresEventDB(parse_url("postgresql://u@127.0.0.1:1/db", origin="--db"))
    assert "pip install 'eventmod[postgres]'" in caught.value.problems[0].message


def test_bad_runtime_config_keys(eventmod):
    cases = {
        'events_table = "a.b.c"': "events_table: must be 'table' or 'schema.table'",
        'events_table = "monitoring.events; drop table x"': "events_table: must be",
        'event_columns = { created = "ts" }': "unknown column 'created' (did you mean 'created_at'?)",
        'event_columns = { created_at = "logged at" }': "created_at must name a column",
        'event_columns = "created_at"': "event_columns: expected a table",
        'database_url = 5': "database_url: expected a string",
    }
    for line, message in cases.items():
        (eventmod.cwd / "pyproject.toml").write_text(f'[tool.eventmod]\nroot = "."\n{line}\n')
        code, _, err = run(eventmod, "observe", "--db", "sqlite:///x.db")
        assert code == 2 and message in err, (line, err)


# -- read-only -------------------------------------------------------------------------------
def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_is_never_written(project):
    db = project.cwd / "events.db"
    before, mtime = digest(db), db.stat().st_mtime_ns
    listing = sorted(os.listdir(project.cwd))
    for args in (["observe", "--format", "json"], ["observe", "--format", "html"], ["timeline", "--position-id", "7"],
                 ["timeline", "--symbol", "XYZ", "--format", "html"]):
        assert run(project, *args, "--db", "sqlite:///events.db")[0] == 0
    assert digest(db) == before and db.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(project.cwd)) == listing  # no journal or WAL file left behind
    with open_database(parse_url("sqlite:///events.db", origin="--db", base=project.cwd)) as session:
        for statement in ("DELETE FROM events", "INSERT INTO events (event_type, created_at) VALUES ('x', 'y')",
                          "CREATE TABLE t (x)", "UPDATE events SET severity = 'INFO'"):
            with pytest.raises(InputError) as caught:
                session.fetch(statement)
            assert "readonly database" in caught.value.problems[0].message
    assert digest(db) == before


# -- timeline --------------------------------------------------------------------------------
def test_timeline_orders_by_time_with_component_and_payload(project):
    code, out, err = run(project, "timeline", "--db", "sqlite:///events.db", "--position-id", "7")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "timeline of position_id 7: 4 event(s), 2026-03-02 09:00:00 .. 2026-03-02 09:02:00 UTC"
    assert [line.split()[1:6] for line in lines[1:]] == [
        ["09:00:00.000", "+0.000s", "ERROR", "risk", "ORDER_REJECTED"],
        ["09:00:10.000", "+10.000s", "WARNING", "desk", "ORDER_REJECTED"],
        ["09:00:30.000", "+30.000s", "INFO", "desk", "ORDER_PLACED"],
        ["09:02:00.000", "+2:00", "DEBUG", "-", "HAND_WRITTEN"],
    ]
    assert lines[1].endswith("order_id=A-1 limit=10; error: limit 10 breached")
    assert lines[2].endswith("order_id=A-1 qty=0 note=retry")


def test_timeline_keys_windows_limit_and_json(project):
    def events(*args):
        code, out, err = run(project, "timeline", "--db", "sqlite:///events.db", "--format", "json", *args)
        assert code == 0, err
        return json.loads(out)

    assert [e["order_id"] for e in events("--order-id", "A-1")["events"]] == ["A-1", "A-1"]
    assert len(events("--symbol", "XYZ")["events"]) == 3
    assert [e["spec_id"] for e in events("--correlation-id", "c-1")["events"]] == ["risk_rejected", "desk_rejected", "desk_placed"]
    window = events("--position-id", "7", "--since", "2026-03-02T09:00:05Z", "--until", "2026-03-02T09:01:00Z")
    assert [e["event"] for e in window["events"]] == ["ORDER_REJECTED", "ORDER_PLACED"]
    limited = events("--position-id", "7", "--limit", "2")
    assert limited["truncated"] and len(limited["events"]) == 2
    assert events("--position-id", "999")["events"] == []
    code, out, _ = run(project, "timeline", "--db", "sqlite:///events.db", "--position-id", "7", "--limit", "1")
    assert "limit reached" in out.splitlines()[0]


@pytest.mark.parametrize("args, message", [
    ([], "timeline needs exactly one of --position-id, --correlation-id, --symbol, --order-id; got 0"),
    (["--symbol", "X", "--order-id", "1"], "got 2"),
    (["--symbol", "X", "--format", "markdown"], "Invalid value for '--format': 'markdown' is not one of text, json, html"),
    (["--symbol", "X", "--until", "soon"], "--until: expected"),
    (["--symbol", "X", "--limit", "0"], "Invalid value for '--limit': 0 is not in the range x>=1"),
])
def test_timeline_bad_input(project, args, message):
    code, out, err = run(project, "timeline", "--db", "sqlite:///events.db", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_timeline_needs_its_key_column(eventmod):
    make_project(eventmod.cwd, 'events_table = "log_rows"\n')
    conn = sqlite3.connect(eventmod.cwd / "e.db")
    conn.execute("CREATE TABLE log_rows (event_type, event_data, severity, created_at)")
    conn.close()
    code, _, err = run(eventmod, "timeline", "--db", "sqlite:///e.db", "--symbol", "X")
    assert code == 2 and "table log_rows has no column symbol (looked for 'symbol')" in err
    assert run(eventmod, "observe", "--db", "sqlite:///e.db")[0] == 0  # observe needs only four columns


# -- queries ---------------------------------------------------------------------------------
def printed_queries(eventmod, *args) -> dict[str, str]:
    code, out, err = run(eventmod, "queries", *args)
    assert code == 0, err
    blocks = {}
    for block in out.split("\n\n")[1:]:
        header = block.splitlines()[0]
        name = header[header.rindex("[") + 1: header.rindex("]")]
        blocks[name] = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
    return blocks


def test_printed_sqlite_queries_run_and_return_the_expected_rows(project):
    sql = printed_queries(project, "--dialect", "sqlite")
    assert sorted(sql) == ["correlation_chain", "error_summary", "events_per_hour", "never_seen_since", "position_timeline"]
    conn = sqlite3.connect(project.cwd / "events.db")
    params = {"position_id": 7, "correlation_id": "c-1", "since": "2026-03-02T09:00:05+00:00"}

    def query(name):
        return conn.execute(sql[name], params).fetchall()

    assert [(r[1], r[2]) for r in query("position_timeline")] == [
        ("order_rejected", "ERROR"), ("order_rejected", "WARNING"), ("order_placed", "INFO"), ("hand_written", "DEBUG")]
    assert [r[1] for r in query("correlation_chain")] == ["order_rejected", "order_rejected", "order_placed"]
    assert query("error_summary") == [  # ties: by component, then severity
        ("desk", "ERROR", 1, 1, (T0 + timedelta(minutes=6)).isoformat(), (T0 + timedelta(minutes=6)).isoformat()),
        ("desk | risk", "ERROR", 1, 1, (T0 + timedelta(hours=2)).isoformat(), (T0 + timedelta(hours=2)).isoformat()),
        ("desk | risk", "WARNING", 1, 1, (T0 + timedelta(seconds=10)).isoformat(), (T0 + timedelta(seconds=10)).isoformat()),
    ]
    assert query("events_per_hour") == [("2026-03-02 09:00:00", "DEBUG", 1), ("2026-03-02 09:00:00", "ERROR", 1),
                                        ("2026-03-02 09:00:00", "INFO", 3), ("2026-03-02 09:00:00", "WARNING", 1),
                                        ("2026-03-02 11:00:00", "ERROR", 1)]
    assert query("never_seen_since") == [("desk", "desk_cancelled", "order_cancelled")]
    params["since"] = "2026-03-02T10:00:00+00:00"
    assert query("never_seen_since") == [("desk", "desk_cancelled", "order_cancelled"),
                                         ("desk", "desk_placed", "order_placed")]
    conn.close()


def test_queries_follow_selection_config_and_dialect(eventmod):
    make_project(eventmod.cwd, CUSTOM_CONFIG)
    pg = printed_queries(eventmod, "--component", "risk")
    assert "FROM audit.log_rows" in pg["position_timeline"] and "WHERE position_id = :position_id" in pg["position_timeline"]
    assert "logged_at >= :'since'" in pg["events_per_hour"] and "date_trunc('hour', logged_at)" in pg["events_per_hour"]
    assert "('risk', 'risk_rejected', 'order_rejected')" in pg["never_seen_since"]
    assert "desk_placed" not in pg["never_seen_since"]
    lite = printed_queries(eventmod, "--dialect", "sqlite")
    assert "FROM log_rows" in lite["position_timeline"] and "julianday(e.logged_at) >= julianday(:since)" in lite["error_summary"]
    code, _, err = run(eventmod, "queries", "--dialect", "mssql")
    assert code == 2 and "Invalid value for '--dialect': 'mssql' is not one of postgresql, sqlite" in err
    code, out, _ = run(eventmod, "queries", "--indexes")
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_log_rows_position_time ON audit.log_rows (position_id, logged_at) " \
           "WHERE position_id IS NOT NULL;" in out


def test_queries_default_to_the_configured_dialect(eventmod):
    make_project(eventmod.cwd, 'database_url = "sqlite:///e.db"\n')
    assert "(sqlite)" in run(eventmod, "queries")[1].splitlines()[0]


def test_sqlite_indexes_serve_the_timeline(project):
    code, out, _ = run(project, "queries", "--dialect", "sqlite", "--indexes")
    conn = sqlite3.connect(project.cwd / "events.db")
    conn.executescript(out)
    from eventmod.reports.queries import EventTable, timeline_statement

    sql, params = timeline_statement(EventTable(None, "events"), "sqlite", "position_id", False, False).bind(
        {"position_id": 7, "limit": 10})
    plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "USING INDEX idx_events_position_time" in plan, plan
    conn.close()


# -- HTML (structure; the real-browser test is tests/test_html_browser.py) --------------------
def test_html_reports_are_self_contained(project):
    code, out, _ = run(project, "observe", "--db", "sqlite:///events.db", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    for forbidden in ("http://", "https://", "<link", "src="):
        assert forbidden not in out.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'id="runtime-total" data-seen="3" data-specified="4"' in out
    code, out, _ = run(project, "coverage", "--format", "html")
    assert code == 0 and 'id="static-total" data-instrumented="0" data-specified="4"' in out
    code, _, err = run(project, "coverage", "--format", "pdf")
    assert code == 2 and "Invalid value for '--format': 'pdf' is not one of text, markdown, json, html" in err


def test_out_writes_the_file(project):
    (project.cwd / "r").mkdir()
    code, out, err = run(project, "observe", "--db", "sqlite:///events.db", "--format", "html", "--out", "r/report.html")
    assert code == 0 and out == "" and "wrote r/report.html" in err
    assert (project.cwd / "r" / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_never_seen_events_whose_anchor_drifted_are_located_by_file(project):
    """The code changed under the spec: the event cannot have been logged where the spec says;
    observe still lists it, with its file and the code status, and spec problems go to stderr."""
    desk = project.cwd / "proj" / "svc" / "desk.py"
    desk.write_text(desk.read_text().replace('logger.warning(f"cancelled {order_id}")', 'logger.warning("gone")'))
    (project.cwd / "specs" / "broken.yaml").write_text("component: [unclosed\n")
    code, out, err = run(project, "observe", "--db", "sqlite:///events.db", "--format", "json")
    assert code == 0, err
    [never] = json.loads(out)["never_seen"]
    assert (never["id"], never["file"], never["line"], never["code_status"]) == ("desk_cancelled", "svc/desk.py", None, "drifted")
    assert "broken.yaml" in err and "problem(s) in the specs" in err
    code, out, _ = run(project, "observe", "--db", "sqlite:///events.db")
    assert "  svc/desk.py: desk: desk_cancelled (ORDER_CANCELLED) in Desk.cancel, after_log: 'cancelled' [drifted]" in out
