"""A synthetic async codebase plus an eventmod spec catalog for it, for the scale benchmarks.

`generate(dest, ...)` writes

    dest/pyproject.toml        [tool.eventmod] root = "repo", specs = "specs"; [tool.black]
    dest/repo/...              packages of realistic async modules (classes with async methods,
                               logger calls with f-strings / %-format / .format, try/except,
                               loops, awaits, async with, gather), plus core/event_logger.py
                               with the EventType enum, get_event_logger and log_event
    dest/specs/*.yaml          one spec file per target module

Methods are drawn from several templates whose nouns, names, exception types, message wording
and sizes vary with a seeded RNG, so the output is deterministic for a seed but not one
function repeated. Every anchor the catalog uses resolves to exactly one site
(`after_log`, `at: start`, `in_except` and `before: return`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

NOUNS = [
    "order", "position", "trade", "balance", "ticker", "funding", "signal", "wave", "stop",
    "leverage", "margin", "candle", "depth", "fill", "quote", "spread", "hedge", "alert",
    "account", "instrument", "basket", "rebate", "liquidation", "transfer", "snapshot",
]
ROLES = ["manager", "service", "monitor", "processor", "gateway", "synchronizer", "tracker", "router", "cache", "handler"]
PACKAGES = ["exchange", "protection", "strategies", "services", "monitoring", "risk", "data", "execution", "accounting", "signals"]
FETCH_VERBS = ["fetch", "load", "pull", "download", "query"]
PROCESS_VERBS = ["process", "ingest", "apply", "import", "handle"]
STATUS_VERBS = ["set_status_of", "transition", "mark", "update_state_of"]
MONITOR_VERBS = ["monitor", "watch", "poll", "refresh_loop_for"]
CREATE_VERBS = ["create", "submit", "open", "register"]
GATHER_VERBS = ["load_many", "collect", "gather", "prefetch"]
# Exception types for the handlers an `in_except` anchor names (never asyncio.TimeoutError,
# which the fetch template always catches first).
EXCEPTIONS = ["ConnectionError", "RuntimeError", "OSError", "PermissionError", "LookupError", "ExchangeError", "RateLimitError"]
API_CALLS = ["get", "list", "fetch", "read"]


@dataclass
class Site:
    """One anchor a spec event can use, and a payload that is in scope there."""

    qualname: str
    kind: str  # after_log | at | in_except | before
    text: str
    payload: dict[str, str]
    symbol: str | None
    severity: str
    tag: str


@dataclass
class Module:
    path: str
    lines: list[str] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)


def _cap(noun: str) -> str:
    return noun[:1].upper() + noun[1:]


class _Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    # -- method templates: each returns (lines, sites) for one method of class `cls` ----------
    def fetch(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        r = self.rng
        exc = r.choice(EXCEPTIONS)
        api = f"{r.choice(API_CALLS)}_{noun}s"
        limit = r.choice([50, 100, 200, 500, 1000])
        q = f"{cls}.{name}"
        lines = [
            f"    async def {name}(self, symbol: str, limit: int = {limit}) -> list[dict]:",
            f'        """Fetch {noun}s for ``symbol`` from the exchange, retrying on timeouts."""',
            "        attempts = 0",
            "        results: list[dict] = []",
            "        while attempts < self.max_retries:",
            "            attempts += 1",
            "            try:",
            f"                batch = await self.client.{api}(symbol, limit=limit)",
            "                results.extend(batch)",
            f'                logger.info(f"Fetched {{len(batch)}} {noun}s for {{symbol}} on attempt {{attempts}}")',
            "                break",
            "            except asyncio.TimeoutError:",
            f'                logger.warning(f"Timeout while fetching {noun}s for {{symbol}} (attempt {{attempts}})")',
            "                await asyncio.sleep(self.retry_delay * attempts)",
            f"            except {exc} as exc:",
            f'                logger.error(f"{_cap(noun)} request for {{symbol}} failed: {{exc}}")',
            "                raise",
        ]
        if r.random() < 0.5:
            lines += [
                "        if not results:",
                f'            logger.debug("No %s returned for %s", "{noun}s", symbol)',
            ]
        lines += [
            f"        self._last_fetch[{noun!r}] = time.monotonic()",
            "        return results",
        ]
        sites = [
            Site(q, "at", "start", {"symbol": "symbol", "limit": "limit"}, "symbol", "DEBUG", "FETCH_STARTED"),
            Site(q, "after_log", f"Fetched {{}} {noun}s for {{}}", {"symbol": "symbol", "count": "len(batch)", "attempt": "attempts"}, "symbol", "INFO", "FETCHED"),
            Site(q, "in_except", exc, {"symbol": "symbol", "error": "str(exc)", "attempt": "attempts"}, "symbol", "ERROR", "FETCH_FAILED"),
            Site(q, "before", "return", {"symbol": "symbol", "count": "len(results)"}, "symbol", "INFO", "FETCH_DONE"),
        ]
        return lines, sites

    def process(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        r = self.rng
        key = r.choice(["id", "key", "uid", f"{noun}_id"])
        q = f"{cls}.{name}"
        lines = [
            f"    async def {name}(self, items: list[dict], *, dry_run: bool = False) -> dict[str, int]:",
            "        processed = 0",
            "        skipped = 0",
            "        errors: list[str] = []",
            "        for item in items:",
            f'            key = item.get("{key}")',
            "            if key is None:",
            "                skipped += 1",
            "                continue",
            "            try:",
            f"                value = self._normalize(item, kind={noun!r})",
            "                if not dry_run:",
            f"                    await self.repository.save_{noun}(key, value)",
            "                processed += 1",
            f'                logger.debug("Stored {noun} %s with value %s", key, value)',
            "            except (ValueError, KeyError) as exc:",
            '                errors.append(f"{key}: {exc}")',
            f'                logger.warning(f"Invalid {noun} payload for {{key}}: {{exc}}")',
        ]
        if r.random() < 0.4:
            lines += [
                "        if errors and len(errors) > len(items) // 2:",
                f'            logger.error("More than half of the {noun} batch failed (%d/%d)", len(errors), len(items))',
            ]
        lines += [
            '        summary = {"processed": processed, "skipped": skipped, "errors": len(errors)}',
            f'        logger.info(f"{_cap(noun)} batch done: {{processed}} processed, {{skipped}} skipped, {{len(errors)}} errors")',
            "        return summary",
        ]
        sites = [
            Site(q, "at", "start", {"count": "len(items)", "dry_run": "dry_run"}, None, "DEBUG", "BATCH_STARTED"),
            Site(q, "after_log", f"{_cap(noun)} batch done: {{}} processed", {"processed": "processed", "skipped": "skipped", "errors": "len(errors)"}, None, "INFO", "BATCH_DONE"),
            Site(q, "in_except", "ValueError", {"error": "str(exc)", "processed": "processed"}, None, "WARNING", "BATCH_ITEM_INVALID"),
            Site(q, "before", "return", {"summary": "summary"}, None, "INFO", "BATCH_RETURNED"),
        ]
        return lines, sites

    def status(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        q = f"{cls}.{name}"
        ident = f"{noun}_id"
        lines = [
            f"    async def {name}(self, {ident}: int, status: str) -> None:",
            f'        """Move a {noun} to ``status`` and persist the change."""',
            "        async with self._lock:",
            f"            record = self._records.get({ident})",
            "            if record is None:",
            f'                logger.warning(f"Unknown {noun} {{{ident}}}; status {{status}} ignored")',
            "            elif record.status == status:",
            f'                logger.debug(f"{_cap(noun)} {{{ident}}} already {{status}}")',
            "            else:",
            "                previous = record.status",
            "                record.status = status",
            "                record.updated_at = datetime.now(timezone.utc)",
            f"                await self.repository.update_{noun}({ident}, status=status)",
            f'                logger.info(f"{_cap(noun)} {{{ident}}} status changed from {{previous}} to {{status}}")',
        ]
        if self.rng.random() < 0.5:
            lines += [
                "        if status in self.terminal_statuses:",
                f"            self._records.pop({ident}, None)",
            ]
        sites = [
            Site(q, "at", "start", {ident: ident, "status": "status"}, None, "DEBUG", "STATUS_REQUESTED"),
            Site(q, "after_log", "status changed from {} to {}", {ident: ident, "previous": "previous", "status": "status"}, None, "INFO", "STATUS_CHANGED"),
        ]
        return lines, sites

    def monitor(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        q = f"{cls}.{name}"
        interval = self.rng.choice(["self.interval", "self.poll_seconds", "1.0", "5.0"])
        lines = [
            f"    async def {name}(self) -> None:",
            f'        """Background loop: refresh {noun}s until stopped."""',
            f'        logger.info(f"Starting {noun} monitor for {{self.exchange_name}}")',
            "        iterations = 0",
            "        while self._running:",
            "            try:",
            "                started = time.monotonic()",
            f"                updated = await self._refresh({noun!r})",
            "                elapsed = time.monotonic() - started",
            "                iterations += 1",
            "                if updated:",
            f'                    logger.debug(f"Refreshed {{updated}} {noun}s in {{elapsed:.3f}}s")',
            f"                await asyncio.sleep({interval})",
            "            except asyncio.CancelledError:",
            f'                logger.info("{_cap(noun)} monitor cancelled after {{}} iterations".format(iterations))',
            "                break",
            "            except Exception as exc:",
            f'                logger.exception(f"{_cap(noun)} monitor iteration failed: {{exc}}")',
            f"                await asyncio.sleep({interval} * 2)",
            f'        logger.info(f"{_cap(noun)} monitor stopped after {{iterations}} iterations")',
        ]
        sites = [
            Site(q, "after_log", f"Starting {noun} monitor", {"component": repr(noun)}, None, "INFO", "MONITOR_STARTED"),
            Site(q, "in_except", "Exception", {"error": "str(exc)", "iterations": "iterations"}, None, "ERROR", "MONITOR_FAILED"),
            Site(q, "after_log", "monitor stopped after", {"iterations": "iterations"}, None, "INFO", "MONITOR_STOPPED"),
        ]
        return lines, sites

    def create(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        r = self.rng
        exc = r.choice(EXCEPTIONS)
        q = f"{cls}.{name}"
        lines = [
            f"    async def {name}(self, symbol: str, side: str, quantity: float, price: float | None = None) -> dict | None:",
            '        params = {"symbol": symbol, "side": side.upper(), "quantity": round(quantity, 8)}',
            "        if price is not None:",
            '            params["price"] = round(price, self.price_precision)',
            "        result = None",
            "        try:",
            f"            result = await self.client.create_{noun}(**params)",
            f"        except {exc} as exc:",
            f'            logger.error(f"Failed to create {noun} for {{symbol}} {{side}}: {{exc}}")',
            f'            self.metrics.increment("{noun}_failures")',
            "        else:",
            '            self._open[result["id"]] = result',
            f"            logger.info(f\"Created {noun} {{result['id']}} for {{symbol}} {{side}} qty={{quantity}}\")",
            "        return result",
        ]
        sites = [
            Site(q, "at", "start", {"symbol": "symbol", "side": "side", "quantity": "quantity"}, "symbol", "DEBUG", "CREATE_REQUESTED"),
            Site(q, "in_except", exc, {"symbol": "symbol", "side": "side", "error": "str(exc)"}, "symbol", "ERROR", "CREATE_FAILED"),
            Site(q, "after_log", f"Created {noun} {{}} for {{}}", {"symbol": "symbol", "side": "side", "quantity": "quantity"}, "symbol", "INFO", "CREATED"),
            Site(q, "before", "return", {"symbol": "symbol", "ok": "result is not None"}, "symbol", "INFO", "CREATE_RETURNED"),
        ]
        return lines, sites

    def gather(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        q = f"{cls}.{name}"
        lines = [
            f"    async def {name}(self, symbols: list[str]) -> dict[str, float]:",
            f"        tasks = [self._load_one({noun!r}, s) for s in symbols]",
            "        values = await asyncio.gather(*tasks, return_exceptions=True)",
            "        result: dict[str, float] = {}",
            "        failed = 0",
            "        for symbol, value in zip(symbols, values):",
            "            if isinstance(value, BaseException):",
            "                failed += 1",
            f'                logger.warning(f"Could not load {noun} for {{symbol}}: {{value!r}}")',
            "                continue",
            "            result[symbol] = float(value)",
            "        if failed:",
            f'            logger.error("%d of %d {noun} loads failed", failed, len(symbols))',
            "        return result",
        ]
        sites = [
            Site(q, "at", "start", {"count": "len(symbols)"}, None, "DEBUG", "LOAD_STARTED"),
            Site(q, "before", "return", {"loaded": "len(result)", "failed": "failed"}, None, "INFO", "LOADED"),
        ]
        return lines, sites

    def sync_helper(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        r = self.rng
        factor = r.choice(["1.0", "0.5", "100", "self.scale"])
        lines = [
            f"    def {name}(self, raw: dict[str, Any]) -> dict[str, Any]:",
            f'        """Normalise a raw {noun} payload (pure, synchronous)."""',
            "        out: dict[str, Any] = {}",
            "        for key, value in raw.items():",
            "            if value is None:",
            "                continue",
            "            if isinstance(value, str) and value.replace('.', '', 1).isdigit():",
            f"                out[key] = float(value) * {factor}",
            "            else:",
            "                out[key] = value",
            f'        out.setdefault("kind", {noun!r})',
            "        return out",
        ]
        return lines, []

    def prop(self, cls: str, name: str, noun: str) -> tuple[list[str], list[Site]]:
        lines = [
            "    @property",
            f"    def {name}(self) -> int:",
            f'        """Number of tracked {noun}s."""',
            f"        return sum(1 for r in self._records.values() if getattr(r, 'kind', None) == {noun!r})",
        ]
        return lines, []


TEMPLATES = [("fetch", FETCH_VERBS, 3), ("process", PROCESS_VERBS, 3), ("status", STATUS_VERBS, 2), ("monitor", MONITOR_VERBS, 1),
             ("create", CREATE_VERBS, 3), ("gather", GATHER_VERBS, 2), ("sync_helper", ["normalize", "parse", "coerce"], 2),
             ("prop", ["count_of", "n"], 1)]


def _module(rng: random.Random, path: str, target_lines: int, index: int) -> Module:
    writer = _Writer(rng)
    module = Module(path)
    main_noun = rng.choice(NOUNS)
    lines = module.lines
    lines += [
        f'"""{_cap(main_noun)} handling for the trading engine (module {index})."""',
        "from __future__ import annotations",
        "",
        "import asyncio",
        "import logging",
        "import time",
        "from dataclasses import dataclass, field",
        "from datetime import datetime, timezone",
        "from typing import Any",
        "",
    ]
    if rng.random() < 0.5:
        lines += ["from exchange.errors import ExchangeError, RateLimitError", ""]
    else:
        lines += ["", "class ExchangeError(Exception):", "    pass", "", "", "class RateLimitError(ExchangeError):", "    pass", ""]
    lines += [
        "logger = logging.getLogger(__name__)",
        "",
        f"DEFAULT_LIMIT = {rng.choice([50, 100, 250])}",
        f"RETRY_DELAYS = {tuple(round(0.25 * 2 ** k, 2) for k in range(rng.randint(3, 6)))}",
        "",
        "",
        "@dataclass",
        f"class {_cap(main_noun)}Record:",
        "    id: int",
        "    symbol: str",
        '    status: str = "new"',
        "    updated_at: datetime | None = None",
        "    extra: dict[str, Any] = field(default_factory=dict)",
        "",
    ]
    weights = [w for _, _, w in TEMPLATES]
    class_no = 0
    while len(lines) < target_lines:
        class_no += 1
        noun = rng.choice(NOUNS)
        cls = f"{_cap(noun)}{_cap(rng.choice(ROLES))}{class_no}"
        lines += [
            "",
            "",
            f"class {cls}:",
            f'    """{_cap(noun)} {rng.choice(ROLES)} for one exchange connection."""',
            "",
            "    def __init__(self, client: Any, repository: Any, exchange_name: str, *, max_retries: int = 3) -> None:",
            "        self.client = client",
            "        self.repository = repository",
            "        self.exchange_name = exchange_name",
            "        self.max_retries = max_retries",
            f"        self.retry_delay = {rng.choice(['0.5', '1.0', '2.0'])}",
            "        self.interval = 1.0",
            "        self.poll_seconds = 5.0",
            "        self.scale = 1.0",
            "        self.price_precision = 8",
            "        self.terminal_statuses = {'closed', 'cancelled', 'failed'}",
            "        self._lock = asyncio.Lock()",
            "        self._records: dict[int, Any] = {}",
            "        self._open: dict[str, Any] = {}",
            "        self._last_fetch: dict[str, float] = {}",
            "        self._running = False",
            "        self.metrics = None",
        ]
        used: set[str] = set()
        for _ in range(rng.randint(6, 14)):
            kind, verbs, _w = rng.choices(TEMPLATES, weights)[0]
            method_noun = rng.choice(NOUNS)
            name = f"{rng.choice(verbs)}_{method_noun}s"
            if kind == "sync_helper":
                name = "_" + name
            base, k = name, 2
            while name in used:
                name, k = f"{base}_{k}", k + 1
            used.add(name)
            body, sites = getattr(writer, kind)(cls, name, method_noun)
            lines.append("")
            lines += body
            module.sites += sites
            if len(lines) >= target_lines:
                break
    return module


ENUM_HEADER = '''"""Structured audit-event logger (synthetic benchmark copy)."""
from __future__ import annotations

import logging
from enum import Enum
from typing import Any

logger = logging.getLogger(__name__)


class EventType(str, Enum):
    # Bot lifecycle
    BOT_STARTED = "bot_started"
    BOT_STOPPED = "bot_stopped"
'''

ENUM_FOOTER = '''

class EventLogger:
    async def log_event(
        self,
        event_type: EventType,
        event_data: dict[str, Any],
        correlation_id: str | None = None,
        position_id: int | None = None,
        order_id: str | None = None,
        symbol: str | None = None,
        exchange: str | None = None,
        severity: str = "INFO",
        error: Exception | str | None = None,
    ) -> None:
        logger.debug("event %s", event_type)


_event_logger: EventLogger | None = None


def get_event_logger() -> EventLogger | None:
    return _event_logger
'''


@dataclass
class Generated:
    dest: Path
    root: Path
    specs: Path
    files: int
    lines: int
    target_files: list[str]  # relative to root
    events: int
    enum_added: int


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _spec_text(component: str, path: str, events: list[tuple[str, str, Site]], rng: random.Random) -> str:
    out = [
        f"component: {component}",
        f"file: {path}",
        f"phase: {rng.randint(1, 4)}",
        f"days: [{rng.randint(1, 12)}]",
        f"priority: {rng.choice(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'])}",
        f"enum_group: {_cap(component.replace('_', ' '))} events",
        "defaults:",
        "  exchange: self.exchange_name",
        "events:",
    ]
    for event_id, event_name, site in events:
        out += [f"  - id: {event_id}", f"    event: {event_name}", f"    in: {site.qualname}"]
        out.append(f"    {site.kind}: {_yaml(site.text)}")
        out.append("    payload:")
        out += [f"      {k}: {_yaml(v)}" for k, v in site.payload.items()]
        if site.symbol:
            out.append(f"    symbol: {site.symbol}")
        out.append(f"    severity: {site.severity}")
        out.append("")
    return "\n".join(out)


def _pick(sites: list[Site], count: int, rng: random.Random, one_per_function: bool) -> list[Site]:
    """`count` sites, cycling over the four anchor kinds; distinct functions when asked."""
    kinds = ["after_log", "at", "in_except", "before"]
    by_kind = {k: [s for s in sites if s.kind == k] for k in kinds}
    for group in by_kind.values():
        rng.shuffle(group)
    chosen: list[Site] = []
    used_functions: set[str] = set()
    used_sites: set[int] = set()
    turn = 0
    while len(chosen) < count:
        progressed = False
        for offset in range(len(kinds)):
            group = by_kind[kinds[(turn + offset) % len(kinds)]]
            while group:
                site = group.pop()
                if id(site) in used_sites or (one_per_function and site.qualname in used_functions):
                    continue
                chosen.append(site)
                used_sites.add(id(site))
                used_functions.add(site.qualname)
                progressed = True
                break
            if progressed:
                break
        turn += 1
        if not progressed:
            if one_per_function:  # a small module: allow a second anchor in a function
                rest = [s for s in sites if id(s) not in used_sites]
                return chosen + _pick(rest, count - len(chosen), rng, one_per_function=False)
            raise ValueError(f"only {len(chosen)} usable anchor sites, {count} wanted")
    return chosen


def generate(dest: Path, *, total_lines: int = 500_000, files: int = 500, target_files: int = 200,
             events: int = 2_000, predeclared: float = 0.75, seed: int = 1) -> Generated:
    """Write the synthetic repository and catalog under `dest` (created)."""
    rng = random.Random(seed)
    dest = Path(dest)
    root, specs = dest / "repo", dest / "specs"
    (root / "core").mkdir(parents=True, exist_ok=True)
    specs.mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text(
        '[tool.eventmod]\nroot = "repo"\nspecs = "specs"\n\n[tool.black]\nline-length = 100\n', encoding="utf-8"
    )
    (root / "core" / "__init__.py").write_text("", encoding="utf-8")
    per_file = max(40, total_lines // files)
    modules: list[Module] = []
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").write_text("", encoding="utf-8")
    total = 0
    for index in range(files):
        package = PACKAGES[index % len(PACKAGES)]
        path = f"{package}/{rng.choice(NOUNS)}_{rng.choice(ROLES)}_{index:04d}.py"
        size = int(per_file * rng.uniform(0.6, 1.4))
        module = _module(rng, path, size, index)
        (root / path).write_text("\n".join(module.lines) + "\n", encoding="utf-8")
        total += len(module.lines)
        modules.append(module)
    # Targets spread over the whole repository; the rest are never touched.
    step = files / target_files
    targets = [modules[int(i * step)] for i in range(target_files)]
    per_target = [events // target_files + (1 if i < events % target_files else 0) for i in range(target_files)]
    declared: list[str] = []
    added = 0
    for number, (module, count) in enumerate(zip(targets, per_target)):
        component = Path(module.path).stem
        chosen = _pick(module.sites, count, rng, one_per_function=True)
        entries = []
        for k, site in enumerate(chosen):
            event_name = f"{component.upper()}_{site.tag}_{k:02d}"
            entries.append((f"{component}_e{k:02d}", event_name, site))
            if rng.random() < predeclared:
                declared.append(event_name)
            else:
                added += 1
        (specs / f"{component}.yaml").write_text(_spec_text(component, module.path, entries, rng), encoding="utf-8")
    enum_lines = [ENUM_HEADER, "    # Declared ahead of instrumentation\n"]
    enum_lines += [f'    {name} = "{name.lower()}"\n' for name in declared]
    (root / "core" / "event_logger.py").write_text("".join(enum_lines) + ENUM_FOOTER, encoding="utf-8")
    return Generated(dest, root, specs, files + 1, total, [m.path for m in targets], sum(per_target), added)


def generate_single(dest: Path, *, lines: int = 2_000, events: tuple[int, ...] = (1, 100), seed: int = 7) -> dict[int, Path]:
    """One ~`lines`-line module and, for each count in `events`, a spec dir selecting that many
    events in it (all enum members pre-declared, so only the module changes). Returns
    {count: project dir}; each project dir has its own pyproject.toml pointing at the shared root."""
    rng = random.Random(seed)
    dest = Path(dest)
    root = dest / "repo"
    (root / "core").mkdir(parents=True, exist_ok=True)
    (root / "services").mkdir(exist_ok=True)
    module = _module(rng, "services/order_service.py", lines, 0)
    (root / module.path).write_text("\n".join(module.lines) + "\n", encoding="utf-8")
    most = max(events)
    chosen = _pick(module.sites, most, rng, one_per_function=False)
    entries = [(f"order_service_e{k:03d}", f"ORDER_SERVICE_{s.tag}_{k:03d}", s) for k, s in enumerate(chosen)]
    names = "".join(f'    {name} = "{name.lower()}"\n' for _, name, _ in entries)
    (root / "core" / "event_logger.py").write_text(ENUM_HEADER + names + ENUM_FOOTER, encoding="utf-8")
    projects: dict[int, Path] = {}
    for count in events:
        project = dest / f"events_{count}"
        (project / "specs").mkdir(parents=True, exist_ok=True)
        (project / "pyproject.toml").write_text(
            f'[tool.eventmod]\nroot = "{root.as_posix()}"\nspecs = "specs"\n', encoding="utf-8"
        )
        # Spread the smaller selections over the file instead of taking its first functions.
        subset = entries if count >= most else entries[:: max(1, most // count)][:count]
        (project / "specs" / "order_service.yaml").write_text(
            _spec_text("order_service", module.path, subset, rng), encoding="utf-8"
        )
        projects[count] = project
    return projects


def line_count(root: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in Path(root).rglob("*.py"))
