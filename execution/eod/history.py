"""The desk's history, day by day: NAV and drawdown (`nav_series`) joined with what each
day traded, cost and held as a hedge (`day_record`); its hedge periods and a summary.

One reader for the daily report, the console's NAV page and `desk risk status`, so all
three give the same figures. Unreadable entries are named in `errors` and left out;
the rest of the history is still shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import redis

from execution.eod.day_record import RETAIN_DAYS, DayActivity, DayRecords
from execution.eod.nav_points import CLOSE, Shade
from execution.eod.nav_series import NavRecord, read_stored
from marketdata.clock import EXCHANGE_TZ

OPEN = time(9, 30)


@dataclass(frozen=True)
class HistoryDay:
    nav: NavRecord
    activity: DayActivity | None  # None: a day recorded before day records were kept

    @property
    def day(self) -> date:
        return self.nav.day


@dataclass(frozen=True)
class HedgePeriod:
    """Consecutive recorded days with a hedge held at the close."""

    first: date
    last: date
    futures_lots: int  # the most short IM lots held at a close of the period
    option_lots: int  # the most long MO lots

    @property
    def label(self) -> str:
        legs = [f"{n} {what}" for n, what in ((self.futures_lots, "IM short"),
                                               (self.option_lots, "MO long")) if n]
        return f"hedged {self.first} to {self.last}: " + ", ".join(legs)


@dataclass(frozen=True)
class HistorySummary:
    days: int
    first: date | None
    last: date | None
    max_drawdown: float
    max_drawdown_day: date | None
    days_hedged: int
    turnover: Decimal
    fees: Decimal
    stamp_duty: Decimal | None  # None: not known for some day
    slippage: Decimal

    @property
    def costs(self) -> Decimal:
        return self.fees + self.slippage


@dataclass(frozen=True)
class History:
    days: list[HistoryDay]
    errors: list[str] = field(default_factory=list)

    def periods(self) -> list[HedgePeriod]:
        return hedge_periods(self.days)

    def summary(self) -> HistorySummary:
        return summarise(self.days)


def join(records: Sequence[NavRecord], activity: Sequence[DayActivity],
         errors: Sequence[str] = ()) -> History:
    """The newest RETAIN_DAYS recorded NAV days, each with its day record if any."""
    by_day = {a.day: a for a in activity}
    kept = sorted(records, key=lambda r: r.day)[-RETAIN_DAYS:]
    return History([HistoryDay(r, by_day.get(r.day)) for r in kept], list(errors))


def read_history(client: redis.Redis, account: str) -> History:
    """From Redis alone (the console and the CLI have no report files)."""
    records, nav_errors = read_stored(client, account)
    activity, day_errors = DayRecords(client, account).read()
    return join(records, activity, [*nav_errors, *day_errors])


def hedge_periods(days: Sequence[HistoryDay]) -> list[HedgePeriod]:
    runs: list[list[HistoryDay]] = []
    current: list[HistoryDay] = []
    for day in days:
        if day.activity is not None and day.activity.hedged:
            current.append(day)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [_period(run) for run in runs]


def _period(run: list[HistoryDay]) -> HedgePeriod:
    held = [d.activity for d in run if d.activity is not None]
    return HedgePeriod(run[0].day, run[-1].day, max(a.futures_lots for a in held),
                       max(a.option_lots for a in held))


def summarise(days: Sequence[HistoryDay]) -> HistorySummary:
    done = [d.activity for d in days if d.activity is not None]
    deepest = max(days, key=lambda d: d.nav.drawdown, default=None)
    stamps = [a.stamp_duty for a in done]
    return HistorySummary(
        days=len(days), first=days[0].day if days else None,
        last=days[-1].day if days else None,
        max_drawdown=max(deepest.nav.drawdown, 0.0) if deepest else 0.0,
        max_drawdown_day=deepest.day if deepest else None,
        days_hedged=sum(1 for a in done if a.hedged),
        turnover=sum((a.turnover for a in done), Decimal(0)),
        fees=sum((a.fees for a in done), Decimal(0)),
        stamp_duty=None if any(s is None for s in stamps)
        else sum((s for s in stamps if s is not None), Decimal(0)),
        slippage=sum((a.slippage for a in done), Decimal(0)))


def period_shades(periods: Sequence[HedgePeriod]) -> list[Shade]:
    """Each period from its first morning's open to its last day's close."""
    return [Shade(datetime.combine(p.first, OPEN, EXCHANGE_TZ),
                  datetime.combine(p.last, CLOSE, EXCHANGE_TZ), p.label) for p in periods]
