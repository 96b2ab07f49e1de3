"""Runtime scenarios for main.py (TradingBot orchestration).

Fires main's events: initialization completed, position recovery started/completed (with a
crashed ``pending`` position to recover), bot started, periodic sync started, health check
failed, emergency close all (margin call), graceful shutdown, bot stopped, and a fatal error
escaping the main loop. Along the way it trades through the hand-instrumented
AtomicPositionManager (open, refused open, stop-loss failure with rollback, close).
"""
from __future__ import annotations

import asyncio
from decimal import Decimal


async def run(ctx) -> None:
    main = ctx.module("main")
    fake = ctx.module("exchange.fake_exchange")

    # --- 1. startup with recovery -----------------------------------------------------------
    # a position left "pending" by a crash: it is on the exchange but has no stop loss yet
    ctx.exchange.add_exchange_position("ETH/USDT", "long", Decimal("0.5"), Decimal("3200"))
    pending = await ctx.repository.create_position(
        "ETH/USDT", "long", Decimal("0.5"), Decimal("3200"), "binance", status="pending"
    )
    bot = main.TradingBot(
        exchanges=ctx.exchanges,
        repository=ctx.repository,
        mode="paper",
        sync_interval=30.0,  # loops run once right away, then sleep until stop() cancels them
        health_check_interval=30.0,
        max_margin_usage=Decimal("0.8"),
    )
    await bot.start()
    assert bot.running
    recovered = await ctx.repository.get_position(pending.id)
    assert recovered.status == "open" and recovered.stop_loss_order_id, recovered
    await asyncio.sleep(0.05)  # first periodic sync and health check run

    # --- 2. trading through the atomic manager ----------------------------------------------
    sol = await bot.open_position("bybit", "SOL/USDT", "short", Decimal("10"))
    assert sol is not None and sol.status == "open" and sol.stop_loss_order_id, sol
    refused = await bot.open_position("bybit", "ETH/USDT", "long", Decimal("0.001"))  # below minimum
    assert refused is None
    # entry fills, then every stop-loss attempt times out -> rollback with emergency close
    ctx.bybit.fail_next("create_order", fake.NetworkError("bybit: request timeout"), times=3, after=1)
    unprotected = await bot.open_position("bybit", "XRP/USDT", "long", Decimal("100"))
    assert unprotected is None
    assert "XRP/USDT" not in {p["symbol"] for p in await ctx.bybit.fetch_positions()}
    closed = await bot.close_position(sol.id, "take_profit")
    assert closed is not None and closed.status == "closed", closed

    # --- 3. health problems: an open position without a stop loss ----------------------------
    ctx.bybit.add_exchange_position("SOL/USDT", "short", Decimal("10"), Decimal("150"))
    await ctx.repository.create_position("SOL/USDT", "short", Decimal("10"), Decimal("150"), "bybit")
    health = await bot.check_health()
    assert health.status != main.HealthState.HEALTHY, health
    assert any("SOL/USDT" in issue for issue in health.issues), health.issues

    # --- 4. margin call: a big BTC position pushes binance usage above 80% ------------------
    ctx.exchange.add_exchange_position("BTC/USDT", "long", Decimal("0.13"), Decimal("65000"))
    await ctx.repository.create_position("BTC/USDT", "long", Decimal("0.13"), Decimal("65000"), "binance")
    triggered = await bot.check_margin()
    assert triggered, "margin call expected"
    assert not await ctx.repository.get_open_positions(), "emergency close must close everything"
    await bot.stop()
    assert not bot.running

    # --- 5. run() whose main loop dies: fatal error is logged and re-raised ---------------
    binance = ctx.new_exchange("binance")
    bybit = ctx.new_exchange("bybit")
    # the first fetch_balance calls fail; whichever of the health monitor and the main loop's
    # margin check comes first, the main loop's unguarded call raises
    binance.fail_next("fetch_balance", fake.NetworkError("binance: connection reset"), times=2)
    crashing = main.TradingBot(
        exchanges={"binance": binance, "bybit": bybit},
        repository=ctx.module("core.repository").Repository(),
        mode="paper",
        sync_interval=30.0,
        health_check_interval=30.0,
    )
    try:
        await crashing.run(duration=1.0)
    except fake.NetworkError as e:
        ctx.note(f"expected fatal error: {e}")
    else:
        raise AssertionError("run() should have re-raised the main loop's NetworkError")
    assert not crashing.running
