import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


async def alert(count):
    logger.critical(f"ZOMBIE ALERT {count}")
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.ZOMBIE_ALERT,
                {
                    "count": count
                },
                severity="CRITICAL"
            )
    except Exception:
        logger.warning("Could not log event ZOMBIE_ALERT", exc_info=True)
    try:
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.ZOMBIE_ALERT_DETAIL,
                {
                    "count": count,
                    "detail": "threshold"
                },
                severity="WARNING"
            )
    except Exception:
        logger.warning("Could not log event ZOMBIE_ALERT_DETAIL", exc_info=True)
