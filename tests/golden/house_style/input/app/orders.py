import logging

logger = logging.getLogger(__name__)


async def place_order(client, db, symbol, quantity, strategy):
    order = await client.create_order(symbol, quantity)
    await db.save_order(order)
    await db.commit()
    logger.info("order %s placed", order["id"])
    return order
