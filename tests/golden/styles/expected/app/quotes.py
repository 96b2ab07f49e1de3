import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger('quotes')
MODE = 'live'


async def run(symbol, price):
    logger.info('quoted %s', symbol)
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.QUOTES_EVENT,
                {
                    'symbol': symbol,
                    'mode': 'live',
                    'price': float(price),
                },
                symbol=symbol,
                severity='INFO',
            )
    except Exception:
        logger.warning(
            'Could not log event QUOTES_EVENT',
            exc_info=True,
        )
    return {'symbol': symbol, 'price': price}
