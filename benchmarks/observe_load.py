"""Load: `eventmod observe` (and `timeline`) over 1,000,000 generated event rows, on SQLite and
PostgreSQL.

    python -m benchmarks --only observe            # with the other benchmarks' summary
    python -m benchmarks.observe_load [--rows N] [--backend sqlite|postgresql] [--repeat N]

The rows follow the bundled catalog (event types, payload keys and severities of its 150
specs, plus the hand-written EventType members), spread over 7 days, with 1% severity
mismatches, 1% changed payloads and 0.1% unknown event types, in the audited bot's schema. Each
command is timed end to end (a subprocess, interpreter start and the static plan of the code
included), best of N. PostgreSQL: EVENTMOD_TEST_PG_DSN, else a throwaway server from
.ci/postgres.sh; skipped with the reason when neither works. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shlex
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
FULL_ROWS, QUICK_ROWS = 1_000_000, 100_000
TARGET_SECONDS = 10.0  # "answers in seconds"
SCHEMA_SQLITE = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_type TEXT NOT NULL, event_data TEXT, correlation_id TEXT,
    position_id INTEGER, order_id TEXT, symbol TEXT, exchange TEXT, severity TEXT NOT NULL DEFAULT 'INFO',
    error_message TEXT, created_at TIMESTAMP NOT NULL)
"""
SCHEMA_PG = """
CREATE SCHEMA IF NOT EXISTS monitoring;
CREATE TABLE monitoring.events (
    id SERIAL PRIMARY KEY, event_type VARCHAR(100) NOT NULL, event_data JSONB, correlation_id VARCHAR(100),
    position_id INTEGER, order_id VARCHAR(100), symbol VARCHAR(50), exchange VARCHAR(50),
    severity VARCHAR(20) NOT NULL DEFAULT 'INFO', error_message TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT NOW());
CREATE INDEX idx_events_type ON monitoring.events (event_type);
"""
SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT", "ADA/USDT", "BNB/USDT", "LINK/USDT")


def eventmod_cmd() -> list[str]:
    script = Path(PY).parent / "eventmod"
    return [str(script)] if script.exists() else [PY, "-m", "eventmod"]


def catalog_shapes() -> list[tuple[str, tuple[str, ...], str]]:
    """(event type, payload keys, severity) of every spec, plus the enum members no spec names."""
    sys.path.insert(0, str(REPO))
    from eventmod.api import load_project

    project = load_project(REPO)
    shapes = [(e.value, tuple(k for k, _ in e.payload), e.severity) for e in project.catalog.events()]
    specified = {s[0] for s in shapes}
    for value in ("atomic_operation_started", "atomic_operation_completed", "stop_loss_placed", "entry_order_filled"):
        if value not in specified:
            shapes.append((value, ("symbol", "operation_id"), "INFO"))
    return shapes


def generate(count: int, seed: int = 7):
    """Row tuples: (event_type, event_data JSON, correlation_id, position_id, order_id, symbol,
    exchange, severity, error_message, created_at)."""
    rng = random.Random(seed)
    shapes = catalog_shapes()
    start = datetime.now(timezone.utc) - timedelta(days=7)
    step = 7 * 86400 / count
    for n in range(count):
        event_type, keys, severity = shapes[rng.randrange(len(shapes))]
        roll = rng.random()
        if roll < 0.01:
            severity = "ERROR" if severity != "ERROR" else "WARNING"
        elif roll < 0.02:
            keys = keys[:-1] + ("unexpected_field",)
        elif roll < 0.021:
            event_type = f"legacy_event_{n % 7}"
        position = rng.randrange(1, 20000)
        payload = {k: (position if k == "position_id" else rng.randrange(1000)) for k in keys}
        yield (
            event_type, json.dumps(payload), f"op-{n // 5}", position if rng.random() < 0.7 else None,
            f"ord-{n}" if rng.random() < 0.3 else None, SYMBOLS[n % len(SYMBOLS)], "binance", severity,
            "timeout" if severity in ("ERROR", "CRITICAL") else None, start + timedelta(seconds=n * step),
        )


# -- databases ---------------------------------------------------------------------------------
def make_sqlite(path: Path, count: int) -> str:
    conn = sqlite3.connect(path)
    conn.execute(SCHEMA_SQLITE)
    rows = ((*r[:-1], r[-1].isoformat()) for r in generate(count))
    conn.executemany("INSERT INTO events (event_type, event_data, correlation_id, position_id, order_id, symbol, exchange, "
                     "severity, error_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def pg_server() -> tuple[str | None, str | None, str]:
    """(server DSN, data dir to stop afterwards, reason when there is none)."""
    dsn = os.environ.get("EVENTMOD_TEST_PG_DSN")
    if dsn:
        return dsn, None, ""
    proc = subprocess.run(["bash", str(REPO / ".ci" / "postgres.sh")], capture_output=True, text=True, timeout=180,
                          env=dict(os.environ, EVENTMOD_PG_NO_INSTALL="1"))
    exports = {}
    for line in proc.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            exports[key] = shlex.split(value)[0] if value else ""
    if "EVENTMOD_TEST_PG_DSN" not in exports:
        return None, None, (proc.stderr.strip().splitlines() or ["no DSN printed"])[-1]
    return exports["EVENTMOD_TEST_PG_DSN"], exports.get("EVENTMOD_TEST_PG_DATA"), ""


async def _pg_load(server: str, name: str, count: int) -> str:
    import asyncpg

    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA_PG)
        batch: list[tuple] = []
        columns = ["event_type", "event_data", "correlation_id", "position_id", "order_id", "symbol", "exchange",
                   "severity", "error_message", "created_at"]
        for row in generate(count):
            batch.append(row)
            if len(batch) == 50_000:
                await conn.copy_records_to_table("events", schema_name="monitoring", records=batch, columns=columns)
                batch = []
        if batch:
            await conn.copy_records_to_table("events", schema_name="monitoring", records=batch, columns=columns)
        await conn.execute("ANALYZE monitoring.events")
    finally:
        await conn.close()
    return dsn


async def _pg_drop(server: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await admin.close()


def create_indexes(url: str, dialect: str) -> None:
    """The indexes `eventmod queries --indexes` prints, created the way a team would."""
    text = subprocess.run([*eventmod_cmd(), "queries", "--indexes", "--dialect", dialect], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout
    statements = [line for line in text.splitlines() if line.startswith("CREATE INDEX")]
    if dialect == "sqlite":
        conn = sqlite3.connect(url[len("sqlite:///"):])
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
        return

    async def go():
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("ANALYZE monitoring.events")
        finally:
            await conn.close()

    asyncio.run(go())


# -- timing ------------------------------------------------------------------------------------
def timed(args: list[str], repeat: int) -> tuple[tuple[float, float], str]:
    """(best wall time, CPU time of that run: user + system of the eventmod process), stdout.
    The CPU time is what the command costs; the wall time also shows the machine's load."""
    best, cpu, out = float("inf"), 0.0, ""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run([*eventmod_cmd(), *args], cwd=REPO, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"eventmod {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
        if elapsed < best:
            best, out = elapsed, proc.stdout
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (best, cpu), out


def measure(url: str, dialect: str, count: int, repeat: int, load_s: float) -> dict:
    """Server-side work (PostgreSQL) does not show in the client's CPU time: compare wall times."""
    observe, out = timed(["observe", "--db", url, "--format", "json"], repeat)
    report = json.loads(out)
    since, _ = timed(["observe", "--db", url, "--since", "24h", "--format", "json"], repeat)
    timeline_no_index, _ = timed(["timeline", "--db", url, "--position-id", "4242"], repeat)
    version, _ = timed(["--version"], repeat)
    create_indexes(url, dialect)
    timeline, tl = timed(["timeline", "--db", url, "--position-id", "4242"], repeat)
    since_indexed, _ = timed(["observe", "--db", url, "--since", "24h", "--format", "json"], repeat)
    figures = {"rows": count, "load_s": round(load_s, 1), "repeat": repeat, "loadavg_1min": os.getloadavg()[0]}
    for name, (wall, cpu) in {"observe": observe, "observe_since_24h": since, "observe_since_24h_indexed": since_indexed,
                              "timeline_position_no_index": timeline_no_index, "timeline_position_indexed": timeline,
                              "eventmod_version": version}.items():
        figures[f"{name}_s"] = round(wall, 3)
        figures[f"{name}_cpu_s"] = round(cpu, 3)
    figures.update({
        "timeline_events": len(tl.splitlines()) - 1, "seen": report["total"]["seen"], "specified": report["total"]["specified"],
        "unknown_types": len(report["unknown_event_types"]),
        "severity_mismatch_rows": sum(e["severity_mismatch_rows"] for c in report["components"] for e in c["events"]),
        "payload_difference_rows": sum(d["rows"] for c in report["components"] for e in c["events"] for d in e["payload_differences"]),
    })
    return figures


def run_backend(backend: str, count: int, repeat: int, work: Path) -> dict:
    if backend == "sqlite":
        started = time.perf_counter()
        url = make_sqlite(work / "events.db", count)
        figures = measure(url, "sqlite", count, repeat, time.perf_counter() - started)
        figures["file_mb"] = round((work / "events.db").stat().st_size / 1e6, 1)
        return figures
    import importlib.util

    if importlib.util.find_spec("asyncpg") is None:
        return {"skipped": "asyncpg is not installed (pip install 'eventmod[postgres]')"}
    server, data_dir, reason = pg_server()
    if server is None:
        return {"skipped": f"no PostgreSQL: {reason}"}
    name = f"eventmod_bench_{uuid.uuid4().hex[:8]}"
    try:
        started = time.perf_counter()
        url = asyncio.run(_pg_load(server, name, count))
        return measure(url, "postgresql", count, repeat, time.perf_counter() - started)
    finally:
        asyncio.run(_pg_drop(server, name))
        if data_dir:
            subprocess.run(["bash", str(REPO / ".ci" / "postgres.sh"), "stop", data_dir], capture_output=True, timeout=60)


def show(backend: str, f: dict) -> None:
    if "skipped" in f:
        print(f"  {backend}: skipped: {f['skipped']}")
        return

    def pair(name: str) -> str:
        return f"{f[name + '_s']:.2f} s wall, {f[name + '_cpu_s']:.2f} s CPU"

    print(f"  {backend}: {f['rows']:,} rows (generated and loaded in {f['load_s']} s; load average {f['loadavg_1min']:.1f})")
    print(f"    observe (all rows)                 {pair('observe')}   ({f['seen']}/{f['specified']} seen, "
          f"{f['unknown_types']} unknown types, {f['severity_mismatch_rows']:,} severity mismatches, "
          f"{f['payload_difference_rows']:,} changed payloads)")
    print(f"    observe --since 24h                {pair('observe_since_24h')}; with the indexes {pair('observe_since_24h_indexed')}")
    print(f"    timeline --position-id (no index)  {pair('timeline_position_no_index')}")
    print(f"    timeline --position-id (indexes)   {pair('timeline_position_indexed')} ({f['timeline_events']} events)")
    print(f"    eventmod --version (start-up)      {pair('eventmod_version')}")


def bench_observe(quick: bool, repeat: int | None, do_profile: bool, work: Path, backends=("sqlite", "postgresql"),
                  rows: int | None = None) -> dict:
    """The `python -m benchmarks --only observe` entry point."""
    count = rows or (QUICK_ROWS if quick else FULL_ROWS)
    repeat = repeat or (1 if quick else 3)
    print(f"observe: {count:,} generated rows per backend, best of {repeat}")
    figures = {}
    for backend in backends:
        (work / backend).mkdir(parents=True, exist_ok=True)
        figures[backend] = run_backend(backend, count, repeat, work / backend)
        show(backend, figures[backend])
    return {"figures": figures, "targets": {"observe_seconds": TARGET_SECONDS}}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m benchmarks.observe_load", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eventmod-bench-observe-") as tmp:
        result = bench_observe(False, args.repeat, False, Path(tmp), tuple(args.backend or ("sqlite", "postgresql")), args.rows)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
