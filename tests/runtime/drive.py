"""Runtime driver: run every scenario against a (possibly instrumented) fixture copy.

    python -m tests.runtime.drive --root DIR --backend sqlite:PATH|postgres:DSN [--scenario FILE]

Run from the repository root, in a subprocess: DIR is prepended to sys.path so the fixture's
packages (core, exchange, protection, main) import from it. Prints a JSON summary as the last
line of stdout; exits 1 when a scenario failed or events could not be written.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.runtime.drive")
    parser.add_argument("--root", required=True, help="fixture bot root (copy of fixtures/tradingbot)")
    parser.add_argument("--backend", required=True, help="sqlite:PATH or postgres:DSN")
    parser.add_argument("--only", action="append", default=None, help="run only this scenario (repeatable)")
    parser.add_argument("--scenario", action="append", default=None,
                        help="run this scenario file instead of the catalog scenarios (repeatable)")
    parser.add_argument("--scenario-timeout", type=float, default=60.0)
    parser.add_argument("--summary", default=None, help="also write the JSON summary to this file")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--fail-new-events", default=None, choices=("raise", "payload"),
                        help="make log_event fail for every event the fixture did not log by hand: `raise` "
                             "(the database is down) or `payload` (the payload cannot be serialised)")
    return parser.parse_args(argv)


def make_backend(spec: str):
    from core.event_logger import PostgresBackend, SQLiteBackend

    kind, _, target = spec.partition(":")
    if kind == "sqlite" and target:
        return SQLiteBackend(target)
    if kind in ("postgres", "postgresql", "pg") and target:
        return PostgresBackend(target)
    raise SystemExit(f"--backend must be sqlite:PATH or postgres:DSN, got {spec!r}")


async def drive(args: argparse.Namespace) -> dict:
    from tests.runtime.harness import discover_scenarios, drain_tasks, run_scenario
    from core.event_logger import EventLogger, set_event_logger

    root = Path(args.root).resolve()
    backend = make_backend(args.backend)
    event_logger = EventLogger(backend)
    failed_calls = {"count": 0}
    if args.fail_new_events:
        fail_new_events(event_logger, root, args.fail_new_events, failed_calls)
    await event_logger.start()
    set_event_logger(event_logger)
    exclude = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}  # the writer

    results = []
    paths = [Path(p).resolve() for p in args.scenario] if args.scenario else discover_scenarios(only=args.only)
    for path in paths:
        results.append(await run_scenario(path, root, exclude, timeout=args.scenario_timeout))

    leaked_at_end = await drain_tasks(exclude)
    await event_logger.close()
    set_event_logger(None)
    await backend.close()

    failed = [r.name for r in results if not r.ok]
    return {
        "scenarios_run": len(results),
        "scenarios_failed": len(failed),
        "failed": failed,
        "errors": {r.name: r.error for r in results if r.error},
        "leaked_tasks": {r.name: r.leaked_tasks for r in results if r.leaked_tasks} | (
            {"<end>": leaked_at_end} if leaked_at_end else {}
        ),
        "events_logged": event_logger.events_logged,
        "events_written": event_logger.events_written,
        "serialization_failures": event_logger.serialization_failures,
        "write_failures": event_logger.write_failures,
        "seconds": {r.name: round(r.seconds, 3) for r in results},
        "failed_log_calls": failed_calls["count"],
    }


def fail_new_events(event_logger, root: Path, how: str, counter: dict) -> None:
    """log_event fails for every event type the un-instrumented fixture does not define (the
    ones eventmod added): the hand-written blocks keep working, every eventmod block fails."""
    import ast

    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "tradingbot" / "core" / "event_logger.py"
    enum = next(n for n in ast.parse(fixture.read_text(encoding="utf-8")).body if isinstance(n, ast.ClassDef) and n.name == "EventType")
    original = {s.value.value for s in enum.body if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant)}
    real = event_logger.log_event

    async def log_event(event_type, event_data, *args, **kwargs):
        if getattr(event_type, "value", event_type) not in original:
            counter["count"] += 1
            if how == "raise":
                raise RuntimeError("monitoring database is down")
            json.dumps({"payload": object()})  # TypeError: not JSON serializable
        return await real(event_type, event_data, *args, **kwargs)

    event_logger.log_event = log_event


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = str(Path(args.root).resolve())
    sys.path.insert(0, root)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper(), logging.WARNING),
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    summary = asyncio.run(drive(args))
    text = json.dumps(summary, sort_keys=True)
    if args.summary:
        Path(args.summary).write_text(text + "\n", encoding="utf-8")
    sys.stdout.flush()
    print(text)
    return 1 if summary["scenarios_failed"] or summary["write_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
