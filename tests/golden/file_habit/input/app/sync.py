"""Position synchronisation: the database against the exchange."""
import logging

logger = logging.getLogger(__name__)


class Synchronizer:
    def __init__(self, repository, exchange):
        self.repository = repository
        self.exchange = exchange

    async def sync(self, exchange_name):
        positions = await self.exchange.fetch_positions()
        logger.info(f"Fetched {len(positions)} positions from {exchange_name}")

        for position in positions:
            if position['side'] == 'long':
                logger.debug(f"long position {position['symbol']}")

        known = await self.repository.open_positions(exchange_name)
        missing = [p for p in positions if p['symbol'] not in known]

        if missing:
            logger.warning(f"{len(missing)} positions missing in the database")
            await self.repository.add(missing, source='exchange')

        stale = [s for s in known if s not in {p['symbol'] for p in positions}]
        logger.info(f"Sync of {exchange_name} done: {len(missing)} added, {len(stale)} stale")
        return {'added': len(missing), 'stale': len(stale)}
