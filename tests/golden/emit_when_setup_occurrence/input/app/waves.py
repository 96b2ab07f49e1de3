import logging

from exchange import client

logger = logging.getLogger(__name__)


async def process_wave(wave_id, signals):
    results = []
    for signal in signals:
        order = await client.open(signal)
        logger.info(f"Signal {signal['symbol']} executed")
        results.append(order)
    for signal in signals:
        logger.info(f"Signal {signal['symbol']} executed")
    logger.info("Wave done")
    return results


def summarize(wave_id, results):
    logger.info("Summary ready")
    return len(results)


async def retry(wave_id, signals):
    for attempt in range(3):
        logger.warning("Retrying wave")
        if attempt:
            logger.warning("Retrying wave")
