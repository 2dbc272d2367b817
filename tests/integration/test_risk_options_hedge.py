"""The risk daemon (real Redis, the synthetic store of test_risk_service) proposing a put
hedge: configured `options`, or `cheapest` when the IM discount is wide and the puts
cost less per 30 days; every order carries both alternatives' costs, and the state
document the figures (risk.state_doc.HedgeCosts)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from redis import Redis

from bus import streams
from exchange import Side
from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.clock import FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from orders.order import Offset, OrderKind, OrderRecord, OrderState
from risk.config import HedgeConfig, HedgeInstrument, RiskConfig
from risk.drawdown import HighWaterMark
from risk.option_pricing import black76_price
from risk.state_doc import read_risk_state
from tests.integration.test_risk_service import (
    MONDAY_10AM,
    REPO,
    STORE_END,
    messages,
    seed_book,
    service,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, calendar: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 90, 3, end=STORE_END,
                            calendar=calendar)

INDEX = 5000.0
# Days to expiry from 2024-03-18: IM2404 32 (2024-04-19), IM2406 95, IM2409 186.
FUTURES = {"IM2404.CFFEX": (32, 0.56), "IM2406.CFFEX": (95, 0.45), "IM2409.CFFEX": (186, 0.30)}


def tick(price: float) -> str:
    return f"{round(price / 0.2) * 0.2:.1f}"


def wide_discount_market(client: Redis, vol: float) -> dict[str, str]:
    """CSI 1000 at 5000, IM at 56% / 45% / 30% a year below it, June puts at `vol`."""
    prices = {"000852.SSE": f"{INDEX:.2f}"}
    for symbol, (days, discount) in FUTURES.items():
        prices[symbol] = tick(INDEX * (1 - discount * days / 365))
    forward = float(prices["IM2406.CFFEX"])
    for strike in range(4000, 5100, 100):
        price = black76_price(forward, float(strike), 95 / 365, 0.02, vol, "P")
        prices[f"MO2406-P-{strike}.CFFEX"] = tick(max(price, 0.2))
    client.hset(streams.LAST_PRICES, mapping=prices)  # type: ignore[arg-type]
    return prices


def breach(client: Redis, market_store: MarketStore) -> None:
    nav = seed_book(client, market_store)
    peak = (nav / Decimal("0.78")).quantize(Decimal("0.01"))  # 22% down: the 30% rung
    client.set(streams.HWM.format(account="paper"),
               HighWaterMark(peak, MONDAY_10AM - timedelta(days=30)).to_json())


def cfg(instrument: str) -> RiskConfig:
    return RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument(instrument)))


def proposed(client: Redis) -> list:  # type: ignore[type-arg]
    return [m.body.order for m in messages(client, streams.PROPOSALS)]


def assert_put_orders(orders: list, prices: dict[str, str]) -> None:  # type: ignore[type-arg]
    assert orders, "a 22% drawdown must propose a hedge"
    assert all(o.kind is OrderKind.HEDGE and o.urgent for o in orders)
    assert all(o.symbol.startswith("MO2406-P-") and o.side is Side.BUY
               and o.offset is Offset.OPEN and o.quantity <= 20 for o in orders)
    assert all(o.reference_price == Decimal(prices[o.symbol]) for o in orders)
    assert all(o.reference_price % Decimal("0.2") == 0 for o in orders)
    assert "reached the 20% rung" in orders[0].reason
    note = orders[0].cost_note
    # both alternatives, in CNY, on every order
    assert "futures: short" in note and "basis cost to expiry CNY" in note
    assert "puts: buy" in note and "premium CNY" in note
    assert all(o.cost_note == note for o in orders)


def test_configured_options_proposes_puts_with_both_costs(
        redis_client: redis.Redis, store: MarketStore,
        calendar: TradingCalendar) -> None:
    breach(redis_client, store)
    prices = wide_discount_market(redis_client, vol=0.35)
    svc = service(redis_client, store, calendar, _clock(), cfg("options"))
    svc.check()
    orders = proposed(redis_client)
    assert_put_orders(orders, prices)
    assert "configured: options" in orders[0].cost_note
    doc = read_risk_state(redis_client.get(streams.RISK_STATE.format(account="paper")), "k")
    assert doc is not None and doc.hedge_costs is not None
    costs = doc.hedge_costs
    assert costs.instrument == "options" and costs.put_share == 1.0
    assert costs.put_symbol == orders[0].symbol
    assert costs.put_lots == sum(o.quantity for o in orders)
    assert costs.put_premium == sum((o.reference_price * o.quantity * 100 for o in orders),
                                    Decimal(0))
    assert costs.futures_symbol and costs.futures_cost_to_expiry and costs.futures_cost_30d
    assert f"{costs.futures_cost_to_expiry:,}" in orders[0].cost_note


def test_cheapest_buys_puts_at_a_wide_discount_when_they_cost_less(
        redis_client: redis.Redis, store: MarketStore,
        calendar: TradingCalendar) -> None:
    breach(redis_client, store)
    prices = wide_discount_market(redis_client, vol=0.18)
    svc = service(redis_client, store, calendar, _clock(), cfg("cheapest"))
    svc.check()
    orders = proposed(redis_client)
    assert_put_orders(orders, prices)
    assert "cheapest: puts" in orders[0].cost_note
    doc = read_risk_state(redis_client.get(streams.RISK_STATE.format(account="paper")), "k")
    assert doc is not None and doc.hedge_costs is not None
    costs = doc.hedge_costs
    assert costs.put_cost_30d is not None and costs.futures_cost_30d is not None
    assert costs.put_cost_30d < costs.futures_cost_30d


def test_cheapest_shorts_futures_when_puts_cost_more(
        redis_client: redis.Redis, store: MarketStore,
        calendar: TradingCalendar) -> None:
    breach(redis_client, store)
    wide_discount_market(redis_client, vol=0.80)  # panic-priced puts
    svc = service(redis_client, store, calendar, _clock(), cfg("cheapest"))
    svc.check()
    orders = proposed(redis_client)
    assert orders and all(o.symbol.startswith("IM24") and o.side is Side.SELL for o in orders)
    assert "cheapest: futures" in orders[0].cost_note and "puts: buy" in orders[0].cost_note


def _clock() -> FixedClock:
    return FixedClock(MONDAY_10AM)



def fill_puts(client: Redis, orders: list) -> tuple[str, int, Decimal]:  # type: ignore[type-arg]
    """What the execution side records once the trader approved and the puts filled: the
    orders finished, the long puts in the ledger's `options`, the premium out of cash."""
    symbol, lots = orders[0].symbol, sum(o.quantity for o in orders)
    price = orders[0].reference_price
    for order in orders:
        record = OrderRecord(order=order, state=OrderState.FILLED,
                             filled_quantity=order.quantity,
                             filled_value=order.reference_price * order.quantity * 100)
        client.set(streams.ORDER.format(order_id=order.order_id), record.to_json())
    key = streams.LEDGER.format(account="paper")
    ledger = json.loads(str(client.get(key)))
    ledger["cash"] = str(Decimal(ledger["cash"]) - price * lots * 100)
    ledger["options"] = {symbol: {"long": str(lots), "avg_price": str(price)}}
    client.set(key, json.dumps(ledger))
    return symbol, lots, price


def test_after_the_fill_nav_marks_the_puts_and_they_are_not_bought_again(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    breach(redis_client, store)
    wide_discount_market(redis_client, vol=0.35)
    clock = _clock()
    svc = service(redis_client, store, calendar, clock,
                  RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument.OPTIONS),
                             publish_interval_s=1e-9))
    first = svc.check()
    assert first is not None
    orders = proposed(redis_client)
    symbol, lots, price = fill_puts(redis_client, orders)
    # the next day: the puts are held (the daily check keeps them), NAV includes their mark
    clock.advance(timedelta(days=1))
    after = svc.check()
    assert after is not None and after.accepted
    assert proposed(redis_client) == orders  # nothing new proposed
    doc = read_risk_state(redis_client.get(streams.RISK_STATE.format(account="paper")), "k")
    assert doc is not None and doc.options_value == price * lots * 100
    navs = [m.body.nav for m in messages(redis_client, streams.NAV)]
    assert navs[-1] == navs[0]  # premium out of cash, the same value in the puts
    # the puts gain 30 points: NAV gains lots x 30 x 100
    redis_client.hset(streams.LAST_PRICES, symbol, str(price + 30))
    clock.advance(timedelta(seconds=5))
    svc.check()
    navs = [m.body.nav for m in messages(redis_client, streams.NAV)]
    assert navs[-1] - navs[0] == lots * 30 * 100


def test_a_put_past_its_expiry_in_the_ledger_is_not_counted_and_is_said(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    breach(redis_client, store)
    wide_discount_market(redis_client, vol=0.35)
    expired = "MO2403-P-4800.CFFEX"  # last traded 2024-03-15, the Friday before
    key = streams.LEDGER.format(account="paper")
    ledger = json.loads(str(redis_client.get(key)))
    ledger["options"] = {expired: {"long": "40", "avg_price": "90.0"}}
    redis_client.set(key, json.dumps(ledger))
    redis_client.hset(streams.LAST_PRICES, expired, "0.2")
    svc = service(redis_client, store, calendar, _clock(), cfg("options"))
    svc.check()
    alerts = [m.body.title for m in messages(redis_client, streams.ALERTS)]
    assert f"{expired} is past its expiry and still in the ledger" in alerts
    assert "hedge not proposed" not in alerts
    orders = proposed(redis_client)
    assert orders and all(o.symbol.startswith("MO2406-P-") for o in orders)
