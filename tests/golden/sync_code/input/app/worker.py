import logging
import signal

logger = logging.getLogger(__name__)


class Worker:
    def __init__(self):
        self.running = False

    def handle_signal(self, signum, frame):
        logger.info("received signal %s", signum)
        self.running = False

    async def poll(self, source):
        self.running = True
        try:
            while self.running:
                await source.next()
        finally:
            logger.info("polling stopped")

    async def drain(self, source):
        try:
            await source.flush()
        finally:
            logger.info("drained")


def install(worker):
    signal.signal(signal.SIGTERM, worker.handle_signal)
