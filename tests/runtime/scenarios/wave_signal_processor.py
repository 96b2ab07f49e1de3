"""Runtime scenario for core/wave_signal_processor.py: one wave where every per-signal path is
taken (success, invalid action, BadSymbol, unexpected error, failed duplicate check, duplicate,
validation error, insufficient funds stopping the batch), then a clean wave."""
from decimal import Decimal

WAVE = "2026-01-05T12:00:00+00:00"


async def run(ctx) -> None:
    wsp_mod = ctx.module("core.wave_signal_processor")
    fake = ctx.module("exchange.fake_exchange")
    exchange, repo = ctx.exchange, ctx.repository
    await repo.create_position("XRP/USDT", "long", Decimal("500"), Decimal("0.55"), exchange.name)

    signals = [
        {"id": 1, "symbol": "BTC/USDT", "action": "buy", "score": 9.1},
        {"id": 2, "symbol": "BNB/USDT", "action": "hold", "score": 8.7},     # invalid action
        {"id": 3, "symbol": "FOO/USDT", "action": "buy", "score": 8.5},      # BadSymbol leaked
        {"id": 4, "symbol": "ETH/USDT", "action": "sell", "score": 8.2},     # ticker timeout
        {"id": 5, "symbol": "SOL/USDT", "action": "buy", "score": 8.0},      # duplicate check fails
        {"id": 6, "symbol": "XRP/USDT", "action": "buy", "score": 7.6},      # duplicate position
        {"id": 7, "symbol": "XRPUSDT", "action": "buy", "score": 7.1},       # validation error
        {"id": 8, "symbol": "DOGE/USDT", "action": "buy", "score": 7.0, "size_usd": "50000"},  # no funds
        {"id": 9, "symbol": "ADA/USDT", "action": "buy", "score": 6.9},      # never reached
    ]
    # fetch_ticker: BTC ok, FOO (unknown symbol), then ETH times out
    exchange.fail_next("fetch_ticker", fake.NetworkError("binance: ticker timed out"), after=2)
    # fetch_open_orders: BTC, BNB, FOO, ETH pass, SOL fails
    exchange.fail_next("fetch_open_orders", fake.NetworkError("binance: open orders unavailable"), after=4)

    processor = wsp_mod.WaveSignalProcessor(exchange=exchange, repository=repo)
    result = await processor.process_wave_signals(signals, WAVE)
    assert [s["symbol"] for s in result["successful"]] == ["BTC/USDT", "SOL/USDT"], result
    assert [f["error_type"] for f in result["failed"]] == [
        "processing_failed", "bad_symbol", "NetworkError", "validation_error", "insufficient_funds"
    ], result["failed"]
    assert result["skipped_count"] == 1 and result["success_rate"] == round(2 / 9 * 100, 1), result

    clean = await processor.process_wave_signals(
        [{"id": 10, "symbol": "LINK/USDT", "action": "long", "score": 5.0}], "2026-01-05T12:15:00+00:00"
    )
    assert clean["processed"] == 1 and clean["failed"] == [], clean
    await ctx.settle()
