"""MO options in the ledger and the fill book: premium x 100 per lot, CFFEX's per-lot fee,
long puts with their average price, closing sells, and the expiry (worthless or cash
settled at max(K - settlement, 0) x 100 per lot less the exercise fee)."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from exchange import CommissionConfig
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from execution.ledger import Ledger, OptionHolding
from execution.worker.children import ChildOrder, ChildState
from execution.worker.fills import FillBook, fill_fees, multiplier
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import Offset, OrderKind
from tests.unit.execution.deskkit import DAY, make_order

T = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)
PUT = "MO2612-P-5700.CFFEX"  # last trading day 2026-12-18
EXPIRY = date(2026, 12, 18)
EXPIRY_CLOSE = datetime(2026, 12, 18, 15, 0, tzinfo=EXCHANGE_TZ)


def put_child(quantity: int = 19, side: str = "buy") -> ChildOrder:
    return ChildOrder(reference="h1#1", order_id="h1", slice_no=1, trade_date=DAY,
                      symbol=PUT, side=side, offset="open", quantity=quantity,
                      price=Decimal("176.2"), phase="continuous", gateway="SIM",
                      state=ChildState.WORKING, created_at=T, updated_at=T)


def test_an_option_fill_costs_the_per_lot_fee_and_counts_100_per_point() -> None:
    commission = CommissionConfig(rate=Decimal("0.00025"), minimum=Decimal("5"))
    assert fill_fees(put_child(19), "open", 19, Decimal("176.2"), commission) == Decimal("285.00")
    assert fill_fees(put_child(3, "sell"), "close", 3, Decimal("1.0"), commission) == Decimal(
        "45.00")
    assert multiplier(PUT) == 100
    assert multiplier("IM2612.CFFEX") == 200 and multiplier("600000.SSE") == 1


def test_buying_puts_pays_the_premium_and_keeps_an_average_price() -> None:
    ledger = Ledger("a", Decimal("1000000"), T)
    first = ledger.apply(PUT, "buy", 19, Decimal("176.2"), Decimal("285.00"), T)
    assert first.options[PUT] == OptionHolding(19, Decimal("176.2000"))
    assert first.cash == Decimal("1000000") - Decimal("334780") - Decimal("285.00")
    second = first.apply(PUT, "buy", 18, Decimal("176.6"), Decimal("270.00"), T)
    # (176.2 x 19 + 176.6 x 18) / 37 = 176.3946
    assert second.options[PUT] == OptionHolding(37, Decimal("176.3946"))
    assert second.cash == first.cash - Decimal("317880") - Decimal("270.00")
    assert not second.positions and not second.futures  # never booked as a stock or future


def test_selling_back_reduces_the_long_and_receives_the_premium() -> None:
    held = Ledger("a", Decimal("0"), T).apply(PUT, "buy", 10, Decimal("100.0"), Decimal("150"), T)
    part = held.apply(PUT, "sell", 4, Decimal("120.0"), Decimal("60.00"), T)
    assert part.options[PUT] == OptionHolding(6, Decimal("100.0000"))
    assert part.cash == Decimal("-100150") + Decimal("48000") - Decimal("60.00")
    out = part.apply(PUT, "sell", 6, Decimal("90.0"), Decimal("90.00"), T)
    assert PUT not in out.options
    assert out.cash == part.cash + Decimal("54000") - Decimal("90.00")


def test_the_ledger_json_has_the_options_section_the_risk_daemon_reads() -> None:
    ledger = Ledger("a", Decimal("5"), T).apply(PUT, "buy", 2, Decimal("176.2"),
                                                 Decimal("30.00"), T)
    data = ledger.to_dict()
    assert data["options"] == {PUT: {"long": "2", "avg_price": "176.2000"}}
    assert data["positions"] == {} and data["futures"] == {}
    assert Ledger.from_json(ledger.to_json()) == ledger


def test_an_out_of_the_money_put_expires_worthless() -> None:
    held = Ledger("a", Decimal("1000"), T).apply(PUT, "buy", 5, Decimal("10.0"), Decimal("75"), T)
    settled, expiries = held.expire_options(EXPIRY, Decimal("5812.34"), EXPIRY_CLOSE)
    assert PUT not in settled.options and settled.cash == held.cash  # no value, no fee
    assert [(e.symbol, e.lots, e.value, e.fee) for e in expiries] == [
        (PUT, 5, Decimal("0.00"), Decimal("0.00"))]


def test_an_in_the_money_put_is_cash_settled_at_its_intrinsic_value() -> None:
    held = Ledger("a", Decimal("1000"), T).apply(PUT, "buy", 5, Decimal("10.0"), Decimal("75"), T)
    settled, expiries = held.expire_options(EXPIRY, Decimal("5612.34"), EXPIRY_CLOSE)
    # (5700 - 5612.34) x 100 x 5 = 43,830; exercise fee 2 CNY x 5
    assert settled.cash == held.cash + Decimal("43830.00") - Decimal("10.00")
    assert PUT not in settled.options and settled.at == EXPIRY_CLOSE
    assert [(e.value, e.fee) for e in expiries] == [(Decimal("43830.00"), Decimal("10.00"))]


def test_options_not_expiring_that_day_are_left_alone() -> None:
    held = Ledger("a", Decimal("1000"), T).apply(PUT, "buy", 5, Decimal("10.0"), Decimal("75"), T)
    settled, expiries = held.expire_options(date(2026, 12, 17), Decimal("5000"), T)
    assert settled == held and expiries == []


def test_an_option_fill_reaches_the_journal_at_100_per_point(redis_client: redis.Redis) -> None:
    clock = FixedClock(T)
    queue = OrderQueue(redis_client, clock)
    queue.ingest(make_order("h1", 19, symbol=PUT, reference="176.2", kind=OrderKind.HEDGE,
                            offset=Offset.OPEN), actor="risk")
    queue.apply("h1", Action.APPROVE, actor="trader")
    queue.apply("h1", Action.START, actor="execution")
    book = FillBook(redis_client, queue, clock, "paper", Decimal("1000000"))
    book.apply("SIM.t1", put_child(19), 19, Decimal("176.2"), Decimal("285.00"), "open", T)
    record = queue.get("h1")
    assert record is not None and record.filled_quantity == 19
    assert (record.filled_value, record.fees) == (Decimal("334780.0"), Decimal("285.00"))
    assert book.ledger().options[PUT].long == 19
    assert book.ledger().cash == Decimal("1000000") - Decimal("334780") - Decimal("285")


@pytest.mark.parametrize("lots", [1, 20])
def test_the_settlement_fee_is_per_lot_exercised(lots: int) -> None:
    held = Ledger("a", Decimal("0"), T).apply(PUT, "buy", lots, Decimal("1.0"), Decimal("0"), T)
    _, expiries = held.expire_options(EXPIRY, Decimal("5699.80"), EXPIRY_CLOSE)
    assert expiries[0].value == Decimal("20.00") * lots  # 0.2 points in the money
    assert expiries[0].fee == Decimal("2.00") * lots


def test_an_expiry_missed_on_its_day_is_settled_at_the_next_run() -> None:
    held = Ledger("a", Decimal("1000"), T).apply(PUT, "buy", 5, Decimal("10.0"), Decimal("75"), T)
    monday = date(2026, 12, 21)  # the end of day of the 18th did not run
    settled, expiries = held.expire_options(monday, Decimal("5690.00"), EXPIRY_CLOSE)
    assert PUT not in settled.options and [e.value for e in expiries] == [Decimal("5000.00")]


def test_a_month_past_the_calendar_s_end_does_not_stop_the_expiry() -> None:
    calendar = load_calendar(Path(__file__).resolve().parents[3] / "config" / "holidays.yaml")
    later = "MO2703-P-5700.CFFEX"  # March 2027: past the shipped calendar's end
    held = (Ledger("a", Decimal("1000"), T)
            .apply(PUT, "buy", 5, Decimal("10.0"), Decimal("75"), T)
            .apply(later, "buy", 2, Decimal("90.0"), Decimal("30"), T))
    settled, expiries = held.expire_options(EXPIRY, Decimal("5812.34"), EXPIRY_CLOSE, calendar)
    assert [e.symbol for e in expiries] == [PUT] and set(settled.options) == {later}
