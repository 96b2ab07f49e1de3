from os.path import *
import logging

logger = logging.getLogger(__name__)


async def close(exchange):
    logger.info('done')
    return True
