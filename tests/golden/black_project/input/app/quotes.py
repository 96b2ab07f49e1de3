import logging

logger = logging.getLogger(__name__)


async def on_quote(quote):
    if quote['bid'] > quote['ask']:
        logger.warning(f"crossed book for {quote['symbol']}")
