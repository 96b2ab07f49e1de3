"""Order service: one function per anchor kind."""

import logging

from core.event_logger import EventType, get_event_logger

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
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.ORDER_PLACED,
                    {
                        "symbol": symbol,
                        "order_id": order["id"],
                        "amount": float(amount)
                    },
                    order_id=order["id"],
                    symbol=symbol,
                    exchange=self.exchange_name,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event ORDER_PLACED", exc_info=True)
        return order

    async def cancel_all(self, symbol):
        orders = await self.exchange.fetch_open_orders(symbol)
        for order in orders:
            await self.exchange.cancel_order(order["id"], symbol)
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.ORDERS_CANCELLED,
                    {
                        "symbol": symbol,
                        "count": len(orders)
                    },
                    symbol=symbol,
                    exchange=self.exchange_name,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event ORDERS_CANCELLED", exc_info=True)
        cancelled = len(orders)
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.CANCEL_RESULT,
                    {
                        "cancelled": cancelled
                    },
                    exchange=self.exchange_name,
                    severity="DEBUG"
                )
        except Exception:
            logger.warning("Could not log event CANCEL_RESULT", exc_info=True)
        return cancelled

    async def close(self, position_id, symbol):
        """Close a position."""
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.CLOSE_REQUESTED,
                    {
                        "position_id": position_id
                    },
                    position_id=position_id,
                    symbol=symbol,
                    exchange=self.exchange_name,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event CLOSE_REQUESTED", exc_info=True)
        await self.exchange.close(symbol)
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.POSITION_CLOSED,
                    {
                        "position_id": position_id,
                        "reason": "requested"
                    },
                    position_id=position_id,
                    exchange=self.exchange_name,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event POSITION_CLOSED", exc_info=True)

    async def sync(self):
        positions = await self.exchange.fetch_positions()
        if not positions:
            logger.warning("No positions on %s", self.exchange_name)
            try:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.NO_POSITIONS,
                        {},
                        exchange=self.exchange_name,
                        severity="WARNING"
                    )
            except Exception:
                logger.warning("Could not log event NO_POSITIONS", exc_info=True)
            return []
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.SYNC_DONE,
                    {
                        "count": len(positions)
                    },
                    exchange=self.exchange_name,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event SYNC_DONE", exc_info=True)
        return positions

    async def fetch_price(self, symbol):
        try:
            ticker = await self.exchange.fetch_ticker(symbol)
        except (TimeoutError, ConnectionError) as e:
            try:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.TICKER_FAILED,
                        {
                            "symbol": symbol,
                            "error": str(e)
                        },
                        symbol=symbol,
                        exchange=self.exchange_name,
                        error=e,
                        severity="ERROR"
                    )
            except Exception:
                logger.warning("Could not log event TICKER_FAILED", exc_info=True)
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
            try:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.STOP_ORDER_FAILED,
                        {
                            "symbol": symbol,
                            "price": float(price),
                            "error": str(exc)
                        },
                        symbol=symbol,
                        exchange=self.exchange_name,
                        error=exc,
                        severity="ERROR"
                    )
            except Exception:
                logger.warning("Could not log event STOP_ORDER_FAILED", exc_info=True)
            raise
        logger.info("Stop set")
