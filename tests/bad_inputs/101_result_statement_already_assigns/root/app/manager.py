import logging

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        logger.info(f"Closing {symbol}")
        try:
            closed = await self.exchange.close(symbol)
        except ValueError as e:
            logger.error(f"Close failed: {e}")
        finally:
            logger.info("cleanup done")
        logger.info(f"Closed {symbol}")
        logger.info(f"Closed {symbol}")
        a = 1; b = 2
        return True

    def sync_close(self, symbol):
        logger.info("sync close")
        return symbol
