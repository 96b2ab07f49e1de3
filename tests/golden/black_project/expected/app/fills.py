import logging
from core.event_logger import EventType, get_event_logger
import decimal

logger = logging.getLogger(__name__)


async def on_fill(fill: dict) -> None:
    symbol = fill["symbol"]
    price = decimal.Decimal(str(fill["price"]))
    logger.info(f"Fill for {symbol} at {price}")
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.FILL_RECEIVED,
                {
                    "symbol": symbol,
                    "price": float(price),
                    "fill_id": fill.get("id"),
                },
                symbol=symbol,
                severity="INFO",
            )
    except Exception:
        logger.warning("Could not log event FILL_RECEIVED", exc_info=True)
    if get_event_logger() is None:
        logger.debug("no event logger")
