"""Anchor resolution, in process: every anchor kind, occurrence, nesting and function lookup.

Each case is (before, after, spec); in `after`, a line `<E>` is the event's block at that
indentation (see blocks.py) and the logger import is added on top.
"""

from __future__ import annotations

import pytest

from eventmod.model.results import Status
from tests.unit.bare import assert_refused, assert_transform, transform
from tests.unit.blocks import expand


def spec(function: str = "f", event: str = "E", **fields) -> dict:
    return {"event": event, "in": function, "payload": {}, **fields}


AFTER_LOG = [
    pytest.param(
        """
        async def f(x):
            logger.info("started")
            return x
        """,
        """
        async def f(x):
            logger.info("started")
            <E>
            return x
        """,
        spec(after_log="started"), id="literal-substring",
    ),
    pytest.param(
        """
        async def f(order_id):
            logger.info(f"Order {order_id} placed on {exchange}")
        """,
        """
        async def f(order_id):
            logger.info(f"Order {order_id} placed on {exchange}")
            <E>
        """,
        spec(after_log="Order {} placed on"), id="fstring-empty-placeholder",
    ),
    pytest.param(
        """
        async def f(order_id):
            logger.info(f"Order {order_id!r:>10} placed")
        """,
        """
        async def f(order_id):
            logger.info(f"Order {order_id!r:>10} placed")
            <E>
        """,
        spec(after_log="Order {order_id} placed"), id="fstring-named-placeholder-and-format-spec",
    ),
    pytest.param(
        """
        async def f(x):
            logger.warning("Wave %s took %.2f s" % (x, 1.5))
        """,
        """
        async def f(x):
            logger.warning("Wave %s took %.2f s" % (x, 1.5))
            <E>
        """,
        spec(after_log="Wave {} took {} s"), id="percent-format",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("100%% done for %(name)s" % {"name": x})
        """,
        """
        async def f(x):
            logger.info("100%% done for %(name)s" % {"name": x})
            <E>
        """,
        spec(after_log="100% done for {}"), id="percent-format-escaped-percent-and-mapping-key",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("Closed {} at {price}".format(x, price=2))
        """,
        """
        async def f(x):
            logger.info("Closed {} at {price}".format(x, price=2))
            <E>
        """,
        spec(after_log="Closed {symbol} at {}"), id="str-format",
    ),
    pytest.param(
        """
        async def f(x):
            logger.error("Lost " + str(x) + " orders")
        """,
        """
        async def f(x):
            logger.error("Lost " + str(x) + " orders")
            <E>
        """,
        spec(after_log="Lost {} orders"), id="concatenation",
    ),
    pytest.param(
        # The lazy logging style keeps its %s (its template is the literal string).
        """
        async def f(x):
            logger.info("Order %s filled", x)
        """,
        """
        async def f(x):
            logger.info("Order %s filled", x)
            <E>
        """,
        spec(after_log="Order %s filled"), id="lazy-args-literal",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("retrying")
            logger.warning("retrying")
            return x
        """,
        """
        async def f(x):
            logger.info("retrying")
            logger.warning("retrying")
            <E>
            return x
        """,
        spec(after_log="retrying", level="warning"), id="level-narrows-to-warning",
    ),
    pytest.param(
        """
        async def f(x):
            logger.warn("slow")
            logger.error("slow")
        """,
        """
        async def f(x):
            logger.warn("slow")
            <E>
            logger.error("slow")
        """,
        spec(after_log="slow", level="warning"), id="warn-is-warning",
    ),
    pytest.param(
        """
        class Service:
            async def f(self, x):
                self.logger.debug("tick %s" % x)
        """,
        """
        class Service:
            async def f(self, x):
                self.logger.debug("tick %s" % x)
                <E>
        """,
        spec("Service.f", after_log="tick {}"), id="self-logger-receiver",
    ),
    pytest.param(
        """
        async def f(x):
            _log.critical(
                f"Position {x} "
                "has no stop loss",
            )
            return x
        """,
        """
        async def f(x):
            _log.critical(
                f"Position {x} "
                "has no stop loss",
            )
            <E>
            return x
        """,
        spec(after_log="Position {} has no stop"), id="multi-line-call-implicit-concatenation",
    ),
    pytest.param(
        """
        async def f(x):
            if x:
                logger.info("branch taken")
            return x
        """,
        """
        async def f(x):
            if x:
                logger.info("branch taken")
                <E>
            return x
        """,
        spec(after_log="branch taken"), id="inside-if",
    ),
]

STATEMENTS = [
    pytest.param(
        """
        async def f(x):
            total = x  *  2
            return total
        """,
        """
        async def f(x):
            total = x  *  2
            <E>
            return total
        """,
        spec(after="total = x * 2"), id="after-whitespace-normalised",
    ),
    pytest.param(
        """
        async def f(orders):
            for order in orders:
                await order.cancel()
            return len(orders)
        """,
        """
        async def f(orders):
            for order in orders:
                await order.cancel()
            <E>
            return len(orders)
        """,
        spec(after="for order in orders:"), id="after-compound-goes-after-the-whole-block",
    ),
    pytest.param(
        """
        async def f(x):
            if x:
                y = 1
            else:
                y = 2
            return y
        """,
        """
        async def f(x):
            if x:
                y = 1
            else:
                y = 2
            <E>
            return y
        """,
        spec(after="if x:"), id="after-if-else",
    ),
    pytest.param(
        """
        async def f(x):
            result = await client.call(
                x,
                retries=3,
            )
            return result
        """,
        """
        async def f(x):
            result = await client.call(
                x,
                retries=3,
            )
            <E>
            return result
        """,
        spec(after="result = await client.call("), id="after-multi-line-statement",
    ),
    pytest.param(
        """
        async def f(x):
            returned = x
            return returned
        """,
        """
        async def f(x):
            returned = x
            <E>
            return returned
        """,
        spec(before="return"), id="before-return-word-boundary",
    ),
    pytest.param(
        """
        async def f(x):
            return_value = x
            return_value += 1
        """,
        """
        async def f(x):
            return_value = x
            <E>
            return_value += 1
        """,
        spec(before="return_value +="), id="before-prefix-with-operator",
    ),
    pytest.param(
        """
        async def f(x):
            if not x:
                raise ValueError(x)
            return x
        """,
        """
        async def f(x):
            if not x:
                <E>
                raise ValueError(x)
            return x
        """,
        spec(before="raise"), id="before-raise-nested",
    ),
    pytest.param(
        """
        async def f(x):
            raised = False
            raise RuntimeError("stop")
        """,
        """
        async def f(x):
            raised = False
            <E>
            raise RuntimeError("stop")
        """,
        spec(before="raise RuntimeError"), id="before-raise-not-raised",
    ),
    pytest.param(
        """
        async def f(x):
            async with lock:
                await save(x)
        """,
        """
        async def f(x):
            async with lock:
                <E>
                await save(x)
        """,
        spec(before="await save(x)"), id="before-inside-async-with",
    ),
]

AT = [
    pytest.param(
        """
        async def f(x):
            y = x + 1
            return y
        """,
        """
        async def f(x):
            <E>
            y = x + 1
            return y
        """,
        spec(at="start"), id="start-no-docstring",
    ),
    pytest.param(
        '''
        async def f(x):
            """Do it.

            Really.
            """
            return x
        ''',
        '''
        async def f(x):
            """Do it.

            Really.
            """
            <E>
            return x
        ''',
        spec(at="start"), id="start-after-docstring",
    ),
    pytest.param(
        '''
        async def f(x):
            """Only a docstring."""
        ''',
        '''
        async def f(x):
            """Only a docstring."""
            <E>
        ''',
        spec(at="start"), id="start-docstring-only",
    ),
    pytest.param(
        """
        async def f(x):
            y = x + 1
            return y
        """,
        """
        async def f(x):
            y = x + 1
            <E>
            return y
        """,
        spec(at="end"), id="end-before-return",
    ),
    pytest.param(
        """
        async def f(x):
            y = x + 1
            raise ValueError(y)
        """,
        """
        async def f(x):
            y = x + 1
            <E>
            raise ValueError(y)
        """,
        spec(at="end"), id="end-before-raise",
    ),
    pytest.param(
        """
        async def f(x):
            x.append(1)
            await x.flush()
        """,
        """
        async def f(x):
            x.append(1)
            await x.flush()
            <E>
        """,
        spec(at="end"), id="end-after-plain-last-statement",
    ),
    pytest.param(
        """
        async def f(x):
            while x:
                x.pop()
        """,
        """
        async def f(x):
            while x:
                x.pop()
            <E>
        """,
        spec(at="end"), id="end-after-compound-last-statement",
    ),
]

IN_EXCEPT = [
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except TimeoutError:
                return None
        """,
        """
        async def f(x):
            try:
                await x.send()
            except TimeoutError:
                <E>
                return None
        """,
        spec(in_except="TimeoutError"), id="by-name",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except errors.ExchangeError as e:
                raise
        """,
        """
        async def f(x):
            try:
                await x.send()
            except errors.ExchangeError as e:
                <E>
                raise
        """,
        spec(in_except="errors.ExchangeError"), id="dotted-name",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except ccxt.base.errors.NetworkError:
                raise
        """,
        """
        async def f(x):
            try:
                await x.send()
            except ccxt.base.errors.NetworkError:
                <E>
                raise
        """,
        spec(in_except="NetworkError"), id="last-part-of-dotted-name",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except OSError:
                pass
            except (KeyError, ValueError) as e:
                pass
        """,
        """
        async def f(x):
            try:
                await x.send()
            except OSError:
                pass
            except (KeyError, ValueError) as e:
                <E>
                pass
        """,
        spec(in_except="ValueError"), id="tuple-handler",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except Exception as e:
                pass
        """,
        """
        async def f(x):
            try:
                await x.send()
            except Exception as e:
                <E>
                pass
        """,
        spec(in_except="*"), id="star-single-handler",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except KeyError:
                pass
            except:
                raise
        """,
        """
        async def f(x):
            try:
                await x.send()
            except KeyError:
                <E>
                pass
            except:
                <E>
                raise
        """,
        spec(in_except="*", occurrence="all"), id="star-all-handlers-incl-bare",
    ),
    pytest.param(
        """
        async def f(x):
            for item in x:
                try:
                    await item.send()
                except TimeoutError:
                    continue
        """,
        """
        async def f(x):
            for item in x:
                try:
                    await item.send()
                except TimeoutError:
                    <E>
                    continue
        """,
        spec(in_except="TimeoutError"), id="handler-inside-loop",
    ),
]

# `on_error` blocks are always fail-safe (a logging failure must not replace the error being
# re-raised), whatever `failsafe` says: the expected texts are written out.
ON_ERROR = [
    pytest.param(
        """
        async def f(x):
            result = await x.send()
            return result
        """,
        """
        import logging

        from core.event_logger import EventType, get_event_logger


        async def f(x):
            try:
                result = await x.send()
            except Exception as exc:
                try:
                    event_logger = get_event_logger()
                    if event_logger:
                        await event_logger.log_event(
                            EventType.E,
                            {},
                            severity="INFO",
                        )
                except Exception:
                    logging.getLogger(__name__).warning("Could not log event E", exc_info=True)
                raise
            return result
        """,
        spec(on_error="result = await x.send("), id="wraps-one-statement",
    ),
    pytest.param(
        """
        async def f(x):
            if x:
                await x.send(
                    1,
                    2,
                )
        """,
        """
        import logging

        from core.event_logger import EventType, get_event_logger


        async def f(x):
            if x:
                try:
                    await x.send(
                        1,
                        2,
                    )
                except Exception as exc:
                    try:
                        event_logger = get_event_logger()
                        if event_logger:
                            await event_logger.log_event(
                                EventType.E,
                                {},
                                severity="INFO",
                            )
                    except Exception:
                        logging.getLogger(__name__).warning(
                            "Could not log event E", exc_info=True
                        )
                    raise
        """,
        spec(on_error="await x.send("), id="wraps-multi-line-statement-nested",
    ),
    pytest.param(
        '''
        async def f(db):
            await db.execute(
                """
        SELECT 1
        """
            )
        ''',
        '''
        import logging

        from core.event_logger import EventType, get_event_logger


        async def f(db):
            try:
                await db.execute(
                    """
        SELECT 1
        """
                )
            except Exception as exc:
                try:
                    event_logger = get_event_logger()
                    if event_logger:
                        await event_logger.log_event(
                            EventType.E,
                            {},
                            severity="INFO",
                        )
                except Exception:
                    logging.getLogger(__name__).warning("Could not log event E", exc_info=True)
                raise
        ''',
        spec(on_error="await db.execute("), id="wrap-keeps-string-interior",
    ),
]

OCCURRENCE = [
    pytest.param(
        """
        async def f(x):
            logger.info("tick")
            logger.info("tick")
            logger.info("tick")
        """,
        """
        async def f(x):
            logger.info("tick")
            logger.info("tick")
            <E>
            logger.info("tick")
        """,
        spec(after_log="tick", occurrence=2), id="second",
    ),
    pytest.param(
        """
        async def f(x):
            for i in x:
                logger.info("tick")
            while x:
                logger.info("tick")
                break
        """,
        """
        async def f(x):
            for i in x:
                logger.info("tick")
                <E>
            while x:
                logger.info("tick")
                <E>
                break
        """,
        spec(after_log="tick", occurrence="all"), id="all-at-different-depths",
    ),
    pytest.param(
        """
        async def f(x):
            if x:
                return 1
            return 2
        """,
        """
        async def f(x):
            if x:
                <E>
                return 1
            <E>
            return 2
        """,
        spec(before="return", occurrence="all"), id="all-returns",
    ),
]

NESTING = [
    pytest.param(
        """
        async def f(x):
            try:
                logger.info("in try")
            except KeyError:
                pass
            else:
                logger.info("in else")
        """,
        """
        async def f(x):
            try:
                logger.info("in try")
            except KeyError:
                pass
            else:
                logger.info("in else")
                <E>
        """,
        spec(after_log="in else"), id="try-else",
    ),
    pytest.param(
        """
        async def f(x):
            async for item in x:
                async with item:
                    logger.info("deep")
        """,
        """
        async def f(x):
            async for item in x:
                async with item:
                    logger.info("deep")
                    <E>
        """,
        spec(after_log="deep"), id="async-for-async-with",
    ),
    pytest.param(
        """
        async def f(x):
            while x.pending():
                if x.done:
                    break
            else:
                logger.info("exhausted")
        """,
        """
        async def f(x):
            while x.pending():
                if x.done:
                    break
            else:
                logger.info("exhausted")
                <E>
        """,
        spec(after_log="exhausted"), id="while-else",
    ),
    pytest.param(
        """
        async def f(command):
            match command:
                case {"action": "buy"}:
                    logger.info("buying")
                case _:
                    pass
        """,
        """
        async def f(command):
            match command:
                case {"action": "buy"}:
                    logger.info("buying")
                    <E>
                case _:
                    pass
        """,
        spec(after_log="buying"), id="match-case",
    ),
    pytest.param(
        """
        async def f(x):
            with open(x) as handle:
                if handle:
                    for line in handle:
                        try:
                            logger.info("line")
                        except ValueError:
                            pass
        """,
        """
        async def f(x):
            with open(x) as handle:
                if handle:
                    for line in handle:
                        try:
                            logger.info("line")
                            <E>
                        except ValueError:
                            pass
        """,
        spec(after_log="line"), id="four-levels",
    ),
]

TARGETS = [
    pytest.param(
        """
        class Service:
            async def f(self):
                logger.info("method")
        """,
        """
        class Service:
            async def f(self):
                logger.info("method")
                <E>
        """,
        spec("Service.f", after_log="method"), id="class-method",
    ),
    pytest.param(
        """
        class Outer:
            class Inner:
                async def f(self):
                    logger.info("inner method")
        """,
        """
        class Outer:
            class Inner:
                async def f(self):
                    logger.info("inner method")
                    <E>
        """,
        spec("Outer.Inner.f", after_log="inner method"), id="nested-class-method",
    ),
    pytest.param(
        """
        import functools


        class Service:
            @staticmethod
            @functools.cache
            async def f(x):
                logger.info("decorated")
        """,
        """
        import functools

        from core.event_logger import EventType, get_event_logger


        class Service:
            @staticmethod
            @functools.cache
            async def f(x):
                logger.info("decorated")
                <E>
        """,
        spec("Service.f", after_log="decorated"), id="decorated-method",
    ),
    pytest.param(
        """
        def outer():
            async def inner():
                logger.info("inner")
            return inner
        """,
        """
        def outer():
            async def inner():
                logger.info("inner")
                <E>
            return inner
        """,
        spec("outer.inner", after_log="inner"), id="outer.inner",
    ),
    pytest.param(
        """
        try:
            import uvloop
        except ImportError:
            async def f():
                logger.info("fallback")
        """,
        """
        from core.event_logger import EventType, get_event_logger

        try:
            import uvloop
        except ImportError:
            async def f():
                logger.info("fallback")
                <E>
        """,
        spec(after_log="fallback"), id="conditionally-defined",
    ),
    pytest.param(
        """
        def f(x):
            logger.info("sync")
        """,
        # a background block in a sync function is always loop-guarded: without a running event
        # loop, `asyncio.create_task` would raise into the caller
        """
        import asyncio
        import logging

        from core.event_logger import EventType, get_event_logger


        def f(x):
            logger.info("sync")
            event_logger = get_event_logger()
            if event_logger:
                try:
                    asyncio.get_running_loop()
                except RuntimeError:
                    logging.getLogger(__name__).debug(
                        "No running event loop: event E not logged"
                    )
                else:
                    asyncio.create_task(
                        event_logger.log_event(
                            EventType.E,
                            {},
                            severity="INFO",
                        )
                    )
        """,
        spec(after_log="sync", emit="background"), id="sync-function-background",
    ),
]

ALL = AFTER_LOG + STATEMENTS + AT + IN_EXCEPT + ON_ERROR + OCCURRENCE + NESTING + TARGETS


def _expected(after: str) -> str:
    header = {} if "from core.event_logger import" not in after else {"header": ""}
    expected = expand(after, **header)
    return "import asyncio\n\n" + expected if "<E:background>" in after else expected


@pytest.mark.parametrize("before, after, spec", ALL)
def test_anchor_places_the_block(before, after, spec):
    result = assert_transform(before, _expected(after), spec)
    assert result.status() is Status.PENDING


@pytest.mark.parametrize("before, after, spec", ALL)
def test_the_expected_text_has_every_block_present(before, after, spec):
    again = transform(_expected(after), spec, dedent=False)
    assert not again.changed, again.diff()
    assert again.status() is Status.PRESENT
    assert not again.problems, again.messages()


# -- refusals: nothing is written, and the message says why and lists what there is ----------
REFUSED = [
    pytest.param(
        """
        async def f(x):
            logger.info("Order placed")
            logger.warning("Order rejected")
        """,
        spec(after_log="Order filled"),
        ["not found in f", "closest first", "service.py:2: logger.info('Order placed')", "service.py:3: logger.warning('Order rejected')"],
        id="after-log-not-found-lists-messages",
    ),
    pytest.param(
        """
        async def f(x):
            return x
        """,
        spec(after_log="anything"),
        ["no logger call in the function"],
        id="after-log-no-logger-call",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("Order placed")
        """,
        spec(after_log="Order placed", level="error"),
        ["no logger call whose message contains the text", "logger.info('Order placed')"],
        id="level-excludes-the-only-match",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("tick")
            if x:
                logger.info("tick")
        """,
        spec(after_log="tick"),
        ["is ambiguous in f: 2 matches", "occurrence: N", "service.py:2", "service.py:4"],
        id="ambiguous-lists-matches",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("tick")
            logger.info("tick")
        """,
        spec(after_log="tick", occurrence=3),
        ["occurrence 3 but the anchor matches 2 time(s)"],
        id="occurrence-beyond-matches",
    ),
    pytest.param(
        """
        async def f(x):
            returned = compute(x)
            print(returned)
        """,
        spec(before="return"),
        ["no statement starts with that text", "service.py:2: returned = compute(x)"],
        id="before-return-does-not-match-returned",
    ),
    pytest.param(
        """
        async def f(x):
            def helper():
                return 1
            y = helper()
        """,
        spec(before="return"),
        ["no statement starts with that text"],
        id="nested-function-not-entered",
    ),
    pytest.param(
        """
        async def f(x):
            class Local:
                def m(self):
                    logger.info("in class")
            return Local
        """,
        spec(after_log="in class"),
        ["no logger call in the function"],
        id="nested-class-not-entered",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            except KeyError:
                pass
        """,
        spec(in_except="TimeoutError"),
        ["no handler catches that exception", "except KeyError"],
        id="in-except-lists-handlers",
    ),
    pytest.param(
        """
        async def f(x):
            await x.send()
        """,
        spec(in_except="*"),
        ["no except handler in the function"],
        id="in-except-without-try",
    ),
    pytest.param(
        """
        async def place_order(x):
            logger.info("go")
        """,
        spec("place_ordr", after_log="go"),
        ["function 'place_ordr' not found in service.py", "did you mean 'place_order'"],
        id="function-not-found-did-you-mean",
    ),
    pytest.param(
        """
        class Service:
            async def f(self):
                logger.info("go")
        """,
        spec("Service", after_log="go"),
        ["'Service' is a class", "Service.__init__"],
        id="class-is-not-a-target",
    ),
    pytest.param(
        """
        def f(x):
            logger.info("go")
        """,
        spec(after_log="go", emit="await"),
        ["is not async, so `await` is illegal there", "emit: auto", "emit: background"],
        id="await-in-sync-function",
    ),
    pytest.param(
        """
        async def f(x):
            try:
                await x.send()
            finally:
                logger.info("cleanup")
        """,
        spec(after_log="cleanup"),
        ["refusing to insert an awaited block into a `finally` block (service.py:5, in the `finally` of the `try` at line 2)",
         "use `emit: background`"],
        id="finally",
    ),
    pytest.param(
        """
        async def f(x):
            logger.info("go"); x += 1
        """,
        spec(after_log="go"),
        ["another statement follows on the same line"],
        id="semicolon-after",
    ),
    pytest.param(
        """
        async def f(x):
            x += 1; return x
        """,
        spec(before="return"),
        ["shares its line with the code before it"],
        id="semicolon-before",
    ),
]


@pytest.mark.parametrize("before, spec, parts", REFUSED)
def test_refused_with_the_reason_and_the_candidates(before, spec, parts):
    result = assert_refused(before, spec, parts[0])
    message = "\n".join(p.format() for p in result.errors)
    for part in parts[1:]:
        assert part in message, message
    assert not result.changed
