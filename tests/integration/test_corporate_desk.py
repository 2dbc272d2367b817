"""The running desk across ex-dates (real vnpy MainEngine, simulated broker, real Redis).

Three trading days: buy on the record date; on the ex-date the desk's start books the
broker's corporate actions into the ledger (bonus and transfer shares, sellable at once;
a cash dividend less the holding-period tax; another dividend receivable until its pay
date), sells every share including the new ones, and is restarted mid-day; on the pay
date the receivable becomes cash. Each day the end of day reconciles with 0 breaks, and
the NAV moves by the market and the tax only, never by the ex-rights drop.
"""

import tempfile
from collections.abc import Iterator
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
from execution.approval.queue import OrderQueue  # noqa: E402
from execution.eod.run import EodResult  # noqa: E402
from execution.gateway.sim.book import SimBook  # noqa: E402
from execution.gateway.sim.corporate import PAR, SHORT  # noqa: E402
from execution.gateway.sim.gateway import SimDeps, SimGateway  # noqa: E402
from execution.gateway.sim.models import StockPosition  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.gateway.sim.source import FrameSource  # noqa: E402
from execution.ledger import Ledger  # noqa: E402
from execution.worker.corporate import CORPORATE_BOOKED  # noqa: E402
from execution.worker.desk import DeskDeps, ExecutionDesk  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from marketdata.corporate import CorporateAction, ex_rights_price  # noqa: E402
from orders.order import Algo, Order  # noqa: E402
from risk.ledger_view import book_from_ledger  # noqa: E402
from risk.nav import Book, compute_nav  # noqa: E402
from services.eod.trigger import run_eod  # noqa: E402
from services.runtime import ServiceContext  # noqa: E402
from services.settings_loader import DEFAULT_CONFIG, load_settings  # noqa: E402

pytestmark = pytest.mark.integration

D = Decimal
RECORD, EX, PAID = date(2026, 6, 12), date(2026, 6, 15), date(2026, 6, 16)
BONUS, CASHED = "600000.SSE", "000001.SZSE"
SETTINGS = load_settings(DEFAULT_CONFIG, env={})
CFG = SETTINGS.execution
# 10 shares: CNY 1.50, 2 bonus (送) and 1 transfer (转) shares, all on the ex-date
SHARES = CorporateAction(symbol=BONUS, record_date=RECORD, ex_date=EX, pay_date=EX,
                         list_date=EX, cash=D("0.15"), bonus=D("0.2"), transfer=D("0.1"))
# CNY 4.00 per 10 shares, paid the day after the ex-date: a receivable overnight
DIVIDEND = CorporateAction(symbol=CASHED, record_date=RECORD, ex_date=EX, pay_date=PAID,
                           list_date=EX, cash=D("0.40"), bonus=D(0), transfer=D(0))
CLOSE = {BONUS: D("13.15"), CASHED: D("8.40")}  # the record date's closes
REF = {a.symbol: ex_rights_price(CLOSE[a.symbol], a.cash, a.new_shares)
       for a in (SHARES, DIVIDEND)}  # the ex-date's reference prices: 10.00 and 8.00
HELD = {BONUS: 1000, CASHED: 2000}
STEP = timedelta(seconds=20)


def at(day: date, clock: dtime) -> datetime:
    return datetime.combine(day, clock, tzinfo=EXCHANGE_TZ)


def flat(symbol: str, price: Decimal) -> DayBar:
    p = float(price)
    return DayBar(p, p, p + 0.05, p - 0.05, p, 5e6)


def tape(day: date) -> FrameSource:
    if day == RECORD:
        return scenario(day, {BONUS: DayBar(13.00, 13.00, 13.20, 12.90, 13.15, 5e6),
                              CASHED: DayBar(8.30, 8.30, 8.45, 8.25, 8.40, 5e6)})
    if day == EX:  # the market does not move from the ex-rights references
        source = scenario(day, {s: flat(s, REF[s]) for s in (BONUS, CASHED)})
        source.actions = [SHARES, DIVIDEND]
        return source
    return scenario(day, {CASHED: flat(CASHED, REF[CASHED])})


def order(order_id: str, day: date, symbol: str, side: Side, quantity: int,
          reference: Decimal) -> Order:
    return Order(order_id=order_id, trade_date=day, symbol=symbol, side=side,
                 quantity=quantity, reference_price=reference, algo=Algo.TWAP,
                 start_time=dtime(9, 30), end_time=dtime(10, 30))


class DeskDay:
    """The desk on one trading day: its clock, queue, simulated broker; restartable."""

    def __init__(self, client: redis.Redis, root: Path, day: date) -> None:
        self.client, self.root, self.day = client, root, day
        self.clock = FixedClock(at(day, dtime(9, 29)))
        self.queue = OrderQueue(client, self.clock)
        self.source = tape(day)
        self.restarts = 0
        self.desk = self._desk()

    def _desk(self) -> ExecutionDesk:
        sim = SimDeps(self.client, self.clock, self.source, CFG.sim, CFG.initial_cash,
                      auto_match=False)
        data = self.root / f"vnpy-{self.day.isoformat()}-{self.restarts}"
        desk = ExecutionDesk(DeskDeps(self.client, self.clock, self.queue, CFG, data, sim))
        desk.start()
        return desk

    def restart(self) -> None:
        self.desk.stop()
        self.restarts += 1
        self.desk = self._desk()

    @property
    def gateway(self) -> SimGateway:
        gateway: SimGateway = self.desk.bridge.gateway("SIM")
        return gateway

    @property
    def broker(self) -> SimBook:
        assert self.gateway.exchange is not None
        return self.gateway.exchange.book

    def ledger(self) -> Ledger:
        return self.desk.fills.ledger()

    def work(self, parent: Order) -> None:
        self.queue.ingest(parent, actor="model")
        self.desk.parents.work(self.queue.apply(parent.order_id, Action.APPROVE,
                                                actor="trader"))

    def run(self, until: dtime) -> None:
        while self.clock.now() < at(self.day, until):
            self.clock.advance(min(at(self.day, until) - self.clock.now(), STEP))
            self.gateway.advance()
            self.desk.step(self.desk.bridge.barrier())

    def close(self, closes: dict[str, Decimal]) -> EodResult:
        """After the close: the last events in, the day's closes as last prices, EOD."""
        self.clock.set(at(self.day, dtime(15, 31)))
        self.gateway.advance()
        for _ in range(2):
            self.desk.step(self.desk.bridge.barrier())
        self.client.hset(streams.LAST_PRICES, mapping={s: str(p) for s, p in closes.items()})
        settings = SETTINGS.model_copy(update={"data_dir": self.root / "desk"})
        ctx = ServiceContext(settings=settings, client=self.client, clock=self.clock,
                             data_dir=self.root / "desk")
        return run_eod(ctx, self.day)

    def stop(self) -> None:
        self.desk.stop()


@pytest.fixture
def days(redis_client: redis.Redis, tmp_path: Path) -> Iterator[list[DeskDay]]:
    opened: list[DeskDay] = []
    yield opened
    for day in opened:
        day.stop()


def open_day(days: list[DeskDay], client: redis.Redis, root: Path, day: date) -> DeskDay:
    for earlier in days:
        earlier.stop()
    days.clear()
    days.append(DeskDay(client, root, day))
    return days[0]


def risk_book(client: redis.Redis) -> Book:
    """The ledger as the risk daemon reads it from Redis."""
    key = streams.LEDGER.format(account=CFG.account)
    return book_from_ledger(client.get(key), key, CFG.account)


def risk_nav(client: redis.Redis, prices: dict[str, Decimal]) -> Decimal:
    return compute_nav(risk_book(client), prices, multiplier=200,
                       margin_rate=SETTINGS.risk.margin_total_rate).nav


def holdings(ledger: Ledger) -> dict[str, tuple[int, int]]:
    return {s: (h.quantity, h.sellable) for s, h in ledger.positions.items()}


def broker_holdings(book: SimBook) -> dict[str, tuple[int, int]]:
    out = {}
    for symbol, position in book.positions().items():
        assert isinstance(position, StockPosition)
        if position.quantity:
            out[symbol] = (position.quantity, position.sellable)
    return out


def assert_clean(result: EodResult) -> None:
    assert result.reconciliation.clean, [b.line() for b in result.reconciliation.breaks]


def test_the_desk_books_ex_dates_once_and_the_nav_carries_on(
        days: list[DeskDay], redis_client: redis.Redis, tmp_path: Path) -> None:
    # ---- record date: buy and hold to the close
    first = open_day(days, redis_client, tmp_path, RECORD)
    first.run(dtime(9, 31))
    for symbol, quantity in HELD.items():
        first.work(order(f"buy-{symbol}", RECORD, symbol, Side.BUY, quantity, CLOSE[symbol]))
    first.run(dtime(10, 35))
    assert broker_holdings(first.broker) == {s: (q, 0) for s, q in HELD.items()}  # T+1
    recorded = first.close(CLOSE)
    assert_clean(recorded)
    assert recorded.nav is not None
    nav_record = recorded.nav.nav
    cash_record = first.broker.cash()

    # ---- ex-date: the start books the broker's statement; until then the risk daemon
    # values the holdings going ex at their cum-rights close (the ledger has the old book)
    assert risk_book(redis_client).awaits_corporate(EX)
    second = open_day(days, redis_client, tmp_path, EX)
    assert not risk_book(redis_client).awaits_corporate(EX)
    ledger, broker = second.ledger(), second.broker
    new_shares = int(HELD[BONUS] * SHARES.new_shares)
    assert new_shares == 300
    # held since the record date: all sellable, the new shares too (listed today)
    expected = {BONUS: (1300, 1300), CASHED: (2000, 2000)}
    assert broker_holdings(broker) == expected and holdings(ledger) == expected
    # bought the day before: 20% of (cash + bonus shares at CNY 1 par) is withheld
    tax = (SHORT * HELD[BONUS] * (SHARES.cash + SHARES.bonus * PAR)).quantize(D("0.01"))
    paid = HELD[BONUS] * SHARES.cash - tax
    assert broker.cash() == cash_record + paid == ledger.cash
    due = HELD[CASHED] * DIVIDEND.cash * (1 - SHORT)
    key = f"{CASHED}|{EX.isoformat()}"
    assert {k: e.net_cash for k, e in broker.entitlements().items()} == {key: due}
    assert ledger.receivables == {key: due} and ledger.receivable == D("640.00")
    # at the ex-rights references, the NAV is the record date's less the tax: no drop
    dividend_tax = HELD[CASHED] * DIVIDEND.cash * SHORT
    assert risk_nav(redis_client, REF) == nav_record - tax - dividend_tax

    # before the open the desk's first step publishes the reference, not yesterday's close
    second.desk.step(second.desk.bridge.barrier())
    assert D(str(redis_client.hget(streams.LAST_PRICES, BONUS))) == REF[BONUS]
    second.run(dtime(9, 31))
    # the new shares are sold the same day; a restart mid-day books nothing twice
    second.work(order("sell-all", EX, BONUS, Side.SELL, 1300, REF[BONUS]))
    second.run(dtime(10, 0))
    mid_cash = second.broker.cash()
    second.restart()
    assert second.ledger().cash == second.broker.cash() == mid_cash
    assert second.ledger().receivables == {key: due}
    assert redis_client.scard(CORPORATE_BOOKED.format(account=CFG.account)) == 1
    second.run(dtime(10, 35))
    sold = second.broker.trades(EX)
    assert sum(t.volume for t in sold) == 1300 and BONUS not in second.ledger().positions
    closed = second.close(REF)
    assert_clean(closed)
    assert closed.reconciliation.checked["receivables"] == 1
    proceeds = sum((t.price * t.volume - t.fees for t in sold), D(0))
    assert closed.nav is not None
    # the only moves: the tax, and the sale against the reference price (less its fees)
    assert closed.nav.nav == (nav_record - tax - dividend_tax
                              + proceeds - 1300 * REF[BONUS])
    assert closed.nav.drawdown < 0.0001

    # ---- pay date: the receivable becomes cash, once
    third = open_day(days, redis_client, tmp_path, PAID)
    assert third.broker.entitlements() == {}
    assert third.broker.cash() == second.broker.cash() + due == third.ledger().cash
    assert third.ledger().receivables == {}
    assert risk_nav(redis_client, {CASHED: REF[CASHED]}) == closed.nav.nav
    third.restart()
    assert third.ledger().cash == third.broker.cash()
    assert redis_client.scard(CORPORATE_BOOKED.format(account=CFG.account)) == 2
    assert holdings(third.ledger()) == broker_holdings(third.broker) == {CASHED: (2000, 2000)}
    last = third.close({CASHED: REF[CASHED]})
    assert_clean(last)
    assert last.nav is not None and last.nav.nav == closed.nav.nav
