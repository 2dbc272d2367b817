"""Booking the broker's corporate statement into the ledger (real Redis): each line once,
a fill landing meanwhile kept, hostile ledger JSON refused, a real broker's differing
replay alerted and not booked, receivables reconciled."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from vnpy.event import EventEngine

from bus import streams
from execution.approval.queue import OrderQueue
from execution.eod.reconcile import BreakKind, reconcile
from execution.eod.views import BrokerDay, DeskDay
from execution.gateway.sim.book import SimBook
from execution.gateway.sim.corporate import CorporateEvent
from execution.gateway.sim.gateway import SimGateway
from execution.ledger import Holding, Ledger
from execution.worker.corporate import (
    CORPORATE_BOOKED,
    DeskCorporate,
    Statement,
    book_statement,
    line_id,
)
from execution.worker.fills import FillBook
from marketdata.clock import EXCHANGE_TZ, FixedClock
from risk.ledger_view import LedgerUnreadable, book_from_ledger

D = Decimal
EX, PAID = date(2026, 6, 15), date(2026, 6, 16)
T = datetime(2026, 6, 15, 9, 29, tzinfo=EXCHANGE_TZ)
STOCK, OTHER = "600000.SSE", "000001.SZSE"
LINE = CorporateEvent(symbol=STOCK, ex_date=EX, day=EX, cash=D("80.00"), tax=D("70.00"),
                      shares=300)
DUE = {f"{OTHER}|{EX.isoformat()}": D("640.00")}


def fill_book(client: redis.Redis) -> FillBook:
    clock = FixedClock(T)
    book = FillBook(client, OrderQueue(client, clock), clock, "a", D("100000"))
    held = Ledger("a", D("100000"), T, {STOCK: Holding(1000, 1000, D("13.00")),
                                        OTHER: Holding(2000, 2000, D("8.30"))})
    client.set(book.key, held.to_json())
    return book


def test_each_statement_line_is_booked_once(redis_client: redis.Redis) -> None:
    book = fill_book(redis_client)
    statement = Statement([LINE], DUE)
    assert book_statement(redis_client, book, statement, EX, T) == [LINE]
    assert book_statement(redis_client, book, statement, EX, T) == []  # a restart: nothing
    ledger = book.ledger()
    assert ledger.cash == D("100080.00") and ledger.positions[STOCK] == Holding(
        1300, 1300, D("10.0000"))
    assert ledger.receivables == DUE and ledger.corporate_day == EX
    assert Ledger.from_json(ledger.to_json()) == ledger
    assert redis_client.smembers(CORPORATE_BOOKED.format(account="a")) == {line_id(LINE)}
    assert redis_client.ttl(CORPORATE_BOOKED.format(account="a")) > 0
    kinds = [f["type"] for _, f in redis_client.xrange(streams.EVENTS)]
    assert kinds == ["ledger"]  # one ledger event, for the one booking


def test_a_paid_receivable_leaves_the_ledger_with_its_cash(redis_client: redis.Redis) -> None:
    book = fill_book(redis_client)
    book_statement(redis_client, book, Statement([], DUE), EX, T)
    paid = CorporateEvent(symbol=OTHER, ex_date=EX, day=date(2026, 6, 16), cash=D("640.00"),
                          tax=D("160.00"))
    book_statement(redis_client, book, Statement([paid], {}), PAID, T)
    assert book.ledger().receivables == {} and book.ledger().cash == D("100640.00")
    assert book.ledger().corporate_day == PAID


def test_a_fill_landing_meanwhile_is_kept(redis_client: redis.Redis,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    book = fill_book(redis_client)
    read = book.ledger
    other = redis.Redis(connection_pool=redis_client.connection_pool)
    calls = 0

    def racing_read() -> Ledger:
        nonlocal calls
        calls += 1
        ledger = read()
        if calls == 1:  # between our WATCH and our write, a fill moves the ledger
            moved = ledger.apply(OTHER, "sell", 500, D("8.00"), D("5.00"), T)
            other.set(book.key, moved.to_json())
        return ledger

    monkeypatch.setattr(book, "ledger", racing_read)
    assert book_statement(redis_client, book, Statement([LINE], {}), EX, T) == [LINE]
    ledger = read()
    assert calls == 2
    assert ledger.positions[OTHER].quantity == 1500  # the fill
    assert ledger.positions[STOCK].quantity == 1300  # and the booking, once
    assert ledger.cash == D("100000") + D("3995.00") + D("80.00")


@pytest.mark.parametrize("receivables", [
    '{"x|2026-06-15": "NaN"}', '{"x|2026-06-15": "abc"}', '["640.00"]', '"640"',
    '{"x|2026-06-15": null}',
])
def test_hostile_receivables_are_refused(receivables: str) -> None:
    data = json.loads(Ledger("a", D(1), T).to_json())
    data["receivables"] = json.loads(receivables)
    raw = json.dumps(data)
    with pytest.raises(ValueError, match="malformed"):
        Ledger.from_json(raw)
    with pytest.raises(LedgerUnreadable, match="receivables"):
        book_from_ledger(raw, "desk:ledger:a", "a")


@pytest.mark.parametrize("day", ['"2026-13-01"', "20260615", '["2026-06-15"]'])
def test_a_hostile_corporate_day_is_refused(day: str) -> None:
    data = json.loads(Ledger("a", D(1), T).to_json())
    data["corporate_day"] = json.loads(day)
    raw = json.dumps(data)
    with pytest.raises(ValueError, match="malformed"):
        Ledger.from_json(raw)
    with pytest.raises(LedgerUnreadable, match="corporate_day"):
        book_from_ledger(raw, "desk:ledger:a", "a")


def test_the_risk_daemon_counts_the_receivable() -> None:
    ledger = Ledger("a", D("100.00"), T).with_receivables(
        {**DUE, "y|2026-06-15": D("-3.50")}, EX, T)  # tax on bonus shares above the cash
    assert book_from_ledger(ledger.to_json(), "k", "a").receivable == D("636.50")


@dataclass
class Position:
    vt_symbol: str
    volume: float
    gateway_name: str = "XTP"
    vt_positionid: str = "XTP.x"


@dataclass
class Engine:
    positions: list[Position]

    def get_all_positions(self) -> list[Position]:
        return self.positions


def test_a_real_brokers_new_shares_are_alerted_not_booked(redis_client: redis.Redis) -> None:
    book = fill_book(redis_client)
    alerts: list[tuple[str, str, str]] = []
    corporate = DeskCorporate(redis_client, book, lambda *a: alerts.append(a))
    real: Any = object()  # any gateway but the simulator
    assert corporate.book(real, EX, T) == []
    assert book.ledger().corporate_day == EX  # the day is taken, with nothing booked
    engine = Engine([Position(STOCK, 1300.0), Position(OTHER, 2000.0),
                     Position("IM2612.CFFEX", 2.0), Position(STOCK, 99.0, "CTP")])
    found = corporate.check_replay(real, engine, "XTP")
    assert found == [f"{STOCK}: ledger 1000, broker 1300"]
    assert [a[0] for a in alerts] == ["warning"] and "Nothing is booked" in alerts[0][2]
    assert book.ledger().positions[STOCK].quantity == 1000


def test_a_receivable_the_ledger_lacks_is_a_break() -> None:
    ledger = Ledger("a", D("100"), T)
    desk = DeskDay(day=EX, account="a", ledger=ledger)
    broker = BrokerDay(day=EX, source="sim:a", cash=D("100"), receivables=DUE)
    breaks = reconcile(desk, broker).breaks
    assert [(b.kind, b.subject, b.ours, b.broker) for b in breaks] == [
        (BreakKind.RECEIVABLE, f"{OTHER}|{EX.isoformat()}", "0", "640.00")]
    booked = DeskDay(day=EX, account="a", ledger=ledger.with_receivables(DUE, EX, T))
    assert reconcile(booked, broker).clean
    unknown = BrokerDay(day=EX, source="vnpy:XTP", cash=D("100"))  # not reported
    assert reconcile(booked, unknown).clean


def test_a_corrupt_statement_is_alerted_and_the_day_not_taken(
        redis_client: redis.Redis) -> None:
    book = fill_book(redis_client)
    before = book.ledger()
    broker = SimBook(redis_client, "a", D("100000"))
    redis_client.rpush(broker.key(f"corporate:{EX.isoformat()}"), '{"symbol": 1}',
                       LINE.model_dump_json())
    gateway = SimGateway(EventEngine(), "SIM")
    gateway.exchange = SimpleNamespace(book=broker)  # type: ignore[assignment]
    alerts: list[tuple[str, str, str]] = []
    corporate = DeskCorporate(redis_client, book, lambda *a: alerts.append(a))
    assert corporate.book(gateway, EX, T) == []
    assert [(a[0], a[1]) for a in alerts] == [
        ("critical", "corporate statement not booked into the ledger")]
    assert book.ledger() == before and book.ledger().corporate_day is None
    negative = LINE.model_copy(update={"shares": -300})
    redis_client.delete(broker.key(f"corporate:{EX.isoformat()}"))
    redis_client.rpush(broker.key(f"corporate:{EX.isoformat()}"), negative.model_dump_json())
    assert corporate.book(gateway, EX, T) == [] and len(alerts) == 2
    assert book.ledger() == before
