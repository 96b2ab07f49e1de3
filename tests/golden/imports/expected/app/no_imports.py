"""A module with no imports at all."""

import logging

from core.event_logger import EventType, get_event_logger


async def run(symbol):
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.RUN_NO_IMPORTS,
                {
                    "symbol": symbol
                },
                severity="INFO"
            )
    except Exception:
        logging.getLogger(__name__).warning(
            "Could not log event RUN_NO_IMPORTS", exc_info=True
        )
    return symbol
