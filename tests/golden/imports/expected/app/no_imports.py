"""A module with no imports at all."""

from core.event_logger import get_event_logger, EventType


async def run(symbol):
    event_logger = get_event_logger()
    if event_logger:
        await event_logger.log_event(
            EventType.RUN_NO_IMPORTS,
            {
                "symbol": symbol,
            },
            severity="INFO",
        )
    return symbol
