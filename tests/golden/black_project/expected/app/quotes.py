import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def on_quote(quote):
    if quote['bid'] > quote['ask']:
        logger.warning(f"crossed book for {quote['symbol']}")
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.BOOK_CROSSED,
                    {
                        'symbol': quote['symbol'],
                        'spread': quote['ask'] - quote['bid'],
                    },
                    severity='WARNING',
                )
        except Exception:
            logger.warning("Could not log event BOOK_CROSSED", exc_info=True)
