"""A sync audit API (golden case): `get_audit().emit(kind, payload, level=...)`."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"
    JOB_FETCHED = "job_fetched"
    JOBS_REAPED = "jobs_reaped"
    REAPER_DONE = "reaper_done"


class Audit:
    def __init__(self):
        self.records = []

    def emit(self, kind, payload, level="INFO", order_id=None):
        self.records.append((kind, payload, level, order_id))


_audit = None


def get_audit() -> Audit | None:
    return _audit
