# -*- coding: latin-1 -*-
import logging

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        logger.info(f"Closing {symbol}")
        return True
