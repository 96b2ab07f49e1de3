import asyncio
import logging

from core.event_logger import get_event_logger, EventType
from exchange import client

logger = logging.getLogger(__name__)


async def process_wave(wave_id, signals):
    results = []
    for signal in signals:
        order = await client.open(signal)
        logger.info(f"Signal {signal['symbol']} executed")
        event_logger = get_event_logger()
        if event_logger:
            asyncio.create_task(
                event_logger.log_event(
                    EventType.SIGNAL_EXECUTED,
                    {
                        "wave_id": wave_id,
                        "symbol": signal["symbol"],
                    },
                    correlation_id=wave_id,
                    symbol=signal["symbol"],
                    severity="INFO",
                )
            )
        results.append(order)
    for signal in signals:
        logger.info(f"Signal {signal['symbol']} executed")
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.SIGNAL_RECHECKED,
                {
                    "wave_id": wave_id,
                },
                correlation_id=wave_id,
                severity="DEBUG",
            )
    logger.info("Wave done")
    event_logger = get_event_logger()
    if event_logger and (len(results) > 0):
        total = len(results)
        await event_logger.log_event(
            EventType.WAVE_COMPLETED,
            {
                "wave_id": wave_id,
                "total": total,
            },
            correlation_id=wave_id,
            severity="INFO",
        )
    return results


def summarize(wave_id, results):
    logger.info("Summary ready")
    event_logger = get_event_logger()
    if event_logger:
        asyncio.create_task(
            event_logger.log_event(
                EventType.WAVE_SUMMARY,
                {
                    "wave_id": wave_id,
                },
                severity="INFO",
            )
        )
    return len(results)


async def retry(wave_id, signals):
    for attempt in range(3):
        logger.warning("Retrying wave")
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(
                EventType.WAVE_RETRY,
                {
                    "wave_id": wave_id,
                    "attempt": attempt,
                },
                severity="WARNING",
            )
        if attempt:
            logger.warning("Retrying wave")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.WAVE_RETRY,
                    {
                        "wave_id": wave_id,
                        "attempt": attempt,
                    },
                    severity="WARNING",
                )
