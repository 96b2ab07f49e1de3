import logging

from core.event_logger import EventType as ET, get_event_logger as gel

logger = logging.getLogger(__name__)


async def run(symbol):
    event_logger = "not an event logger"
    logger.info("run %s", event_logger)
