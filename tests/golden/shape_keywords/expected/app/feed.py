import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def on_quote(symbol, bid, ask):
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.record(
                EventType.QUOTE_RECEIVED,
                data={}
            )
    except Exception:
        logger.warning("Could not log event QUOTE_RECEIVED", exc_info=True)
    if bid > ask:
        logger.warning("crossed book for %s", symbol)
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.record(
                    EventType.BOOK_CROSSED,
                    data={
                        "bid": bid,
                        "ask": ask
                    },
                    symbol=symbol
                )
        except Exception:
            logger.warning("Could not log event BOOK_CROSSED", exc_info=True)
        return None
    return (bid + ask) / 2
