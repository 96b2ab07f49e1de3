"""Event logger used by the golden cases (a test double of the bot's)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"

    # Wave events
    SIGNAL_EXECUTED = "signal_executed"
    SIGNAL_RECHECKED = "signal_rechecked"
    WAVE_COMPLETED = "wave_completed"
    WAVE_SUMMARY = "wave_summary"
    WAVE_RETRY = "wave_retry"


class EventLogger:
    async def log_event(self, event_type, event_data, severity="INFO", **context):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
