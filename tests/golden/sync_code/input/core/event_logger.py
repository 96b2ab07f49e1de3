"""An async logger with a plain-def companion for sync code (golden case)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, event_data, severity="INFO"):
        self.log_event_nowait(event_type, event_data, severity)

    def log_event_nowait(self, event_type, event_data, severity="INFO"):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
