"""Runtime scenario for core/zombie_manager.py: detection, cancel (ok/failed), aggressive
per-symbol cleanup, the alert threshold and the Bybit TP/SL branch."""
from decimal import Decimal


async def run(ctx) -> None:
    zm_mod = ctx.module("core.zombie_manager")
    fake = ctx.module("exchange.fake_exchange")
    binance, bybit, repo = ctx.exchange, ctx.bybit, ctx.repository

    # binance: a healthy position with its stop loss (not a zombie) ...
    binance.add_exchange_position("BTC/USDT", "long", Decimal("0.1"), Decimal("65000"))
    await repo.create_position("BTC/USDT", "long", Decimal("0.1"), Decimal("65000"), binance.name)
    binance.add_open_order("BTC/USDT", "stop_market", "sell", Decimal("0.1"), params={"stopPrice": "63000", "reduceOnly": True})
    # ... an orphaned stop loss, two stray limit orders, and 3 orders piling up on DOGE.
    binance.add_open_order("ETH/USDT", "stop_market", "sell", Decimal("1"), params={"stopPrice": "3000", "reduceOnly": True})
    binance.add_open_order("LINK/USDT", "limit", "buy", Decimal("10"), price=Decimal("13"))
    binance.add_open_order("BNB/USDT", "limit", "buy", Decimal("1"), price=Decimal("560"))
    for price in ("0.10", "0.105", "0.11"):
        binance.add_open_order("DOGE/USDT", "limit", "buy", Decimal("500"), price=Decimal(price))

    # 6 zombies > threshold 4 -> alert; the first single cancel fails on the network.
    binance.fail_next("cancel_order", fake.NetworkError("binance: cancel timed out"))
    manager = zm_mod.ZombieManager(exchange=binance, repository=repo, alert_threshold=4, aggressive_threshold=3)
    results = await manager.cleanup_zombie_orders()
    assert results["detected"] == 6, results
    assert results["failed"] == 1, results
    assert results["aggressive_symbols"] == 1, results

    # second pass picks up the order that failed; then nothing is left but the BTC stop loss.
    results = await manager.cleanup_zombie_orders()
    assert results["detected"] == 1 and results["failed"] == 0, results
    assert (await manager.cleanup_zombie_orders())["detected"] == 0
    assert [o["symbol"] for o in await binance.fetch_open_orders()] == ["BTC/USDT"]

    # bybit: position TP/SL left behind after the position was closed -> cleared per symbol.
    bybit.add_open_order("SOL/USDT", "stop_market", "sell", Decimal("5"), params={"stopPrice": "140", "positionIdx": 1})
    bybit.add_open_order("SOL/USDT", "take_profit_market", "sell", Decimal("5"), params={"stopPrice": "170", "positionIdx": 1})
    bybit_manager = zm_mod.ZombieManager(exchange=bybit, repository=repo, alert_threshold=10)
    results = await bybit_manager.cleanup_zombie_orders()
    assert results == {"detected": 2, "cancelled": 2, "failed": 0, "aggressive_symbols": 0}, results
    assert await bybit.fetch_open_orders() == []
