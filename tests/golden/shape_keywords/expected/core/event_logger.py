"""A logger with `record(kind, *, data)` and no severity (golden case)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    BOOK_CROSSED = "book_crossed"
    QUOTE_RECEIVED = "quote_received"


class Recorder:
    async def record(self, kind, *, data, symbol=None):
        pass


_recorder = None


def get_event_logger():
    return _recorder
