"""Presence: when an event counts as already logged at its anchor (and `apply` leaves it alone).

PRESENT cases: (before, spec) where the code already logs the event next to the anchor; the
plan changes nothing and says `present`. PENDING cases: (before, after, spec) where a log_event
call nearby does not count, so the block is inserted.
"""

from __future__ import annotations

import pytest

from eventmod.analysis.presence import DRIFT_WINDOW
from eventmod.model.results import Status
from eventmod.testing import DEFAULT_LOGGER_MODULE_TEXT
from tests.unit.bare import LOGGER_FILE, assert_refused, assert_transform, dedent, transform
from tests.unit.blocks import IMPORT, expand

HEADER = "import asyncio\n\n" + IMPORT


# the default logger module with the member the cases' other event logs (a log_event call
# with a member the enum lacks is an error: it raises AttributeError when it runs)
LOGGER = {LOGGER_FILE: DEFAULT_LOGGER_MODULE_TEXT.replace('    BOT_STARTED = "bot_started"\n',
                                                          '    BOT_STARTED = "bot_started"\n    OTHER = "other"\n')}
assert "OTHER" in LOGGER[LOGGER_FILE]


def with_imports(code: str) -> str:
    """`code` (dedented) importing what its log_event calls use, as real code does: a present
    block whose getter or enum is not imported is INVALID (it fails with NameError when it runs)."""
    code = dedent(code)
    return code if "from core.event_logger import" in code else HEADER + code


def spec(function: str = "f", event: str = "E", **fields) -> dict:
    return {"event": event, "in": function, "payload": {}, **fields}


PRESENT = [
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {}, severity="INFO")
            return x
        """,
        spec(after_log="go"), id="after-log-guarded-block",
    ),
    pytest.param(
        """
        async def f(x):
            y = x + 1
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {"y": y})
            return y
        """,
        spec(before="return y"), id="before-return",
    ),
    pytest.param(
        '''
        async def f(x):
            """Doc."""
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            return x
        ''',
        spec(at="start"), id="at-start-after-docstring",
    ),
    pytest.param(
        """
        async def f(x):
            x.append(1)
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
        """,
        spec(at="end"), id="at-end-last-statement-is-the-block",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except TimeoutError as e:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(EventType.E, {"error": str(e)})
                raise
        """,
        spec(in_except="TimeoutError"), id="in-except",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                result = await x.send()
            except Exception as exc:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(EventType.E, {"error": str(exc)})
                raise
            return result
        """,
        spec(on_error="result = await x.send("), id="on-error-wrapped",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            await get_event_logger().log_event(EventType.E, {})
        """,
        spec(after_log="go"), id="awaited-unguarded",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            await self.event_logger.log_event(EventType.E, {})
        """,
        spec(after_log="go"), id="awaited-attribute-logger",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            asyncio.create_task(get_event_logger().log_event(EventType.E, {}))
        """,
        spec(after_log="go", emit="background"), id="create-task-unguarded",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                asyncio.ensure_future(event_logger.log_event(EventType.E, {}))
        """,
        spec(after_log="go", emit="background"), id="ensure-future",
    ),
    pytest.param(
        """
        def f(x, audit):
            logger.info("go")
            audit.log_event(EventType.E, {})
        """,
        spec(after_log="go", emit="background"), id="plain-call-not-awaited",
    ),
    pytest.param(
        """
        from core.event_logger import EventType as ET, get_event_logger


        async def f(x):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(ET.E, {})
        """,
        spec(after_log="go"), id="enum-alias",
    ),
    pytest.param(
        """
        from core.event_logger import EventType, get_event_logger as gel
        from core.event_logger import get_event_logger as audit


        async def f(x):
            logger.info("go")
            events = audit()
            if events:
                await events.log_event(EventType.E, {})
        """,
        spec(after_log="go"), id="getter-under-its-second-alias",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            # logged for the dashboard
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
        """,
        spec(after_log="go"), id="comment-between-anchor-and-block",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.OTHER, {})
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            return x
        """,
        spec(after_log="go"), id="behind-another-events-block",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.OTHER, {})
                await event_logger.log_event(EventType.E, {})
        """,
        spec(after_log="go"), id="two-events-in-one-guard",
    ),
    pytest.param(
        """
        async def f(x):
            y = 1
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.OTHER, {})
            return y
        """,
        spec(before="return y"), id="before-with-another-block-in-between",
    ),
]


@pytest.mark.parametrize("before, spec", PRESENT)
def test_present(before, spec):
    result = transform(with_imports(before), spec, files=LOGGER, dedent=False)
    assert result.status() is Status.PRESENT, result.messages()
    assert not result.changed, result.diff()
    assert not result.errors and not result.warnings, result.messages()


BEYOND_THE_WINDOW = ["x += 1"] * (DRIFT_WINDOW + 1)  # statements enough for a block to be too far to be drift


def function_of(*lines: str) -> str:
    return "async def f(x):\n" + "".join(f"    {line}\n" for line in lines)


PENDING = [
    pytest.param(
        """
        async def f(x):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.OTHER, {})
        """,
        """
        async def f(x):
            logger.info("go")
            <E>
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.OTHER, {})
        """,
        spec(after_log="go"), id="a-block-for-another-event",
    ),
    pytest.param(
        """
        async def f(x):
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            logger.info("go")
            return x
        """,
        """
        async def f(x):
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            logger.info("go")
            <E>
            return x
        """,
        spec(after_log="go"), id="same-event-before-an-after-anchor",
    ),
    pytest.param(
        function_of('logger.info("go")', *BEYOND_THE_WINDOW, "await get_event_logger().log_event(EventType.E, {})"),
        function_of('logger.info("go")', "<E>", *BEYOND_THE_WINDOW, "await get_event_logger().log_event(EventType.E, {})"),
        spec(after_log="go"), id="same-event-beyond-the-drift-window",
    ),
    pytest.param(
        """
        async def f(x, failed):
            if failed:
                await get_event_logger().log_event(EventType.E, {})
                return None
            logger.info("go")
            return x
        """,
        """
        async def f(x, failed):
            if failed:
                await get_event_logger().log_event(EventType.E, {})
                return None
            logger.info("go")
            <E>
            return x
        """,
        spec(after_log="go"), id="same-event-on-an-earlier-path",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except KeyError:
                await get_event_logger().log_event(EventType.E, {})
            except TimeoutError:
                raise
        """,
        """
        async def f(x):
            try:
                await x.send()
            except KeyError:
                await get_event_logger().log_event(EventType.E, {})
            except TimeoutError:
                <E>
                raise
        """,
        spec(in_except="TimeoutError"), id="same-event-in-another-handler",
    ),
    pytest.param(
        """
        async def f(x):
            y = x
            event_logger = get_event_logger()
            return y
        """,
        """
        async def f(x):
            y = x
            event_logger = get_event_logger()
            <E>
            return y
        """,
        spec(before="return y"), id="getter-alone-is-not-presence",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("tick")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            logger.info("tick")
        """,
        """
        async def f(x):
            logger.info("tick")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            logger.info("tick")
            <E>
        """,
        spec(after_log="tick", occurrence="all"), id="occurrence-all-one-site-present",
    ),
]


@pytest.mark.parametrize("before, after, spec", PENDING)
def test_pending(before, after, spec):
    result = assert_transform(before, expand(after), spec)
    assert result.status() is Status.PENDING


@pytest.mark.parametrize("between", range(1, DRIFT_WINDOW + 1))
@pytest.mark.parametrize("anchor, code", [
    ({"after_log": "go"}, 'logger.info("go")\n{between}await get_event_logger().log_event(EventType.E, {{}})\n'),
    ({"before": "return x"}, 'await get_event_logger().log_event(EventType.E, {{}})\n{between}return x\n'),
])
def test_the_same_event_a_few_statements_from_its_anchor_is_drift_not_a_second_block(between, anchor, code):
    before = HEADER + function_of(*code.format(between="x += 1\n" * between).splitlines())
    result = assert_refused(before, spec(**anchor), f"{between} statement(s) were added between them, so apply does not insert a second block",
                            dedent=False)
    assert result.status() is Status.DRIFTED and not result.changed


# Issue 10.6 (fixed): a statement that logs the same event on another path (an `if failed:`
# block, a loop) right after the anchor is no presence: the event is logged on the anchor's path.
ANOTHER_PATH = [
    pytest.param(
        """
        async def f(x, failed):
            logger.info("go")
            if failed:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(EventType.E, {}, severity="ERROR")
            return x
        """,
        spec(after_log="go"), id="if-failed-block",
    ),
    pytest.param(
        """
        async def f(items):
            logger.info("go")
            for item in items:
                await get_event_logger().log_event(EventType.E, {"item": item})
        """,
        spec(after_log="go"), id="loop-logging-per-item",
    ),
    pytest.param(
        """
        async def f(x, ok):
            y = x
            if not ok:
                await get_event_logger().log_event(EventType.E, {})
            return y
        """,
        spec(before="return y"), id="before-anchor-if-block",
    ),
]


@pytest.mark.parametrize("before, spec", ANOTHER_PATH)
def test_same_event_on_another_path_next_to_the_anchor_is_not_presence(before, spec):
    result = transform(with_imports(before), spec, dedent=False)
    assert result.status() is Status.PENDING, f"status {result.status()}: the event would never be logged on the anchor's path"
    assert result.text.count("log_event(") == result.before.count("log_event(") + 1  # its own block was inserted


def test_occurrence_all_inserts_only_where_missing_and_reports_those_lines():
    result = transform(PENDING[-1].values[0], PENDING[-1].values[2])
    outcome = result.outcomes[0]
    assert outcome.status is Status.PENDING and outcome.lines == (7,)  # where the missing block starts


LOCATED = """
    async def f(x):
        '''Doc.'''
        y = x + 1
        logger.info("go")
        try:
            await x.send()
        except TimeoutError:
            y = 0
        return y
    """


@pytest.mark.parametrize("failsafe", [True, False])
@pytest.mark.parametrize("comment", ["Logged for the dashboard", None])
@pytest.mark.parametrize("anchor", [
    {"after_log": "go"}, {"before": "return y"}, {"at": "start"}, {"at": "end"}, {"in_except": "TimeoutError"},
])
def test_a_present_block_is_located_at_its_first_line(failsafe, comment, anchor):
    """The line a present block is reported at (check, observe) is where it starts: its comment,
    else its `try:` (fail-safe) or its getter, whichever anchor put it there."""
    event = {**spec(**anchor), **({"comment": comment} if comment else {})}
    config = {"failsafe": failsafe}
    applied = transform(LOCATED, event, config=config)
    assert applied.status() is Status.PENDING and applied.changed, applied.messages()
    again = transform(applied.text, event, config=config, dedent=False)
    assert again.status() is Status.PRESENT and not again.changed, again.messages()
    [line] = again.outcomes[0].lines
    lines = applied.text.splitlines()
    first = f"# {comment}" if comment else ("try:" if failsafe else "event_logger = get_event_logger()")
    assert lines[line - 1].strip() == first, (line, applied.text)
