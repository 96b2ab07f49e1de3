import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class TrailingStop:
    async def activate(self, ts):
        logger.info(f"Trailing stop ACTIVATED for {ts.symbol}")
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.TRAILING_STOP_ACTIVATED,
                    {
                        "symbol": ts.symbol
                    },
                    symbol=ts.symbol,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event TRAILING_STOP_ACTIVATED", exc_info=True)

    async def update(self, ts):
        logger.info(f"Trailing stop updated for {ts.symbol}")
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.TRAILING_STOP_UPDATED,
                    {
                        "symbol": ts.symbol
                    },
                    symbol=ts.symbol,
                    severity="INFO"
                )
        except Exception:
            logger.warning("Could not log event TRAILING_STOP_UPDATED", exc_info=True)
