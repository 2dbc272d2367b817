"""The risk daemon across the year end with the shipped holiday file (it ends 2026-12-31).

A synthetic market runs on its own "true" calendar through 2027-02-26 (illustrative 2027
closures, unknown to the desk); the store's futures bars carry each contract's listed
expiry, as an exchange feed does. The daemon, given the shipped calendar, is driven one
check a day from 2026-12-01 to 2027-02-26 against a real Redis, and hedge proposals are
filled as the execution service would. It must open in December, roll IM2612 before its
expiry, keep hedging past the calendar's end, never raise and publish NAV every day.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import redis

from bus import streams
from bus.messages import decode
from exchange import Side
from marketdata.calendar import TradingCalendar, library_sessions, load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from marketdata.writer import stage_table
from orders.order import Offset, Order, OrderRecord, OrderState
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from services.risk_service import RiskService
from services.runtime import ServiceContext
from services.settings import DeskSettings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
FIRST, LAST = date(2026, 12, 1), date(2027, 2, 26)
# The market's own 2027 (illustrative, not the official list): New Year, Spring Festival.
CLOSED_2027 = {date(2027, 1, 1), date(2027, 2, 5), *(date(2027, 2, d) for d in range(8, 13))}
LEDGER = streams.LEDGER.format(account="paper")
CENT = Decimal("0.01")


def market_calendar() -> TradingCalendar:
    sessions, first, _ = library_sessions()
    day, extra = date(2027, 1, 1), []
    while day <= LAST:
        if day.weekday() < 5 and day not in CLOSED_2027:
            extra.append(day)
        day += timedelta(days=1)
    return TradingCalendar(tuple(sessions) + tuple(extra), first, LAST)


@pytest.fixture(scope="module")
def market() -> TradingCalendar:
    return market_calendar()


@pytest.fixture(scope="module")
def shipped() -> TradingCalendar:
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    assert calendar.covered_through == date(2026, 12, 31)  # what the desk knows
    return calendar


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, market: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 130, 3, end=LAST,
                            calendar=market)


class Desk:
    """The ledger and order records, kept as the execution service would."""

    def __init__(self, client: redis.Redis, store: MarketStore) -> None:
        self.client, self.store = client, store
        self.seen = 0
        self.filled: list[Order] = []
        self.held: dict[str, tuple[int, Decimal]] = {}

    def open_book(self, day: date, cash: Decimal) -> Decimal:
        prices = self.stock_closes(day)
        positions = {s: int(1_000_000 / p / 100) * 100 for s, p in prices.items()}
        ledger = {"account": "paper", "cash": str(cash), "futures": {},
                  "positions": {s: {"quantity": str(q), "sellable": str(q),
                                    "avg_cost": str(prices[s])} for s, q in positions.items()}}
        self.client.set(LEDGER, json.dumps(ledger))
        return cash + sum((prices[s] * q for s, q in positions.items()), Decimal(0))

    def stock_closes(self, day: date) -> dict[str, Decimal]:
        row = self.store.load_panel(day, 1, ["close"])["close"].iloc[-1].dropna().head(30)
        return {str(s): Decimal(str(v)).quantize(CENT) for s, v in row.items()}

    def quote_the_day(self, day: date) -> None:
        bars = self.store.load_futures(day, day)
        prices = {**{s: str(p) for s, p in self.stock_closes(day).items()},
                  **{str(r.symbol): str(r.close) for r in bars.itertuples()}}
        self.client.hset(streams.LAST_PRICES, mapping=prices)

    def fill_new_proposals(self) -> list[Order]:
        messages = [decode(f) for _, f in self.client.xrange(streams.PROPOSALS)]
        new = [m.body.order for m in messages[self.seen:]]
        self.seen = len(messages)
        for order in new:
            self._fill(order)
        self.filled += new
        return new

    def _fill(self, order: Order) -> None:
        ledger = json.loads(str(self.client.get(LEDGER)))
        lots, avg = self.held.get(order.symbol, (0, Decimal(0)))
        price = order.reference_price
        if order.side is Side.SELL:
            avg = (avg * lots + price * order.quantity) / (lots + order.quantity)
            lots += order.quantity
        else:
            ledger["cash"] = str(Decimal(ledger["cash"]) + (avg - price) * order.quantity * 200)
            lots -= order.quantity
        self.held = {**self.held, order.symbol: (lots, avg)}
        ledger["futures"] = {s: {"short": str(n), "avg_price": str(a.quantize(Decimal("0.0001")))}
                             for s, (n, a) in self.held.items() if n}
        self.client.set(LEDGER, json.dumps(ledger))
        record = OrderRecord(order=order, state=OrderState.FILLED,
                             filled_quantity=order.quantity,
                             filled_value=price * order.quantity * 200)
        self.client.set(streams.ORDER.format(order_id=order.order_id), record.to_json())

    def short_lots(self) -> dict[str, int]:
        return {s: n for s, (n, _) in self.held.items() if n}

    def buy_more(self, day: date, share: Decimal) -> None:
        """Each holding grows by `share`, paid from cash: the exposure to hedge grows."""
        ledger = json.loads(str(self.client.get(LEDGER)))
        prices = self.stock_closes(day)
        cash = Decimal(ledger["cash"])
        for symbol, entry in ledger["positions"].items():
            extra = int(int(entry["quantity"]) * share / 100) * 100
            entry["quantity"] = entry["sellable"] = str(int(entry["quantity"]) + extra)
            cash -= prices[symbol] * extra
        ledger["cash"] = str(cash)
        self.client.set(LEDGER, json.dumps(ledger))


def test_the_daemon_hedges_and_rolls_across_the_year_end(
        redis_client: redis.Redis, store: MarketStore, market: TradingCalendar,
        shipped: TradingCalendar) -> None:
    days = market.trading_days(FIRST, LAST)
    desk = Desk(redis_client, store)
    nav = desk.open_book(market.previous_trading_day(FIRST), Decimal("20000000"))
    peak = (nav / Decimal("0.78")).quantize(CENT)  # 22% down: the 20% rung is in force
    start = datetime.combine(FIRST, time(9, 31), EXCHANGE_TZ)
    redis_client.set(streams.HWM.format(account="paper"),
                     HighWaterMark(peak, start - timedelta(days=40)).to_json())
    clock = FixedClock(start)
    cfg = RiskConfig(publish_interval_s=1e-9)  # every check publishes (real monotonic time)
    ctx = ServiceContext(settings=DeskSettings(mode="paper", risk=cfg), client=redis_client,
                         clock=clock, data_dir=Path("."), _store=store, _calendar=shipped)
    svc = RiskService(ctx)
    svc.setup()
    expiries = {str(s): e.date() for s, e in
                store.load_futures(FIRST, LAST).groupby("symbol")["expiry"].first().items()}
    held_by_day: dict[date, dict[str, int]] = {}
    for day in days:
        clock.set(datetime.combine(day, time(10, 0), EXCHANGE_TZ))
        desk.quote_the_day(day)
        if day == date(2027, 1, 4):  # past the calendar the book grows by 30%
            desk.buy_more(day, Decimal("0.3"))
        obs = svc.check()
        assert obs is not None, f"{day}: nothing valued"
        for order in desk.fill_new_proposals():
            assert order.trade_date == day, f"{order.order_id} dated {order.trade_date}"
        held_by_day[day] = desk.short_lots()

    alerts = [m.body for m in (decode(f) for _, f in redis_client.xrange(streams.ALERTS))]
    titles = [a.title for a in alerts]
    assert "risk check failed" not in titles and "hedge not proposed" not in titles, titles
    snapshots = [m.body for m in (decode(f) for _, f in redis_client.xrange(streams.NAV))]
    assert {s.at.astimezone(EXCHANGE_TZ).date() for s in snapshots} == set(days)
    # opened in December, IM2612 first
    first = desk.filled[0]
    assert (first.side, first.offset) == (Side.SELL, Offset.OPEN)
    assert first.trade_date.year == 2026 and first.trade_date.month == 12
    # IM2612 bought back before its expiry (2026-12-18), the lots re-opened the same day
    closes = [o for o in desk.filled if o.symbol == "IM2612.CFFEX" and o.side is Side.BUY]
    assert closes and all(o.trade_date < date(2026, 12, 18) for o in closes)
    roll_day = closes[-1].trade_date
    assert any(o.trade_date == roll_day and o.side is Side.SELL and o.symbol != "IM2612.CFFEX"
               for o in desk.filled)
    # hedged every day from the first hedge, never in a contract at or past its expiry
    for day, held in held_by_day.items():
        assert held, f"{day}: the book went unhedged"
        for symbol in held:
            assert day < expiries[symbol], f"{day}: {symbol} held to its expiry"
    # the desk kept acting past the calendar's end: the grown book is re-sized in 2027
    [resize] = {o.batch_id: o for o in desk.filled if o.trade_date == date(2027, 1, 4)}.values()
    assert resize.side is Side.SELL and "resize" in resize.reason
    assert "IM2612.CFFEX" not in held_by_day[date(2026, 12, 31)]
    last_day_lots = sum(held_by_day[days[-1]].values())
    assert last_day_lots >= sum(held_by_day[date(2026, 12, 31)].values())
    assert titles.count("trading calendar ends 2026-12-31") == len(
        [d for d in days if d.year == 2027])  # once a day past the calendar, saying so


@pytest.fixture(scope="module")
def unlisted(tmp_path_factory: pytest.TempPathFactory, market: TradingCalendar) -> MarketStore:
    """The same market, but the store does not know the 2027 contracts' expiries."""
    store = write_demo_store(tmp_path_factory.mktemp("unlisted"), 60, 130, 3, end=LAST,
                             calendar=market)
    bars = store.load_futures(FIRST, LAST)
    bars.loc[bars["symbol"].str.startswith("IM27"), "expiry"] = pd.NaT
    with store.transaction() as tx:
        stage_table(tx, "futures", bars)
    return MarketStore(store.root)


def test_with_no_usable_contract_the_daemon_holds_and_alerts_once_a_day(
        redis_client: redis.Redis, unlisted: MarketStore, market: TradingCalendar,
        shipped: TradingCalendar) -> None:
    desk = Desk(redis_client, unlisted)
    nav = desk.open_book(date(2026, 12, 14), Decimal("20000000"))
    ledger = json.loads(str(redis_client.get(LEDGER)))
    ledger["futures"] = {"IM2612.CFFEX": {"short": "8", "avg_price": "6000.0"}}
    redis_client.set(LEDGER, json.dumps(ledger))
    start = datetime.combine(date(2026, 12, 15), time(10, 0), EXCHANGE_TZ)
    redis_client.set(streams.HWM.format(account="paper"),
                     HighWaterMark((nav / Decimal("0.78")).quantize(CENT),
                                   start - timedelta(days=40)).to_json())
    clock = FixedClock(start)
    ctx = ServiceContext(settings=DeskSettings(mode="paper",
                                               risk=RiskConfig(publish_interval_s=1e-9)),
                         client=redis_client, clock=clock, data_dir=Path("."), _store=unlisted,
                         _calendar=shipped)
    svc = RiskService(ctx)
    svc.setup()
    checked = [date(2026, 12, 15), date(2026, 12, 16), date(2027, 1, 4), date(2027, 1, 5)]
    for day in checked:
        if day.year == 2027:  # IM2612 has been settled: the book is bare, a hedge is wanted
            ledger = json.loads(str(redis_client.get(LEDGER)))
            redis_client.set(LEDGER, json.dumps({**ledger, "futures": {}}))
        desk.quote_the_day(day)
        for minute in (0, 1):  # two checks a day: still one alert
            clock.set(datetime.combine(day, time(10, minute), EXCHANGE_TZ))
            assert svc.check() is not None
    assert redis_client.xlen(streams.PROPOSALS) == 0  # nothing proposed: the position is held
    alerts = [m.body for m in (decode(f) for _, f in redis_client.xrange(streams.ALERTS))]
    refused = [a for a in alerts if a.title == "hedge not proposed"]
    assert [a.severity for a in refused] == ["critical"] * len(checked)
    assert all("no usable IM contract" in a.detail for a in refused)
    assert any("IM2703.CFFEX: last trading day unknown" in a.detail for a in alerts)
    snapshots = [m.body for m in (decode(f) for _, f in redis_client.xrange(streams.NAV))]
    assert {s.at.date() for s in snapshots} == set(checked)
