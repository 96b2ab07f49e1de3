"""Runtime harness: the context handed to every scenario, and the scenario runner.

The fixture bot is imported from ``root`` (a temporary, possibly instrumented copy of
``fixtures/tradingbot``) which the driver has put first on ``sys.path``; scenarios must import
fixture modules only through ``ctx.module(name)``.
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


class ScenarioContext:
    """Fresh fake exchanges and repository for one scenario."""

    def __init__(self, root: str | Path, scenario: str = "") -> None:
        self.root = Path(root)
        self.scenario = scenario
        fake = self.module("exchange.fake_exchange")
        self.fake_exchange = fake
        self.exchange = fake.FakeExchange("binance")
        self.bybit = fake.FakeExchange("bybit")
        self.repository = self.module("core.repository").Repository()
        self.notes: list[str] = []

    # fixture access ---------------------------------------------------------------------
    def module(self, name: str) -> ModuleType:
        """Import a fixture module (``core.position_manager``, ``main``...) from the root."""
        module = importlib.import_module(name)
        origin = getattr(module, "__file__", None)
        if origin and not Path(origin).resolve().is_relative_to(self.root.resolve()):
            raise ImportError(f"{name} was imported from {origin}, not from fixture root {self.root}")
        return module

    @property
    def exchanges(self) -> dict[str, Any]:
        return {"binance": self.exchange, "bybit": self.bybit}

    @property
    def event_logger(self):
        return self.module("core.event_logger").get_event_logger()

    def new_exchange(self, name: str = "binance", **kwargs) -> Any:
        return self.fake_exchange.FakeExchange(name, **kwargs)

    # helpers ----------------------------------------------------------------------------
    async def settle(self, rounds: int = 5) -> None:
        """Let background tasks (create_task'ed events, loops) make progress."""
        for _ in range(rounds):
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)

    def note(self, text: str) -> None:
        self.notes.append(text)


@dataclass
class ScenarioResult:
    name: str
    ok: bool
    seconds: float
    error: str | None = None
    leaked_tasks: list[str] = field(default_factory=list)


def discover_scenarios(directory: Path = SCENARIO_DIR, only: list[str] | None = None) -> list[Path]:
    files = sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))
    if only:
        files = [p for p in files if p.stem in only]
    return files


def load_scenario(path: Path) -> ModuleType:
    name = f"_eventmod_scenario_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if not asyncio.iscoroutinefunction(getattr(module, "run", None)):
        raise TypeError(f"{path} has no `async def run(ctx)`")
    return module


async def drain_tasks(exclude: set[asyncio.Task], timeout: float = 5.0) -> list[str]:
    """Await every pending task except ``exclude``; cancel what is still running after
    ``timeout`` and return the names of those leaked tasks."""
    leaked: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        current = asyncio.current_task()
        pending = [
            t
            for t in asyncio.all_tasks()
            if t is not current and t not in exclude and not t.done() and not t.get_name().startswith("event-logger")
        ]
        if not pending:
            return leaked
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            for t in pending:
                leaked.append(t.get_name())
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            return leaked
        await asyncio.wait(pending, timeout=remaining)


async def run_scenario(path: Path, root: Path, exclude: set[asyncio.Task], timeout: float = 60.0) -> ScenarioResult:
    started = time.monotonic()
    try:
        module = load_scenario(path)
        ctx = ScenarioContext(root, scenario=path.stem)
        await asyncio.wait_for(module.run(ctx), timeout=timeout)
    except BaseException as exc:  # noqa: BLE001 - reported, never hidden
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        print(f"\n=== scenario {path.stem} FAILED ===", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        leaked = await drain_tasks(exclude)
        return ScenarioResult(path.stem, False, time.monotonic() - started, f"{type(exc).__name__}: {exc}", leaked)
    leaked = await drain_tasks(exclude)
    if leaked:
        print(f"scenario {path.stem}: cancelled leaked tasks {leaked}", file=sys.stderr)
    return ScenarioResult(path.stem, True, time.monotonic() - started, None, leaked)
