"""Which day the nightly model runs for, and which day its orders trade."""

from __future__ import annotations

from datetime import date, datetime, time

from marketdata.calendar import TradingCalendar


def production_dates(now: datetime, calendar: TradingCalendar, run_time: time) -> tuple[date, date]:
    """Signal = the latest trading day whose run time has passed; trade = the next one.

    After downtime this is still the latest day only: stale days are never run.
    """
    today = now.date()
    if calendar.is_trading_day(today) and now.time() >= run_time:
        signal = today
    else:
        signal = calendar.previous_trading_day(today)
    return signal, calendar.next_trading_day(signal)


def paper_dates(session_day: date, calendar: TradingCalendar) -> tuple[date, date]:
    """The paper session's day trades what the model saw on the day before."""
    return calendar.previous_trading_day(session_day), session_day


def explicit_dates(signal: date, calendar: TradingCalendar) -> tuple[date, date]:
    if not calendar.is_trading_day(signal):
        raise ValueError(f"{signal} is not a trading day")
    return signal, calendar.next_trading_day(signal)
