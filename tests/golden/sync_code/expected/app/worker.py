import asyncio
import logging
import signal

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class Worker:
    def __init__(self):
        self.running = False

    def handle_signal(self, signum, frame):
        logger.info("received signal %s", signum)
        try:
            event_logger = get_event_logger()
            if event_logger:
                event_logger.log_event_nowait(
                    EventType.SIGNAL_RECEIVED,
                    {
                        "signal": signum
                    },
                    severity="WARNING"
                )
        except Exception:
            logger.warning("Could not log event SIGNAL_RECEIVED", exc_info=True)
        self.running = False

    async def poll(self, source):
        self.running = True
        try:
            while self.running:
                await source.next()
        finally:
            logger.info("polling stopped")
            try:
                event_logger = get_event_logger()
                if event_logger:
                    event_logger.log_event_nowait(
                        EventType.POLLING_STOPPED,
                        {
                            "running": self.running
                        },
                        severity="INFO"
                    )
            except Exception:
                logger.warning("Could not log event POLLING_STOPPED", exc_info=True)

    async def drain(self, source):
        try:
            await source.flush()
        finally:
            logger.info("drained")
            try:
                event_logger = get_event_logger()
                if event_logger:
                    asyncio.create_task(
                        event_logger.log_event(
                            EventType.DRAINED,
                            {},
                            severity="INFO"
                        )
                    )
            except Exception:
                logger.warning("Could not log event DRAINED", exc_info=True)


def install(worker):
    signal.signal(signal.SIGTERM, worker.handle_signal)
