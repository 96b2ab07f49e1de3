"""Rendering: the block's layout for every spec option and house style, written out in full."""

from __future__ import annotations

import pytest

from tests.unit.bare import assert_transform, transform

BEFORE = """
    from core.event_logger import EventType, get_event_logger


    async def f(order, position_id, symbol, price):
        logger.info("go")
    """


def spec(**fields) -> dict:
    return {"event": "E", "in": "f", "after_log": "go", "payload": {}, **fields}


OPTIONS = [
    pytest.param(
        spec(payload={"symbol": "symbol"}, comment="Log the fill"),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            # Log the fill
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {
                        "symbol": symbol,
                    },
                    severity="INFO",
                )
        """,
        id="comment",
    ),
    pytest.param(
        spec(comment="Two lines:\nwhy and when"),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            # Two lines:
            # why and when
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {},
                    severity="INFO",
                )
        """,
        id="multi-line-comment",
    ),
    pytest.param(
        spec(when="order['side'] == 'buy' and price > 0"),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger and (order["side"] == "buy" and price > 0):
                await event_logger.log_event(
                    EventType.E,
                    {},
                    severity="INFO",
                )
        """,
        id="when",
    ),
    pytest.param(
        spec(setup=["total = len(order['fills'])", "notional: float = price*total"], payload={"total": "total", "notional": "notional"}),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                total = len(order["fills"])
                notional: float = price * total
                await event_logger.log_event(
                    EventType.E,
                    {
                        "total": total,
                        "notional": notional,
                    },
                    severity="INFO",
                )
        """,
        id="setup",
    ),
    pytest.param(
        spec(payload={}, severity="DEBUG"),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {},
                    severity="DEBUG",
                )
        """,
        id="payload-empty",
    ),
    pytest.param(
        spec(payload={"id": "order['id']", "price": "float( price )", "reason": "'manual'", "count": 3, "ok": True,
                      "none": None, "items": "[p for p in order['fills'] if p]"}),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {
                        "id": order["id"],
                        "price": float(price),
                        "reason": "manual",
                        "count": 3,
                        "ok": True,
                        "none": None,
                        "items": [p for p in order["fills"] if p],
                    },
                    severity="INFO",
                )
        """,
        id="payload-expressions-in-black-form",
    ),
    pytest.param(
        spec(error="str(order)", symbol="symbol", exchange="'binance'", correlation_id="order['cid']",
             order_id="order['id']", position_id="position_id", severity="ERROR"),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {},
                    correlation_id=order["cid"],
                    position_id=position_id,
                    order_id=order["id"],
                    symbol=symbol,
                    exchange="binance",
                    error=str(order),
                    severity="ERROR",
                )
        """,
        id="kwargs-in-fixed-order",
    ),
    pytest.param(
        spec(position_id="order['position']", coerce=["position_id"]),
        """
        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {},
                    position_id=int(order["position"]),
                    severity="INFO",
                )
        """,
        id="coerce",
    ),
    pytest.param(
        spec(payload={"price": "price"}, json_safe=True),
        '''
        from core.event_logger import EventType, get_event_logger


        def _eventmod_json_safe(value):
            """Make a payload value JSON-serialisable (added by eventmod)."""
            from datetime import date, datetime
            from decimal import Decimal
            from enum import Enum

            if value is None or isinstance(value, (str, int, float, bool)):
                return value
            if isinstance(value, Decimal):
                return float(value)
            if isinstance(value, (datetime, date)):
                return value.isoformat()
            if isinstance(value, Enum):
                return _eventmod_json_safe(value.value)
            if isinstance(value, dict):
                return {str(k): _eventmod_json_safe(v) for k, v in value.items()}
            if isinstance(value, (list, tuple, set, frozenset)):
                return [_eventmod_json_safe(v) for v in value]
            return str(value)


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {
                        "price": _eventmod_json_safe(price),
                    },
                    severity="INFO",
                )
        ''',
        id="json-safe",
    ),
    pytest.param(
        spec(payload={"symbol": "symbol"}, emit="background", when="price", setup=["n = 1"]),
        """
        import asyncio

        from core.event_logger import EventType, get_event_logger


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger and (price):
                n = 1
                asyncio.create_task(
                    event_logger.log_event(
                        EventType.E,
                        {
                            "symbol": symbol,
                        },
                        severity="INFO",
                    )
                )
        """,
        id="background-with-when-and-setup",
    ),
]


@pytest.mark.parametrize("spec, after", OPTIONS)
def test_block_layout_for_each_option(spec, after):
    assert_transform(BEFORE, after, spec)


def test_json_safe_helper_imported_from_the_configured_module():
    after = """
        from core.event_logger import EventType, get_event_logger
        from app.serialise import to_json


        async def f(order, position_id, symbol, price):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {
                        "price": to_json(price),
                    },
                    severity="INFO",
                )
        """
    assert_transform(BEFORE, after, spec(payload={"price": "price"}), config={"json_safe": True, "json_safe_helper": "app.serialise:to_json"})


def test_a_free_variable_name_when_the_function_uses_event_logger_for_something_else():
    before = """
        from core.event_logger import EventType, get_event_logger


        async def f(event_logger):
            logger.info("go")
            return event_logger
        """
    after = """
        from core.event_logger import EventType, get_event_logger


        async def f(event_logger):
            logger.info("go")
            event_logger_2 = get_event_logger()
            if event_logger_2:
                await event_logger_2.log_event(
                    EventType.E,
                    {},
                    severity="INFO",
                )
            return event_logger
        """
    assert_transform(before, after, spec())


# -- house style -------------------------------------------------------------------------------
def test_single_quoted_file_gets_single_quotes():
    before = """
        from core.event_logger import EventType, get_event_logger


        async def f(order):
            logger.info('go')
            return order['id']
        """
    after = """
        from core.event_logger import EventType, get_event_logger


        async def f(order):
            logger.info('go')
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {
                        'id': order['id'],
                        'side': 'buy',
                    },
                    exchange='binance',
                    severity='INFO',
                )
            return order['id']
        """
    # strings in spec expressions are normalised to the file's quote, as black would
    assert_transform(before, after, spec(payload={"id": "order[\"id\"]", "side": "'buy'"}, exchange="'binance'"))


def test_skip_string_normalization_keeps_expression_quotes():
    before = """
        from core.event_logger import EventType, get_event_logger


        async def f(order):
            logger.info("go")
        """
    after = """
        from core.event_logger import EventType, get_event_logger


        async def f(order):
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.E,
                    {
                        "side": 'buy',
                    },
                    severity="INFO",
                )
        """
    assert_transform(before, after, spec(payload={"side": "'buy'"}), black={"skip-string-normalization": True})


def test_tabs():
    before = "from core.event_logger import EventType, get_event_logger\n\n\nclass S:\n\tasync def f(self, x):\n\t\tif x:\n\t\t\tlogger.info('go')\n"
    after = (
        "from core.event_logger import EventType, get_event_logger\n\n\nclass S:\n\tasync def f(self, x):\n\t\tif x:\n\t\t\tlogger.info('go')\n"
        "\t\t\tevent_logger = get_event_logger()\n\t\t\tif event_logger:\n\t\t\t\tawait event_logger.log_event(\n"
        "\t\t\t\t\tEventType.E,\n\t\t\t\t\t{\n\t\t\t\t\t\t'x': x,\n\t\t\t\t\t},\n\t\t\t\t\tseverity='INFO',\n\t\t\t\t)\n"
    )
    assert_transform(before, after, spec(**{"in": "S.f"}, payload={"x": "x"}), dedent=False)


def test_crlf_line_ends_everywhere():
    before = "from core.event_logger import EventType\r\n\r\n\r\nasync def f(x):\r\n    logger.info('go')\r\n    return x\r\n"
    after = (
        "from core.event_logger import EventType, get_event_logger\r\n\r\n\r\nasync def f(x):\r\n    logger.info('go')\r\n"
        "    event_logger = get_event_logger()\r\n    if event_logger:\r\n        await event_logger.log_event(\r\n"
        "            EventType.E,\r\n            {},\r\n            severity='INFO',\r\n        )\r\n    return x\r\n"
    )
    assert_transform(before, after, spec(), dedent=False)


def test_two_space_indent():
    before = "from core.event_logger import EventType, get_event_logger\n\n\nasync def f(x):\n  for i in x:\n    logger.info('go')\n"
    after = (
        "from core.event_logger import EventType, get_event_logger\n\n\nasync def f(x):\n  for i in x:\n    logger.info('go')\n"
        "    event_logger = get_event_logger()\n    if event_logger:\n      await event_logger.log_event(\n"
        "        EventType.E,\n        {},\n        severity='INFO',\n      )\n"
    )
    assert_transform(before, after, spec(), dedent=False)


def test_no_newline_at_end_of_file():
    before = "from core.event_logger import EventType, get_event_logger\n\n\nasync def f(x):\n    logger.info('go')"
    after = (
        "from core.event_logger import EventType, get_event_logger\n\n\nasync def f(x):\n    logger.info('go')\n"
        "    event_logger = get_event_logger()\n    if event_logger:\n        await event_logger.log_event(\n"
        "            EventType.E,\n            {},\n            severity='INFO',\n        )\n"
    )
    assert_transform(before, after, spec(), dedent=False)


# -- line length: what black itself writes -------------------------------------------------------
DEEP = """
    from core.event_logger import EventType, get_event_logger


    class Service:
        async def f(self, orders, position_id, symbol):
            for order in orders:
                if order:
                    with self.lock:
                        logger.info("go")
    """

LONG = [
    pytest.param(88, spec(**{"in": "Service.f"}, payload={"average_entry_price_for_position": "float(self.positions[symbol].average_entry_price)"}),
                 id="long-payload-value-at-depth"),
    pytest.param(60, spec(**{"in": "Service.f"}, payload={"symbol": "symbol", "count": "len(orders)"}, position_id="position_id",
                          when="self.enabled and order['status'] == 'filled'"), id="narrow-line-length-when"),
    pytest.param(88, spec(**{"in": "Service.f"}, setup=["fills, fees = self.collect(orders, symbol=symbol, include_fees=True, include_cancelled=False)"],
                          payload={"fills": "fills", "fees": "fees"}), id="long-setup-statement"),
    pytest.param(120, spec(**{"in": "Service.f"}, payload={"average_entry_price_for_position": "float(self.positions[symbol].average_entry_price)"},
                           emit="background", comment="A comment longer than any line length is never wrapped by black, so eventmod leaves it alone too"),
                 id="wide-line-length-background-long-comment"),
    pytest.param(88, spec(**{"in": "Service.f"}, payload={"values": "{'a': 1, 'b': [order for order in orders if order['status'] in ('new', 'partially_filled')]}"}),
                 id="long-comprehension"),
]


@pytest.mark.parametrize("line_length, spec", LONG)
def test_blocks_are_what_black_writes_at_the_projects_line_length(line_length, spec):
    import black

    result = transform(DEEP, spec, black={"line-length": line_length})
    assert not result.errors, result.messages()
    assert result.changed
    mode = black.Mode(line_length=line_length)
    assert black.format_str(result.text, mode=mode) == result.text
    code = [line for line in result.text.splitlines() if not line.lstrip().startswith("#")]
    assert max(map(len, code)) <= line_length


@pytest.mark.parametrize("line_length", [60, 88, 120])
def test_the_same_event_lays_out_differently_per_line_length(line_length):
    import black

    event = spec(**{"in": "Service.f"}, payload={"symbol": "symbol", "exchange_order_identifier": "orders[0]['exchange_order_identifier']"})
    result = transform(DEEP, event, black={"line-length": line_length})
    assert black.format_str(result.text, mode=black.Mode(line_length=line_length)) == result.text
    one_line = " " * 32 + "\"exchange_order_identifier\": orders[0][\"exchange_order_identifier\"],"  # 100 columns
    assert (one_line in result.text.splitlines()) == (line_length >= 100)
