"""Event logger used by the golden cases (a test double of the bot's)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"

    # Order service events
    ORDER_PLACED = "order_placed"
    ORDERS_CANCELLED = "orders_cancelled"
    CANCEL_RESULT = "cancel_result"
    CLOSE_REQUESTED = "close_requested"
    POSITION_CLOSED = "position_closed"
    SYNC_DONE = "sync_done"
    NO_POSITIONS = "no_positions"
    TICKER_FAILED = "ticker_failed"
    STOP_ORDER_FAILED = "stop_order_failed"


class EventLogger:
    async def log_event(self, event_type, event_data, severity="INFO", **context):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
