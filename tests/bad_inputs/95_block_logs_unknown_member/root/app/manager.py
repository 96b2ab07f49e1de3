import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        logger.info("closing now")
        return True

    async def open(self, symbol):
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(EventType.POSITION_OPENNED, {"symbol": symbol})
