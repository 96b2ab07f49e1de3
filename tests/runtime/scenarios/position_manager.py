"""Runtime scenario for core/position_manager.py: drives PositionManager through every
spec'd event site (load with phantoms and unprotected positions, sync with phantom / missing /
mismatched / conflicting positions, every open_position refusal and failure, trailing hand-off,
WebSocket updates, closing with orphaned SL cleanup, aged positions and zombie orders).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal


class _RepositoryOutage:
    """Make one repository method raise once (a DB outage), then behave normally again."""

    def __init__(self, repository, method: str, exc: Exception):
        self.repository, self.method, self.exc = repository, method, exc

    def __enter__(self):
        original = getattr(self.repository, self.method)

        async def failing(*args, **kwargs):
            setattr(self.repository, self.method, original)
            raise self.exc

        setattr(self.repository, self.method, failing)
        return self

    def __exit__(self, *exc_info):
        self.repository.__dict__.pop(self.method, None)
        return False


async def run(ctx) -> None:
    pm_mod = ctx.module("core.position_manager")
    fx = ctx.module("exchange.fake_exchange")
    binance, bybit, repo = ctx.exchange, ctx.bybit, ctx.repository

    config = pm_mod.PositionManagerConfig(
        max_positions=8, max_exposure_usd=Decimal("4000")
    )
    pm = pm_mod.PositionManager(
        exchange=binance,
        repository=repo,
        exchanges={binance.name: binance, bybit.name: bybit},
        config=config,
    )

    # ---- startup load: phantom, recorded-but-missing SL, unprotected, protected -----------------
    await repo.create_position(
        "BTC/USDT",
        "long",
        Decimal("0.01"),
        Decimal("65000"),
        binance.name,
        stop_loss_price=Decimal("63700"),
        stop_loss_order_id="bin-gone-1",
    )
    await repo.create_position(
        "ETH/USDT", "long", Decimal("0.5"), Decimal("3200"), binance.name
    )
    await repo.create_position(
        "SOL/USDT", "long", Decimal("2"), Decimal("150"), binance.name
    )  # phantom
    await repo.create_position(
        "XRP/USDT", "long", Decimal("1000"), Decimal("0.55"), bybit.name
    )
    binance.add_exchange_position("BTC/USDT", "long", "0.01", "65000")
    binance.add_exchange_position("ETH/USDT", "long", "0.5", "3200")
    bybit.add_exchange_position("XRP/USDT", "long", "1000", "0.55")
    bybit.add_open_order(
        "XRP/USDT",
        "stop_market",
        "sell",
        "1000",
        params={"stopPrice": "0.539", "reduceOnly": True},
    )

    binance.fail_next(
        "create_order", fx.NetworkError("SL placement timeout")
    )  # BTC SL fails
    with _RepositoryOutage(
        repo, "update_position", RuntimeError("connection to DB lost")
    ):
        loaded = await pm.load_positions_from_db()  # ETH SL placed, DB write fails once
    assert loaded == 3, loaded

    # ---- synchronization: phantom, missing, quantity mismatch, side conflict --------------------
    binance.remove_exchange_position("ETH/USDT")
    binance.add_exchange_position("DOGE/USDT", "long", "1000", "0.12")
    binance.add_exchange_position("BTC/USDT", "long", "0.02", "65000")
    bybit.add_exchange_position("XRP/USDT", "short", "1000", "0.55")
    summary = await pm.synchronize_with_exchanges()
    assert summary["closed_phantom"] == 1 and summary["added_missing"] == 2, summary

    bybit.fail_next(
        "fetch_positions", fx.NetworkError("bybit websocket gateway unreachable")
    )
    binance.fail_next(
        "fetch_positions", fx.ExchangeError("binance: rate limit exceeded")
    )
    summary = await pm.synchronize_with_exchanges()
    assert summary["errors"] == 2, summary

    # ---- opening positions ----------------------------------------------------------------------
    def request(signal_id, symbol, size, side="buy", exchange=binance.name):
        price = binance.prices.get(symbol, Decimal("1"))
        return pm_mod.PositionRequest(
            signal_id, symbol, exchange, side, price, Decimal(size)
        )

    assert (
        await pm.open_position(request(101, "LINK/USDT", "200", side="hold")) is None
    )  # invalid
    assert await pm.open_position(request(102, "BTC/USDT", "100")) is None  # duplicate
    link = await pm.open_position(request(103, "LINK/USDT", "200"))
    assert link is not None and link.stop_loss_order_id
    bnb = await pm.open_position(request(104, "BNB/USDT", "1200"))  # exposure alert
    assert bnb is not None
    assert (
        await pm.open_position(request(105, "ADA/USDT", "1000")) is None
    )  # risk limits
    binance.set_unavailable("ADA/USDT")
    assert (
        await pm.open_position(request(106, "ADA/USDT", "50")) is None
    )  # symbol unavailable
    assert (
        await pm.open_position(request(107, "ETH/USDT", "10")) is None
    )  # below minimum
    binance.fail_next(
        "create_order", fx.InsufficientFunds("binance: margin is insufficient")
    )
    assert await pm.open_position(request(108, "SOL/USDT", "50")) is None
    binance.fail_next("fetch_ticker", fx.NetworkError("ticker timeout"))
    assert await pm.open_position(request(109, "SOL/USDT", "50")) is None
    binance.fail_next(
        "fetch_open_orders", fx.NetworkError("order book snapshot timeout")
    )
    assert (
        await pm.open_position(request(110, "SOL/USDT", "50")) is None
    )  # entry rolled back

    # ---- trailing stop hand-off, price refresh, SL moves ----------------------------------------
    binance.set_price("LINK/USDT", "15.0")
    await pm.update_position_prices()  # activation + SL update
    binance.set_price("LINK/USDT", "15.5")
    binance.fail_next(
        "fetch_ticker", fx.NetworkError("ticker timeout")
    )  # first symbol fails
    await pm.update_position_prices()  # trailing moved for LINK
    bybit.fail_next("create_order", fx.NetworkError("stop order rejected: timeout"))
    assert await pm.update_stop_loss(pm.positions["XRP/USDT"], Decimal("0.57")) is False

    # ---- WebSocket updates ----------------------------------------------------------------------
    await pm.handle_position_update(
        {"symbol": "LINK/USDT", "contracts": str(link.quantity), "markPrice": "15.8"}
    )
    await pm.handle_position_update(
        {"symbol": "DOGE/USDT", "contracts": "0", "markPrice": "0.121"}
    )
    binance.remove_exchange_position("DOGE/USDT")
    sl_order = {
        "id": bnb.stop_loss_order_id,
        "symbol": "BNB/USDT",
        "side": "sell",
        "type": "stop_market",
        "status": "closed",
        "filled": bnb.quantity,
        "average": Decimal("568.4"),
    }
    await pm.handle_order_update(sl_order)
    binance.remove_exchange_position(
        "BNB/USDT"
    )  # its stop order stays behind as a zombie

    # ---- closing --------------------------------------------------------------------------------
    assert await pm.close_position("NOPE/USDT", "manual") is None
    binance.fail_next("create_order", fx.NetworkError("close order timeout"))
    try:
        await pm.close_position("BTC/USDT", "manual")
    except fx.NetworkError:
        pass  # expected: close_position re-raises exchange errors
    else:
        raise AssertionError("close_position should have raised NetworkError")
    binance.add_open_order(
        "LINK/USDT",
        "take_profit",
        "sell",
        str(link.quantity),
        "16.5",
        params={"reduceOnly": True},
    )
    binance.fail_next("cancel_order", fx.OrderNotFound("order already filled"))
    closed = await pm.close_position("LINK/USDT", "take_profit")
    assert closed is not None and closed.status == "closed"

    # ---- aged position, entry price immutability ------------------------------------------------
    pm.positions["XRP/USDT"].opened_at = datetime.now(timezone.utc) - timedelta(
        hours=30
    )
    assert await pm.check_position_age() == ["XRP/USDT"]
    await pm.update_position_fields(
        "BTC/USDT", entry_price=Decimal("60000"), current_price=Decimal("65100")
    )
    assert pm.positions["BTC/USDT"].entry_price == Decimal("65000")

    # ---- zombie orders --------------------------------------------------------------------------
    binance.add_open_order("ADA/USDT", "limit", "buy", "100", "0.44")
    zombies = await pm.handle_real_zombies(binance.name)
    assert zombies["cancelled"] >= 2, zombies
    bybit.fail_next("fetch_open_orders", fx.NetworkError("bybit REST unavailable"))
    assert (await pm.handle_real_zombies(bybit.name))["detected"] == 0
