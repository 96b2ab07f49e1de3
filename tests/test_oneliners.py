"""Anchors in one-line bodies (`if x: logger.info(...)`, `except E: ...`, `for ...: ...`,
`while ...: ...`, `with ...: ...`, one-line defs and methods): the body is expanded into an
indented block that holds the event, never written after the whole statement; what cannot be
expanded safely is refused with the reason. Behaviour is checked by running the code."""

from __future__ import annotations

import ast

import pytest

from eventmod.transform.verify import verify_only_insertions
from tests.instrumented import Project, cleanup_modules

MODULE = '''import logging

logger = logging.getLogger(__name__)


async def guarded(x):
    if x > 0: logger.info("positive")
    return x * 2


async def handled(x):
    try:
        result = 10 / x
    except ZeroDivisionError: logger.error("division failed")
    else: result += 1
    return x


async def looped(items):
    for it in items: logger.info("item seen")
    return len(items)


async def waited(n):
    while n > 0: n -= 1
    return n


async def entered(x):
    with open(__file__) as handle: logger.info("file opened")
    return x


async def one_line(x): logger.info("one line def")


class Service:
    async def method(self, x): logger.info("one line method")

    def sync(self, x): logger.info("sync one line")


async def early(x):
    if x < 0: return -1
    return x


async def caught(x):
    try:
        return int(x)
    except ValueError: return None


async def risky(x):
    if x: await boom(x)
    return "done"


async def boom(x):
    if x == "fail":
        raise RuntimeError("boom")
'''

SPEC = '''component: mod
file: app/mod.py
phase: 1
events:
  - {id: e_if, event: POSITIVE_SEEN, in: guarded, after_log: positive, payload: {x: x}, severity: INFO}
  - {id: e_except, event: DIVISION_FAILED, in: handled, after_log: division failed, payload: {x: x}, severity: ERROR}
  - {id: e_else, event: DIVISION_DONE, in: handled, after: result += 1, payload: {x: x}, severity: INFO}
  - {id: e_for, event: ITEM_SEEN, in: looped, after_log: item seen, payload: {it: it}, severity: INFO}
  - {id: e_while, event: COUNTED_DOWN, in: waited, after: n -= 1, payload: {n: n}, severity: DEBUG}
  - {id: e_with, event: FILE_OPENED, in: entered, after_log: file opened, payload: {x: x}, severity: INFO}
  - {id: e_def, event: ONE_LINE_DEF, in: one_line, at: start, payload: {x: x}, severity: INFO}
  - {id: e_def_end, event: ONE_LINE_DEF_END, in: one_line, after_log: one line def, payload: {x: x}, severity: INFO}
  - {id: e_method, event: ONE_LINE_METHOD, in: Service.method, after_log: one line method, payload: {x: x}, severity: INFO}
  - {id: e_sync, event: SYNC_ONE_LINE, in: Service.sync, after_log: sync one line, payload: {x: x}, severity: INFO, emit: background}
  - {id: e_return, event: NEGATIVE_INPUT, in: early, before: return -1, payload: {x: x}, severity: WARNING}
  - {id: e_handler, event: NOT_A_NUMBER, in: caught, in_except: ValueError, payload: {x: x}, severity: WARNING}
  - {id: e_wrap, event: BOOM_FAILED, in: risky, on_error: await boom(x), payload: {x: x, error: str(exc)}, severity: ERROR}
'''

CALLS = [
    ("guarded", (1,), ["POSITIVE_SEEN"]),
    ("guarded", (-1,), []),
    ("handled", (0,), ["DIVISION_FAILED"]),
    ("handled", (2,), ["DIVISION_DONE"]),
    ("looped", ([1, 2, 3],), ["ITEM_SEEN"] * 3),
    ("looped", ([],), []),
    ("waited", (2,), ["COUNTED_DOWN"] * 2),
    ("waited", (0,), []),
    ("entered", (5,), ["FILE_OPENED"]),
    ("one_line", (7,), ["ONE_LINE_DEF", "ONE_LINE_DEF_END"]),
    ("early", (-3,), ["NEGATIVE_INPUT"]),
    ("early", (3,), []),
    ("caught", ("x",), ["NOT_A_NUMBER"]),
    ("caught", ("4",), []),
    ("risky", ("fail",), ["BOOM_FAILED"]),
    ("risky", ("ok",), []),
    ("risky", ("",), []),
]


@pytest.fixture
def project(tmp_path):
    yield Project(tmp_path, MODULE, SPEC)
    cleanup_modules()


def _method_call(project: Project, name: str, *args, **kwargs):
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    import asyncio

    async def run():
        result = getattr(module.Service(), name)(*args)
        if asyncio.iscoroutine(result):
            result = await result
        await asyncio.sleep(0)  # let a scheduled event run
        return result

    return asyncio.run(run()), [name for name, _ in recorder.events]


def test_one_line_bodies_are_expanded_and_events_fire_on_their_path_only(project):
    before = {(name, repr(args)): project.call(name, *args).behaviour() for name, args, _ in CALLS}
    result = project.apply()
    assert "13 event(s) inserted" in result.output, result.output
    text = project.text()
    tree = ast.parse(text)
    compile(text, "mod.py", "exec")
    # nothing was written at module level or in the class body
    assert all(not isinstance(s, (ast.Assign, ast.If, ast.Try, ast.Expr)) or isinstance(s, ast.Assign) and s.targets[0].id == "logger"
               for s in tree.body), [ast.dump(s)[:60] for s in tree.body]
    service = next(s for s in tree.body if isinstance(s, ast.ClassDef))
    assert all(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) for s in service.body)
    # the expanded lines read like hand-written code
    assert "    if x > 0:\n        logger.info(\"positive\")\n        try:\n" in text
    assert "    except ZeroDivisionError:\n        logger.error(\"division failed\")\n" in text
    assert "    for it in items:\n        logger.info(\"item seen\")\n" in text
    assert "    while n > 0:\n        n -= 1\n" in text
    assert "async def one_line(x):\n    try:\n" in text
    assert "    async def method(self, x):\n        logger.info(\"one line method\")\n" in text
    for name, args, events in CALLS:
        after = project.call(name, *args)
        assert after.behaviour() == before[(name, repr(args))], (name, args)
        assert [e for e, _ in after.events] == events, (name, args, after.events)
    assert _method_call(project, "method", 3) == (None, ["ONE_LINE_METHOD"])
    assert _method_call(project, "sync", 3) == (None, ["SYNC_ONE_LINE"])
    # idempotent: a second apply finds every event present
    again = project.apply()
    assert "0 event(s) inserted, 13 present" in again.output, again.output
    assert project.text() == text


def test_the_diff_shows_the_expanded_line_as_a_change(project):
    result = project.cli("dry-run", "--event", "e_if")
    assert result.exit_code == 0, result.output
    assert '-    if x > 0: logger.info("positive")\n+    if x > 0:\n+        logger.info("positive")\n' in result.output


def test_revert_removes_the_block_and_keeps_the_expanded_body(project):
    original = project.call("guarded", 1).behaviour()
    project.apply()
    result = project.cli("revert", "--allow-dirty")
    assert result.exit_code == 0 and "13 event(s) reverted" in result.output, result.output
    text = project.text()
    assert "log_event" not in text and "    if x > 0:\n        logger.info(\"positive\")\n    return x * 2\n" in text
    assert project.call("guarded", 1).behaviour() == original


@pytest.mark.parametrize("body, anchor, message", [
    # (the refusal names the anchor's line)
    ("    if x: print(x); logger.info('two')\n", "after_log: two", "the anchor is in a one-line body of several `;`-separated statements"),
    ("    if x: logger.info('first'); print(x)\n", "after_log: first", "the anchor is in a one-line body of several `;`-separated statements"),
    ("    if x: logger.info(\n        'spread'\n    )\n", "after_log: spread", "the anchor is in a one-line body that continues over several lines"),
    ("    for i in x: logger.info('loop');\n", "after_log: loop", "another statement follows the anchor's one-line body on the same line"),
    ("    total = (1,\n        2); logger.info('glued')\n", "after_log: glued", "app/mod.py:8: the statement shares its line with the end of the statement before it"),
])
def test_bodies_that_cannot_be_expanded_safely_are_refused(tmp_path, body, anchor, message):
    module = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\nasync def f(x):\n" + body + "    return x\n"
    spec = f"component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {{id: e, event: E, in: f, {anchor}, severity: INFO}}\n"
    project = Project(tmp_path, module, spec)
    result = project.apply(ok=False)
    assert result.exit_code == 2, result.output
    assert "cannot insert at app/mod.py:" in result.output and message in result.output, result.output
    assert project.text() == module


def test_safe_mode_rejects_a_statement_written_outside_its_function():
    """ast.parse accepts a top-level `await`: safe mode checks where each written statement is."""
    old = "async def f(x):\n    if x: print(x)\n    return x\n"
    new = "async def f(x):\n    if x: print(x)\n    return x\nawait log(x)\n"
    origin = [0, 1, 2, None]
    assert verify_only_insertions(old, new, origin, logger_module="m", added_names=()) is None  # the AST alone cannot tell
    mismatch = verify_only_insertions(old, new, origin, logger_module="m", added_names=(), scopes={4: 1})
    assert mismatch and "at module level or in a class body" in mismatch


def test_safe_mode_rejects_a_statement_written_into_another_function_or_an_await_in_a_sync_one():
    old = "async def f(x):\n    return x\n\n\ndef g(y):\n    return y\n"
    new = "async def f(x):\n    return x\n\n\ndef g(y):\n    await log(y)\n    return y\n"
    origin = [0, 1, 2, 3, 4, None, 5]
    assert "not in the body of the function defined at original line 1" in verify_only_insertions(
        old, new, origin, logger_module="m", added_names=(), scopes={6: 1})
    assert "awaits outside an async function" in verify_only_insertions(old, new, origin, logger_module="m", added_names=(), scopes={6: 5})
