"""Shared fakes and helpers for the rules tests (imported as `rules_kit`)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import click
from click.testing import CliRunner

from exchange import TradingDays
from services.cli.rules_cmd import rules_command


class HolidayCalendar:
    """A trading calendar: weekdays minus the given holidays (inclusive ranges)."""

    def __init__(self, *holidays: date, covered_through: date = date(2099, 12, 31)) -> None:
        self.holidays = set(holidays)
        self.covered_through = covered_through

    def trading_days(self, start: date, end: date) -> list[date]:
        if end > self.covered_through:  # like marketdata's CalendarNotCovered
            raise LookupError(f"{end} is after {self.covered_through}")
        days = []
        day = start
        while day <= end:
            if day.weekday() < 5 and day not in self.holidays:
                days.append(day)
            day += timedelta(days=1)
        return days


def closed_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# Exchanges closed 2026-10-01 to 2026-10-08 (a Golden Week shape).
GOLDEN_WEEK_2026 = HolidayCalendar(*closed_days(date(2026, 10, 1), date(2026, 10, 8)))


class FakeDesk:
    """Stands in for services.cli.context.DeskContext: only `.calendar` is used."""

    def __init__(self, calendar: TradingDays) -> None:
        self._calendar = calendar

    @property
    def calendar(self) -> TradingDays:
        return self._calendar


def run(*args: str, obj: object = None) -> click.testing.Result:
    """`desk rules ARGS` through click, with `obj` as the desk context."""
    return CliRunner().invoke(rules_command, list(args), obj=obj)


def answer(*args: str, obj: object = None) -> dict[str, object]:
    """The JSON answer of `desk rules ARGS --json` (the command must succeed)."""
    result = run(*args, "--json", obj=obj)
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.output)
    return parsed
