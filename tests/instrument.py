"""Helpers for tests that instrument small modules through the public core and run the result.

`plan_project` writes a root (the module under test plus `core/event_logger.py`) and one spec
file, and plans it with `eventmod.api`; `execute` runs a module's function with a recording
logger installed as `core.event_logger`, so the original and the instrumented text can be run
side by side and their results, exceptions and events compared.
"""

from __future__ import annotations

import asyncio
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from eventmod import api
from eventmod.model.results import RunPlan

LOGGER = '''from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


def get_event_logger():
    return None


class EventLogger:
    async def log_event(self, event_type, data, *, correlation_id=None, position_id=None, order_id=None,
                        symbol=None, exchange=None, error=None, severity="INFO"):
        return None
'''


def plan_project(base: Path, module: str, events: list[dict], *, logger: str = LOGGER, path: str = "mod.py",
                 pyproject: str | None = None, extra: dict[str, str | bytes] | None = None, **overrides) -> RunPlan:
    """Plan `events` (spec entries; `in` defaults to `f`, `severity` to INFO) against `module`."""
    root, specs = base / "root", base / "specs"
    (root / "core").mkdir(parents=True, exist_ok=True)
    specs.mkdir(parents=True, exist_ok=True)
    (root / "core" / "event_logger.py").write_text(logger, encoding="utf-8")
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(module, bytes):
        target.write_bytes(module)
    else:
        target.write_text(module, encoding="utf-8")
    for rel, content in (extra or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (root / rel).write_bytes(content)
        else:
            (root / rel).write_text(content, encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    entries = []
    for n, event in enumerate(events):
        entry = {"id": f"e{n + 1}", "event": f"X_EVENT_{n + 1}", "in": "f", "severity": "INFO", **event}
        entries.append(entry)
    spec = {"component": "mod", "file": path, "phase": 1, "events": entries}
    (specs / "mod.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    project = api.load_project(base, root=root, specs=specs, **overrides)
    return api.plan(project)


def errors(run: RunPlan) -> list[str]:
    return [p.format() for p in run.errors()]


def new_text(run: RunPlan, path: str = "mod.py") -> str:
    found = next((f for f in run.files if f.path == path), None)
    assert found is not None and found.new is not None and found.changed, f"{path} not changed: {errors(run)}"
    return found.new.decode("utf-8")


@dataclass
class Recorder:
    events: list[tuple[str, dict, dict]] = field(default_factory=list)

    async def log_event(self, event_type, data, **kwargs):
        self.events.append((getattr(event_type, "name", str(event_type)), dict(data), kwargs))


def execute(text: str, function: str, calls: list[tuple], recorder: Recorder | None = None,
            members: tuple[str, ...] = ()) -> list[tuple]:
    """Run `function` of the module `text` once per argument tuple: ("return", value) or
    ("raise", type name, message) for each, with `recorder` as the event logger (or None)."""
    logger_module = types.ModuleType("core.event_logger")
    names = {"BOT_STARTED": "bot_started", **{m: m.lower() for m in members}}
    names.update({f"X_EVENT_{n}": f"x_event_{n}" for n in range(1, 10)})
    logger_module.EventType = __import__("enum").Enum("EventType", names, type=str)  # type: ignore[attr-defined]
    logger_module.get_event_logger = lambda: recorder  # type: ignore[attr-defined]
    saved = {k: sys.modules.get(k) for k in ("core", "core.event_logger")}
    sys.modules.update({"core": types.ModuleType("core"), "core.event_logger": logger_module})
    try:
        namespace: dict = {"__name__": "instrumented"}
        exec(compile(text, "instrumented.py", "exec"), namespace)
        target = namespace
        for part in function.split("."):
            target = target[part] if isinstance(target, dict) else getattr(target, part)
        outcomes = []
        for args in calls:
            try:
                result = target(*args)
                if asyncio.iscoroutine(result):
                    result = asyncio.run(result)
                outcomes.append(("return", result))
            except Exception as exc:  # the function's own exceptions are part of what it does
                outcomes.append(("raise", type(exc).__name__, str(exc)))
        return outcomes
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value


def same_behaviour(original: str, instrumented: str, function: str, calls: list[tuple]) -> Recorder:
    """Assert both texts return/raise the same for every call; return the recorder."""
    recorder = Recorder()
    before = execute(original, function, calls, None)
    after = execute(instrumented, function, calls, recorder)
    assert after == before, f"behaviour changed:\n{before}\n{after}\n--- instrumented ---\n{instrumented}"
    return recorder
