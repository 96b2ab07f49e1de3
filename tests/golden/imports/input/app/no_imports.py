"""A module with no imports at all."""


async def run(symbol):
    return symbol
