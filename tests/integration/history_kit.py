"""A 30-day desk history written through the end of day's own writers (`NavSeries`,
`DayRecords`): across a month end and the year end, through the 20% rung, hedged with
IM and MO for four days and unwound. Shared by the report, console and CLI tests."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import redis

from execution.eod.chart_scale import RungLine
from execution.eod.day_record import DayActivity, DayRecords
from execution.eod.nav_series import NavSeries
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ
from risk.config import RiskConfig
from risk.nav import NavBreakdown

ACCOUNT = "paper"
RUNGS = tuple(RungLine(r.drawdown, r.hedge_ratio) for r in RiskConfig().ladder)


def trading_days(tmp_path: Path) -> list[date]:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("covered_through: 2027-01-31\nholidays:\n  - 2027-01-01\n",
                        encoding="utf-8")
    days = load_calendar(holidays).trading_days(date(2026, 11, 23), date(2027, 1, 8))
    return days[-30:]


def path(days: list[date]) -> list[tuple[date, Decimal, int, int]]:
    """NAV 50M rising, then a fall of 24%, hedged (IM short, MO long) from the day the
    drawdown passes 20% and unwound two days after the low; (day, NAV, IM, MO)."""
    navs = [50_000_000 + 100_000 * i for i in range(10)]  # the peak: 50.9M
    navs += [int(navs[-1] * (1 - 0.03 * i)) for i in range(1, 9)]  # down 24%
    navs += [int(navs[-1] * (1 + 0.01 * i)) for i in range(1, 13)]
    rows = []
    for i, (day, nav) in enumerate(zip(days, navs, strict=True)):
        hedged = 16 <= i <= 19  # from the first close past -20% to the unwind
        rows.append((day, Decimal(nav), 3 if hedged else 0, 2 if hedged else 0))
    return rows


def breakdown(nav: Decimal) -> NavBreakdown:
    return NavBreakdown(nav=nav, stock_value=nav - 1_000_000, cash=Decimal(1_000_000),
                        futures_pnl=Decimal(0), futures_notional=Decimal(0),
                        futures_margin=Decimal(0))


def activity(day: date, futures: int, options: int, i: int) -> DayActivity:
    return DayActivity(day=day, account=ACCOUNT, bought=Decimal(1_000_000 + i),
                       sold=Decimal(900_000), hedge_traded=Decimal(0),
                       fees=Decimal("1500.25"), stamp_duty=Decimal("450.00"),
                       slippage=Decimal("120.50"), futures_lots=futures, option_lots=options)


def write_history(client: redis.Redis, tmp_path: Path, days: list[date]) -> NavSeries:
    series = NavSeries(client, ACCOUNT, tmp_path / "reports" / "nav.csv")
    records = DayRecords(client, ACCOUNT)
    for i, (day, nav, futures, options) in enumerate(path(days)):
        series.record(day, breakdown(nav), datetime.combine(day, time(15, 30), EXCHANGE_TZ))
        records.record(activity(day, futures, options, i))
    return series
