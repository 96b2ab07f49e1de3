"""Event logger used by the golden cases (a test double of the bot's)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    QUOTES_EVENT = "quotes_event"
    CRLF_EVENT = "crlf_event"
    TABS_EVENT = "tabs_event"


class EventLogger:
    async def log_event(self, event_type, event_data, severity="INFO", **context):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
