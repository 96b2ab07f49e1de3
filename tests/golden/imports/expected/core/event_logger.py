"""Event logger used by the golden cases (a test double of the bot's)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    RUN_ALIAS = "run_alias"
    RUN_SINGLE = "run_single"
    RUN_MERGE_PAREN = "run_merge_paren"
    RUN_NO_IMPORTS = "run_no_imports"


class EventLogger:
    async def log_event(self, event_type, event_data, severity="INFO", **context):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
