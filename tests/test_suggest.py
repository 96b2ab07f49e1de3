"""`eventmod suggest`: draft spec entries for un-instrumented logger calls of async functions."""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from eventmod.pyast.walk import index_functions
from eventmod.config import load_config
from eventmod.analysis.placement import resolve_sites
from eventmod.pyast.source import load_source as _load
from eventmod.spec.catalog import load_catalog
from eventmod.model.spec import Catalog
from eventmod.suggest import drafts as S
from tests.conftest import FIXTURE, SPECS, copy_tree

EVENT_LOGGER = FIXTURE / "core" / "event_logger.py"


def _args(root: Path, specs: Path) -> tuple[str, ...]:
    return ("--root", str(root), "--specs", str(specs))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A tiny project: the fixture's event logger and an empty spec directory."""
    root = tmp_path / "proj"
    (root / "core").mkdir(parents=True)
    shutil.copy(EVENT_LOGGER, root / "core" / "event_logger.py")
    (root / "core" / "__init__.py").write_text("")
    (tmp_path / "specs").mkdir()
    return root


def _write(root: Path, rel: str, code: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))


def _config(root: Path):
    return load_config(root, root=root, specs=root.parent / "specs")


def _draft(root: Path, rel: str, min_level: str = "info") -> S.FileSuggestions:
    config = _config(root)
    [(found, _)] = S.draft(config, Catalog(()), [S.Target(rel, "mod", "mod")], min_level)
    return found


# -- anchors -----------------------------------------------------------------------------------
def test_shortest_unique_fragment_of_whole_words_without_emoji():
    templates = [("info", "✅ {}: Trailing stop ACTIVATED at {}"), ("info", "Trailing stop updated from {} to {}")]
    assert S.choose_anchor(templates, 0) == ("stop ACTIVATED", None, None)
    assert S.choose_anchor(templates, 1) == ("stop updated", None, None)


def test_level_narrows_when_the_text_repeats_at_another_level():
    templates = [("info", "Order {} failed"), ("error", "Order {} failed")]
    assert S.choose_anchor(templates, 1) == ("Order", "error", None)


def test_full_template_and_occurrence_when_nothing_is_unique():
    templates = [("info", "Retry {}"), ("info", "Retry {}")]
    assert S.choose_anchor(templates, 1) == ("Retry {}", None, 2)


def test_event_words_drop_placeholders_labels_emojis_and_stop_words_but_keep_negation():
    assert S.event_words("Created trailing stop for {} {}: entry={}, activation={}", "f", "info") == ["TRAILING", "STOP", "CREATED"]
    assert S.event_words("❌ Position {} on {} not opened", "f", "info") == ["POSITION", "NOT", "OPENED"]
    assert S.event_words("{}: {} -> {}", "Mgr._sync_prices", "debug") == ["SYNC", "PRICES", "DEBUG"]


# -- scanning ----------------------------------------------------------------------------------
def test_only_async_unlogged_calls_at_or_above_the_level(mini):
    _write(mini, "core/mod.py", """\
        import logging
        from core.event_logger import EventType, get_event_logger

        logger = logging.getLogger(__name__)


        class Mgr:
            async def open(self, symbol, position_id):
                logger.debug(f"Checking {symbol}")
                logger.info(f"Opened position {symbol}")
                logger.warning(f"Already logged {symbol}")
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(EventType.BOT_STARTED, {})

            def sync_helper(self, symbol):
                logger.error(f"Sync helper failed for {symbol}")
        """)
    found = _draft(mini, "core/mod.py")
    assert [(e.function, e.after_log, e.severity) for e in found.entries] == [("Mgr.open", "Opened position", "INFO")]
    entry = found.entries[0]
    assert entry.event == "POSITION_OPENED" and entry.id == "mod_position_opened"
    assert entry.payload == [("symbol", "symbol"), ("position_id", "position_id")]
    assert entry.kwargs == [("position_id", "position_id"), ("symbol", "symbol")]
    assert [e.after_log for e in _draft(mini, "core/mod.py", "debug").entries] == ["Checking", "Opened position"]
    assert _draft(mini, "core/mod.py", "warning").entries == []


def test_payload_keeps_only_expressions_bound_at_the_insertion_point(mini):
    _write(mini, "core/mod.py", """\
        import logging

        logger = logging.getLogger(__name__)


        class Mgr:
            async def close(self, symbol, flag):
                if flag:
                    price = 1
                try:
                    order = await self.place(symbol)
                except Exception as e:
                    logger.error(f"Close of {symbol} at {price} failed ({order}): {e} {self.stats['closed']} {len(self.items)} {self.f(1)}")
        """)
    [entry] = _draft(mini, "core/mod.py").entries
    # price: one branch only; order: bound only in the try body; self.f(1): not a simple value
    assert entry.payload == [("symbol", "symbol"), ("error", "str(e)"), ("closed", "self.stats['closed']"), ("items_count", "len(self.items)")]
    assert entry.severity == "ERROR"


def test_event_name_avoids_enum_members_of_another_value_and_repeats(mini):
    _write(mini, "core/mod.py", """\
        import logging

        logger = logging.getLogger(__name__)


        async def run(symbol):
            logger.info(f"Bot started for {symbol}")
            await step()
            logger.info(f"Bot started again {symbol}")
        """)
    path = mini / "core" / "event_logger.py"
    path.write_text(path.read_text().replace('BOT_STARTED = "bot_started"', 'BOT_STARTED = "bot_launched"'))
    names = [e.event for e in _draft(mini, "core/mod.py").entries]
    assert names == ["BOT_STARTED_2", "BOT_STARTED_AGAIN"]


# -- validity ----------------------------------------------------------------------------------
def test_every_suggested_entry_validates_unchanged(tmp_path, eventmod):
    """suggest on every component of the fixture -> a spec directory of its own -> validate."""
    out = tmp_path / "suggested"
    out.mkdir()
    catalog, _ = load_catalog(SPECS, FIXTURE)
    total = 0
    for component in catalog.components:
        result = eventmod("suggest", "--component", component.component, "--include-specified", "--min-level", "debug",
                          "--out", str(out / f"{component.component}.yaml"), *_args(FIXTURE, SPECS))
        assert result.exit_code == 0, result.output
        total += yaml.safe_load((out / f"{component.component}.yaml").read_text()) is not None
    assert total == len(catalog.components)
    result = eventmod("validate", "--jobs", "1", *_args(FIXTURE, out))
    assert result.exit_code == 0, result.output
    assert "ok: 185 event(s) valid in 8 spec file(s) (0 present, 185 pending)" in result.output
    assert "warning" not in result.output  # Decimal values were wrapped as the JSON check advises


def test_stdout_spec_loads_and_names_the_component(eventmod, tmp_path):
    result = eventmod("suggest", "--component", "trailing_stop", *_args(FIXTURE, SPECS))
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load(result.stdout)
    # a new spec for the file: a component name of its own (trailing_stop is taken), the existing
    # component's header, and ids that follow the existing component's prefix
    assert spec["component"] == "protection_trailing_stop" and spec["file"] == "protection/trailing_stop.py"
    assert (spec["phase"], spec["days"], spec["priority"]) == (1, [2, 3], "CRITICAL")
    assert spec["enum_group"] == "Trailing Stop events"
    assert all(e["id"].startswith("trailing_stop_") for e in spec["events"])
    ids = {e["id"] for e in spec["events"]}
    catalog, _ = load_catalog(SPECS, FIXTURE)
    assert ids and not ids & {e.id for e in catalog.events()}
    assert "already anchored by a spec were skipped" in result.stderr


def test_merge_appends_entries_and_keeps_every_other_byte(tmp_path, eventmod):
    specs = copy_tree(SPECS, tmp_path / "specs")
    target = specs / "trailing_stop.yaml"
    before = target.read_bytes()
    result = eventmod("suggest", "--component", "trailing_stop", "--out", str(target), *_args(FIXTURE, specs))
    assert result.exit_code == 0, result.output
    assert "appended 5 entries" in result.stdout
    after = target.read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    # the merged file inherits the spec's defaults (exchange: self.exchange_name) and validates
    result = eventmod("validate", "--jobs", "1", *_args(FIXTURE, specs))
    assert result.exit_code == 0, result.output
    # idempotent: a second merge finds nothing new (the new entries anchor those calls now)
    result = eventmod("suggest", "--component", "trailing_stop", "--out", str(target), *_args(FIXTURE, specs))
    assert result.exit_code == 0 and target.read_bytes() == after


def test_merge_text_inserts_before_a_following_key_and_keeps_crlf():
    existing = "component: c\r\nevents:\r\n    - id: a\r\n      event: A\r\n\r\n# trailing comment\r\nphase: 1\r\n"
    entry = S.Suggestion("b", "B", "f", "done", "INFO", [], [], "Log: done")
    merged = S.merge_text(existing, [entry])
    assert merged == (
        "component: c\r\nevents:\r\n    - id: a\r\n      event: A\r\n"
        "\r\n    - id: b\r\n      event: B\r\n      in: f\r\n      after_log: \"done\"\r\n      severity: INFO\r\n"
        "      comment: \"Log: done\"\r\n"
        "\r\n# trailing comment\r\nphase: 1\r\n"
    )
    assert yaml.safe_load(merged)["events"][1]["id"] == "b"


def test_file_arguments_and_input_errors(mini, eventmod):
    _write(mini, "core/mod.py", """\
        import logging

        logger = logging.getLogger(__name__)


        async def run(order_id):
            logger.warning("Order %s rejected", order_id)
        """)
    specs = mini.parent / "specs"
    mod = str(mini / "core" / "mod.py")  # PATHs are relative to the current directory (here: absolute)
    result = eventmod("suggest", mod, *_args(mini, specs))
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load(result.stdout)
    assert spec["component"] == "mod"
    # logging's own %-style arguments: `%s` is a placeholder, not part of a word
    assert spec["events"] == [{"id": "mod_order_rejected", "event": "ORDER_REJECTED", "in": "run", "after_log": "Order",
                               "payload": {"order_id": "order_id"}, "severity": "WARNING", "comment": "Log order rejected"}]
    assert eventmod("suggest", str(mini / "core" / "nope.py"), *_args(mini, specs)).exit_code == 2
    outside = eventmod("suggest", str(mini.parent / "x.py"), *_args(mini, specs))
    assert outside.exit_code == 2 and "is outside root" in outside.output
    assert eventmod("suggest", mod, "--min-level", "loud", *_args(mini, specs)).exit_code == 2
    _write(mini, "core/other.py", "import logging\nlogger = logging.getLogger()\n\n\nasync def go(x):\n    logger.info('Went %s', x)\n")
    two = eventmod("suggest", mod, str(mini / "core" / "other.py"), "--out", str(mini / "x.yaml"), *_args(mini, specs))
    assert two.exit_code == 2 and "--out FILE takes one file to scan, got 2" in two.output


# -- recall against the audit's catalog ----------------------------------------------------------
def _recall(min_level: str) -> tuple[int, int, int, int]:
    """(after_log events matched, after_log events, catalog events at the same line, catalog events)."""
    config = load_config(FIXTURE, root=FIXTURE, specs=SPECS)
    catalog, problems = load_catalog(SPECS, FIXTURE)
    assert not problems
    targets = [S.Target(c.file, c.component, c.component) for c in catalog.components]
    drafted = S.draft(config, catalog, targets, min_level, include_specified=True)
    found = after = same_line = 0
    for files, _ in drafted:
        source, tree = _load(config.root, files.target.path)
        functions = index_functions(tree)
        statements, lines = set(), set()
        for entry in files.entries:
            failed, sites, _ = resolve_sites(source, functions, entry.to_event_spec(), "await")
            assert failed is None, failed
            statements |= {(entry.function, s.stmt.lineno) for s in sites}
            lines |= {s.line for s in sites}
        component = next(c for c in catalog.components if c.component == files.target.component)
        for event in component.events:
            failed, sites, _ = resolve_sites(source, functions, event, event.emit or config.emit)
            assert failed is None and sites
            same_line += all(s.line in lines for s in sites)
            if event.anchor.kind == "after_log":
                after += 1
                found += all((event.function, s.stmt.lineno) in statements for s in sites)
    return found, after, same_line, len(catalog.events())


@pytest.mark.parametrize("min_level, floor_after, floor_all", [("info", 100, 106), ("debug", 107, 114)])
def test_recall_against_the_catalog(min_level, floor_after, floor_all, capsys):
    found, after, same_line, total = _recall(min_level)
    with capsys.disabled():
        print(f"\nsuggest recall (--min-level {min_level}): after_log events {found}/{after}; "
              f"all catalog events at the same insertion line {same_line}/{total}")
    assert found >= floor_after and same_line >= floor_all


def test_hot_path_loop_gets_background_emit_and_finally_is_skipped(mini):
    _write(mini, "core/mod.py", """\
        import logging

        logger = logging.getLogger(__name__)


        class Proc:
            async def process(self, signals):
                for signal in signals:
                    logger.info(f"Signal {signal.id} accepted")

            async def close(self, symbol):
                try:
                    await self.flush()
                finally:
                    logger.info(f"Closed feed {symbol}")
        """)
    config = dataclasses.replace(_config(mini), hot_paths=("Proc.process",))
    [(found, text)] = S.draft(config, Catalog(()), [S.Target("core/mod.py", "mod", "mod")])
    [entry] = found.entries
    assert (entry.function, entry.emit, entry.payload) == ("Proc.process", "background", [("signal_id", "signal.id")])
    assert any("finally" in note for note in found.notes)
    assert "emit: background" in text


# -- targets: no argument, directories, paths relative to the current directory ----------------------
ASYNC_LOGGED = """\
    import logging

    logger = logging.getLogger(__name__)


    async def {name}(order_id):
        logger.info("Order %s {verb}", order_id)
    """


def _invoke(cwd: Path, *args: str):
    from tests.test_cli_contract import invoke

    return invoke(cwd, "suggest", *args)


@pytest.fixture
def scan(mini: Path) -> Path:
    """mini + files suggest must find (async, logger) and files it must pass over."""
    _write(mini, "svc/orders.py", ASYNC_LOGGED.format(name="place", verb="placed"))
    _write(mini, "svc/deep/fills.py", ASYNC_LOGGED.format(name="fill", verb="filled"))
    _write(mini, "svc/sync_only.py", "import logging\nlogger = logging.getLogger()\n\n\ndef f():\n    logger.info('Sync %s', 1)\n")
    _write(mini, "svc/no_logger.py", "async def f():\n    return 1\n")
    _write(mini, "svc/broken.py", "async def f(:\n    logger.info('x')\n")
    _write(mini, ".venv/lib/site.py", ASYNC_LOGGED.format(name="hidden", verb="hidden"))
    _write(mini, "build/gen.py", ASYNC_LOGGED.format(name="built", verb="built"))
    return mini


def _files_in(stdout: str) -> list[str]:
    return [d["file"] for d in yaml.safe_load_all(stdout) if d]


def test_no_argument_scans_every_file_with_async_logger_calls(scan):
    result = _invoke(scan.parent, *_args(scan, scan.parent / "specs"))
    assert result.code == 0, result
    assert _files_in(result.out) == ["svc/deep/fills.py", "svc/orders.py"]
    assert "2 entries suggested in 2 file(s)" in result.err


def test_targets_skip_the_enum_file_and_files_no_event_could_go_into(scan):
    config = _config(scan)
    targets = S.resolve_targets(config, Catalog(()), [], [], cwd=scan)
    assert [t.path for t in targets] == ["svc/deep/fills.py", "svc/orders.py"]
    _write(scan, "core/event_logger.py", (scan / "core" / "event_logger.py").read_text()
           + "\n\nasync def flush(logger):\n    logger.info('Flushed %s', 1)\n")
    assert [t.path for t in S.resolve_targets(config, Catalog(()), [], [], cwd=scan)] == ["svc/deep/fills.py", "svc/orders.py"]


FAIL_SAFE_ONLY = """\
import logging

from core.event_logger import get_event_logger, EventType


async def run(job):
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(EventType.BOT_STARTED, {}, severity="INFO")
    except Exception:
        logging.getLogger(__name__).warning("Could not log event BOT_STARTED", exc_info=True)
    return job
"""


@pytest.mark.parametrize("code, found", [
    # a receiver only `logger_names` makes a logger
    ("class Jobs:\n    async def run(self):\n        self.notifier.info('Job ran')\n", True),
    # methods of other logging libraries, and `log(level, msg)`
    ("from loguru import logger\n\n\nasync def run():\n    logger.success('Job ran')\n", True),
    ("import logging\n\n\nasync def run():\n    logging.log(logging.INFO, 'Job ran')\n", True),
    ("import structlog\n\naudit = structlog.get_logger()\n\n\nasync def run():\n    await audit.ainfo('Job ran')\n", True),
    # looks like logging, but no logger: not a file to draft for
    ("import warnings\n\n\nasync def run():\n    warnings.warn('Job ran')\n", False),
    ("class Jobs:\n    async def run(self):\n        self.reporter.info('Job ran')\n", False),
    ("import logging\n\n\ndef run():\n    logging.info('Job ran')\n", False),
    # the only logger calls are the report lines of eventmod's fail-safe blocks: nothing to draft
    (FAIL_SAFE_ONLY, False),
    (FAIL_SAFE_ONLY.replace("logging.getLogger(__name__).warning", "logger.warning")
     .replace("import logging\n", "import logging\n\nlogger = logging.getLogger(__name__)\n"), False),
    (FAIL_SAFE_ONLY.replace("    return job", "    logging.info('Job %s ran', job)\n    return job"), True),
])
def test_scanning_takes_the_loggers_the_configuration_and_the_module_name(mini, code, found):
    _write(mini, "svc/jobs.py", code)
    (mini / "pyproject.toml").write_text('[tool.eventmod]\nlogger_names = ["self.notifier"]\n')
    config = _config(mini)
    assert config.logger_names == ("self.notifier",)
    targets = S.resolve_targets(config, Catalog(()), [], [], cwd=mini)
    assert [t.path for t in targets] == (["svc/jobs.py"] if found else [])


def test_directories_and_files_are_relative_to_the_current_directory(scan):
    specs = scan.parent / "specs"
    result = _invoke(scan / "svc", "deep", *_args(scan, specs))
    assert result.code == 0 and _files_in(result.out) == ["svc/deep/fills.py"]
    result = _invoke(scan / "svc", "orders.py", "deep/fills.py", *_args(scan, specs))
    assert result.code == 0 and _files_in(result.out) == ["svc/orders.py", "svc/deep/fills.py"]
    result = _invoke(scan / "svc" / "deep", "../orders.py", *_args(scan, specs))
    assert result.code == 0 and _files_in(result.out) == ["svc/orders.py"]
    missing = _invoke(scan / "svc", "nope.py", *_args(scan, specs))
    assert missing.code == 2 and "nope.py: no such file or directory" in missing.err
    both = _invoke(scan, "svc", "--component", "x", *_args(scan, specs))
    assert both.code == 2 and "give either PATH arguments or selectors (--phase, --day, --component, --event), not both." in both.err


def test_an_explicit_file_is_scanned_even_without_async_logger_calls(scan):
    result = _invoke(scan, "svc/sync_only.py", *_args(scan, scan.parent / "specs"))
    assert result.code == 0 and result.out == "" and "0 entries suggested in 0 file(s)" in result.err


def _catalog_copy(tmp_path: Path) -> tuple[Path, Path]:
    return copy_tree(FIXTURE, tmp_path / "bot"), copy_tree(SPECS, tmp_path / "specs")


def test_out_new_file_in_the_spec_directory_validates_with_the_catalog(tmp_path):
    """The reported bug: `--out` into a new file wrote `component: trailing_stop` again
    (duplicate component) under a made-up header."""
    bot, specs = _catalog_copy(tmp_path)
    new = specs / "trailing_extra.yaml"
    result = _invoke(tmp_path, "--component", "trailing_stop", "--out", str(new), *_args(bot, specs))
    assert result.code == 0, result
    assert result.out.startswith("wrote 5 entries to specs/trailing_extra.yaml")
    spec = yaml.safe_load(new.read_text())
    assert spec["component"] == "protection_trailing_stop"
    assert (spec["phase"], spec["days"], spec["priority"], spec["enum_group"]) == (1, [2, 3], "CRITICAL", "Trailing Stop events")
    from tests.test_cli_contract import invoke

    validate = invoke(tmp_path, "validate", *_args(bot, specs), "--jobs", "1")
    assert validate.code == 0, validate
    assert "ok: 155 event(s) valid in 9 spec file(s)" in validate.out


def test_out_directory_merges_into_the_spec_found_by_its_file_key(tmp_path):
    bot, specs = _catalog_copy(tmp_path)
    renamed = specs / "zz_zombies.yaml"  # the spec file's name says nothing about its component
    (specs / "zombie_manager.yaml").rename(renamed)
    before = renamed.read_bytes()
    result = _invoke(tmp_path, "--component", "zombie_manager", "--component", "main", "--out", str(specs), *_args(bot, specs))
    assert result.code == 0, result
    assert "appended 3 entries to specs/zz_zombies.yaml" in result.out and "to specs/main.yaml" in result.out
    assert renamed.read_bytes().startswith(before)
    assert sorted(p.name for p in specs.iterdir()) == sorted(p.name for p in SPECS.iterdir() if p.name != "zombie_manager.yaml") + ["zz_zombies.yaml"]
    from tests.test_cli_contract import invoke

    assert invoke(tmp_path, "validate", *_args(bot, specs), "--jobs", "1").code == 0


def test_out_directory_writes_new_specs_with_unique_headers(scan, tmp_path):
    specs = scan.parent / "specs"
    result = _invoke(scan, "--out", str(specs), *_args(scan, specs))
    assert result.code == 0, result
    written = sorted(p.name for p in specs.iterdir())
    assert written == ["fills.yaml", "orders.yaml"]
    headers = [yaml.safe_load((specs / name).read_text()) for name in written]
    assert [(h["component"], h["phase"], h["days"], h["priority"]) for h in headers] == [
        ("fills", 1, [1], "MEDIUM"), ("orders", 1, [1], "MEDIUM")]
    from tests.test_cli_contract import invoke

    validate = invoke(scan, "validate", *_args(scan, specs), "--jobs", "1")
    assert validate.code == 0 and "ok: 2 event(s) valid in 2 spec file(s)" in validate.out
    again = _invoke(scan, "--out", str(specs), *_args(scan, specs))  # everything is specified now
    assert again.code == 0 and "0 entries suggested" in again.out
    assert sorted(p.name for p in specs.iterdir()) == written


def test_component_names_never_collide():
    taken = {"main", "orders", "svc_orders"}
    assert S.component_name("main.py", set(taken)) == "main_2"
    assert S.component_name("svc/orders.py", set(taken)) == "svc_orders_2"
    assert S.component_name("api/orders.py", set(taken)) == "api_orders"
    assert S.component_name("pkg/__init__.py", set()) == "pkg"
    assert S.component_name("Web-Hooks.py", set()) == "web_hooks"


@pytest.mark.parametrize("template,comment", [
    ("✅ {}: Trailing stop ACTIVATED at {}", "Log trailing stop activated"),
    ("Order {} rejected", "Log order rejected"),
    ("Position {} closed: pnl={}", "Log position closed"),
    ("Failed to close position {}: {}", "Log failed to close position"),
    ("WebSocket reconnected after {} attempts", "Log WebSocket reconnected"),
    ("[{}] Retrying API call to Bybit (attempt {}/{})", "Log retrying API call to Bybit"),
    ("Trailing stop for {} moved: old={}, new={}", "Log trailing stop moved"),
    ("Could not find position {} in DB", "Log could not find position in DB"),
    ("Wave {} processed in {}ms", "Log wave processed"),
    ("order_id={} status={}", "Log order status"),
    ("{}", "Log order status"),
    ("Sync complete - {} positions", "Log sync complete"),
    ("Rollback: order {} already gone: {}", "Log order already gone"),
    ("Phantom position detected: {} not on exchange", "Log phantom position detected"),
])
def test_comments_read_like_a_person_wrote_them(template, comment):
    assert S.comment_for(template, "ORDER_STATUS") == comment
# -- event names against the audit's catalog -------------------------------------------------------
def test_event_names_against_the_catalog(capsys):
    """How close drafted names are to the names the audit gave the same statements: exact
    matches and the mean word overlap (Jaccard) over the statements both name."""
    config = load_config(FIXTURE, root=FIXTURE, specs=SPECS)
    catalog, _ = load_catalog(SPECS, FIXTURE)
    targets = [S.Target(c.file, c.component, c.component) for c in catalog.components]
    drafted = S.draft(config, Catalog(()), targets, "debug", include_specified=True)
    exact = total = long_names = suffixed = 0
    overlap = 0.0
    for files, _ in drafted:
        source, tree = _load(config.root, files.target.path)
        functions = index_functions(tree)
        by_statement = {}
        for entry in files.entries:
            long_names += len(entry.event.split("_")) >= 6
            suffixed += entry.event.rsplit("_", 1)[-1].isdigit()
            _, sites, _ = resolve_sites(source, functions, entry.to_event_spec(), "await")
            by_statement.update({(entry.function, s.stmt.lineno): entry.event for s in sites})
        component = next(c for c in catalog.components if c.component == files.target.component)
        for event in component.events:
            if event.anchor.kind != "after_log":
                continue
            _, sites, _ = resolve_sites(source, functions, event, event.emit or config.emit)
            name = by_statement.get((event.function, sites[0].stmt.lineno))
            if name is None:
                continue
            total += 1
            exact += name == event.event
            ours, theirs = set(name.split("_")), set(event.event.split("_"))
            overlap += len(ours & theirs) / len(ours | theirs)
    with capsys.disabled():
        print(f"\nsuggest names vs the catalog's: {exact}/{total} exact, mean word overlap {overlap / total:.2f}; "
              f"names of 6+ words {long_names}, numeric suffixes {suffixed}")
    assert total >= 108 and exact >= 38 and overlap / total >= 0.60 and long_names == 0 and suffixed == 0
