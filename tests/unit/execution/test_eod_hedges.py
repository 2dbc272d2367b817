"""The daily report's hedge lines across the year end: the listed expiry, not the rule."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from execution.eod.hedges import hedge_lines, report_expiries
from execution.ledger import FutureHolding
from marketdata.calendar import load_calendar

SHIPPED = load_calendar(Path(__file__).resolve().parents[3] / "config" / "holidays.yaml")
DAY = date(2027, 1, 5)  # past the shipped calendar's end (2026-12-31)
HELD = {"IM2703.CFFEX": FutureHolding(short=3, avg_price=Decimal("6100.0"))}
PRICES = {"IM2703.CFFEX": Decimal("5950.0")}


def test_without_a_listed_expiry_the_line_says_why_and_keeps_the_rest() -> None:
    (line,) = hedge_lines(HELD, PRICES, 6000.0, DAY, SHIPPED)
    assert line.days_to_expiry is None and "2027-03-19" in line.note
    assert line.short_lots == 3


def test_the_listed_expiry_from_the_store_gives_the_basis_past_the_calendars_end() -> None:
    bars = pd.DataFrame({"date": [pd.Timestamp(DAY)], "symbol": ["IM2703.CFFEX"],
                         "expiry": [pd.Timestamp("2027-03-19")]})
    (line,) = hedge_lines(HELD, PRICES, 6000.0, DAY, report_expiries(SHIPPED, bars))
    assert line.days_to_expiry == 73 and line.note == ""
    assert line.annual_basis is not None and line.annual_basis < 0  # a discount
    assert line.cost_to_expiry == Decimal(3 * 200 * 50)  # converges 50 points per lot
