"""An MO put hedge live on paper (real Redis, a real vnpy MainEngine, the simulated CFFEX
broker): the risk daemon, configured `options`, proposes HEDGE orders for MO puts; a
trader trims one (and so may not release it: maker-checker), a colleague approves; the
execution desk works them on the futures gateway; the ledger holds the long puts with the
exact premium x 100 x lots + 15 CNY a lot out of the cash; the NAV of the ledger view
includes their mark; the end-of-day reconciliation with the broker is clean."""

import json
import tempfile
from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from exchange import Side  # noqa: E402
from execution.approval.lifecycle import Action, IllegalTransition  # noqa: E402
from execution.config import ExecutionConfig  # noqa: E402
from execution.eod.desk_view import load_desk_day  # noqa: E402
from execution.eod.reconcile import reconcile  # noqa: E402
from execution.eod.sim_view import sim_broker_day  # noqa: E402
from execution.gateway.sim.book import SimBook  # noqa: E402
from execution.gateway.sim.models import StockPosition  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.worker.children import ChildStore  # noqa: E402
from marketdata.calendar import TradingCalendar, load_calendar  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from marketdata.store import MarketStore  # noqa: E402
from marketdata.synthetic import write_demo_store  # noqa: E402
from orders.order import Offset, OrderKind, OrderState  # noqa: E402
from risk.config import HedgeConfig, HedgeInstrument, RiskConfig  # noqa: E402
from risk.drawdown import HighWaterMark  # noqa: E402
from risk.ledger_view import book_from_ledger  # noqa: E402
from risk.nav import compute_nav  # noqa: E402
from risk.option_pricing import black76_price  # noqa: E402
from risk.state_doc import read_risk_state  # noqa: E402
from tests.integration.test_risk_service import messages, service  # noqa: E402
from tests.unit.execution.deskkit import DAY, sim_day  # noqa: E402

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
STORE_END = DAY - timedelta(days=3)  # the Friday before
CASH = Decimal(20_000_000)
INDEX = 6000.0
PUT = "MO2612-P-5700.CFFEX"  # 95% of the index, last trading day 2026-12-18
IM = {"IM2612.CFFEX": (25, 0.56), "IM2701.CFFEX": (53, 0.45), "IM2703.CFFEX": (116, 0.30),
      "IM2706.CFFEX": (207, 0.20)}


def tick(price: float) -> Decimal:
    return Decimal(f"{round(price / 0.2) * 0.2:.1f}")


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, calendar: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 60, 5, end=STORE_END,
                            calendar=calendar)


def stocks(store: MarketStore) -> dict[str, tuple[int, Decimal]]:
    """25 stocks of about CNY 1.2 m each at their last close: symbol -> (shares, price)."""
    row = store.load_panel(STORE_END, 1, ["close"])["close"].iloc[-1].dropna().head(25)
    prices = {str(s): Decimal(str(v)).quantize(Decimal("0.01")) for s, v in row.items()}
    return {s: (int(1_200_000 / p / 100) * 100, p) for s, p in prices.items()}


def seed(client: redis.Redis, held: dict[str, tuple[int, Decimal]]) -> Decimal:
    """The same book at the desk and at the simulated broker, a peak 22% above its NAV,
    the market's last prices (CSI 1000, IM at a wide discount, the put). The put's price."""
    at = datetime.combine(DAY, dtime(9, 0), tzinfo=EXCHANGE_TZ)
    positions = {s: {"quantity": str(q), "sellable": str(q), "avg_cost": str(p)}
                 for s, (q, p) in held.items()}
    client.set(streams.LEDGER.format(account="paper"), json.dumps(
        {"account": "paper", "cash": str(CASH), "at": at.isoformat(), "futures": {},
         "options": {}, "positions": positions}))
    broker = SimBook(client, "paper", CASH)
    client.set(broker.key("cash"), str(CASH))
    client.hset(broker.key("pos"), mapping={  # type: ignore[arg-type]
        s: StockPosition(quantity=q, sellable=q, avg_cost=p).model_dump_json()
        for s, (q, p) in held.items()})
    nav = CASH + sum((p * q for q, p in held.values()), Decimal(0))
    client.set(streams.HWM.format(account="paper"), HighWaterMark(
        (nav / Decimal("0.78")).quantize(Decimal("0.01")), at - timedelta(days=30)).to_json())
    quotes = {s: str(p) for s, (_, p) in held.items()} | {"000852.SSE": f"{INDEX:.2f}"}
    for symbol, (days, discount) in IM.items():
        quotes[symbol] = str(tick(INDEX * (1 - discount * days / 365)))
    put = tick(black76_price(float(quotes["IM2612.CFFEX"]), 5700.0, 25 / 365, 0.02, 0.35, "P"))
    quotes[PUT] = str(put)
    client.hset(streams.LAST_PRICES, mapping=quotes)  # type: ignore[arg-type]
    return put


def nav_of_ledger(client: redis.Redis) -> Decimal:
    """The NAV the risk daemon's own code gives the ledger at the last prices."""
    key = streams.LEDGER.format(account="paper")
    book = book_from_ledger(client.get(key), key, "paper")
    last = {s: Decimal(p) for s, p in client.hgetall(streams.LAST_PRICES).items()}
    return compute_nav(book, last, multiplier=200, margin_rate=Decimal("0.15")).nav


def test_an_mo_put_hedge_is_approved_worked_filled_booked_and_marked(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar,
        tmp_path: Path) -> None:
    put = seed(redis_client, stocks(store))
    nav_before = nav_of_ledger(redis_client)
    risk_clock = FixedClock(datetime.combine(DAY, dtime(9, 31), tzinfo=EXCHANGE_TZ))
    risk = service(redis_client, store, calendar, risk_clock,
                   RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument.OPTIONS),
                              publish_interval_s=1e-9))
    proposed = risk.check()
    assert proposed is not None and proposed.ladder_moved
    orders = [m.body.order for m in messages(redis_client, streams.PROPOSALS)]
    assert len(orders) >= 2, orders
    assert all((o.symbol, o.side, o.offset, o.kind, o.created_by) ==
               (PUT, Side.BUY, Offset.OPEN, OrderKind.HEDGE, "risk") for o in orders)
    assert [m.body.nav for m in messages(redis_client, streams.NAV)][-1] == nav_before
    # both costs go to the trader with the order
    assert "configured: options" in orders[0].cost_note and "futures: short" in orders[0].cost_note

    tape = scenario(DAY, {PUT: DayBar(float(put - Decimal("0.8")), float(put), float(put + 6),
                                      float(put - 6), float(put), 20_000,
                                      index_prev_close=INDEX)})
    with sim_day(redis_client, tmp_path, source=tape,
                 cfg=ExecutionConfig(initial_cash=CASH)) as day:
        day.run(dtime(9, 31))
        for order in orders:
            day.queue.ingest(order, actor="risk")
        trimmed = orders[-1]
        day.queue.apply(trimmed.order_id, Action.EDIT, actor="li",
                        edit={"quantity": trimmed.quantity - 1})
        with pytest.raises(IllegalTransition, match="maker-checker"):
            day.queue.apply(trimmed.order_id, Action.APPROVE, actor="li")
        for order in orders:
            record = day.queue.apply(order.order_id, Action.APPROVE, actor="wang")
            assert record.state is OrderState.APPROVED
            day.desk.parents.work(record)
        day.run(dtime(14, 56), every_s=60)
        records = [day.queue.get(o.order_id) for o in orders]
        trades = day.broker_trades()
        children = [c for o in orders for c in ChildStore(redis_client).children(o.order_id)]
        hedge_route = day.desk.routes.hedge
    assert children and {c.gateway for c in children} == {hedge_route}  # the futures gateway
    assert all(r is not None and r.state is OrderState.FILLED for r in records)
    lots = sum(o.quantity for o in orders) - 1
    assert sum(r.filled_quantity for r in records if r is not None) == lots

    # Exact cash: the broker's trade prices x 100 x lots, and 15 CNY a lot.
    assert {t.symbol for t in trades} == {PUT} and sum(t.volume for t in trades) == lots
    premium = sum((t.price * 100 * t.volume for t in trades), Decimal(0))
    fees = Decimal(15) * lots
    assert sum((t.fees for t in trades), Decimal(0)) == fees
    ledger = json.loads(str(redis_client.get(streams.LEDGER.format(account="paper"))))
    assert Decimal(ledger["cash"]) == CASH - premium - fees
    assert ledger["options"][PUT]["long"] == str(lots)
    average = sum((t.price * t.volume for t in trades), Decimal(0)) / lots
    # rounded to 0.0001 at each fill (as a stock's average cost): half of it per fill at most
    error = abs(Decimal(ledger["options"][PUT]["avg_price"]) - average)
    assert error <= Decimal("0.00005") * len(trades)
    assert sum((r.filled_value + r.fees for r in records if r is not None), Decimal(0)) == (
        premium + fees)

    # The NAV includes the puts' mark: it moved by their value less what they cost.
    mark = Decimal(str(redis_client.hget(streams.LAST_PRICES, PUT)))
    nav_after = nav_of_ledger(redis_client)
    assert nav_after - nav_before == mark * 100 * lots - premium - fees
    risk_clock.advance(timedelta(hours=5, minutes=26))  # 14:57, after the last fill
    marked = risk.check()
    assert marked is not None and marked.accepted
    assert [m.body.nav for m in messages(redis_client, streams.NAV)][-1] == nav_after
    doc = read_risk_state(redis_client.get(streams.RISK_STATE.format(account="paper")), "k")
    assert doc is not None and doc.options_value == mark * lots * 100
    assert len(messages(redis_client, streams.PROPOSALS)) == len(orders)  # not bought again

    # The end of day sees the same option leg at the desk and at the broker.
    desk = load_desk_day(redis_client, day.queue, "paper", DAY, CASH, risk_clock.now())
    broker = sim_broker_day(redis_client, "paper", DAY, CASH)
    result = reconcile(desk, broker)
    assert result.clean, [b.line() for b in result.breaks]
    assert broker.options == {PUT: lots} and result.checked["options"] == 1
    print(f"\n{len(orders)} orders, {lots} x {PUT} filled in {len(trades)} trades, average "
          f"{average:.4f}: premium CNY {premium:,}, fees CNY {fees:,}; mark {mark}; NAV "
          f"{nav_before:,} -> {nav_after:,} ({nav_after - nav_before:+,})")
