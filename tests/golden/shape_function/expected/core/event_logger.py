"""A module-level audit function (golden case)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    ORDER_PLACING = "order_placing"
    ORDER_FAILED = "order_failed"
    TICKED = "ticked"


EVENTS = []


async def log_event(event_type, data, *, severity="INFO", symbol=None):
    EVENTS.append((event_type, data, severity, symbol))
