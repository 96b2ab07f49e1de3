import logging

logger = logging.getLogger('quotes')
MODE = 'live'


async def run(symbol, price):
    logger.info('quoted %s', symbol)
    return {'symbol': symbol, 'price': price}
