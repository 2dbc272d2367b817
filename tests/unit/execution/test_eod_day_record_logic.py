"""Day records read back exactly, hostile ones refused by name; hedge periods and the
history summary from a handful of days."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from execution.eod.day_record import DayActivity
from execution.eod.history import join
from execution.eod.nav_series import NavRecord
from marketdata.clock import EXCHANGE_TZ


def day_record(day: date, futures: int = 0, options: int = 0,
               stamp: Decimal | None = Decimal("1.10")) -> DayActivity:
    return DayActivity(day, "paper", Decimal("100.00"), Decimal("50.00"), Decimal(0),
                       Decimal("2.50"), stamp, Decimal("-0.40"), futures, options)


def nav(day: date, drawdown: float) -> NavRecord:
    value = Decimal(1000)
    return NavRecord(day, "paper", value, value, Decimal(0), Decimal(0), value, drawdown,
                     datetime.combine(day, time(15, 30), EXCHANGE_TZ))


def test_a_record_reads_back_exactly() -> None:
    record = day_record(date(2026, 12, 31), futures=3, stamp=None)
    assert DayActivity.from_json(record.to_json(), "k") == record
    assert record.turnover == Decimal("150.00") and record.costs == Decimal("2.10")


@pytest.mark.parametrize(("field", "value", "why"), [
    ("futures_lots", -1, "lots -1"), ("option_lots", True, "lots True"),
    ("futures_lots", "3", "lots '3'"), ("fees", "ten", "InvalidOperation"),
    ("day", "2026-13-01", "month must be in 1..12"), ("bought", None, "TypeError"),
])
def test_a_hostile_record_is_refused_by_name(field: str, value: object, why: str) -> None:
    row = json.loads(day_record(date(2026, 12, 31)).to_json())
    row[field] = value
    with pytest.raises(ValueError, match="desk:eod:days:paper 2026-12-31: not a day record") \
            as caught:
        DayActivity.from_json(json.dumps(row), "desk:eod:days:paper 2026-12-31")
    assert why in str(caught.value)


def test_periods_break_on_an_unhedged_day_and_on_a_missing_record() -> None:
    days = [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 4),
            date(2027, 1, 5), date(2027, 1, 6)]
    records = [nav(d, 0.01 * i) for i, d in enumerate(days)]
    activity = [day_record(days[0], futures=2), day_record(days[1], options=4),
                day_record(days[2]), day_record(days[3], futures=1, stamp=None),
                day_record(days[5], futures=5)]  # days[4]: no record
    timeline = join(records, activity)
    periods = [(p.first, p.last, p.futures_lots, p.option_lots) for p in timeline.periods()]
    assert periods == [(days[0], days[1], 2, 4), (days[3], days[3], 1, 0),
                       (days[5], days[5], 5, 0)]
    summary = timeline.summary()
    assert (summary.days, summary.days_hedged) == (6, 4)
    assert (summary.max_drawdown, summary.max_drawdown_day) == (0.05, days[5])
    assert summary.stamp_duty is None  # not known for 2027-01-04: not summed as if 0
    assert summary.fees == Decimal("12.50") and summary.slippage == Decimal("-2.00")
