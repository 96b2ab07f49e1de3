"""THE runtime proof: instrument a copy of the fixture bot phase by phase with eventmod, run
every scenario against it with a real database, and check that the catalog's events show up
in ``monitoring.events``.

A spec event is *observed* when a row exists with its (event value, sorted payload keys,
severity). The catalog is read with plain ``yaml.safe_load`` (eventmod is not imported).
"""
from __future__ import annotations

import ast
import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "tradingbot"
SPECS = REPO / "event_specs"
PHASES = (1, 2, 3)
MIN_OBSERVED = 0.90
ANCHOR_KEYS = ("after_log", "after", "before", "at", "in_except", "on_error", "level", "occurrence")


# ----------------------------------------------------------------------------- catalog
def load_catalog(spec_dir: Path = SPECS) -> list[dict]:
    """Every spec event as a dict: id, component, value, payload_keys, severity, kwargs."""
    events = []
    for path in sorted(spec_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defaults = doc.get("defaults") or {}
        for raw in doc.get("events") or []:
            merged = {**defaults, **raw}
            events.append(
                {
                    "id": raw["id"],
                    "component": doc.get("component", path.stem),
                    "phase": doc.get("phase"),
                    "value": str(merged.get("value") or str(raw["event"]).lower()),
                    "payload_keys": tuple(sorted((merged.get("payload") or {}).keys())),
                    "severity": str(merged.get("severity", "INFO")).upper(),
                    "position_id": merged.get("position_id") is not None,
                    "symbol": merged.get("symbol") is not None,
                }
            )
    return events


def triple(event: dict) -> tuple:
    return (event["value"], event["payload_keys"], event["severity"])


def row_triple(row: dict) -> tuple:
    data = row["event_data"]
    if isinstance(data, str):
        data = json.loads(data)
    return (row["event_type"], tuple(sorted((data or {}).keys())), row["severity"])


def existing_event_values(root: Path) -> set[str]:
    """EventType values defined in ``core/event_logger.py`` under ``root`` (parsed, not imported)."""
    tree = ast.parse((root / "core" / "event_logger.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "EventType":
            return {
                stmt.value.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
            }
    raise AssertionError("EventType not found")


# ----------------------------------------------------------------------------- running
def copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "tradingbot"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


def run_apply(root: Path, phase: int) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "eventmod", "apply", "--phase", str(phase), "--root", str(root), "--specs", str(SPECS)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    print(f"$ eventmod apply --phase {phase}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
    return proc


def run_driver(root: Path, backend: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, dict]:
    summary_file = tmp_path / f"summary-{backend.split(':')[0]}.json"
    cmd = [
        sys.executable, "-m", "tests.runtime.drive",
        "--root", str(root), "--backend", backend, "--summary", str(summary_file),
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
    print(f"driver exit {proc.returncode}; summary: {json.dumps(summary, sort_keys=True)}")
    if proc.returncode != 0:
        print(proc.stderr[-20000:])
    return proc, summary


def read_rows(backend: str) -> list[dict]:
    kind, _, target = backend.partition(":")
    if kind == "sqlite":
        conn = sqlite3.connect(target)  # the file ATTACHed as `monitoring` by the bot
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY id")]
        finally:
            conn.close()

    async def fetch() -> list[dict]:
        import asyncpg

        conn = await asyncpg.connect(target)
        try:
            return [dict(r) for r in await conn.fetch("SELECT * FROM monitoring.events ORDER BY id")]
        finally:
            await conn.close()

    return asyncio.run(fetch())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'events.db'}"
    dsn = request.getfixturevalue("pg_dsn")
    return f"postgres:{dsn}"


# ----------------------------------------------------------------------------- tests
def test_catalog_events_are_distinguishable():
    """Runtime attribution needs a unique (value, payload keys, severity) per spec event."""
    seen: dict[tuple, str] = {}
    clashes = []
    for event in load_catalog():
        key = triple(event)
        if key in seen:
            clashes.append(f"{seen[key]} and {event['id']}: {key}")
        seen.setdefault(key, event["id"])
    assert not clashes, "spec events not distinguishable at runtime:\n" + "\n".join(clashes)


def test_uninstrumented_fixture_runs_clean(tmp_path):
    """Scenarios run against the un-instrumented bot: exit 0, only hand-written rows."""
    root = copy_fixture(tmp_path)
    backend = f"sqlite:{tmp_path / 'events.db'}"
    proc, summary = run_driver(root, backend, tmp_path)
    assert proc.returncode == 0, f"driver failed on the un-instrumented fixture:\n{proc.stderr[-5000:]}"
    assert summary.get("scenarios_failed") == 0, summary
    assert summary.get("serialization_failures") == 0, summary
    rows = read_rows(backend)
    allowed = existing_event_values(FIXTURE)
    unexpected = sorted({r["event_type"] for r in rows} - allowed)
    assert not unexpected, f"un-instrumented fixture wrote non-hand-instrumented events: {unexpected}"
    types = {r["event_type"] for r in rows}
    assert {"bot_started", "bot_stopped"} <= types, types
    assert types - {"bot_started", "bot_stopped"}, "expected rows from the hand-instrumented atomic manager"


def test_catalog_observed_at_runtime(tmp_path, backend):
    catalog = load_catalog()
    assert catalog, f"no spec events under {SPECS}"
    root = copy_fixture(tmp_path)
    for phase in PHASES:
        proc = run_apply(root, phase)
        assert proc.returncode == 0, f"eventmod apply --phase {phase} failed:\n{proc.stdout}\n{proc.stderr}"

    proc, summary = run_driver(root, backend, tmp_path)
    rows = read_rows(backend)

    by_triple: dict[tuple, list[dict]] = {}
    for row in rows:
        by_triple.setdefault(row_triple(row), []).append(row)

    observed, missing, kwarg_problems = [], [], []
    for event in catalog:
        matches = by_triple.get(triple(event), [])
        if not matches:
            missing.append(event)
            continue
        observed.append(event)
        for column in ("position_id", "symbol"):
            if event[column] and all(r[column] is None for r in matches):
                kwarg_problems.append(f"{event['id']}: spec passes {column} but every row has it NULL")

    fraction = len(observed) / len(catalog)
    print(f"\nobserved {len(observed)}/{len(catalog)} spec events at runtime ({fraction:.1%}) on {backend.split(':')[0]}")
    per_component: dict[str, list[int]] = {}
    for event in catalog:
        stats = per_component.setdefault(event["component"], [0, 0])
        stats[1] += 1
        stats[0] += event in observed
    for component, (seen, total) in sorted(per_component.items()):
        print(f"  {component:30} {seen:3}/{total}")
    if missing:
        print("not observed:")
        for event in missing:
            print(f"  {event['component']}: {event['id']} {triple(event)}")
    if kwarg_problems:
        print("kwarg problems:\n  " + "\n  ".join(kwarg_problems))

    assert proc.returncode == 0, f"driver exited {proc.returncode}: {summary}\n{proc.stderr[-5000:]}"
    assert summary.get("serialization_failures") == 0, summary
    assert fraction >= MIN_OBSERVED, (
        f"only {fraction:.1%} of spec events observed (need {MIN_OBSERVED:.0%}); missing: "
        + ", ".join(e["id"] for e in missing)
    )
    assert not kwarg_problems, kwarg_problems
