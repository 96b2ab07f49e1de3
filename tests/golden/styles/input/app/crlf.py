import logging

logger = logging.getLogger(__name__)


async def crlf(symbol):
    logger.info("crlf")
    return symbol
