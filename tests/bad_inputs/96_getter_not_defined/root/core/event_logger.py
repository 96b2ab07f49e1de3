from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    POSITION_OPENED = "position_opened"


def get_logger():
    return None
