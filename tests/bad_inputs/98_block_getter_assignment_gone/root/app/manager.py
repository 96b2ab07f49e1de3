import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        logger.info("closing now")
        if event_logger:
            await event_logger.log_event(
                EventType.POSITION_CLOSED,
                {
                    "symbol": symbol,
                },
                severity="INFO",
            )
        return True
