import logging

logger = logging.getLogger(__name__)


async def fetch(job_id):
    logger.info("fetching %s", job_id)
    return job_id


def reap(jobs):
    expired = [j for j in jobs if j.startswith("old")]
    logger.warning("reaped %d jobs", len(expired))
    try:
        return len(expired)
    finally:
        logger.info("reaper done")
