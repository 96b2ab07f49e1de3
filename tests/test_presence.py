"""Presence and duplicates: only a block on the anchor's own path counts as present; a block a
reviewer's edit moved a few statements away is drift (never a second block); two events on
one statement stay idempotent; revert never removes a line eventmod did not write; only an
`await` is refused in a `finally` (at any depth)."""

from __future__ import annotations

import re

import pytest

from tests.instrumented import Project, cleanup_modules

HEADER = '''import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)

'''


def _spec(*events: str) -> str:
    return "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n" + "".join(f"  - {e}\n" for e in events)


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


# -- another path is not presence --------------------------------------------------------------
OTHER_PATHS = {
    "if_failed": '''
async def close(symbol, failed):
    logger.info("closing")
    if failed:
        event_logger = get_event_logger()
        await event_logger.log_event(EventType.CLOSED, {"symbol": symbol})
    return symbol
''',
    "loop": '''
async def close(symbol, failed):
    logger.info("closing")
    for attempt in range(1 if failed else 0):
        event_logger = get_event_logger()
        await event_logger.log_event(EventType.CLOSED, {"symbol": symbol})
    return symbol
''',
    "with_block": '''
import contextlib


async def close(symbol, failed):
    logger.info("closing")
    with contextlib.suppress(KeyError):
        if failed:
            await get_event_logger().log_event(EventType.CLOSED, {"symbol": symbol})
    return symbol
''',
    "other_branch": '''
async def close(symbol, failed):
    if not failed:
        logger.info("closing")
    else:
        await get_event_logger().log_event(EventType.CLOSED, {"symbol": symbol})
    return symbol
''',
    "guard_on_another_name": '''
async def close(symbol, failed):
    logger.info("closing")
    event_logger = get_event_logger()
    if failed:
        await event_logger.log_event(EventType.CLOSED, {"symbol": symbol})
    return symbol
''',
}


@pytest.mark.parametrize("name", sorted(OTHER_PATHS))
def test_a_log_on_another_path_is_not_presence(tmp_path, name):
    logger = (tmp_path / "x").parent  # noqa: F841 - the project writes its own logger
    enum = "CLOSED = \"closed\"\n"
    project = Project(tmp_path, HEADER + OTHER_PATHS[name], _spec("{id: e, event: CLOSED, in: close, after_log: closing, payload: {symbol: symbol}, severity: INFO}"))
    logger_file = project.root / "core" / "event_logger.py"
    logger_file.write_text(logger_file.read_text().replace('    BOT_STARTED = "bot_started"\n', f'    BOT_STARTED = "bot_started"\n    {enum}'))
    before = project.call("close", "BTC", False)
    assert before.events == []  # the other path does not run
    result = project.apply()
    assert "1 event(s) inserted" in result.output, result.output
    after = project.call("close", "BTC", False)
    assert after.behaviour() == before.behaviour()
    assert [e for e, _ in after.events] == ["CLOSED"]  # now logged on the anchor's path
    assert "0 event(s) inserted, 1 present" in project.apply().output


# -- drift -------------------------------------------------------------------------------------
MODULE = '''import logging

logger = logging.getLogger(__name__)


async def place(symbol):
    logger.info("placing")
    order = await submit(symbol)
    logger.info("placed")
    return order


async def submit(symbol):
    if symbol == "bad":
        raise ValueError("rejected")
    return {"id": 1, "symbol": symbol}
'''


def _edit_after_anchor(project: Project, anchor: str, inserted: str) -> str:
    text = project.text()
    marker = f'    logger.info("{anchor}")\n'
    assert marker in text
    edited = text.replace(marker, marker + inserted, 1)
    project.module_path.write_text(edited)
    return edited


@pytest.mark.parametrize("inserted, drift", [
    ("\n", False),
    ("    # reviewed by ops\n", False),
    ("    \n    # two blank-ish lines and a comment\n\n", False),
    ('    logger.debug("reviewer\'s own line")\n', True),
    ("    note = symbol.upper()\n    logger.debug(note)\n", True),
])
def test_an_edit_between_anchor_and_block_never_makes_a_second_block(tmp_path, inserted, drift):
    spec = _spec("{id: e, event: ORDER_PLACING, in: place, after_log: placing, payload: {symbol: symbol}, severity: INFO}")
    project = Project(tmp_path, MODULE, spec)
    project.apply()
    edited = _edit_after_anchor(project, "placing", inserted)
    check = project.cli("check")
    again = project.cli("apply", "--allow-dirty")
    assert project.text() == edited  # never a second block
    assert project.text().count("EventType.ORDER_PLACING") == 1
    if drift:
        assert check.exit_code == 1, check.output
        assert "drifted:" in check.output and "the block for ORDER_PLACING was found" in check.output
        assert "statement(s) were added between them, so apply does not insert a second block" in check.output
        assert again.exit_code == 2, again.output
    else:
        assert check.exit_code == 0, check.output
        assert again.exit_code == 0 and "1 present" in again.output, again.output


def test_a_block_beyond_the_drift_window_is_not_recognised(tmp_path):
    spec = _spec("{id: e, event: ORDER_PLACING, in: place, after_log: placing, payload: {symbol: symbol}, severity: INFO}")
    project = Project(tmp_path, MODULE, spec)
    project.apply()
    _edit_after_anchor(project, "placing", "".join(f"    step_{i} = {i}\n" for i in range(4)))
    check = project.cli("check")
    assert check.exit_code == 1 and re.search(r"^\S+/app/mod\.py:\d+: e \(ORDER_PLACING\): pending$", check.output, re.M), check.output
    assert "0 present, 1 pending, 0 drifted" in check.output


def test_a_statement_added_inside_an_error_wrap_is_drift(tmp_path):
    spec = _spec("{id: e, event: SUBMIT_FAILED, in: place, on_error: order = await submit(symbol), payload: {error: str(exc)}, severity: ERROR}")
    project = Project(tmp_path, MODULE, spec)
    project.apply()
    text = project.text()
    edited = text.replace("        order = await submit(symbol)\n", "        logger.debug(\"submitting\")\n        order = await submit(symbol)\n")
    project.module_path.write_text(edited)
    check = project.cli("check")
    assert check.exit_code == 1 and "the block for SUBMIT_FAILED was found" in check.output, check.output
    assert project.cli("apply", "--allow-dirty").exit_code == 2 and project.text() == edited


# -- two events on one statement ---------------------------------------------------------------
@pytest.mark.parametrize("first", [
    "{id: a, event: SUBMITTING, in: place, before: order = await submit(symbol), payload: {symbol: symbol}, severity: INFO}",
    "{id: a, event: SUBMITTED, in: place, after: order = await submit(symbol), payload: {symbol: symbol}, severity: INFO}",
    "{id: a, event: SUBMITTED, in: place, after: order = await submit(symbol), payload: {symbol: symbol}, severity: INFO, emit: background}",
])
def test_two_events_on_one_statement_stay_idempotent(tmp_path, first):
    wrap = "{id: b, event: SUBMIT_FAILED, in: place, on_error: order = await submit(symbol), payload: {symbol: symbol, error: str(exc)}, severity: ERROR}"
    for order in ((first, wrap), (wrap, first)):
        base = tmp_path / str(len(list(tmp_path.iterdir())))
        project = Project(base, MODULE, _spec(*order))
        good, bad = project.call("place", "BTC"), project.call("place", "bad")
        project.apply()
        text = project.text()
        for _ in range(2):
            result = project.apply()
            assert "0 event(s) inserted, 2 present" in result.output, result.output
            assert project.text() == text
        assert text.count("try:") == 3  # the wrap and two fail-safe blocks, nothing nested twice
        after_good, after_bad = project.call("place", "BTC"), project.call("place", "bad")
        assert after_good.behaviour() == good.behaviour() and after_bad.behaviour() == bad.behaviour()
        expected = "SUBMITTING" if "SUBMITTING" in first else "SUBMITTED"
        assert [e for e, _ in after_good.events] == [expected] or "background" in first
        assert [e for e, _ in after_bad.events] == (["SUBMITTING", "SUBMIT_FAILED"] if expected == "SUBMITTING" else ["SUBMIT_FAILED"])
        revert = project.cli("revert", "--allow-dirty")
        assert "2 event(s) reverted" in revert.output, revert.output
        assert project.text() == MODULE


# -- revert never removes what eventmod did not write --------------------------------------------
BODY = '\n\nasync def run(x):\n    logger.info("running")\n    return x\n'
BACKGROUND = "{id: e, event: RAN, in: run, after_log: running, payload: {n: 1}, severity: INFO, emit: background}"
LAYOUTS = {
    "new_import_in_the_middle": "import logging\n\nfrom app import helpers\nfrom zeta import z\n\nlogger = logging.getLogger(__name__)\n",
    "new_import_in_the_middle_no_blank_lines": "import logging\nfrom app import helpers\nfrom zeta import z\nlogger = logging.getLogger(__name__)\n",
    "between_commented_sections": "import logging\n\n# first party\nfrom app import helpers\n\n# third\nfrom zeta import z\n\nlogger = logging.getLogger(__name__)\n",
    "before_a_try_import": "import logging\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\n\nlogger = logging.getLogger(__name__)\n",
    "users_own_unused_asyncio": "import logging\nimport asyncio\n\nlogger = logging.getLogger(__name__)\n",
    "users_own_asyncio_with_a_comment": "import asyncio  # noqa: F401\nimport logging\n\nlogger = logging.getLogger(__name__)\n",
    "re_exported_getter": 'import logging\n\nfrom core.event_logger import get_event_logger\n\n__all__ = ["get_event_logger"]\nlogger = logging.getLogger(__name__)\n',
    "re_exported_asyncio": 'import asyncio\nimport logging\n\n__all__ = ["asyncio"]\nlogger = logging.getLogger(__name__)\n',
    "two_imports_from_the_logger_module": "import logging\n\nfrom core.event_logger import set_event_logger\nfrom core.event_logger import EventType\n\nlogger = logging.getLogger(__name__)\nprint(set_event_logger, EventType)\n",
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_revert_gives_the_original_bytes_back(tmp_path, name):
    source = LAYOUTS[name] + BODY
    project = Project(tmp_path, source, _spec(BACKGROUND), files={"app/helpers.py": "", "zeta.py": "z = 1\n", "ujson.py": ""})
    project.apply()
    assert project.text() != source
    result = project.cli("revert", "--allow-dirty")
    assert result.exit_code == 0 and "1 event(s) reverted" in result.output, result.output
    assert project.text() == source


def test_unused_imports_that_apply_would_not_have_written_are_kept_with_a_note(tmp_path):
    """The user added their own names to apply's import line after apply: revert cannot match
    apply's layout, so it keeps the imports and says so (it never guesses)."""
    source = "import logging\n\nlogger = logging.getLogger(__name__)\n" + BODY
    project = Project(tmp_path, source, _spec(BACKGROUND))
    project.apply()
    text = project.text().replace("import asyncio\n", "import asyncio  # also used by plugins\n")
    project.module_path.write_text(text)
    result = project.cli("revert", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert "import asyncio  # also used by plugins\n" in project.text()


# -- finally -------------------------------------------------------------------------------------
FINALLY = HEADER + '''
async def stop(worker):
    try:
        await worker.stop()
    finally:
        if worker.verbose:
            for name in worker.names:
                logger.info("stopped")
        logger.info("cleanup")
    return worker
'''


@pytest.mark.parametrize("anchor", ["after_log: stopped", "after_log: cleanup"])
def test_an_await_anywhere_inside_a_finally_is_refused(tmp_path, anchor):
    project = Project(tmp_path, FINALLY, _spec(f"{{id: e, event: STOPPED, in: stop, {anchor}, severity: INFO}}"))
    result = project.apply(ok=False)
    assert result.exit_code == 2
    assert "refusing to insert an awaited block into a `finally` block" in result.output
    assert "in the `finally` of the `try` at line 9" in result.output
    assert "use `emit: background`" in result.output
    assert project.text() == FINALLY


def test_background_emission_in_a_finally_is_allowed(tmp_path):
    project = Project(tmp_path, FINALLY, _spec("{id: e, event: STOPPED, in: stop, after_log: stopped, payload: {name: name}, severity: INFO, emit: background}"))
    project.apply()

    class Worker:
        verbose = True
        names = ["a", "b"]

        async def stop(self):
            raise RuntimeError("stop failed")

    import asyncio

    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)

    async def run():
        try:
            await module.stop(Worker())
        except RuntimeError as exc:
            await asyncio.sleep(0)
            return str(exc)

    assert asyncio.run(run()) == "stop failed"  # the original exception still propagates
    assert [e for e, _ in recorder.events] == ["STOPPED", "STOPPED"]
