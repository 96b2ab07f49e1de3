"""Runtime scenario for protection/trailing_stop.py (SmartTrailingStopManager).

Fires all 18 spec'd trailing-stop events: creation, breakeven, price/time-based activation
(with and without a Binance Protection SL to cancel), momentum-tightened updates, ATR distance
change, stop order placement/update failures, Protection SL cancel failure, trigger and closure.
"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal


async def run(ctx) -> None:
    ts_module = ctx.module("protection.trailing_stop")
    fake = ctx.module("exchange.fake_exchange")
    exchange = ctx.exchange  # binance: Protection SL is a separate order

    manager = ts_module.SmartTrailingStopManager(exchange=exchange, repository=ctx.repository)

    # --- BTC long: breakeven -> activation (Protection SL cancelled) -> updates -> trigger ---
    btc_qty = Decimal("0.01")
    exchange.add_exchange_position("BTC/USDT", "long", btc_qty, Decimal("65000"))
    btc = await ctx.repository.create_position("BTC/USDT", "long", btc_qty, Decimal("65000"), exchange.name)
    exchange.add_open_order(
        "BTC/USDT", "stop_market", "sell", btc_qty, params={"stopPrice": Decimal("63700"), "reduceOnly": True}
    )
    await manager.create_trailing_stop("BTC/USDT", "long", Decimal("65000"), btc_qty, position_id=btc.id)

    await manager.update_price("BTC/USDT", Decimal("65600"))  # +0.92%: breakeven, state waiting
    result = await manager.update_price("BTC/USDT", Decimal("66100"))  # activation price reached
    assert result and result["action"] == "activated", result
    await manager.update_price("BTC/USDT", Decimal("66800"))  # strong momentum: tightened update
    assert await manager.update_atr("BTC/USDT", Decimal("600"))  # callback 0.5% -> 1.35%

    exchange.fail_next("create_order", fake.NetworkError("binance: request timed out"))
    result = await manager.update_price("BTC/USDT", Decimal("67500"))  # replace rejected
    assert result is None, result
    result = await manager.update_price("BTC/USDT", Decimal("67600"))  # retried on next tick
    assert result and result["action"] == "updated", result

    result = await manager.update_price("BTC/USDT", Decimal("66000"))  # stop hit
    assert result and result["action"] == "triggered", result
    await manager.on_position_closed("BTC/USDT")
    await ctx.repository.close_position(btc.id, "trailing_stop", exit_price=Decimal("66000"))

    # --- ETH long: time-based activation; Protection SL cancel fails, then stop order rejected ---
    eth_qty = Decimal("0.5")
    eth = await ctx.repository.create_position("ETH/USDT", "long", eth_qty, Decimal("3200"), exchange.name)
    eth_ts = await manager.create_trailing_stop("ETH/USDT", "long", Decimal("3200"), eth_qty, position_id=eth.id)
    eth_ts.created_at = datetime.now(timezone.utc) - timedelta(minutes=45)

    exchange.fail_next("fetch_open_orders", fake.NetworkError("binance: connection reset"))
    result = await manager.update_price("ETH/USDT", Decimal("3215"))  # activation postponed
    assert result is None, result

    exchange.fail_next("create_order", fake.InvalidOrder("binance: stop price would trigger immediately"))
    result = await manager.update_price("ETH/USDT", Decimal("3216"))  # no Protection SL left
    assert result and result["action"] == "activated", result
    await manager.on_position_closed("ETH/USDT", realized_pnl=Decimal("8.0"))
    await ctx.repository.close_position(eth.id, "manual", exit_price=Decimal("3216"))

    # --- SOL short on Bybit: no Protection SL order to cancel (SL is a position attribute) ---
    bybit_manager = ts_module.SmartTrailingStopManager(exchange=ctx.bybit, repository=ctx.repository)
    sol_qty = Decimal("2")
    sol = await ctx.repository.create_position("SOL/USDT", "short", sol_qty, Decimal("150"), ctx.bybit.name)
    await bybit_manager.create_trailing_stop("SOL/USDT", "short", Decimal("150"), sol_qty, position_id=sol.id)
    await bybit_manager.update_price("SOL/USDT", Decimal("147.5"))
    await bybit_manager.update_price("SOL/USDT", Decimal("146.0"))
    await bybit_manager.on_position_closed("SOL/USDT")
    await ctx.repository.close_position(sol.id, "manual", exit_price=Decimal("146.0"))
