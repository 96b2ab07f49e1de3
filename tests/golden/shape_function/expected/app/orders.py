import asyncio
import logging

from core.event_logger import EventType, log_event

logger = logging.getLogger(__name__)


async def submit(order):
    return order


async def place(symbol, qty):
    logger.info(f"placing {symbol}")
    try:
        if qty > 0:
            notional = qty * 2
            await log_event(
                EventType.ORDER_PLACING,
                {
                    "qty": qty,
                    "notional": notional
                },
                symbol=symbol,
                severity="INFO"
            )
    except Exception:
        logger.warning("Could not log event ORDER_PLACING", exc_info=True)
    try:
        result = await submit((symbol, qty))
    except Exception as exc:
        try:
            await log_event(
                EventType.ORDER_FAILED,
                {
                    "error": str(exc)
                },
                symbol=symbol,
                severity="ERROR"
            )
        except Exception:
            logger.warning("Could not log event ORDER_FAILED", exc_info=True)
        raise
    return result


def tick(symbol):
    logger.info("tick %s", symbol)
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            logger.debug("No running event loop: event TICKED not logged")
        else:
            asyncio.create_task(
                log_event(
                    EventType.TICKED,
                    {
                        "symbol": symbol
                    },
                    severity="DEBUG"
                )
            )
    except Exception:
        logger.warning("Could not log event TICKED", exc_info=True)
    return symbol.upper()
