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
    }


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
