"""Runtime scenario for protection/stop_loss_manager.py (StopLossManager).

Fires all 15 spec'd stop-loss-manager events: ATR-based setup with partial levels, breakeven
trigger and move, partial closes with slippage, smart trailing, time stop with cleanup, and a
failed setup (ATR failure, tick rounding, rejected stop order) falling back to an emergency stop.
"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal


async def run(ctx) -> None:
    slm_module = ctx.module("protection.stop_loss_manager")
    fake = ctx.module("exchange.fake_exchange")
    exchange = ctx.exchange
    manager = slm_module.StopLossManager(exchange=exchange, repository=ctx.repository)

    # --- ETH long: ATR stop, breakeven, partial closes, trailing, time stop ---
    qty = Decimal("1")
    exchange.add_exchange_position("ETH/USDT", "long", qty, Decimal("3200"))
    eth = await ctx.repository.create_position("ETH/USDT", "long", qty, Decimal("3200"), exchange.name)
    for _ in range(15):
        manager.add_candle("ETH/USDT", Decimal("3220"), Decimal("3180"), Decimal("3200"))
    stops = await manager.setup_position_stops(eth)
    assert len(stops) == 4, stops

    exchange.set_price("ETH/USDT", Decimal("3240"))
    assert await manager.check_position(eth, Decimal("3240")) is None  # breakeven

    exchange.set_price("ETH/USDT", Decimal("3300"))  # gapped through the 1.5% level
    assert await manager.check_position(eth, Decimal("3300")) is None  # partials + trailing

    eth.opened_at = datetime.now(timezone.utc) - timedelta(hours=30)
    exchange.set_price("ETH/USDT", Decimal("3310"))
    assert await manager.check_position(eth, Decimal("3310")) == "time_stop"
    assert eth.id not in manager.position_stops

    # --- DOGE long: no candles (ATR fails), coarse tick, stop order rejected -> emergency stop ---
    doge_qty = Decimal("500")
    doge = await ctx.repository.create_position("DOGE/USDT", "long", doge_qty, Decimal("0.12"), exchange.name)
    exchange.fail_next("create_order", fake.NetworkError("binance: request timed out"))
    stops = await manager.setup_position_stops(doge)
    assert [s.type.value for s in stops] == ["emergency"], stops

    await manager.cleanup_position(doge, reason="position_closed")
    await ctx.repository.close_position(doge.id, "manual", exit_price=Decimal("0.12"))
