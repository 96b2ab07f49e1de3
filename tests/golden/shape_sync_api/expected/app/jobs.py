import logging

from core.event_logger import EventType, get_audit

logger = logging.getLogger(__name__)


async def fetch(job_id):
    logger.info("fetching %s", job_id)
    try:
        event_logger = get_audit()
        if event_logger:
            event_logger.emit(
                EventType.JOB_FETCHED,
                {
                    "job_id": job_id
                },
                order_id=job_id,
                level="INFO"
            )
    except Exception:
        logger.warning("Could not log event JOB_FETCHED", exc_info=True)
    return job_id


def reap(jobs):
    expired = [j for j in jobs if j.startswith("old")]
    logger.warning("reaped %d jobs", len(expired))
    try:
        event_logger = get_audit()
        if event_logger:
            event_logger.emit(
                EventType.JOBS_REAPED,
                {
                    "count": len(expired)
                },
                level="WARNING"
            )
    except Exception:
        logger.warning("Could not log event JOBS_REAPED", exc_info=True)
    try:
        return len(expired)
    finally:
        logger.info("reaper done")
        try:
            event_logger = get_audit()
            if event_logger:
                event_logger.emit(
                    EventType.REAPER_DONE,
                    {},
                    level="DEBUG"
                )
        except Exception:
            logger.warning("Could not log event REAPER_DONE", exc_info=True)
