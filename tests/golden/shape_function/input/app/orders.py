import logging

logger = logging.getLogger(__name__)


async def submit(order):
    return order


async def place(symbol, qty):
    logger.info(f"placing {symbol}")
    result = await submit((symbol, qty))
    return result


def tick(symbol):
    logger.info("tick %s", symbol)
    return symbol.upper()
