"""`desk data check`: is the store fit to trade on? Gaps, staleness, anomalies, coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from exchange import last_trading_day
from marketdata.calendar import CalendarNotCovered, TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from marketdata.completeness import missing_field_problems
from marketdata.config import DataConfig
from marketdata.errors import DataProblem, MissingData, Severity
from marketdata.panel_io import alive_symbols, read_daily_fields
from marketdata.partitions import DayBlock
from marketdata.schema import DAILY_FIELDS, Panel
from marketdata.store import MarketStore
from marketdata.validate import bar_problems, missing_trading_days


@dataclass(frozen=True)
class CheckReport:
    as_of: date  # the trade date the store must be ready for
    latest: date | None
    checked_days: list[date]
    problems: list[DataProblem]

    @property
    def fit(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def _error(kind: str, message: str, day: date | None = None) -> DataProblem:
    return DataProblem(Severity.ERROR, kind, message, day=day)


def _warning(kind: str, message: str, day: date | None = None) -> DataProblem:
    return DataProblem(Severity.WARNING, kind, message, day=day)


def due_date(calendar: TradingCalendar, now: datetime, config: DataConfig) -> date:
    """The latest trade date whose data should be in the store at `now`."""
    local = now.astimezone(EXCHANGE_TZ)
    today = local.date()
    if calendar.is_trading_day(today) and local.time() >= config.data_ready_time:
        return today
    return calendar.previous_trading_day(today)


def _stored_values(store: MarketStore, days: list[date], symbols: pd.Index, fields: list[str],
                   panel: Panel | None) -> dict[str, npt.NDArray[Any]]:
    """`fields` for `days` x `symbols`: copied from `panel` where it holds them (the nightly
    run loads it anyway), the rest read from the store. The same values either way: a
    symbol's stored values do not depend on which other symbols or fields are read."""
    held = [name for name in fields if panel is not None and name in panel.fields]
    copied = _from_panel(panel, days, symbols, held)
    if copied is None:
        copied, held = {}, []
    rest = [name for name in fields if name not in held]
    if rest:
        copied.update(read_daily_fields(store.root, store.manifest(), days, symbols, rest))
    return {name: copied[name] for name in fields}


def _from_panel(panel: Panel | None, days: list[date], symbols: pd.Index,
                fields: list[str]) -> dict[str, npt.NDArray[Any]] | None:
    if panel is None or not fields or any(name not in panel.fields for name in fields):
        return None
    rows = panel.dates.get_indexer(pd.to_datetime(days))
    cols = panel.symbols.get_indexer(symbols)
    if (rows < 0).any() or (cols < 0).any():
        return None
    cells = np.ix_(rows, cols)  # fancy indexing copies: the checks never touch the panel
    return {name: panel.fields[name].to_numpy()[cells] for name in fields}


def _stored_block(store: MarketStore, days: list[date], panel: Panel | None) -> DayBlock:
    symbols = alive_symbols(store.instruments(), days[0], days[-1])
    values = _stored_values(store, days, symbols, list(DAILY_FIELDS), panel)
    return DayBlock(days, list(symbols), values)


def _anomalies(store: MarketStore, calendar: TradingCalendar, days: list[date],
               config: DataConfig, panel: Panel | None) -> list[DataProblem]:
    """The bar checks of an import, re-run on the stored days (the first one is the reference),
    and the universe fields of the latest day."""
    block = _stored_block(store, days, panel)
    instruments = store.instruments()
    recent = block.rows(np.arange(len(days)) > 0) if len(days) > 1 else block
    last = {k: v[-1] for k, v in block.values.items()}
    missing = missing_field_problems(days[-1], last, last["listed"], config)
    n = len(block.symbols)
    prior = {k: v[0] for k, v in block.values.items()} if len(days) > 1 else {
        "close": np.full(n, np.nan), "adj_factor": np.full(n, np.nan),
        "risk_flag": np.zeros(n, dtype=np.int8)}
    return missing + bar_problems(recent, instruments, calendar, prior)


def _tables(store: MarketStore, calendar: TradingCalendar, day: date) -> list[DataProblem]:
    out: list[DataProblem] = []
    try:
        store.load_index(day, day)
    except MissingData as exc:
        out.append(_error("index_missing", str(exc), day))
    try:
        futures = store.load_futures(day, day)
    except MissingData as exc:
        return [*out, _error("futures_missing", str(exc), day)]
    if futures.empty:
        out.append(_error("futures_missing", "no IM contract has a bar on this day", day))
    for symbol, expiry in futures.groupby("symbol")["expiry"].first().items():
        stored = pd.Timestamp(expiry).date()
        try:
            official = last_trading_day(str(symbol), calendar)
        except CalendarNotCovered:  # the synthetic market's WeekdaysBeyondCalendar fallback
            out.append(_warning("expiry_unconfirmed",
                                f"{symbol}: last trading day {stored} is beyond the trading "
                                "calendar; extend config/holidays.yaml to confirm it", day))
            continue
        if official != stored:
            out.append(_error("expiry_mismatch", f"{symbol}: stored expiry {stored}, the "
                              f"calendar says {official}", day))
    return out


_EXTEND = ("extend it without editing YAML: desk calendar draft YEAR, then desk calendar add "
           "YEAR --closures FILE --source TEXT (deploy/RUNBOOK.md, 'A new year')")


def _calendar(calendar: TradingCalendar, day: date, config: DataConfig) -> list[DataProblem]:
    out = _provisional(calendar, day)
    try:
        calendar.next_trading_day(day)
    except CalendarNotCovered as exc:
        return [*out, _error("calendar_not_covered",
                             f"cannot schedule the next session: {exc}", day)]
    left = (calendar.covered_through - day).days
    if left <= config.calendar_warning_days:
        out.append(_warning("calendar_ending", f"the trading calendar ends "
                            f"{calendar.covered_through} ({left} days away); {_EXTEND}", day))
    return out


def _provisional(calendar: TradingCalendar, day: date) -> list[DataProblem]:
    window = calendar.provisional_window
    if window is None or window[1] < day:
        return []
    return [_warning("calendar_provisional", f"calendar days {window[0]} to {window[1]} are "
                     "PROVISIONAL (an accepted draft, not the exchange's notice); add the "
                     "official list: desk calendar add YEAR --closures FILE --source TEXT", day)]


def _suspensions(store: MarketStore, day: date, config: DataConfig,
                 panel: Panel | None) -> list[DataProblem]:
    copied = _from_panel(panel, [day], alive_symbols(store.instruments(), day, day),
                         ["suspended", "listed"])
    if copied is None:
        loaded = store.load_panel(day, 1, ["suspended", "listed"])
        copied = {name: loaded[name].to_numpy() for name in ("suspended", "listed")}
    share = float(copied["suspended"][0].sum()) / max(int(copied["listed"][0].sum()), 1)
    if share > config.max_suspended_share:
        return [_warning("many_suspended", f"{share:.1%} of listed stocks suspended", day)]
    return []


def check_store(store: MarketStore, calendar: TradingCalendar, config: DataConfig,
                now: datetime | None = None, day: date | None = None,
                panel: Panel | None = None) -> CheckReport:
    """Check as of trade date `day` (its evening), or as of `now` when no day is given.

    `panel`: stock fields already loaded (the nightly model's); the checked days are taken
    from it when it holds them, so they are not read twice. The findings are the same.
    """
    if day is not None:
        as_of = calendar.last_trading_day_on_or_before(day)
    elif now is not None:
        as_of = due_date(calendar, now, config)
    else:
        raise ValueError("check_store needs `now` (a clock reading) or `day`")
    stored = [d for d in store.trade_dates() if d <= as_of]
    if not stored:
        return CheckReport(as_of, None, [], [_error("no_data", f"store {store.root} holds no "
                                                    f"stock bars up to {as_of}", as_of)])
    problems = missing_trading_days(calendar, stored, f"store {store.root}")
    latest = stored[-1]
    if latest < as_of:
        behind = calendar.sessions_since(latest + timedelta(days=1), as_of)
        problems.append(_error("stale", f"latest stock bars are for {latest}, data for {as_of} "
                               f"is due ({behind} trading day(s) behind)", as_of))
    window = stored[-(config.check_days + 1):]
    problems += _anomalies(store, calendar, window, config, panel)
    problems += _tables(store, calendar, latest)
    problems += _suspensions(store, latest, config, panel)
    problems += _calendar(calendar, as_of, config)
    return CheckReport(as_of, latest, window[1:] if len(window) > 1 else window, problems)
