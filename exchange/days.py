"""Counting trading days, with a trading calendar when one is given."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol, runtime_checkable

# Longer than any exchange closure (Spring Festival with weekends is about 10 days).
_LONGEST_CLOSURE_DAYS = 20

# Stretches of the year ((month, day), (month, day), both included) in which a regular
# exchange holiday can close a weekday, bridges (调休) included: New Year, Spring
# Festival (its New Year falls Jan 21 - Feb 20), Qingming, Labour Day, Dragon Boat,
# Mid-Autumn and National Day. Every weekday closure of SSE from 2000 to 2026 lies
# inside them (tests/unit/rules/test_rules_contract_days.py checks it against
# exchange_calendars). One-off closures are announced ahead: they go into the holiday file.
CLOSURE_SEASONS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((12, 30), (12, 31)),
    ((1, 1), (1, 3)),
    ((1, 19), (2, 28)),
    ((4, 2), (4, 7)),
    ((4, 29), (5, 9)),
    ((5, 26), (6, 27)),
    ((9, 3), (10, 8)),
)


class TradingDays(Protocol):
    """What the rules need of `marketdata.calendar.TradingCalendar`.

    `trading_days(start, end)` lists the trading days from `start` to `end`, both
    included when they are trading days.
    """

    def trading_days(self, start: date, end: date) -> list[date]: ...


@runtime_checkable
class CoveredTradingDays(TradingDays, Protocol):
    """A trading calendar that knows the last day it covers."""

    @property
    def covered_through(self) -> date: ...


class WeekdaysBeyondCalendar:
    """FALLBACK for simulated markets only: `calendar` up to its last covered day, every
    weekday after it.

    With it an IM contract expiring past the calendar's coverage expires on its plain
    third Friday, since the holidays there are not known yet. The synthetic market uses
    it to price such contracts and `desk data check` warns about them; live code uses the
    exchange's listed expiry (`contracts.contract_expiry`) and refuses what is unknown.
    """

    def __init__(self, calendar: CoveredTradingDays) -> None:
        self.calendar = calendar

    def trading_days(self, start: date, end: date) -> list[date]:
        edge = self.calendar.covered_through
        known = self.calendar.trading_days(start, min(end, edge)) if start <= edge else []
        return known + _weekdays(max(start, edge + timedelta(days=1)), end)


class MinimumTradingDays:
    """For counting trading days left, never more than there will be: `calendar` up to
    its last covered day, then only the weekdays outside every `CLOSURE_SEASONS` stretch.

    Past the calendar's end a weekday in a holiday season may turn out closed, so it is
    not counted. A roll timed on this count therefore never comes later than it would
    with the true holidays (it may come earlier, in a season). Not for finding a date
    (an expiry, a trade date): those are listed by the exchange or refused.
    """

    def __init__(self, calendar: CoveredTradingDays) -> None:
        self.calendar = calendar

    def trading_days(self, start: date, end: date) -> list[date]:
        edge = self.calendar.covered_through
        known = self.calendar.trading_days(start, min(end, edge)) if start <= edge else []
        beyond = _weekdays(max(start, edge + timedelta(days=1)), end)
        return known + [day for day in beyond if not in_closure_season(day)]


def in_closure_season(day: date) -> bool:
    """True when a regular exchange holiday can fall on `day` (see `CLOSURE_SEASONS`)."""
    month_day = (day.month, day.day)
    return any(first <= month_day <= last for first, last in CLOSURE_SEASONS)


def first_covered_trading_day_from(day: date, calendar: CoveredTradingDays) -> date | None:
    """`day` if it trades, else the next trading day; None when `calendar` ends first."""
    for offset in range(_LONGEST_CLOSURE_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if candidate > calendar.covered_through:
            return None
        if calendar.trading_days(candidate, candidate):
            return candidate
    raise ValueError(f"no trading day within {_LONGEST_CLOSURE_DAYS} days after {day}")


def day_number(first: date, on: date, calendar: TradingDays | None) -> int:
    """Which trading day `on` is, counting `first` as day 1.

    Without a calendar every weekday counts (holidays are not known then).
    """
    if on < first:
        raise ValueError(f"date {on} is before the first day {first}")
    if calendar is not None:
        return len(calendar.trading_days(first, on))
    return _weekdays_between(first, on)


def first_trading_day_from(day: date, calendar: TradingDays | None) -> date:
    """`day` if it trades, else the next trading day (weekdays only without a calendar).

    Asks the calendar one day at a time so that a calendar covering only up to a few
    days after `day` still answers.
    """
    for offset in range(_LONGEST_CLOSURE_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if calendar is None:
            if candidate.weekday() < 5:
                return candidate
        elif calendar.trading_days(candidate, candidate):
            return candidate
    raise ValueError(f"no trading day within {_LONGEST_CLOSURE_DAYS} days after {day}")


def _weekdays_between(first: date, last: date) -> int:
    whole_weeks, extra = divmod((last - first).days + 1, 7)
    count = whole_weeks * 5
    for offset in range(extra):
        if (first.weekday() + offset) % 7 < 5:
            count += 1
    return count


def _weekdays(first: date, last: date) -> list[date]:
    count = (last - first).days + 1
    days = (first + timedelta(days=offset) for offset in range(max(count, 0)))
    return [day for day in days if day.weekday() < 5]
