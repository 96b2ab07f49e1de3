import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def crlf(symbol):
    logger.info("crlf")
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.CRLF_EVENT,
                {
                    "symbol": symbol,
                },
                severity="INFO",
            )
    except Exception:
        logger.warning(
            "Could not log event CRLF_EVENT", exc_info=True
        )
    return symbol
