from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    POSITION_OPENED = "position_opened"


class EventLogger:
    def log_event(self, event_type, data, *, correlation_id=None, position_id=None, order_id=None,
                        symbol=None, exchange=None, error=None, severity="INFO"):
        return None


def get_event_logger():
    return None
