"""The data gate: the model never runs on data that is missing, stale or broken."""

from __future__ import annotations

from datetime import date

from marketdata.calendar import CalendarNotCovered, TradingCalendar
from marketdata.checks import check_store
from marketdata.config import DataConfig
from marketdata.errors import MarketDataError, Severity
from marketdata.schema import Panel
from marketdata.store import MarketStore


def data_gate(store: MarketStore, calendar: TradingCalendar, config: DataConfig,
              signal_date: date, panel: Panel | None = None) -> list[str]:
    """The reasons the store is not fit to run the model for `signal_date` (empty: fit).

    `panel`: the model's, already loaded; the checked days are taken from it, not re-read.
    """
    try:
        report = check_store(store, calendar, config, day=signal_date, panel=panel)
    except (CalendarNotCovered, MarketDataError) as exc:
        return [str(exc)]
    problems = [str(p) for p in report.problems if p.severity is Severity.ERROR]
    if report.latest is None or report.latest < signal_date:
        problems.insert(0, f"no stock bars for the signal date {signal_date} "
                           f"(latest stored: {report.latest})")
    return problems
