import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def place_order(client, db, symbol, quantity, strategy):
    order = await client.create_order(symbol, quantity)

    try:
        await db.save_order(order)
        await db.commit()
    except Exception as exc:
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.ORDER_SAVE_FAILED,
                    {
                        'symbol': symbol,
                        'error': str(exc)
                    },
                    severity='ERROR'
                )
        except Exception:
            logger.warning("Could not log event ORDER_SAVE_FAILED", exc_info=True)
        raise

    logger.info("order %s placed", order["id"])

    try:
        from core.event_logger import EventType, get_event_logger

        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.ORDER_PLACED,
                {
                    'symbol': symbol,
                    'quantity': float(quantity)
                },
                order_id=order['id'],
                strategy=strategy,
                severity='INFO'
            )
    except Exception:
        logger.warning("Could not log event ORDER_PLACED", exc_info=True)

    return order
