import logging

from core.event_logger import EventType as ET, get_event_logger as gel

logger = logging.getLogger(__name__)


async def run(symbol):
    event_logger = "not an event logger"
    logger.info("run %s", event_logger)
    try:
        event_logger_2 = gel()
        if event_logger_2:
            await event_logger_2.log_event(
                ET.RUN_ALIAS,
                {
                    "symbol": symbol
                },
                severity="INFO"
            )
    except Exception:
        logger.warning("Could not log event RUN_ALIAS", exc_info=True)
