"""Event logger used by the golden cases (a test double of the bot's)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = 'bot_started'
    POSITION_OPENED = 'position_opened'

    # Order events
    ORDER_SAVE_FAILED = 'order_save_failed'
    ORDER_PLACED = 'order_placed'

    # Position events
    STOP_LOSS_UPDATED = 'stop_loss_updated'
    DATABASE_ERROR = 'database_error'
    POSITION_CLOSING = 'position_closing'


class EventLogger:
    async def log_event(self, event_type, event_data, correlation_id=None, position_id=None, order_id=None, symbol=None,
                        exchange=None, severity='INFO', error=None, account_id=None, strategy=None):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
