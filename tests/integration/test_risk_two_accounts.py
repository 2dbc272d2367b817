"""Two fund products, two risk daemons, one Redis (issue 16): one account's drawdown
hedges only that account.

Accounts `alpha` (the desk's ladder, first rung at 20%) and `beta` (its own ladder, first
rung at 10%), each with its own ledger, high-water mark and risk service built as
`services/registry.py` builds `risk@<account>`. Beta's NAV falls 12% from its peak,
alpha's 12% too: only beta's rung is reached, so only beta's hedges are proposed,
sized on beta's book, and the desk's intake files them as beta's orders.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from bus import streams
from bus.messages import Envelope, OrderProposed, decode
from exchange import Side
from execution.approval.intake import handle_proposal
from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from orders.order import Order, OrderKind, OrderState
from risk.drawdown import HighWaterMark
from risk.sizing import hedge_lots
from services.accounts import desk_queue
from services.registry import service_class
from services.risk_service import RiskService
from services.runtime import ServiceContext
from services.settings import DeskSettings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
STORE_END = date(2024, 3, 15)
MONDAY_10AM = datetime(2024, 3, 18, 10, 0, tzinfo=EXCHANGE_TZ)
BETA_RUNG = {"drawdown": 0.10, "hedge_ratio": 0.5}
DESK = DeskSettings.model_validate({
    "mode": "paper",
    "accounts": [{"name": "alpha"},
                 {"name": "beta", "ladder": [BETA_RUNG, {"drawdown": 0.2, "hedge_ratio": 1.0}]}],
})


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, calendar: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 90, 3, end=STORE_END,
                            calendar=calendar)


def closes(store: MarketStore) -> dict[str, Decimal]:
    row = store.load_panel(STORE_END, 1, ["close"])["close"].iloc[-1].dropna()
    return {str(s): Decimal(str(v)).quantize(Decimal("0.01")) for s, v in row.head(30).items()}


def seed_account(client: redis.Redis, store: MarketStore, account: str, stocks: slice,
                 per_stock: int, cash: str, drawdown: Decimal) -> Decimal:
    """A ledger of about `per_stock` CNY in each of `stocks`, its peak `drawdown` above
    today's NAV; returns the book's stock value."""
    prices = closes(store)
    chosen = dict(list(prices.items())[stocks])
    positions = {s: int(per_stock / p / 100) * 100 for s, p in chosen.items()}
    ledger = {"account": account, "cash": cash, "at": MONDAY_10AM.isoformat(), "futures": {},
              "positions": {s: {"quantity": str(q), "sellable": str(q), "avg_cost": str(chosen[s])}
                            for s, q in positions.items()}}
    client.set(streams.LEDGER.format(account=account), json.dumps(ledger))
    client.hset(streams.LAST_PRICES, mapping={s: str(p) for s, p in prices.items()})
    stock_value = sum((chosen[s] * q for s, q in positions.items()), Decimal(0))
    peak = ((Decimal(cash) + stock_value) / (1 - drawdown)).quantize(Decimal("0.01"))
    client.set(streams.HWM.format(account=account),
               HighWaterMark(peak, MONDAY_10AM - timedelta(days=30)).to_json())
    return stock_value


def risk_service(client: redis.Redis, store: MarketStore, calendar: TradingCalendar,
                 clock: FixedClock, account: str) -> RiskService:
    """`risk@<account>` as `services.registry.build_service` makes it, on this Redis."""
    own = DESK.for_account(account)
    ctx = ServiceContext(settings=own, client=client, clock=clock, data_dir=Path("."),
                         _store=store, _calendar=calendar)
    svc = service_class(f"risk@{account}")(ctx)
    assert isinstance(svc, RiskService)
    svc.name = f"risk@{account}"
    svc.setup()
    return svc


def proposals(client: redis.Redis) -> list[Envelope]:
    return [decode(fields) for _, fields in client.xrange(streams.PROPOSALS)]


def proposed_orders(client: redis.Redis) -> list[Order]:
    bodies = [env.body for env in proposals(client)]
    assert all(isinstance(b, OrderProposed) for b in bodies)
    return [b.order for b in bodies if isinstance(b, OrderProposed)]


def alert_titles(client: redis.Redis) -> list[str]:
    return [getattr(decode(f).body, "title", "") for _, f in client.xrange(streams.ALERTS)]


def keys_of(client: redis.Redis, account: str) -> dict[str, str | None]:
    return {name: client.get(key.format(account=account))  # type: ignore[misc]
            for name, key in (("hwm", streams.HWM), ("state", streams.RISK_STATE))}


def test_one_accounts_drawdown_hedges_only_that_account(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    alpha_stocks = seed_account(redis_client, store, "alpha", slice(0, 30), 1_000_000,
                                "20000000", Decimal("0.12"))
    beta_stocks = seed_account(redis_client, store, "beta", slice(10, 22), 800_000,
                               "4000000", Decimal("0.12"))
    alpha_before = keys_of(redis_client, "alpha")
    clock = FixedClock(MONDAY_10AM)
    alpha = risk_service(redis_client, store, calendar, clock, "alpha")
    beta = risk_service(redis_client, store, calendar, clock, "beta")
    assert beta.cfg.ladder[0].drawdown == 0.10 and alpha.cfg.ladder[0].drawdown == 0.20

    beta.check()
    hedges = proposed_orders(redis_client)
    assert hedges, "beta is 12% below its peak, past its 10% rung: a hedge is due"
    assert keys_of(redis_client, "alpha") == alpha_before, "beta's daemon wrote alpha's keys"
    assert {o.account for o in hedges} == {"beta"}
    assert all(o.kind is OrderKind.HEDGE and o.urgent and o.side is Side.SELL for o in hedges)
    assert "reached the 10% rung" in hedges[0].reason
    # Sized on beta's book: half its beta-weighted stock value, at the futures price.
    assert beta.daily is not None
    [price] = {o.reference_price for o in hedges}
    lots = hedge_lots(beta_stocks, beta.daily.beta, BETA_RUNG["hedge_ratio"], price,
                      beta.multiplier)
    assert sum(o.quantity for o in hedges) == lots
    assert lots != hedge_lots(alpha_stocks, beta.daily.beta, BETA_RUNG["hedge_ratio"], price,
                              beta.multiplier)
    assert f"exposure CNY {beta_stocks:,.0f}" in hedges[0].reason
    # The alerts stream is the desk's: an operator must see whose ladder moved.
    titles = alert_titles(redis_client)
    assert any(t.startswith("beta: ") and "hedge ladder up" in t for t in titles), titles

    # Alpha at 12% is short of its own 20% rung: nothing proposed, its state its own.
    clock.advance(timedelta(seconds=5))
    alpha.check()
    assert len(proposed_orders(redis_client)) == len(hedges)
    alpha_state = json.loads(str(redis_client.get(streams.RISK_STATE.format(account="alpha"))))
    beta_state = json.loads(str(redis_client.get(streams.RISK_STATE.format(account="beta"))))
    assert alpha_state["account"] == "alpha" and alpha_state["hedge_ratio"] == 0.0
    assert alpha_state["in_flight"] == {}
    assert beta_state["account"] == "beta" and beta_state["hedge_ratio"] == 0.5
    assert set(beta_state["in_flight"]) == {o.order_id for o in hedges}
    assert alpha.monitor.ladder.level == -1 and beta.monitor.ladder.level == 0
    assert keys_of(redis_client, "alpha")["hwm"] == alpha_before["hwm"]
    assert not any(t.startswith("alpha: ") and "ladder" in t for t in alert_titles(redis_client))

    # The desk's intake files them as beta's orders, for beta's execution service.
    queue = desk_queue(redis_client, clock, DESK)
    for env in proposals(redis_client):
        handle_proposal(queue, env)
    for order in hedges:
        record = queue.get(order.order_id)
        assert record is not None and record.state is OrderState.PENDING_APPROVAL
        assert record.order.account == "beta" and queue.account_of(record.order) == "beta"
        assert record.order.quantity == order.quantity


def test_beta_hedges_in_flight_do_not_hold_back_alphas(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    """Each daemon waits only for its own account's proposals: beta's pending hedges do
    not stop alpha's, when alpha falls past its rung a moment later."""
    seed_account(redis_client, store, "alpha", slice(0, 30), 1_000_000, "20000000",
                 Decimal("0.22"))
    seed_account(redis_client, store, "beta", slice(10, 22), 800_000, "4000000",
                 Decimal("0.12"))
    clock = FixedClock(MONDAY_10AM)
    beta = risk_service(redis_client, store, calendar, clock, "beta")
    alpha = risk_service(redis_client, store, calendar, clock, "alpha")
    beta.check()
    queue = desk_queue(redis_client, clock, DESK)
    for env in proposals(redis_client):
        handle_proposal(queue, env)  # beta's hedges wait for approval
    beta_orders = {o.order_id for o in proposed_orders(redis_client)}
    assert beta_orders and set(beta.in_flight) == beta_orders
    clock.advance(timedelta(seconds=5))
    alpha.check()
    beta.check()  # its own are in flight: nothing new
    alpha_orders = [o for o in proposed_orders(redis_client) if o.order_id not in beta_orders]
    assert alpha_orders, "alpha past its 20% rung proposed nothing while beta's were pending"
    assert {o.account for o in alpha_orders} == {"alpha"}
    assert "reached the 20% rung" in alpha_orders[0].reason
    assert set(alpha.in_flight) == {o.order_id for o in alpha_orders}
    assert set(beta.in_flight) == beta_orders
    for env in proposals(redis_client):
        handle_proposal(queue, env)  # idempotent for beta's; alpha's filed as alpha's
    assert {queue.account_of(r.order) for o in alpha_orders
            if (r := queue.get(o.order_id)) is not None} == {"alpha"}
