"""Position synchronisation: the database against the exchange."""
import logging

from core.event_logger import EventType, get_event_logger

logger = logging.getLogger(__name__)


class Synchronizer:
    def __init__(self, repository, exchange):
        self.repository = repository
        self.exchange = exchange

    async def sync(self, exchange_name):
        positions = await self.exchange.fetch_positions()
        logger.info(f"Fetched {len(positions)} positions from {exchange_name}")

        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.SYNC_POSITIONS_FETCHED,
                    {
                        'exchange': exchange_name,
                        'count': len(positions)
                    },
                    exchange=exchange_name,
                    severity='INFO'
                )
        except Exception:
            logger.warning("Could not log event SYNC_POSITIONS_FETCHED", exc_info=True)

        for position in positions:
            if position['side'] == 'long':
                logger.debug(f"long position {position['symbol']}")

        known = await self.repository.open_positions(exchange_name)
        missing = [p for p in positions if p['symbol'] not in known]

        if missing:
            logger.warning(f"{len(missing)} positions missing in the database")

            try:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.SYNC_MISSING_POSITIONS,
                        {
                            'exchange': exchange_name,
                            'symbols': [p['symbol'] for p in missing]
                        },
                        severity='WARNING'
                    )
            except Exception:
                logger.warning(
                    "Could not log event SYNC_MISSING_POSITIONS", exc_info=True
                )

            await self.repository.add(missing, source='exchange')

        stale = [s for s in known if s not in {p['symbol'] for p in positions}]
        logger.info(f"Sync of {exchange_name} done: {len(missing)} added, {len(stale)} stale")

        # Synchronisation summary
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.SYNC_DONE,
                    {
                        'exchange': exchange_name,
                        'added': len(missing),
                        'stale': len(stale)
                    },
                    severity='INFO'
                )
        except Exception:
            logger.warning("Could not log event SYNC_DONE", exc_info=True)

        return {'added': len(missing), 'stale': len(stale)}
