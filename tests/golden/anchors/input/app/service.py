"""Order service: one function per anchor kind."""

import logging

logger = logging.getLogger(__name__)


class OrderService:
    def __init__(self, exchange):
        self.exchange = exchange
        self.exchange_name = exchange.name

    async def place(self, symbol, amount):
        """Place a market order."""
        order = await self.exchange.create_order(symbol, "market", "buy", amount)
        logger.info(f"✅ Order {order['id']} placed for {symbol}")
        return order

    async def cancel_all(self, symbol):
        orders = await self.exchange.fetch_open_orders(symbol)
        for order in orders:
            await self.exchange.cancel_order(order["id"], symbol)
        cancelled = len(orders)
        return cancelled

    async def close(self, position_id, symbol):
        """Close a position."""
        await self.exchange.close(symbol)

    async def sync(self):
        positions = await self.exchange.fetch_positions()
        if not positions:
            logger.warning("No positions on %s", self.exchange_name)
            return []
        return positions

    async def fetch_price(self, symbol):
        try:
            ticker = await self.exchange.fetch_ticker(symbol)
        except (TimeoutError, ConnectionError) as e:
            logger.error(f"Ticker failed for {symbol}: {e}")
            raise
        return ticker["last"]

    async def set_stop(self, symbol, price):
        await self.exchange.create_order(
            symbol,
            "stop_market",
            "sell",
            1,
            params={"note": """multi
line"""},
        )
        logger.info("Stop set")
