"""A small project to instrument and run in process: behaviour before and after `apply`.

`Project` writes `core/event_logger.py` (a recording logger whose `log_event` can be told to
fail), one target module `app/mod.py` and its spec, runs the CLI, and imports the target from
a clean module table each time, so a test can call the same function before and after apply
and compare what it returns or raises and which events were logged.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from typer.testing import CliRunner

LOGGER = '''"""A recording audit logger (tests)."""

import json
from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    def __init__(self, fail=None, strict_json=True):
        self.events = []
        self.fail = fail
        self.strict_json = strict_json

    async def log_event(self, event_type, event_data, correlation_id=None, position_id=None, order_id=None,
                        symbol=None, exchange=None, error=None, severity="INFO"):
        if self.fail is not None:
            raise self.fail
        if self.strict_json:
            json.dumps(event_data)
        self.events.append((event_type.name, dict(event_data)))


_event_logger = None


def get_event_logger():
    return _event_logger


def set_event_logger(logger):
    global _event_logger
    _event_logger = logger
'''


@dataclass
class Outcome:
    """What one call did: its result or the exception it raised (type and message)."""

    value: Any = None
    error: tuple[str, str] | None = None
    events: list = field(default_factory=list)

    def behaviour(self) -> tuple:
        return (repr(self.value), self.error)


def run_call(function, *args, **kwargs) -> tuple[Any, tuple[str, str] | None]:
    try:
        result = function(*args, **kwargs)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return result, None
    except BaseException as exc:  # noqa: BLE001 - the behaviour under test includes BaseException
        return None, (type(exc).__name__, str(exc))


class Project:
    def __init__(self, base: Path, module: str, spec: str, *, logger: str = LOGGER, pyproject: str = "",
                 files: dict[str, str] | None = None):
        self.base = base
        self.root = base / "root"
        self.specs = base / "specs"
        (self.root / "core").mkdir(parents=True, exist_ok=True)
        (self.root / "app").mkdir(parents=True, exist_ok=True)
        (self.root / "core" / "__init__.py").write_text("")
        (self.root / "app" / "__init__.py").write_text("")
        (self.root / "core" / "event_logger.py").write_text(logger)
        (self.root / "app" / "mod.py").write_text(module)
        for rel, text in (files or {}).items():
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_text(text)
        self.specs.mkdir(parents=True, exist_ok=True)
        (self.specs / "mod.yaml").write_text(spec)
        self.cwd = base / "cwd"
        self.cwd.mkdir(exist_ok=True)
        if pyproject:
            (self.cwd / "pyproject.toml").write_text(pyproject)

    @property
    def module_path(self) -> Path:
        return self.root / "app" / "mod.py"

    def text(self) -> str:
        return self.module_path.read_text()

    def cli(self, *args: str):
        from eventmod.cli.app import app

        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            return CliRunner().invoke(app, [*args, "--root", str(self.root), "--specs", str(self.specs), "--jobs", "1"],
                                      env={"NO_COLOR": "1"}, catch_exceptions=False)
        finally:
            os.chdir(old)

    def apply(self, *args: str, ok: bool = True):
        result = self.cli("apply", "--allow-dirty", *args)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def load(self, name: str = "app.mod") -> tuple[ModuleType, ModuleType]:
        """Fresh imports of the target module and the logger module from root."""
        for key in [k for k in sys.modules if k in ("core", "app") or k.startswith(("core.", "app."))]:
            del sys.modules[key]
        sys.path.insert(0, str(self.root))
        try:
            importlib.invalidate_caches()
            return importlib.import_module(name), importlib.import_module("core.event_logger")
        finally:
            sys.path.remove(str(self.root))

    def call(self, function: str, *args, logger_fail: BaseException | None = None, with_logger: bool = True,
             **kwargs) -> Outcome:
        module, logging_module = self.load()
        recorder = logging_module.EventLogger(fail=logger_fail) if with_logger else None
        logging_module.set_event_logger(recorder)
        target: Any = module
        for part in function.split("."):
            target = getattr(target, part)
        value, error = run_call(target, *args, **kwargs)
        return Outcome(value, error, list(recorder.events) if recorder is not None else [])


def cleanup_modules() -> None:
    for key in [k for k in sys.modules if k in ("core", "app") or k.startswith(("core.", "app."))]:
        del sys.modules[key]
