"""The put hedge on paper, end to end (real Redis, a real vnpy MainEngine, the simulated
CFFEX broker): the risk daemon, configured `options`, proposes MO puts at a 22% drawdown;
a trader approves them; the execution desk works them through the simulated gateway;
the ledger holds the long puts and the premium left the cash; the daemon's next NAV
includes the puts' mark and the state document shows it."""

import json
import tempfile
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from exchange import Side  # noqa: E402
from execution.approval.lifecycle import Action  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from marketdata.calendar import TradingCalendar, load_calendar  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from marketdata.store import MarketStore  # noqa: E402
from marketdata.synthetic import write_demo_store  # noqa: E402
from orders.order import Offset, OrderState  # noqa: E402
from risk.config import HedgeConfig, HedgeInstrument, RiskConfig  # noqa: E402
from risk.drawdown import HighWaterMark  # noqa: E402
from risk.option_pricing import black76_price  # noqa: E402
from risk.state_doc import read_risk_state  # noqa: E402
from tests.integration.test_risk_service import messages, service  # noqa: E402
from tests.unit.execution.deskkit import DAY, sim_day  # noqa: E402

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
INDEX = 6000.0
PUT = "MO2612-P-5700.CFFEX"  # 95% of the index, expires 2026-12-18 (25 days)
IM = {"IM2612.CFFEX": (25, 0.56), "IM2701.CFFEX": (53, 0.45), "IM2703.CFFEX": (116, 0.30),
      "IM2706.CFFEX": (207, 0.20)}


def tick(price: float) -> Decimal:
    return Decimal(f"{round(price / 0.2) * 0.2:.1f}")


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, calendar: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 90, 3,
                            end=STORE_END, calendar=calendar)


STORE_END = date(2026, 11, 20)


def closes(store: MarketStore, count: int = 30) -> dict[str, Decimal]:
    row = store.load_panel(STORE_END, 1, ["close"])["close"].iloc[-1].dropna()
    return {str(s): Decimal(str(v)).quantize(Decimal("0.01")) for s, v in row.head(count).items()}


def seed(client: redis.Redis, store: MarketStore) -> Decimal:
    """30 stocks of about CNY 1 m, CNY 20 m cash, a peak 22% higher; CSI 1000, IM at a wide
    discount and one June put on the last-prices hash. Returns the put's price."""
    prices = {s: p for s, p in closes(store).items()}
    positions = {s: int(1_000_000 / p / 100) * 100 for s, p in prices.items()}
    at = datetime.combine(DAY, dtime(9, 0), tzinfo=EXCHANGE_TZ)
    ledger = {"account": "paper", "cash": "20000000", "at": at.isoformat(), "futures": {},
              "positions": {s: {"quantity": str(q), "sellable": str(q), "avg_cost": str(prices[s])}
                            for s, q in positions.items()}}
    client.set(streams.LEDGER.format(account="paper"), json.dumps(ledger))
    nav = Decimal(20_000_000) + sum((prices[s] * q for s, q in positions.items()), Decimal(0))
    client.set(streams.HWM.format(account="paper"),
               HighWaterMark((nav / Decimal("0.78")).quantize(Decimal("0.01")),
                             at - timedelta(days=30)).to_json())
    quotes = {s: str(p) for s, p in prices.items()} | {"000852.SSE": f"{INDEX:.2f}"}
    for symbol, (days, discount) in IM.items():
        quotes[symbol] = str(tick(INDEX * (1 - discount * days / 365)))
    put = tick(black76_price(float(quotes["IM2612.CFFEX"]), 5700.0, 25 / 365, 0.02, 0.35, "P"))
    quotes[PUT] = str(put)
    client.hset(streams.LAST_PRICES, mapping=quotes)  # type: ignore[arg-type]
    return put


def test_a_put_hedge_is_proposed_approved_filled_and_marked_in_nav(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar,
        tmp_path: Path) -> None:
    put_price = seed(redis_client, store)
    risk_clock = FixedClock(datetime.combine(DAY, dtime(9, 31), tzinfo=EXCHANGE_TZ))
    risk = service(redis_client, store, calendar, risk_clock,
                   RiskConfig(hedge=HedgeConfig(instrument=HedgeInstrument.OPTIONS),
                              publish_interval_s=1e-9))
    before = risk.check()
    assert before is not None and before.ladder_moved
    orders = [m.body.order for m in messages(redis_client, streams.PROPOSALS)]
    assert orders and all(o.symbol == PUT and o.side is Side.BUY and o.offset is Offset.OPEN
                          for o in orders)
    assert "configured: options" in orders[0].cost_note and "futures: short" in orders[0].cost_note
    lots = sum(o.quantity for o in orders)
    nav_before = [m.body.nav for m in messages(redis_client, streams.NAV)][-1]

    prev_settle = put_price - Decimal("0.8")
    tape = scenario(DAY, {PUT: DayBar(float(prev_settle), float(put_price),
                                      float(put_price + 6), float(put_price - 6),
                                      float(put_price), 20_000, index_prev_close=INDEX)})
    with sim_day(redis_client, tmp_path, source=tape) as day:
        day.run(dtime(9, 31))
        for order in orders:
            day.queue.ingest(order, actor="risk")
            record = day.queue.apply(order.order_id, Action.APPROVE, actor="trader")
            day.desk.parents.work(record)
        day.run(dtime(14, 56), every_s=60)
        records = [day.queue.get(o.order_id) for o in orders]
    assert all(r is not None and r.state is OrderState.FILLED for r in records)
    ledger = json.loads(str(redis_client.get(streams.LEDGER.format(account="paper"))))
    assert int(ledger["options"][PUT]["long"]) == lots
    paid = sum((r.filled_value + r.fees for r in records if r is not None), Decimal(0))
    assert Decimal(ledger["cash"]) == Decimal(20_000_000) - paid

    risk_clock.advance(timedelta(hours=5, minutes=26))  # 14:57, after the last fill
    after = risk.check()
    assert after is not None and after.accepted
    mark = Decimal(str(redis_client.hget(streams.LAST_PRICES, PUT)))
    doc = read_risk_state(redis_client.get(streams.RISK_STATE.format(account="paper")), "k")
    assert doc is not None and doc.options_value == mark * lots * 100
    nav_after = [m.body.nav for m in messages(redis_client, streams.NAV)][-1]
    # NAV moved by the puts' mark less what they cost (premium and fees): stocks unchanged
    assert nav_after - nav_before == mark * lots * 100 - paid
    assert len(messages(redis_client, streams.PROPOSALS)) == len(orders)  # not bought again
