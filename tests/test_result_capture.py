"""`result: NAME` on an `after:` anchor: eventmod binds the value of the anchor statement (an
expression statement that is a call or an awaited call) to a fresh name, so the payload can log
what the call returned. `await f(x)` becomes `NAME = await f(x)`: a real edit, shown in the
diff and verified by safe mode; refused when the statement already assigns (use that name) or
NAME is not fresh; revert gives the statement back; presence recognises the bound statement."""

from __future__ import annotations

import ast

import pytest

from eventmod.testing import assert_refused, assert_transform, transform
from eventmod.transform.verify import verify_only_insertions
from tests.instrumented import Project, cleanup_modules

EVENT = {"event": "ORDER_PLACED", "in": "place", "after": "await exchange.create_order(", "result": "order",
         "payload": {"order_id": "order['id']"}, "failsafe": False}


def test_an_awaited_call_is_bound_and_logged():
    assert_transform(
        '''
        async def place(exchange, symbol):
            await exchange.create_order(
                symbol, "buy"
            )
            return symbol
        ''',
        '''
        from core.event_logger import EventType, get_event_logger


        async def place(exchange, symbol):
            order = await exchange.create_order(
                symbol, "buy"
            )
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.ORDER_PLACED,
                    {
                        "order_id": order["id"],
                    },
                    severity="INFO",
                )
            return symbol
        ''',
        EVENT,
    )


def test_a_plain_call_in_a_nested_block_is_bound():
    assert_transform(
        '''
        async def place(book, symbol):
            if symbol:
                book.reserve(symbol)  # keep it
            return symbol
        ''',
        '''
        from core.event_logger import EventType, get_event_logger


        async def place(book, symbol):
            if symbol:
                reservation = book.reserve(symbol)  # keep it
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.RESERVED,
                        {
                            "reservation": reservation,
                        },
                        severity="INFO",
                    )
            return symbol
        ''',
        {"event": "RESERVED", "in": "place", "after": "book.reserve(", "result": "reservation",
         "payload": {"reservation": "reservation"}, "failsafe": False},
    )


@pytest.mark.parametrize("before,anchor,message", [
    ("    placed = await exchange.create_order(symbol)\n", "placed = await exchange.create_order(",
     "already assigns its value to `placed`; log that name in the payload instead"),
    ("    orders: list = await exchange.create_order(symbol)\n", "orders: list =", "already assigns its value to `orders`"),
    ("    count += 1\n", "count += 1", "already assigns its value to `count`"),
    ("    if symbol:\n        pass\n", "if symbol:", "binds the value of a call or an awaited call"),
    ("    symbol.upper\n", "symbol.upper", "the statement at service.py:3 is an expression that is not a call"),
    ("    if symbol: await exchange.create_order(symbol)\n", "await exchange.create_order(", "shares its line with other code"),
    ("    await exchange.create_order(symbol); symbol = 1\n", "await exchange.create_order(", "shares its line with other code"),
])
def test_statements_that_cannot_be_bound_are_refused(before, anchor, message):
    text = "async def place(exchange, symbol, count=0):\n    order_id = 1\n" + before + "    return symbol\n"
    assert_refused(text, {**EVENT, "after": anchor, "payload": {}}, message, dedent=False)


@pytest.mark.parametrize("name,where", [
    ("symbol", "a parameter"), ("order_id", "a local"), ("logger", "a global the function reads"),
    ("helper", "a nested function's name"),
])
def test_a_name_that_is_not_fresh_is_refused(name, where):
    text = ("import logging\nlogger = logging.getLogger(__name__)\n\n\nasync def place(exchange, symbol):\n"
            "    order_id = 1\n    logger.info('x')\n\n    def helper():\n        return order_id\n\n"
            "    await exchange.create_order(symbol)\n    return helper()\n")
    assert_refused(text, {**EVENT, "result": name, "payload": {}}, f"already uses the name `{name}`", dedent=False)


def test_result_is_only_for_after_anchors():
    spec = {key: value for key, value in EVENT.items() if key != "after"}
    result = transform("async def place(exchange):\n    await exchange.create_order()\n",
                       {**spec, "before": "await exchange", "payload": {}}, dedent=False)
    assert any("`result` binds the value of an `after:` anchor's statement; this event's anchor is `before`" in m
               for m in result.messages().splitlines()), result.messages()


MODULE = '''import logging

logger = logging.getLogger(__name__)


async def submit(symbol, qty):
    if qty <= 0:
        raise ValueError("bad qty")
    return {"id": f"{symbol}-{qty}", "qty": qty}


async def place(symbol, qty):
    logger.info("placing")
    await submit(symbol, qty)
    return symbol
'''

SPEC = '''component: mod
file: app/mod.py
events:
  - id: placed
    event: ORDER_PLACED
    in: place
    after: "await submit("
    result: order
    payload: {order_id: "order['id']", qty: "order['qty']"}
    severity: INFO
'''


@pytest.fixture
def project(tmp_path):
    yield Project(tmp_path, MODULE, SPEC)
    cleanup_modules()


def test_the_bound_value_reaches_the_event_and_nothing_else_changes(project):
    before = {qty: project.call("place", "BTC", qty) for qty in (2, 0)}
    result = project.apply()
    assert "order = await submit(symbol, qty)\n" in project.text()
    after = {qty: project.call("place", "BTC", qty) for qty in (2, 0)}
    assert {q: o.behaviour() for q, o in after.items()} == {q: o.behaviour() for q, o in before.items()}
    assert after[2].value == "BTC" and after[2].events == [("ORDER_PLACED", {"order_id": "BTC-2", "qty": 2})]
    assert after[0].error == ("ValueError", "bad qty") and after[0].events == []
    assert result.exit_code == 0


def test_the_diff_shows_the_rewrite_and_apply_is_idempotent(project):
    diff = project.cli("dry-run", "--color", "never")
    assert "-    await submit(symbol, qty)\n+    order = await submit(symbol, qty)\n" in diff.output, diff.output
    project.apply()
    text = project.text()
    again = project.apply()
    assert "0 event(s) inserted" in again.output and project.text() == text
    check = project.cli("check")
    assert check.exit_code == 0 and "present" in check.output, check.output


def test_revert_gives_the_statement_back(project):
    project.apply()
    result = project.cli("revert", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert project.text() == MODULE


def test_a_bound_statement_whose_block_was_removed_gets_its_block_back(project):
    project.apply()
    bound_only = MODULE.replace("    await submit(symbol, qty)\n", "    order = await submit(symbol, qty)\n")
    project.module_path.write_text(bound_only)
    project.apply()
    text = project.text()
    assert text.count("order = await submit(symbol, qty)") == 1 and "EventType.ORDER_PLACED" in text


def test_safe_mode_accepts_exactly_the_binding():
    old = "async def f(x):\n    await g(x)\n    return x\n"
    origin = [0, 1, 2, 3]
    ok = "async def f(x):\n    value = await g(x)\n    return x\n"
    assert verify_only_insertions(old, ok, origin, logger_module="m", added_names=(), results={2: "value"}) is None
    for bad, why in [
        ("async def f(x):\n    value = await g(x, 1)\n    return x\n", "changed"),  # the call changed
        ("async def f(x):\n    other = await g(x)\n    return x\n", "not `value = <call>`"),  # another name
        ("async def f(x):\n    value = x\n    return x\n", "not `value = <call>`"),  # not a call
    ]:
        message = verify_only_insertions(old, bad, origin, logger_module="m", added_names=(), results={2: "value"})
        assert message is not None and why in message, (bad, message)
    unlisted = verify_only_insertions(old, ok, origin, logger_module="m", added_names=())
    assert unlisted is not None  # a binding nobody asked for is a change


def test_the_rewritten_file_still_parses_to_the_original_plus_the_binding(project):
    project.apply()
    tree = ast.parse(project.text())
    place = next(n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "place")
    assign = place.body[1]
    assert isinstance(assign, ast.Assign) and assign.targets[0].id == "order"  # type: ignore[attr-defined]
    assert ast.unparse(assign.value) == "await submit(symbol, qty)"
