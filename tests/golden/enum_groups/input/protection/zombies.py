import logging

logger = logging.getLogger(__name__)


async def alert(count):
    logger.critical(f"ZOMBIE ALERT {count}")
