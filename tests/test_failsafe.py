"""Fail-safe emission (on by default): a failure while logging an event (the getter, `when`,
`setup`, the payload, serialisation, the logger itself) is reported through the file's own
logger and swallowed; the instrumented function returns and raises exactly what it did before.
`BaseException`s (asyncio.CancelledError, KeyboardInterrupt) pass through; inside `on_error`
the original exception is always the one re-raised. Background emission from a sync function
schedules only when an event loop runs. Checked by running the instrumented code."""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import sys
import tempfile
import types
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.instrumented import LOGGER, Project, cleanup_modules, run_call

MODULE = '''import logging

logger = logging.getLogger(__name__)


async def price_update(symbol, price):
    logger.info("price updated")
    return {"symbol": symbol, "price": price}


async def submit(order):
    if order == "bad":
        raise ValueError("rejected")
    return "ok:" + order


async def place(order):
    result = await submit(order)
    return result


def tick(symbol):
    logger.info("tick")
    return symbol.upper()
'''

SPEC = '''component: mod
file: app/mod.py
phase: 1
events:
  - id: e_price
    event: PRICE_UPDATED
    in: price_update
    after_log: price updated
    when: symbol != "skip"
    setup: ["label = symbol.lower()"]
    payload: {symbol: label, price: float(price)}
    severity: INFO
  - id: e_failed
    event: ORDER_FAILED
    in: place
    on_error: result = await submit(order)
    payload: {order: order, size: float(order), error: str(exc)}
    severity: ERROR
  - id: e_tick
    event: TICK
    in: tick
    after_log: tick
    payload: {symbol: symbol.lower()}
    severity: DEBUG
    emit: background
'''


@pytest.fixture
def project(tmp_path):
    yield Project(tmp_path, MODULE, SPEC)
    cleanup_modules()


def _events(outcome):
    return [name for name, _ in outcome.events]


def test_a_failing_payload_getter_or_logger_never_reaches_the_caller(project, caplog):
    cases = [
        # (function, args, logger failure, events expected)
        ("price_update", ("BTC", "1.5"), None, ["PRICE_UPDATED"]),
        ("price_update", ("BTC", None), None, []),  # float(None): TypeError in the payload
        ("price_update", ("skip", None), None, []),  # `when` is false: nothing evaluated
        ("price_update", (None, 2), None, []),  # setup raises: None.lower()
        ("price_update", ("BTC", 2), RuntimeError("database down"), []),  # log_event raises
        ("price_update", ("BTC", 2), TypeError("Object of type X is not JSON serializable"), []),
        ("place", ("good",), None, []),
        ("place", ("bad",), None, []),  # float("bad") fails inside on_error: ValueError('rejected') still raised
        ("place", ("bad",), RuntimeError("database down"), []),
    ]
    before = {repr(c[:2]): project.call(c[0], *c[1]).behaviour() for c in cases}
    project.apply()
    text = project.text()
    assert text.count("except Exception:") == 3 and text.count('logger.warning("Could not log event ') == 3, text
    for function, args, failure, events in cases:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="app.mod"):
            after = project.call(function, *args, logger_fail=failure)
        assert after.behaviour() == before[repr((function, args))], (function, args, failure)
        assert _events(after) == events
        reports = [r for r in caplog.records if r.name == "app.mod" and r.getMessage().startswith("Could not log event")]
        failed = failure is not None or args in (("BTC", None), (None, 2), ("bad",))
        assert bool(reports) == failed, (function, args, failure, caplog.records)
        if reports:
            assert reports[0].levelno == logging.WARNING and reports[0].exc_info is not None


def test_a_serialisation_error_inside_a_real_json_logger_is_swallowed(project):
    project.apply()
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)

    class Price(float):  # json.dumps can't take the object the payload builds
        pass

    value, error = run_call(module.price_update, "BTC", object.__new__(type("Opaque", (), {"__float__": lambda self: self})))
    assert error is None and value["symbol"] == "BTC" and recorder.events == []


@pytest.mark.parametrize("failure", [asyncio.CancelledError(), KeyboardInterrupt(), SystemExit(3)])
def test_base_exceptions_pass_through(project, failure):
    project.apply()
    outcome = project.call("price_update", "BTC", 1, logger_fail=failure)
    assert outcome.error is not None and outcome.error[0] == type(failure).__name__


def test_inside_on_error_the_original_exception_propagates_even_when_the_block_fails(project):
    project.apply()
    module, logging_module = project.load()
    for failure in (None, RuntimeError("database down"), TypeError("not serializable")):
        logging_module.set_event_logger(logging_module.EventLogger(fail=failure))
        with pytest.raises(ValueError, match="rejected") as caught:
            asyncio.run(module.place("bad"))
        assert caught.value.__class__ is ValueError
    # the function's own `except` clauses keep matching
    async def caller():
        try:
            await module.place("bad")
        except ValueError:
            return "handled"

    logging_module.set_event_logger(logging_module.EventLogger(fail=RuntimeError("down")))
    assert asyncio.run(caller()) == "handled"


def test_cancellation_inside_on_error_still_cancels(project):
    project.apply()
    module, logging_module = project.load()

    async def rejecting(order):
        raise ValueError("rejected")

    module.submit = rejecting  # the payload (float(order)) evaluates, then log_event is cancelled
    logging_module.set_event_logger(logging_module.EventLogger(fail=asyncio.CancelledError()))
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(module.place("1.5"))


def test_background_from_a_sync_function_needs_a_running_loop(project, caplog):
    project.apply()
    text = project.text()
    assert "asyncio.get_running_loop()\n" in text and "except RuntimeError:\n" in text
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would fail the test
        with caplog.at_level(logging.DEBUG, logger="app.mod"):
            assert module.tick("BTC") == "BTC"  # no loop: skipped, no RuntimeError
    assert recorder.events == []
    assert any("No running event loop: event TICK not logged" in r.getMessage() for r in caplog.records)

    async def in_loop():
        value = module.tick("ETH")
        await asyncio.sleep(0)
        return value

    assert asyncio.run(in_loop()) == "ETH"
    assert [name for name, _ in recorder.events] == ["TICK"]


def test_failsafe_can_be_turned_off_per_event_and_by_config(tmp_path):
    spec = SPEC.replace("    severity: INFO\n", "    severity: INFO\n    failsafe: false\n", 1)
    project = Project(tmp_path / "per_event", MODULE, spec)
    project.apply()
    assert project.text().count("except Exception:") == 2  # the on_error block is always fail-safe
    assert project.call("price_update", "BTC", None).error == ("TypeError", "float() argument must be a string or a real number, not 'NoneType'")
    cleanup_modules()
    project = Project(tmp_path / "config", MODULE, SPEC, pyproject="[tool.eventmod]\nfailsafe = false\n")
    project.apply()
    assert project.text().count("except Exception:") == 1
    assert project.call("price_update", "BTC", None).error[0] == "TypeError"
    with pytest.raises(ValueError, match="rejected"):
        module, logging_module = project.load()
        logging_module.set_event_logger(logging_module.EventLogger(fail=RuntimeError("down")))
        asyncio.run(module.place("bad"))
    cleanup_modules()


def test_the_report_level_is_configurable(tmp_path):
    project = Project(tmp_path, MODULE, SPEC, pyproject='[tool.eventmod]\nfailsafe_log_level = "debug"\n')
    project.apply()
    assert 'logger.debug("Could not log event PRICE_UPDATED", exc_info=True)' in project.text()
    bad = Project(tmp_path / "bad", MODULE, SPEC, pyproject='[tool.eventmod]\nfailsafe_log_level = "loud"\n')
    result = bad.apply(ok=False)
    assert result.exit_code == 2 and "failsafe_log_level must be one of debug, info, warning, error, got 'loud'" in result.output
    cleanup_modules()


def test_a_file_without_a_logger_reports_through_logging_getlogger(tmp_path, caplog):
    module = "async def run(x):\n    return x\n"
    spec = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: RAN, in: run, at: start, payload: {x: float(x)}, severity: INFO}\n"
    project = Project(tmp_path, module, spec)
    project.apply()
    text = project.text()
    assert text.startswith("import logging\n\nfrom core.event_logger import EventType, get_event_logger\n")
    assert '        logging.getLogger(__name__).warning("Could not log event RAN", exc_info=True)\n' in text
    with caplog.at_level(logging.WARNING, logger="app.mod"):
        assert project.call("run", "x").behaviour() == ("'x'", None)
    assert any(r.name == "app.mod" and "Could not log event RAN" in r.getMessage() for r in caplog.records)
    assert project.cli("revert", "--allow-dirty").exit_code == 0
    assert project.text() == module
    cleanup_modules()


# -- existing blocks switch with a minimal diff ---------------------------------------------------
def _changed(before: str, after: str) -> list[str]:
    return [l for l in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def test_blocks_switch_to_fail_safe_with_apply_and_check_reports_them(tmp_path):
    off = Project(tmp_path, MODULE, SPEC, pyproject="[tool.eventmod]\nfailsafe = false\n")
    off.apply()
    unsafe = off.text()
    (off.cwd / "pyproject.toml").unlink()  # back to the default: fail-safe on
    check = off.cli("check")
    assert check.exit_code == 1, check.output
    for event_id, event in (("e_price", "PRICE_UPDATED"), ("e_tick", "TICK")):  # root is not under cwd: absolute paths
        assert re.search(rf"^{re.escape(str(off.module_path))}:\d+: {event_id} \({event}\): re-emit: "
                         r"the block's shape differs from the spec \(fail-safe off -> on\)$", check.output, re.M), check.output
    assert "1 present, 0 pending, 0 drifted, 2 shape mismatch" in check.output
    result = off.apply()
    assert "2 switched to the spec's shape" in result.output, result.output
    safe = off.text()
    changed = _changed(unsafe, safe)
    original_code = {line for line in MODULE.splitlines() if line.strip()}
    assert changed and not any(line[1:] in original_code for line in changed), changed  # only eventmod's lines
    assert off.cli("check").exit_code == 0
    # and back: exactly the earlier text
    (off.cwd / "pyproject.toml").write_text("[tool.eventmod]\nfailsafe = false\n")
    assert "2 switched to the spec's shape" in off.apply().output
    assert off.text() == unsafe
    # revert recognises both shapes
    off.cli("revert", "--allow-dirty")
    assert off.text() == MODULE
    cleanup_modules()


def test_a_hand_written_block_is_never_rewritten_for_fail_safe(tmp_path):
    module = '''import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def run(x):
    logger.info("running")
    event_logger = get_event_logger()
    if event_logger:
        await event_logger.log_event(EventType.BOT_STARTED, {"x": x}, severity="INFO")
    return x
'''
    spec = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: BOT_STARTED, in: run, after_log: running, payload: {x: x}, severity: INFO}\n"
    project = Project(tmp_path, module, spec)
    assert project.cli("check").exit_code == 0
    assert "0 event(s) inserted, 1 present" in project.apply().output
    assert project.text() == module
    cleanup_modules()


# -- property: whatever fails while logging, the caller sees the original behaviour ---------------
EXPRESSIONS = ["float(x)", "x['k']", "1 / x", "len(x)", "x.upper()", "int(x) + 1", "str(x)", "[v for v in x]"]
INPUTS = [None, 0, 2, "a", "7", {"k": 1}, [1, 2], ""]
FAILURES = [None, "raise", "json"]


def _target_module(anchor: str, emit: str, sync: bool) -> str:
    prefix = "" if sync else "async "
    return f'''import logging

logger = logging.getLogger(__name__)


{prefix}def target(x, mode):
    logger.info("start")
    if mode == "raise":
        raise KeyError("original")
    elif mode == "value":
        raise ValueError(repr(x))
    return repr(x)
'''


@st.composite
def scenarios(draw):
    sync = draw(st.booleans())
    emit = "background" if sync else draw(st.sampled_from(["await", "background"]))
    anchors = ["after_log: start", "at: start", "before: return repr(x)", "on_error: 'if mode == \"raise\":'"]
    chosen = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=3, unique=True))
    events = []
    for index, anchor in enumerate(chosen):
        payload = draw(st.lists(st.sampled_from(EXPRESSIONS), min_size=1, max_size=3))
        when = draw(st.sampled_from([None, "x is not None", "len(str(x)) > 0", "x > 1"]))
        events.append((index, anchor, payload, when))
    calls = draw(st.lists(st.tuples(st.sampled_from(INPUTS), st.sampled_from(["ok", "raise", "value"]), st.sampled_from(FAILURES)),
                          min_size=1, max_size=4))
    return sync, emit, events, calls


def _spec_for(emit: str, events) -> str:
    lines = ["component: mod", "file: app/mod.py", "phase: 1", "events:"]
    for index, anchor, payload, when in events:
        lines.append(f"  - id: e{index}")
        lines.append(f"    event: EV_{index}")
        lines.append("    in: target")
        lines.append(f"    {anchor}")
        lines.append(f"    emit: {emit}")
        lines.append("    severity: INFO")
        if when:
            lines.append(f"    when: {when!r}")
        lines.append("    payload:")
        for n, expr in enumerate(payload):
            lines.append(f"      k{n}: {expr!r}")
    return "\n".join(lines) + "\n"


class _Logger:
    def __init__(self, failure):
        self.failure = failure
        self.events = []

    async def log_event(self, event_type, data, **kwargs):
        import json

        if self.failure == "raise":
            raise RuntimeError("logger down")
        json.dumps(data) if self.failure != "json" else json.dumps({"v": object()})
        self.events.append(event_type.name)


def _execute(text: str, logger_module: types.ModuleType, x, mode, sync: bool):
    namespace: dict = {"__name__": "app.mod"}
    exec(compile(text, "app/mod.py", "exec"), namespace)

    async def run():
        result = namespace["target"](x, mode)
        if asyncio.iscoroutine(result):
            result = await result
        await asyncio.sleep(0)
        return result

    return run_call(lambda: asyncio.run(run()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_property_logging_failures_never_change_what_the_caller_sees(example):
    sync, emit, events, calls = example
    from eventmod.config import load_config
    from eventmod.spec.catalog import load_catalog
    from eventmod.transform.apply import plan_run

    module = _target_module("", emit, sync)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "root" / "core").mkdir(parents=True)
        (base / "root" / "app").mkdir()
        (base / "root" / "core" / "event_logger.py").write_text(LOGGER)
        (base / "root" / "app" / "mod.py").write_text(module)
        (base / "specs").mkdir()
        (base / "specs" / "mod.yaml").write_text(_spec_for(emit, events))
        config = load_config(base, root=str(base / "root"), specs=str(base / "specs"))
        catalog, problems = load_catalog(config.specs, config.root)
        assert not [p for p in problems if p.severity == "error"], problems
        plan = plan_run(config, catalog)
        assert not plan.errors(), plan.errors()
        new_text = next(f for f in plan.files if f.path == "app/mod.py").new.decode()
    assert new_text.count("except Exception:") >= len(events) and "Could not log event" in new_text
    logger_module = types.ModuleType("core.event_logger")
    exec(compile(LOGGER, "core/event_logger.py", "exec"), logger_module.__dict__)
    package = types.ModuleType("core")
    package.event_logger = logger_module  # type: ignore[attr-defined]
    saved = {k: sys.modules.get(k) for k in ("core", "core.event_logger")}
    sys.modules["core"], sys.modules["core.event_logger"] = package, logger_module
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no un-awaited coroutine, ever
            for x, mode, failure in calls:
                recorder = _Logger(failure)
                logger_module._event_logger = recorder
                before = _execute(module, logger_module, x, mode, sync)
                recorder.events.clear()
                after = _execute(new_text, logger_module, x, mode, sync)
                assert after == before, (x, mode, failure, new_text)
                if failure is not None:
                    assert recorder.events == []
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value


def test_suggest_never_drafts_the_report_lines_of_fail_safe_blocks(project):
    project.apply()
    project.module_path.write_text(project.text() + '\n\nasync def extra(x):\n    logger.info("extra step")\n    return x\n')
    # a PATH is relative to the current directory (project.cli runs in project.cwd, beside root)
    result = project.cli("suggest", "../root/app/mod.py", "--include-specified", "--min-level", "debug")
    assert result.exit_code == 0, result.output
    assert "after_log: \"extra step\"" in result.output  # the code's own logger calls are still drafted
    assert "Could not log" not in result.output and "COULD_NOT" not in result.output and "No running event loop" not in result.output


@pytest.mark.parametrize("line, message", [
    ('failsafe = "yes"', "pyproject.toml:2: [tool.eventmod] failsafe: expected true or false, got 'yes'"),
    ("failsafe = 1", "pyproject.toml:2: [tool.eventmod] failsafe: expected true or false, got 1"),
    ('failsafe_log_level = "critical"', "failsafe_log_level must be one of debug, info, warning, error, got 'critical'"),
    ('lock_timeout = "soon"', "pyproject.toml:2: [tool.eventmod] lock_timeout: expected a number of seconds (0 or more), got 'soon'"),
    ("lock_timeout = -1", "pyproject.toml:2: [tool.eventmod] lock_timeout: expected a number of seconds (0 or more), got -1\n"),
    ("lock_timeout = -0.5", "pyproject.toml:2: [tool.eventmod] lock_timeout: expected a number of seconds (0 or more), got -0.5"),
    ("lock_timeout = true", "pyproject.toml:2: [tool.eventmod] lock_timeout: expected a number of seconds (0 or more), got True"),
])
def test_bad_safety_settings_are_refused_with_the_key(tmp_path, line, message):
    project = Project(tmp_path, MODULE, SPEC, pyproject=f"[tool.eventmod]\n{line}\n")
    result = project.apply(ok=False)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output
    assert project.text() == MODULE
