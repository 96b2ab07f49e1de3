"""An incident to read back with `eventmod timeline` (not a catalog scenario: the catalog driver
never runs it). One BTC position on a fresh exchange: opened with its stop loss, handed to the
trailing stop manager, which activates and moves the stop until the price falls through it (the
stop-loss exit), then the position is closed and its trailing stop removed. Then a wave in
which every signal fails."""

from decimal import Decimal

WAVE = "2026-02-01T08:00:00+00:00"


async def run(ctx) -> None:
    pm_mod = ctx.module("core.position_manager")
    ts_mod = ctx.module("protection.trailing_stop")
    wsp_mod = ctx.module("core.wave_signal_processor")
    binance = ctx.exchange
    pm = pm_mod.PositionManager(exchange=binance, repository=ctx.repository, exchanges={binance.name: binance})
    trailing = ts_mod.SmartTrailingStopManager(exchange=binance, repository=ctx.repository)

    # open: entry filled at 65000, stop loss placed 2% below
    request = pm_mod.PositionRequest(1, "BTC/USDT", binance.name, "buy", Decimal("65000"), Decimal("1300"))
    position = await pm.open_position(request)
    assert position is not None and position.id == 1 and position.stop_loss_order_id, position
    binance.add_exchange_position("BTC/USDT", "long", position.quantity, position.entry_price)

    # trailing stop: created, activated (+1.7%), moved up (+2.8%)
    await trailing.create_trailing_stop("BTC/USDT", "long", position.entry_price, position.quantity, position_id=position.id)
    result = await trailing.update_price("BTC/USDT", Decimal("66100"))
    assert result and result["action"] == "activated", result
    result = await trailing.update_price("BTC/USDT", Decimal("66800"))
    assert result and result["action"] == "updated", result

    # stop-loss: the price falls through the trailing stop
    result = await trailing.update_price("BTC/USDT", Decimal("66000"))
    assert result and result["action"] == "triggered", result

    # close: the position manager closes the position; the trailing stop is removed
    binance.set_price("BTC/USDT", "66000")
    closed = await pm.close_position("BTC/USDT", "trailing_stop")
    assert closed is not None, closed
    await trailing.on_position_closed("BTC/USDT", realized_pnl=Decimal("20"))
    binance.remove_exchange_position("BTC/USDT")

    # a failed wave: an invalid symbol, then insufficient funds stops the batch
    processor = wsp_mod.WaveSignalProcessor(exchange=binance, repository=ctx.repository)
    result = await processor.process_wave_signals([
        {"id": 11, "symbol": "ETHUSDT", "action": "buy", "score": 9.0},
        {"id": 12, "symbol": "SOL/USDT", "action": "buy", "score": 8.0, "size_usd": "50000"},
        {"id": 13, "symbol": "ADA/USDT", "action": "buy", "score": 7.0},
    ], WAVE)
    assert result["processed"] == 0 and [f["error_type"] for f in result["failed"]] == [
        "validation_error", "insufficient_funds"], result
    await ctx.settle()
