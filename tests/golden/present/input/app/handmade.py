import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def started(version):
    logger.info("Bot started")
    el = get_event_logger()
    if el:
        await el.log_event(EventType.BOT_STARTED, {"version": version}, severity="INFO")


async def untouched():
    logger.info("nothing to see")
