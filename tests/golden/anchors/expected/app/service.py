"""Order service: one function per anchor kind."""

import logging

from core.event_logger import get_event_logger, EventType

logger = logging.getLogger(__name__)


class OrderService:
    def __init__(self, exchange):
        self.exchange = exchange
        self.exchange_name = exchange.name

    async def place(self, symbol, amount):
        """Place a market order."""
        order = await self.exchange.create_order(symbol, "market", "buy", amount)
        logger.info(f"✅ Order {order['id']} placed for {symbol}")
        # Log the placed order
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.ORDER_PLACED,
                {
                    "symbol": symbol,
                    "order_id": order["id"],
                    "amount": float(amount),
                },
                order_id=order["id"],
                symbol=symbol,
                exchange=self.exchange_name,
                severity="INFO",
            )
        return order

    async def cancel_all(self, symbol):
        orders = await self.exchange.fetch_open_orders(symbol)
        for order in orders:
            await self.exchange.cancel_order(order["id"], symbol)
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.ORDERS_CANCELLED,
                {
                    "symbol": symbol,
                    "count": len(orders),
                },
                symbol=symbol,
                exchange=self.exchange_name,
                severity="INFO",
            )
        cancelled = len(orders)
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.CANCEL_RESULT,
                {
                    "cancelled": cancelled,
                },
                exchange=self.exchange_name,
                severity="DEBUG",
            )
        return cancelled

    async def close(self, position_id, symbol):
        """Close a position."""
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.CLOSE_REQUESTED,
                {
                    "position_id": position_id,
                },
                position_id=position_id,
                symbol=symbol,
                exchange=self.exchange_name,
                severity="INFO",
            )
        await self.exchange.close(symbol)
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.POSITION_CLOSED,
                {
                    "position_id": position_id,
                    "reason": "requested",
                },
                position_id=position_id,
                exchange=self.exchange_name,
                severity="INFO",
            )

    async def sync(self):
        positions = await self.exchange.fetch_positions()
        if not positions:
            logger.warning("No positions on %s", self.exchange_name)
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.NO_POSITIONS,
                    {},
                    exchange=self.exchange_name,
                    severity="WARNING",
                )
            return []
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.SYNC_DONE,
                {
                    "count": len(positions),
                },
                exchange=self.exchange_name,
                severity="INFO",
            )
        return positions

    async def fetch_price(self, symbol):
        try:
            ticker = await self.exchange.fetch_ticker(symbol)
        except (TimeoutError, ConnectionError) as e:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.TICKER_FAILED,
                    {
                        "symbol": symbol,
                        "error": str(e),
                    },
                    symbol=symbol,
                    exchange=self.exchange_name,
                    error=e,
                    severity="ERROR",
                )
            logger.error(f"Ticker failed for {symbol}: {e}")
            raise
        return ticker["last"]

    async def set_stop(self, symbol, price):
        try:
            await self.exchange.create_order(
                symbol,
                "stop_market",
                "sell",
                1,
                params={"note": """multi
line"""},
            )
        except Exception as exc:
            # A stop order that failed leaves the position unprotected
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.STOP_ORDER_FAILED,
                    {
                        "symbol": symbol,
                        "price": float(price),
                        "error": str(exc),
                    },
                    symbol=symbol,
                    exchange=self.exchange_name,
                    error=exc,
                    severity="ERROR",
                )
            raise
        logger.info("Stop set")
