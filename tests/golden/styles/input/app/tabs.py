import logging

logger = logging.getLogger(__name__)


class Tabs:
	async def run(self, symbol):
		if symbol:
			logger.info("tabs")
