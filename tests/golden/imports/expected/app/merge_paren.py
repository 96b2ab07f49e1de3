import asyncio as aio
import logging

from core.event_logger import (
    EventType,
    get_event_logger
)

logger = logging.getLogger(__name__)


async def run(symbol):
    logger.info("run")
    try:
        event_logger = get_event_logger()
        if event_logger:
            aio.create_task(
                event_logger.log_event(
                    EventType.RUN_MERGE_PAREN,
                    {
                        "symbol": symbol
                    },
                    severity="INFO"
                )
            )
    except Exception:
        logger.warning("Could not log event RUN_MERGE_PAREN", exc_info=True)
