import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class Tabs:
	async def run(self, symbol):
		if symbol:
			logger.info("tabs")
			try:
				event_logger = get_event_logger()
				if event_logger:
					await event_logger.log_event(
						EventType.TABS_EVENT,
						{
							"symbol": symbol,
							"a_rather_long_payload_key": symbol.upper()
							+ "-"
							+ symbol.lower(),
						},
						symbol=symbol,
						severity="INFO",
					)
			except Exception:
				logger.warning(
					"Could not log event TABS_EVENT",
					exc_info=True,
				)
