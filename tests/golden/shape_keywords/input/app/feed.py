import logging

logger = logging.getLogger(__name__)


async def on_quote(symbol, bid, ask):
    if bid > ask:
        logger.warning("crossed book for %s", symbol)
        return None
    return (bid + ask) / 2
