"""The standard library as a corpus: thousands of real functions, instrumented at random.

Every .py file of the running interpreter's standard library (no test directories, no
site-packages, nothing over 300 KB, only files that parse) is copied into a temporary root. A
seeded random choice of functions (about one event per chosen function, up to MAX_EVENTS) gets
an `at: start` or an `after: <first line of a simple statement>` anchor; non-async functions
use `emit: background`. The engine plans the whole run in process with two workers, and:

- nothing crashes, and every file plan is either a change or located problems that are not
  internal errors (safe mode's "internal error" included); ambiguous anchors (`after: i += 1`
  matching twice) are expected and those events are skipped;
- every output compiles;
- every original line is still there, in order: only lines were inserted (these anchors never
  wrap a statement, so no line is re-indented).

The corpus figures (files, lines, events, seconds) are printed; run with `-s` to see them.
"""

from __future__ import annotations

import ast
import os
import random
import re
import sysconfig
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from eventmod.pyast.walk import index_functions
from eventmod.config import load_config
from eventmod.transform.apply import plan_run
from eventmod.spec.catalog import load_catalog

pytestmark = pytest.mark.slow

SEED = 20261124
MAX_EVENTS = 4000
MAX_BYTES = 300_000
SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__"}
SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Pass)
_WS = re.compile(r"\s+")

ENUM = '''from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, event_data, **context):
        pass


def get_event_logger():
    return None
'''


def stdlib_files() -> list[tuple[Path, str]]:
    """(absolute path, path relative to the stdlib) of every eligible file, sorted."""
    base = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(directory) / name
                found.append((path, path.relative_to(base).as_posix()))
    return found


def own_statements(function: ast.AST):
    """The function's statements at any depth, not entering nested scopes or `finally` blocks."""
    def walk(body):
        for stmt in body:
            yield stmt
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for field in ("body", "orelse"):
                yield from walk(getattr(stmt, field, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                yield from walk(handler.body)
    yield from walk(function.body)


def own_line(lines: list[str], stmt: ast.stmt) -> bool:
    """The statement starts and ends its lines (no `;` neighbour, not a one-line block)."""
    before = lines[stmt.lineno - 1].encode()[: stmt.col_offset].decode(errors="replace")
    after = lines[stmt.end_lineno - 1].encode()[stmt.end_col_offset:].decode(errors="replace").strip()
    return not before.strip() and (not after or after.startswith("#"))


def events_for(rng: random.Random, raw: bytes, text: str, tree: ast.Module) -> list[dict]:
    """One candidate event per function: `at: start`, or `after:` one of its simple statements."""
    lines = text.splitlines()
    starts = [0]
    for line in raw.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def segment(stmt: ast.stmt) -> str:  # ast.get_source_segment, without re-splitting the file each call
        return raw[starts[stmt.lineno - 1] + stmt.col_offset: starts[stmt.end_lineno - 1] + stmt.end_col_offset].decode()
    events = []
    for qualname, function in index_functions(tree).items():
        if ".<locals>." in qualname:
            continue  # the same node is also indexed as outer.inner
        simple = [s for s in own_statements(function) if isinstance(s, SIMPLE) and own_line(lines, s)
                  and not (s is function.body[0] and isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        event = {"in": qualname, "severity": "INFO", "payload": {"n": len(events)}}
        if not isinstance(function, ast.AsyncFunctionDef):
            event["emit"] = "background"
        if simple and rng.random() < 0.6:
            stmt = rng.choice(simple)
            first = _WS.sub(" ", segment(stmt).splitlines()[0]).strip()
            if not first:
                continue
            event["after"] = first
        elif function.body[0].lineno > function.lineno and own_line(lines, function.body[0]):
            event["at"] = "start"
        else:
            continue
        events.append(event)
    return events


def build_corpus(base: Path) -> dict:
    rng = random.Random(SEED)
    root, specs = base / "root", base / "specs"
    (root / "core").mkdir(parents=True)
    (root / "core" / "event_logger.py").write_text(ENUM)
    specs.mkdir()
    candidates: list[tuple[str, dict]] = []
    stats = Counter()
    for path, rel in stdlib_files():
        if path.stat().st_size > MAX_BYTES:
            continue
        raw = path.read_bytes()
        try:
            tree = ast.parse(raw)
            text = raw.decode("utf-8")
        except (SyntaxError, ValueError, UnicodeDecodeError):
            stats["unparsable"] += 1
            continue
        target = root / "lib" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        stats["files"] += 1
        stats["lines"] += raw.count(b"\n")
        for event in events_for(rng, raw, text, tree):
            candidates.append((f"lib/{rel}", event))
    stats["candidates"] = len(candidates)
    chosen = sorted(rng.sample(range(len(candidates)), min(MAX_EVENTS, len(candidates))))
    by_file: dict[str, list[dict]] = {}
    for number, index in enumerate(chosen):
        rel, event = candidates[index]
        by_file.setdefault(rel, []).append({"id": f"ev_{number:05d}", "event": f"EV_{number:05d}", **event})
    for number, (rel, events) in enumerate(sorted(by_file.items())):
        spec = {"component": f"c{number:04d}", "file": rel, "phase": 1, "days": [1], "priority": "LOW", "events": events}
        (specs / f"c{number:04d}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    stats["events"] = len(chosen)
    stats["target_files"] = len(by_file)
    return stats


def is_subsequence(old: list[str], new: list[str]) -> int | None:
    """None when every line of `old` appears in `new` in order; else the first missing line (1-based)."""
    j = 0
    for line in new:
        if j < len(old) and line == old[j]:
            j += 1
    return None if j == len(old) else j + 1


def test_stdlib_corpus(tmp_path: Path):
    started = time.perf_counter()
    stats = build_corpus(tmp_path)
    built = time.perf_counter()
    assert stats["files"] > 100 and stats["events"] > 500, stats

    root, specs = tmp_path / "root", tmp_path / "specs"
    config = load_config(tmp_path, root=root, specs=specs)
    catalog, spec_problems = load_catalog(specs, root)
    assert not spec_problems, [p.format() for p in spec_problems[:10]]
    loaded = time.perf_counter()
    plan = plan_run(config, catalog, jobs=2)
    planned = time.perf_counter()

    kinds = Counter()
    unexpected = []
    for problem in plan.all_problems():
        if problem.severity != "error":
            kinds["warning"] += 1
        elif "is ambiguous in" in problem.message:
            kinds["ambiguous anchor (expected, skipped)"] += 1
        else:
            unexpected.append(problem.format())
    assert not unexpected, "\n".join(unexpected[:20])
    for problem in plan.all_problems():
        assert problem.line > 0 or problem.path, problem
        assert "internal error" not in problem.message, problem.format()

    changed = 0
    for file_plan in plan.files:
        assert file_plan.changed or file_plan.problems or any(o.problems for o in file_plan.outcomes), file_plan.path
        if not file_plan.changed:
            continue
        changed += 1
        new_text = file_plan.new.decode("utf-8")
        compile(new_text, file_plan.path, "exec", dont_inherit=True)
        missing = is_subsequence(file_plan.old.decode("utf-8").splitlines(), new_text.splitlines())
        assert missing is None, f"{file_plan.path}: original line {missing} is missing or changed"
    statuses = Counter(o.status for o in plan.outcomes())
    checked = time.perf_counter()
    print(
        f"\nstdlib corpus: {stats['files']} files, {stats['lines']} lines, {stats['unparsable']} unparsable skipped; "
        f"{stats['events']} events (of {stats['candidates']} candidates) in {stats['target_files']} files; "
        f"{changed} files changed; outcomes {dict(statuses)}; problems {dict(kinds)}; "
        f"build {built - started:.1f}s, load specs {loaded - built:.1f}s, plan (jobs=2) {planned - loaded:.1f}s, "
        f"checks {checked - planned:.1f}s, total {checked - started:.1f}s"
    )
    assert statuses["pending"] > 0.9 * stats["events"] - kinds["ambiguous anchor (expected, skipped)"]
