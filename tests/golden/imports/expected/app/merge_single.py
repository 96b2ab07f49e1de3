import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def run(symbol):
    logger.info("run")
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.RUN_SINGLE,
                {
                    "symbol": symbol
                },
                severity="INFO"
            )
    except Exception:
        logger.warning("Could not log event RUN_SINGLE", exc_info=True)
