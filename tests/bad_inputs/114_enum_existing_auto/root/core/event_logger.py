from enum import Enum, auto


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    POSITION_SYNCED = auto()


def get_event_logger():
    return None
