import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal

logger = logging.getLogger(__name__)
LIMIT = 3


async def close(exchange):
    logger.info('done')
    return True
