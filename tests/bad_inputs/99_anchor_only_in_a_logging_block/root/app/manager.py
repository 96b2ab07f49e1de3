import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class Manager:
    async def close(self, symbol, position_id):
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.BOT_STARTED, {}, severity="INFO")
        except Exception:
            logger.warning("Could not log event BOT_STARTED", exc_info=True)
        return True
