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
        try:
            old_stop = position['stop_loss']
        except Exception:
            old_stop = None
        position['stop_loss'] = new_stop

        try:
            await self.repository.update_stop_loss(symbol, new_stop)
        except Exception as db_error:
            try:
                logger.error(f"Failed to update stop loss for {symbol}: {db_error}")
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.DATABASE_ERROR,
                        {
                            'symbol': symbol,
                            'operation': 'update_stop_loss',
                            'error': str(db_error)
                        },
                        symbol=symbol,
                        severity='ERROR'
                    )
            except Exception:
                logger.warning("Could not log event DATABASE_ERROR", exc_info=True)

        logger.info(f"Stop loss for {symbol} moved to {new_stop}")

        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.STOP_LOSS_UPDATED,
                    {
                        'symbol': symbol,
                        'old_stop_price': float(old_stop) if old_stop else None,
                        'new_stop_price': float(new_stop)
                    },
                    symbol=symbol,
                    account_id=self.account_id,
                    severity='INFO'
                )
        except Exception:
            logger.warning("Could not log event STOP_LOSS_UPDATED", exc_info=True)

        return True

    async def close_position(self, symbol, reason):
        position = self.positions.pop(symbol)

        # Position about to be closed on the exchange
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.POSITION_CLOSING,
                    {
                        'symbol': symbol,
                        'reason': reason
                    },
                    symbol=symbol,
                    severity='INFO'
                )
        except Exception:
            logger.warning("Could not log event POSITION_CLOSING", exc_info=True)

        # close on the exchange first, then forget the position
        result = await self.exchange.close(symbol)
        logger.info(f"Closed {symbol}: {reason}")
        return result
