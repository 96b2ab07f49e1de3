import logging

from core.event_logger import get_event_logger

logger = logging.getLogger(__name__)


async def run(symbol):
    logger.info("run")
