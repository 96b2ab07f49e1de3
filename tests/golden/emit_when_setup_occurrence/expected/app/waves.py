import asyncio
import logging

from core.event_logger import EventType, get_event_logger
from exchange import client

logger = logging.getLogger(__name__)


async def process_wave(wave_id, signals):
    results = []
    for signal in signals:
        order = await client.open(signal)
        logger.info(f"Signal {signal['symbol']} executed")
        try:
            event_logger = get_event_logger()
            if event_logger:
                asyncio.create_task(
                    event_logger.log_event(
                        EventType.SIGNAL_EXECUTED,
                        {
                            'wave_id': wave_id,
                            'symbol': signal['symbol']
                        },
                        correlation_id=wave_id,
                        symbol=signal['symbol'],
                        severity='INFO'
                    )
                )
        except Exception:
            logger.warning("Could not log event SIGNAL_EXECUTED", exc_info=True)
        results.append(order)
    for signal in signals:
        logger.info(f"Signal {signal['symbol']} executed")
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.SIGNAL_RECHECKED,
                    {
                        'wave_id': wave_id
                    },
                    correlation_id=wave_id,
                    severity='DEBUG'
                )
        except Exception:
            logger.warning("Could not log event SIGNAL_RECHECKED", exc_info=True)
    logger.info("Wave done")
    try:
        event_logger = get_event_logger()
        if event_logger and (len(results) > 0):
            total = len(results)
            await event_logger.log_event(
                EventType.WAVE_COMPLETED,
                {
                    'wave_id': wave_id,
                    'total': total
                },
                correlation_id=wave_id,
                severity='INFO'
            )
    except Exception:
        logger.warning("Could not log event WAVE_COMPLETED", exc_info=True)
    return results


def summarize(wave_id, results):
    logger.info("Summary ready")
    try:
        event_logger = get_event_logger()
        if event_logger:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                logger.debug("No running event loop: event WAVE_SUMMARY not logged")
            else:
                asyncio.create_task(
                    event_logger.log_event(
                        EventType.WAVE_SUMMARY,
                        {
                            'wave_id': wave_id
                        },
                        severity='INFO'
                    )
                )
    except Exception:
        logger.warning("Could not log event WAVE_SUMMARY", exc_info=True)
    return len(results)


async def retry(wave_id, signals):
    for attempt in range(3):
        logger.warning("Retrying wave")
        try:
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.WAVE_RETRY,
                    {
                        'wave_id': wave_id,
                        'attempt': attempt
                    },
                    severity='WARNING'
                )
        except Exception:
            logger.warning("Could not log event WAVE_RETRY", exc_info=True)
        if attempt:
            logger.warning("Retrying wave")
            try:
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.WAVE_RETRY,
                        {
                            'wave_id': wave_id,
                            'attempt': attempt
                        },
                        severity='WARNING'
                    )
            except Exception:
                logger.warning("Could not log event WAVE_RETRY", exc_info=True)
