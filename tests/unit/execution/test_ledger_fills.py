"""The ledger's arithmetic and the fill book's exactly-once application."""

import json
from datetime import datetime
from decimal import Decimal

import redis

from bus import streams
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from execution.ledger import Ledger
from execution.worker.children import ChildOrder, ChildState
from execution.worker.fills import FillBook
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import OrderState
from tests.unit.execution.deskkit import DAY, make_order

T = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)


def test_stock_buy_is_t_plus_one_and_sell_pays_back() -> None:
    ledger = Ledger("a", Decimal("100000"), T)
    bought = ledger.apply("600000.SSE", "buy", 1_000, Decimal("10.00"), Decimal("5.10"), T)
    assert bought.cash == Decimal("89994.90")
    assert (bought.positions["600000.SSE"].quantity, bought.positions["600000.SSE"].sellable) == (
        1_000, 0)
    tomorrow = bought.rolled(datetime(2026, 11, 24, 9, 0, tzinfo=EXCHANGE_TZ).date())
    assert tomorrow.positions["600000.SSE"].sellable == 1_000
    sold = tomorrow.apply("600000.SSE", "sell", 1_000, Decimal("11.00"), Decimal("10.60"), T)
    assert "600000.SSE" not in sold.positions
    assert sold.cash == Decimal("89994.90") + Decimal("11000") - Decimal("10.60")


def test_futures_short_and_close_realise_pnl() -> None:
    ledger = Ledger("a", Decimal("1000000"), T)
    short = ledger.apply("IM2612.CFFEX", "sell", 2, Decimal("6000.0"), Decimal("55.20"), T)
    assert short.futures["IM2612.CFFEX"].short == 2
    closed = short.apply("IM2612.CFFEX", "buy", 2, Decimal("5900.0"), Decimal("55.00"), T)
    assert "IM2612.CFFEX" not in closed.futures
    assert closed.cash == Decimal("1000000") - Decimal("110.20") + Decimal("100") * 200 * 2


def test_ledger_json_keeps_the_shape_the_risk_daemon_reads() -> None:
    ledger = Ledger("a", Decimal("5"), T).apply("600000.SSE", "buy", 100, Decimal("1.00"),
                                                 Decimal("0"), T)
    data = ledger.to_dict()
    assert set(data) == {"account", "cash", "positions", "futures", "options", "receivables",
                         "corporate_day", "at"}
    assert data["positions"]["600000.SSE"] == {"quantity": "100", "sellable": "0",
                                               "avg_cost": "1.0000",
                                               "opened": T.date().isoformat()}
    assert Ledger.from_json(ledger.to_json()) == ledger


def child(quantity: int = 1_000) -> ChildOrder:
    return ChildOrder(reference="f1#1", order_id="f1", slice_no=1, trade_date=DAY,
                      symbol="600000.SSE", side="buy", offset="none", quantity=quantity,
                      price=Decimal("10.00"), phase="continuous", gateway="SIM",
                      state=ChildState.WORKING, created_at=T, updated_at=T)


def test_a_fill_is_applied_once_and_the_parent_catches_up(redis_client: redis.Redis) -> None:
    clock = FixedClock(T)
    queue = OrderQueue(redis_client, clock)
    queue.ingest(make_order("f1", 1_000), actor="model")
    queue.apply("f1", Action.APPROVE, actor="trader")
    queue.apply("f1", Action.START, actor="execution")
    book = FillBook(redis_client, queue, clock, "paper", Decimal("100000"))
    first = book.apply("SIM.t1", child(), 400, Decimal("10.00"), Decimal("5"), "none", T)
    again = book.apply("SIM.t1", child(), 400, Decimal("10.00"), Decimal("5"), "none", T)
    assert first is not None and first.filled == 400 and again is None
    record = queue.get("f1")
    assert record is not None and record.filled_quantity == 400
    assert record.state is OrderState.PARTIALLY_FILLED
    assert book.ledger().positions["600000.SSE"].quantity == 400
    assert redis_client.scard(streams.FILLS_APPLIED) == 1


def test_a_crash_between_ledger_and_parent_is_repaired(redis_client: redis.Redis) -> None:
    clock = FixedClock(T)
    queue = OrderQueue(redis_client, clock)
    queue.ingest(make_order("f1", 1_000), actor="model")
    queue.apply("f1", Action.APPROVE, actor="trader")
    queue.apply("f1", Action.START, actor="execution")
    # The fill reached the ledger and journal, but the process died before the queue.
    book = FillBook(redis_client, OrderQueue(redis_client, clock), clock, "paper",
                    Decimal("100000"))
    book.sync_parent = lambda order_id: None  # type: ignore[assignment,method-assign,return-value]
    book.apply("SIM.t1", child(), 400, Decimal("10.00"), Decimal("5"), "none", T)
    assert queue.get("f1").filled_quantity == 0  # type: ignore[union-attr]
    restarted = FillBook(redis_client, queue, clock, "paper", Decimal("100000"))
    restarted.sync_parent("f1")
    restarted.sync_parent("f1")  # twice: still once
    record = queue.get("f1")
    assert record is not None and record.filled_quantity == 400
    assert record.filled_value == Decimal("4000.00") and record.fees == Decimal("5")


def test_a_holding_remembers_the_day_it_was_opened() -> None:
    """The nightly model counts holding days from it (`model.rotation.min_holding_days`)."""
    monday = datetime(2026, 12, 28, 10, 0, tzinfo=EXCHANGE_TZ)
    later = datetime(2027, 1, 4, 10, 0, tzinfo=EXCHANGE_TZ)  # across the year end
    ledger = Ledger("paper", Decimal("1000000"), monday).apply(
        "600000.SSE", "buy", 1000, Decimal("10"), Decimal("5"), monday)
    ledger = ledger.apply("600000.SSE", "buy", 500, Decimal("11"), Decimal("5"), later)
    again = Ledger.from_json(ledger.to_json())
    assert again.positions["600000.SSE"].opened == monday.date()  # the first buy, kept
    assert json.loads(ledger.to_json())["positions"]["600000.SSE"]["opened"] == "2026-12-28"
    part = again.rolled(later.date()).apply("600000.SSE", "sell", 500, Decimal("12"),
                                            Decimal("5"), later)
    assert part.positions["600000.SSE"].opened == monday.date()
    gone = part.apply("600000.SSE", "sell", 1000, Decimal("12"), Decimal("5"), later)
    reopened = gone.apply("600000.SSE", "buy", 100, Decimal("12"), Decimal("5"), later)
    assert reopened.positions["600000.SSE"].opened == later.date()
