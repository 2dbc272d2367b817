"""The risk daemon's liquidity check on a real Redis: alerts once a day, publishes the
profile, and with `limits.block` puts the slow names into the state document's
`blocked_symbols`, which the approval gate refuses buys of."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from bus import streams
from bus.messages import decode
from exchange import Side
from execution.approval.risk_gate import read_stance
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from orders.order import Order
from risk.config import RiskConfig
from risk.liquidity_config import LiquidityConfig, LiquidityLimits
from services.risk_service import RiskService
from services.runtime import ServiceContext
from services.settings import DeskSettings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
STORE_END = date(2024, 3, 15)
MONDAY_10AM = datetime(2024, 3, 18, 10, 0, tzinfo=EXCHANGE_TZ)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 40, 3, end=STORE_END,
                            calendar=calendar)


def two_stocks(store: MarketStore) -> tuple[str, str, dict[str, float], dict[str, Decimal]]:
    panel = store.load_panel(STORE_END, 20, ["volume", "suspended", "close"])
    ok = [str(s) for s in panel.symbols if (panel["suspended"][s] == 0).all()]
    adv = {s: float(panel["volume"][s].mean()) for s in ok[:2]}
    close = {s: Decimal(str(panel["close"][s].iloc[-1])).quantize(Decimal("0.01")) for s in adv}
    return ok[0], ok[1], adv, close


def seed(client: redis.Redis, store: MarketStore) -> tuple[str, str]:
    """`slow`: 10 days of its whole volume (50 days at the 20% cap); `quick`: 5% of a day."""
    slow, quick, adv, close = two_stocks(store)
    qty = {slow: int(adv[slow] * 10) // 100 * 100, quick: int(adv[quick] * 0.05) // 100 * 100}
    client.set(streams.LEDGER.format(account="paper"), json.dumps({
        "account": "paper", "cash": "50000000", "at": MONDAY_10AM.isoformat(), "futures": {},
        "positions": {s: {"quantity": str(q), "sellable": str(q), "avg_cost": str(close[s])}
                      for s, q in qty.items()}}))
    client.hset(streams.LAST_PRICES, mapping={s: str(p) for s, p in close.items()})
    return slow, quick


def service(client: redis.Redis, store: MarketStore, block: bool) -> RiskService:
    cfg = RiskConfig(liquidity=LiquidityConfig(limits=LiquidityLimits(block=block)))
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    ctx = ServiceContext(settings=DeskSettings(mode="paper", risk=cfg), client=client,
                         clock=FixedClock(MONDAY_10AM), data_dir=Path("."), _store=store,
                         _calendar=calendar)
    svc = RiskService(ctx)
    svc.setup()
    return svc


def buy(symbol: str, side: Side = Side.BUY) -> Order:
    return Order(order_id="B1-0001", trade_date=MONDAY_10AM.date(), symbol=symbol, side=side,
                 quantity=100, reference_price=Decimal("10.00"))


def alerts(client: redis.Redis) -> list[str]:
    return [decode(f).body.title for _, f in client.xrange(streams.ALERTS)]


def test_slow_name_alerted_published_and_blocked(redis_client: redis.Redis,
                                                 store: MarketStore) -> None:
    slow, quick = seed(redis_client, store)
    svc = service(redis_client, store, block=True)
    svc.check()
    state = json.loads(str(redis_client.get(streams.RISK_STATE.format(account="paper"))))
    assert state["blocked_symbols"] == [slow]
    doc = json.loads(str(redis_client.get(streams.LIQUIDITY.format(account="paper"))))
    base = doc["scenarios"][0]
    assert base["name"] == "base" and base["holdings"][0]["symbol"] == slow
    assert base["holdings"][0]["days_to_exit"] == pytest.approx(50.0, rel=1e-3)
    assert f"liquidity: days_to_exit {slow}" in alerts(redis_client)
    assert f"liquidity: days_to_exit {quick}" not in alerts(redis_client)
    svc.check()  # the same day and holdings: neither recomputed nor alerted again
    assert alerts(redis_client).count(f"liquidity: days_to_exit {slow}") == 1
    stance = read_stance(redis_client, "paper")
    refusal = stance.refusal(buy(slow))
    assert refusal is not None and "liquidity" in refusal
    assert stance.refusal(buy(slow, Side.SELL)) is None and stance.refusal(buy(quick)) is None


def test_without_block_it_only_alerts(redis_client: redis.Redis, store: MarketStore) -> None:
    slow, _ = seed(redis_client, store)
    service(redis_client, store, block=False).check()
    state = json.loads(str(redis_client.get(streams.RISK_STATE.format(account="paper"))))
    assert state["blocked_symbols"] == []
    assert f"liquidity: days_to_exit {slow}" in alerts(redis_client)


def test_a_failing_liquidity_check_still_publishes_nav(redis_client: redis.Redis,
                                                       store: MarketStore) -> None:
    seed(redis_client, store)
    svc = service(redis_client, store, block=True)
    svc.liquidity.store = lambda: MarketStore(Path("/nonexistent/store"))
    svc.check()
    assert "liquidity check failed" in alerts(redis_client)
    state = json.loads(str(redis_client.get(streams.RISK_STATE.format(account="paper"))))
    assert state["blocked_symbols"] == [] and state["nav"]
