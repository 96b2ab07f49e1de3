import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class PositionManager:
    def __init__(self, repository, exchange, account_id):
        self.repository = repository
        self.exchange = exchange
        self.account_id = account_id
        self.positions = {}

    async def open_position(self, symbol, side, quantity):
        order = await self.exchange.create_order(symbol, side, quantity)
        logger.info(f"Opened {side} position for {symbol}: {order['id']}")

        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.POSITION_OPENED,
                {
                    'symbol': symbol,
                    'side': side,
                    'quantity': float(quantity)
                },
                symbol=symbol,
                severity='INFO'
            )

        self.positions[symbol] = {'order': order, 'status': 'open', 'stop_loss': None}
        return order

    async def update_stop_loss(self, symbol, new_stop):
        position = self.positions[symbol]
        if position['status'] != 'open':
            logger.warning(f"Position {symbol} is not open")
            return False
        position['stop_loss'] = new_stop
        await self.repository.update_stop_loss(symbol, new_stop)
        logger.info(f"Stop loss for {symbol} moved to {new_stop}")
        return True

    async def close_position(self, symbol, reason):
        position = self.positions.pop(symbol)
        # close on the exchange first, then forget the position
        result = await self.exchange.close(symbol)
        logger.info(f"Closed {symbol}: {reason}")
        return result
