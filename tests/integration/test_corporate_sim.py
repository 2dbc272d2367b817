"""Corporate actions through a real vnpy MainEngine and the simulated broker (real Redis):
a holding bought on the record date gets, on the ex-date, its new shares (sellable that
day) and its cash dividend less the holding-period tax; the desk's ledger, booking the
broker's statement, reconciles with it; a receivable is paid on its later pay date."""

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

from vnpy.trader.constant import Direction, Exchange, Offset, OrderType  # noqa: E402
from vnpy.trader.object import OrderRequest  # noqa: E402

from execution.config import SimConfig  # noqa: E402
from execution.engine.bridge import VnpyBridge  # noqa: E402
from execution.gateway.sim.book import SimBook  # noqa: E402
from execution.gateway.sim.gateway import SimDeps, SimGateway  # noqa: E402
from execution.gateway.sim.models import StockPosition  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.gateway.sim.source import FrameSource  # noqa: E402
from execution.ledger import Ledger  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from marketdata.corporate import CorporateAction, ex_rights_price  # noqa: E402

pytestmark = pytest.mark.integration

RECORD, EX, PAID = date(2026, 6, 12), date(2026, 6, 15), date(2026, 6, 16)
STOCK, LATER = "600000.SSE", "000001.SZSE"
CASH0 = Decimal("1000000")
# 10 shares: CNY 1.50, 2 bonus (送) and 1 transfer (转) shares; paid on the ex-date
ACTION = CorporateAction(symbol=STOCK, record_date=RECORD, ex_date=EX, pay_date=EX,
                         list_date=EX, cash=Decimal("0.15"), bonus=Decimal("0.2"),
                         transfer=Decimal("0.1"))
# cash only, paid a day after the ex-date: a receivable overnight
DEFERRED = CorporateAction(symbol=LATER, record_date=RECORD, ex_date=EX, pay_date=PAID,
                           list_date=EX, cash=Decimal("0.40"), bonus=Decimal(0),
                           transfer=Decimal(0))
EX_PRICE = float(ex_rights_price(Decimal("12.30"), ACTION.cash, ACTION.new_shares))


def at(day: date, clock: dtime) -> datetime:
    return datetime.combine(day, clock, tzinfo=EXCHANGE_TZ)


def tape(day: date) -> FrameSource:
    if day == RECORD:
        return scenario(day, {STOCK: DayBar(12.20, 12.25, 12.40, 12.20, 12.30, 2e6),
                              LATER: DayBar(8.00, 8.00, 8.10, 7.95, 8.05, 2e6)})
    if day == EX:
        source = scenario(day, {STOCK: DayBar(EX_PRICE, EX_PRICE, 9.50, 9.30, 9.40, 2e6),
                                LATER: DayBar(7.65, 7.65, 7.70, 7.60, 7.66, 2e6)})
        source.actions = [ACTION, DEFERRED]
        return source
    return scenario(day, {LATER: DayBar(7.66, 7.66, 7.70, 7.60, 7.68, 2e6)})


class Day:
    """One trading day of the desk against the broker: a fresh MainEngine each morning."""

    def __init__(self, client: redis.Redis, root: Path, day: date) -> None:
        self.day = day
        self.clock = FixedClock(at(day, dtime(9, 31)))
        self.bridge = VnpyBridge(root / f"vnpy-{day.isoformat()}")
        self.gateway: SimGateway = self.bridge.add_gateway(SimGateway, "SIM")
        self.gateway.bind(SimDeps(client, self.clock, tape(day),
                                  SimConfig(participation=Decimal("0.5")), CASH0,
                                  auto_match=False))
        self.bridge.connect("SIM", {"account": "corporate"})

    @property
    def book(self) -> SimBook:
        assert self.gateway.exchange is not None
        return self.gateway.exchange.book

    def send(self, symbol: str, direction: Direction, volume: int, price: float) -> None:
        code, venue = symbol.split(".")
        req = OrderRequest(symbol=code, exchange=Exchange(venue), direction=direction,
                           type=OrderType.LIMIT, volume=volume, price=price,
                           offset=Offset.NONE, reference=f"t-{code}")
        self.bridge.send_order(req, "SIM")

    def run_to_close(self) -> None:
        while self.clock.now() < at(self.day, dtime(15, 0)):
            self.clock.advance(timedelta(minutes=5))
            self.gateway.advance()

    def vnpy_volume(self, symbol: str) -> float:
        self.bridge.barrier()
        code = symbol.split(".")[0]
        return sum(p.volume for p in self.bridge.main_engine.get_all_positions()
                   if p.symbol == code)

    def close(self) -> None:
        self.bridge.close()


@pytest.fixture
def days(redis_client: redis.Redis, tmp_path: Path) -> Iterator[list[Day]]:
    opened: list[Day] = []
    yield opened
    for day in opened:
        day.close()


def _ledger_after(ledger: Ledger, day: Day) -> Ledger:
    """The desk books the broker's corporate statement of the day (as it books fills)."""
    for event in day.book.corporate_events(day.day):
        ledger = ledger.book_corporate(event.symbol, event.cash, event.shares,
                                       at(day.day, dtime(9, 0)))
    return ledger.rolled(day.day)


def test_ex_date_credits_shares_and_taxed_cash_and_the_ledger_reconciles(
        days: list[Day], redis_client: redis.Redis, tmp_path: Path) -> None:
    first = Day(redis_client, tmp_path, RECORD)
    days.append(first)
    first.send(STOCK, Direction.LONG, 1000, 12.40)
    first.send(LATER, Direction.LONG, 2000, 8.10)
    first.run_to_close()
    after_record = first.book.cash()
    assert first.book.position(STOCK).quantity == 1000
    ledger = Ledger("corporate", CASH0, at(RECORD, dtime(9, 0)))
    for trade in first.book.trades(RECORD):
        ledger = ledger.apply(trade.symbol, trade.side, trade.volume, trade.price, trade.fees,
                              trade.at)
    assert ledger.cash == after_record
    first.close()
    days.remove(first)

    second = Day(redis_client, tmp_path, EX)
    days.append(second)
    held = second.book.position(STOCK)
    assert isinstance(held, StockPosition)
    # 1000 held: 200 bonus + 100 transfer shares, all sellable on the ex-date
    assert (held.quantity, held.sellable) == (1300, 1300)
    assert second.vnpy_volume(STOCK) == 1300
    # cash 150.00; bought the record date, so 20% of (0.15 + 0.2 x CNY 1 par) x 1000 = 70.00
    assert second.book.cash() - after_record == Decimal("80.00")
    pending = second.book.entitlements()
    assert [e.symbol for e in pending.values()] == [LATER]
    assert pending[f"{LATER}|{EX.isoformat()}"].net_cash == Decimal("640.00")  # 800 - 20%
    ledger = _ledger_after(ledger, second)
    assert ledger.positions[STOCK].quantity == 1300 and ledger.cash == second.book.cash()
    second.send(STOCK, Direction.SHORT, 1300, 9.30)  # the new shares trade the same day
    second.run_to_close()
    assert second.book.position(STOCK).quantity == 0
    second.close()
    days.remove(second)

    third = Day(redis_client, tmp_path, PAID)
    days.append(third)
    assert third.book.entitlements() == {}
    assert third.book.cash() - second.book.cash() == Decimal("640.00")
    ledger = _ledger_after(ledger, third)
    for trade in second.book.trades(EX):
        ledger = ledger.apply(trade.symbol, trade.side, trade.volume, trade.price, trade.fees,
                              trade.at)
    assert ledger.cash == third.book.cash()
    assert {s: h.quantity for s, h in ledger.positions.items()} == {LATER: 2000}
