"""The simulated broker's corporate actions: the holding-period dividend tax across month
and year ends, first-in-first-out lots, dividends and bonus shares on a position."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from execution.gateway.sim.corporate import (
    add_months,
    after_buy,
    after_sell,
    credit_shares,
    dividend_tax_rate,
    entitlement,
)
from execution.gateway.sim.models import Lot, StockPosition
from marketdata.corporate import CorporateAction

D = Decimal


@pytest.mark.parametrize(("acquired", "paid", "rate"), [
    # year end: one year is reached on 2026-12-30 (the day before the anniversary)
    (date(2025, 12, 31), date(2026, 12, 31), "0.10"),
    (date(2025, 12, 31), date(2027, 1, 4), "0"),
    (date(2025, 12, 31), date(2027, 1, 1), "0"),
    # month end: 2026-01-31 + 1 month is 2026-02-28
    (date(2026, 1, 31), date(2026, 2, 28), "0.20"),
    (date(2026, 1, 31), date(2026, 3, 2), "0.10"),
    (date(2026, 11, 30), date(2026, 12, 30), "0.20"),
    (date(2026, 11, 30), date(2026, 12, 31), "0.10"),
    # bought on the record date, paid the next trading day
    (date(2026, 6, 12), date(2026, 6, 15), "0.20"),
    # leap day: the anniversary is clamped to 2025-02-28
    (date(2024, 2, 29), date(2025, 2, 28), "0.10"),
    (date(2024, 2, 29), date(2025, 3, 3), "0"),
])
def test_dividend_tax_by_holding_period(acquired: date, paid: date, rate: str) -> None:
    assert dividend_tax_rate(acquired, paid) == D(rate)


def test_add_months_clamps_to_the_month_end_and_crosses_the_year() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 31), 1) == date(2027, 1, 31)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_sells_take_the_oldest_lots_first() -> None:
    lots = after_buy(after_buy((), date(2025, 1, 2), 1000), date(2026, 6, 1), 500)
    lots = after_buy(lots, date(2026, 6, 1), 300)  # same day: one lot
    assert lots == (Lot(acquired=date(2025, 1, 2), quantity=1000),
                    Lot(acquired=date(2026, 6, 1), quantity=800))
    assert after_sell(lots, 1200) == (Lot(acquired=date(2026, 6, 1), quantity=600),)
    assert after_sell(lots, 1800) == ()


def _action(cash: str = "0.25", bonus: str = "0", transfer: str = "0",
            pay: date = date(2026, 6, 15)) -> CorporateAction:
    return CorporateAction(symbol="600000.SSE", record_date=date(2026, 6, 12),
                           ex_date=date(2026, 6, 15), pay_date=pay, list_date=date(2026, 6, 15),
                           cash=D(cash), bonus=D(bonus), transfer=D(transfer))


def _position(*lots: tuple[date, int]) -> StockPosition:
    quantity = sum(q for _, q in lots)
    return StockPosition(quantity=quantity, sellable=quantity, avg_cost=D("10.00"),
                         lots=tuple(Lot(acquired=d, quantity=q) for d, q in lots))


def test_cash_dividend_taxed_lot_by_lot() -> None:
    position = _position((date(2025, 1, 2), 1000), (date(2026, 3, 2), 500),
                         (date(2026, 6, 1), 300))
    got = entitlement(_action(), position)
    # 1800 x 0.25 = 450.00; tax: 1000 held > 1y 0, 500 x 0.25 x 10% = 12.50,
    # 300 x 0.25 x 20% = 15.00
    assert (got.gross_cash, got.tax, got.net_cash) == (D("450.00"), D("27.50"), D("422.50"))


def test_shares_without_a_lot_pay_the_highest_rate() -> None:
    position = StockPosition(quantity=1000, sellable=1000, avg_cost=D("10"))
    assert entitlement(_action(), position).tax == D("50.00")


def test_bonus_shares_are_income_at_par_transfer_shares_are_not() -> None:
    position = _position((date(2026, 3, 2), 1000))  # 10% bracket
    bonus = entitlement(_action(cash="0.10", bonus="0.3"), position)
    # taxable per share 0.10 + 0.3 x 1.00 = 0.40: 1000 x 0.40 x 10% = 40.00 > the cash 100
    assert (bonus.gross_cash, bonus.tax, bonus.new_shares) == (D("100.00"), D("40.00"), 300)
    transfer = entitlement(_action(cash="0.10", transfer="0.3"), position)
    assert (transfer.tax, transfer.new_shares) == (D("10.00"), 300)


def test_new_shares_are_sellable_keep_their_lots_dates_and_the_cost() -> None:
    position = _position((date(2025, 1, 2), 700), (date(2026, 6, 1), 300))
    entitled = entitlement(_action(cash="0", transfer="0.45"), position)
    after = credit_shares(position, entitled)
    assert (after.quantity, after.sellable) == (1450, 1450)
    assert after.lots == (Lot(acquired=date(2025, 1, 2), quantity=1015),
                          Lot(acquired=date(2026, 6, 1), quantity=435))
    assert after.avg_cost * after.quantity == pytest.approx(D("10000"), abs=D("0.2"))


def test_fractional_new_shares_are_dropped() -> None:
    position = _position((date(2025, 1, 2), 333))
    entitled = entitlement(_action(cash="0", bonus="0.3"), position)
    assert entitled.new_shares == 99  # 99.9
    assert credit_shares(position, entitled).quantity == 432


def test_a_later_pay_date_is_a_receivable_until_paid() -> None:
    from execution.gateway.sim.corporate import corporate_day, receivable

    action = _action(cash="0.50", pay=date(2026, 6, 18))
    held = {"600000.SSE": _position((date(2025, 1, 2), 1000))}
    ex = corporate_day(date(2026, 6, 15), held, {}, [action])
    assert ex.cash_delta == 0 and ex.events == [] and ex.finished == []
    assert receivable(ex.pending.values()) == D("500.00")
    between = corporate_day(date(2026, 6, 16), held, ex.pending, [])
    assert between.cash_delta == 0 and list(between.pending) == list(ex.pending)
    paid = corporate_day(date(2026, 6, 18), held, between.pending, [])
    assert paid.cash_delta == D("500.00") and paid.pending == {}
    assert [(e.cash, e.tax) for e in paid.events] == [(D("500.00"), D("0.00"))]


def test_no_holding_at_the_record_date_no_entitlement() -> None:
    from execution.gateway.sim.corporate import corporate_day

    day = corporate_day(date(2026, 6, 15), {"600000.SSE": StockPosition()}, {}, [_action()])
    assert (day.cash_delta, day.pending, day.events) == (0, {}, [])


def test_the_ledger_books_the_statement_and_refuses_negative_shares() -> None:
    from datetime import datetime

    from execution.ledger import Holding, Ledger

    when = datetime(2026, 6, 15, 9, 0)
    ledger = Ledger("a", D("100.00"), when, {"600000.SSE": Holding(1000, 1000, D("10.00"))})
    after = ledger.book_corporate("600000.SSE", D("-12.50"), 300, when)
    assert after.cash == D("87.50")
    assert after.positions["600000.SSE"] == Holding(1300, 1300, D("7.6923"))
    with pytest.raises(ValueError, match="-1 new shares"):
        ledger.book_corporate("600000.SSE", D(0), -1, when)
