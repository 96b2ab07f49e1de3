import logging

logger = logging.getLogger(__name__)


class TrailingStop:
    async def activate(self, ts):
        logger.info(f"Trailing stop ACTIVATED for {ts.symbol}")

    async def update(self, ts):
        logger.info(f"Trailing stop updated for {ts.symbol}")
