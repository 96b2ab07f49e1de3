import logging

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        try:
            await self.exchange.close(symbol)
        finally:
            if symbol:
                for attempt in range(2):
                    logger.info("released")
        return True
