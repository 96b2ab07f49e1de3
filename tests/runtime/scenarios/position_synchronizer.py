"""Runtime scenario for core/position_synchronizer.py: every reconciliation branch once."""
from decimal import Decimal


async def run(ctx) -> None:
    sync_mod = ctx.module("core.position_synchronizer")
    fake = ctx.module("exchange.fake_exchange")
    binance, bybit, repo = ctx.exchange, ctx.bybit, ctx.repository

    # DB side (binance): verified, quantity drift, phantom.
    await repo.create_position("BTC/USDT", "long", Decimal("0.5"), Decimal("64000"), binance.name)
    await repo.create_position("ETH/USDT", "long", Decimal("2.0"), Decimal("3100"), binance.name)
    await repo.create_position("SOL/USDT", "short", Decimal("10"), Decimal("155"), binance.name)

    # Exchange side (binance): same BTC, smaller ETH, a missing XRP linked to its SL order,
    # a missing DOGE without any order (rejected) and a stale ADA entry with zero contracts.
    binance.add_exchange_position("BTC/USDT", "long", Decimal("0.5"), Decimal("64000"))
    binance.add_exchange_position("ETH/USDT", "long", Decimal("1.5"), Decimal("3100"))
    binance.add_exchange_position("XRP/USDT", "long", Decimal("1000"), Decimal("0.54"))
    binance.add_open_order("XRP/USDT", "stop_market", "sell", Decimal("1000"), params={"stopPrice": "0.50", "reduceOnly": True})
    binance.add_exchange_position("DOGE/USDT", "short", Decimal("5000"), Decimal("0.125"))
    binance.add_exchange_position("ADA/USDT", "long", Decimal("0"), Decimal("0.45"))

    # bybit: the position fetch fails (network), counted as a sync error and re-raised.
    bybit.fail_next("fetch_positions", fake.NetworkError("bybit: request timed out"))

    synchronizer = sync_mod.PositionSynchronizer(
        exchange=binance, repository=repo, exchanges={binance.name: binance, bybit.name: bybit}
    )
    stats = await synchronizer.synchronize_all_exchanges()

    assert stats["verified"] == 1, stats
    assert stats["updated_quantity"] == 1, stats
    assert stats["closed_phantom"] == 1, stats
    assert stats["added_missing"] == 1, stats
    assert stats["errors"] == 1, stats
    eth = await repo.get_position_by_symbol("ETH/USDT", binance.name)
    assert eth.quantity == Decimal("1.5")
    assert await repo.get_position_by_symbol("SOL/USDT", binance.name) is None
    assert await repo.get_position_by_symbol("DOGE/USDT", binance.name) is None
