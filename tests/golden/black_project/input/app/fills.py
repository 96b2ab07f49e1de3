import logging
from core.event_logger import get_event_logger
import decimal

logger = logging.getLogger(__name__)


async def on_fill(fill: dict) -> None:
    symbol = fill["symbol"]
    price = decimal.Decimal(str(fill["price"]))
    logger.info(f"Fill for {symbol} at {price}")
    if get_event_logger() is None:
        logger.debug("no event logger")
