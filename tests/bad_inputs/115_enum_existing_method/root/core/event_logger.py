from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"

    def describe(self):
        return self.value


def get_event_logger():
    return None
