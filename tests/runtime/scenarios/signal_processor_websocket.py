"""Runtime scenario for core/signal_processor_websocket.py: WebSocket connect/error/disconnect,
RAW signals into the buffer (one malformed), then the wave monitoring loop: a wave topped up
from the buffer that reaches its target, a wave where every signal fails in a different way,
a duplicate wave, a missing wave and a wave that breaks the loop iteration."""
from decimal import Decimal

TS_STALE = "2026-01-05T09:45:00+00:00"
TS1 = "2026-01-05T10:00:00+00:00"
TS2 = "2026-01-05T10:15:00+00:00"
TS3 = "2026-01-05T10:30:00+00:00"  # never arrives
TS4 = "2026-01-05T10:45:00+00:00"  # carries a signal with a garbage score


def sig(sid, symbol, score, ts, action="buy", **extra):
    return {"id": sid, "symbol": symbol, "action": action, "score": score, "timestamp": ts, **extra}


class StubPositionManager:
    """Opens positions in the repository; refuses the symbols in ``refuse``."""

    def __init__(self, repository, refuse=()):
        self.repository = repository
        self.refuse = set(refuse)
        self.requests = []

    async def open_position(self, request):
        self.requests.append(request)
        if request.symbol in self.refuse:
            return None
        quantity = (request.size_usd / request.entry_price).quantize(Decimal("0.000001"))
        return await self.repository.create_position(
            request.symbol, request.side, quantity, request.entry_price, request.exchange
        )


async def run(ctx) -> None:
    spw = ctx.module("core.signal_processor_websocket")
    wsp_mod = ctx.module("core.wave_signal_processor")
    fake = ctx.module("exchange.fake_exchange")
    exchange, repo = ctx.exchange, ctx.repository
    for symbol, price in {"AVAX/USDT": "35", "DOT/USDT": "7.2", "NEAR/USDT": "5.1"}.items():
        exchange.set_price(symbol, Decimal(price))
    exchange.set_price("AVAX/USDT", Decimal("0"))  # broken ticker -> invalid price
    await repo.create_position("ADA/USDT", "long", Decimal("200"), Decimal("0.45"), exchange.name)

    source = spw.InMemorySignalSource("wss://signals.internal/ws/v2")
    source.fail_next_connect(ConnectionError("signal server refused the connection"))
    source.push([
        sig(90, "XRP/USDT", 5.0, TS_STALE),                       # stale: purged before wave 1
        sig(101, "BTC/USDT", 9.5, TS1),
        sig(102, "ETHUSDT", 9.0, TS1),                            # wave validation error
        sig(103, "ADA/USDT", 8.5, TS1),                           # duplicate (open position)
        sig(104, "FOO/USDT", 8.0, TS1),                           # BadSymbol leaked
        sig(105, "SOL/USDT", 7.5, TS1),
        sig(106, "BNB/USDT", 7.2, TS1, action="hold"),            # invalid action
        sig(107, "LINK/USDT", 7.0, TS1),                          # buffer top-up
        sig(108, "NEAR/USDT", 6.8, TS1),                          # left unused: target reached
        {"id": 109, "action": "buy", "timestamp": TS1},           # malformed: no symbol
    ])
    source.drop()
    source.push([
        sig(201, "XRP/USDT", 9.0, TS2),                           # load_markets fails
        sig(202, "DOGE/USDT", 8.5, TS2),                          # ticker fetch fails
        sig(203, "ETH/USDT", 8.0, TS2),                           # position manager -> None
        sig(204, "AVAX/USDT", 7.5, TS2),                          # price 0
        sig("sig-205", "DOT/USDT", 7.0, TS2),                     # non-int id: no PositionRequest
        sig(206, "BNB/USDT", 6.5, TS2),                           # symbol stop list
        sig(401, "TRX/USDT", "n/a", TS4),                         # breaks the wave loop iteration
    ])

    pm = StubPositionManager(repo, refuse={"ETH/USDT"})
    wave_processor = wsp_mod.WaveSignalProcessor(exchange=exchange, repository=repo)
    proc = spw.WebSocketSignalProcessor(
        exchange=exchange, repository=repo, position_manager=pm, wave_processor=wave_processor,
        signal_source=source, max_trades_per_wave=3, buffer_size=3, wave_check_duration=0.03,
        symbol_stop_list={"BNB/USDT": "delisting announced"},
    )

    await proc.listen(max_connections=3)
    assert proc.stats["websocket_reconnections"] == 3, proc.stats  # 1 error + 2 server drops
    assert proc.stats["signals_received"] == 17 and proc.stats["signals_rejected"] == 1, proc.stats
    assert len(proc.signal_buffer) == 16

    # wave 1: 2 valid of the top 6 -> top-up with 2 more -> 3 opened, target reached on the 4th
    await proc.wave_monitoring_loop([TS1])
    assert proc.processed_waves[TS1]["status"] == "completed"
    assert proc.stats["positions_opened"] == 3, proc.stats
    assert sorted(p.symbol for p in await repo.get_open_positions()) == ["ADA/USDT", "BTC/USDT", "LINK/USDT", "SOL/USDT"]

    # wave 2: all six fail, each differently; then a duplicate, a missing wave and a bad one
    exchange.fail_next("load_markets", fake.NetworkError("binance: load_markets timed out"))
    exchange.fail_next("fetch_ticker", fake.NetworkError("binance: ticker timed out"), after=6)
    await proc.wave_monitoring_loop([TS2, TS2, TS3, TS4])
    assert proc.stats["positions_opened"] == 3, proc.stats
    assert proc.processed_waves[TS2]["status"] == "completed"
    assert proc.processed_waves[TS3]["status"] == "not_found"
    assert proc.stats["waves_missed"] == 1 and proc.stats["loop_errors"] == 1, proc.stats
    assert [r.symbol for r in pm.requests][-1] == "ETH/USDT"
    await ctx.settle()
