from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from md_kit import store_through

from marketdata.calendar import TradingCalendar
from marketdata.checks import check_store, due_date
from marketdata.clock import EXCHANGE_TZ
from marketdata.config import DataConfig
from marketdata.partitions import DayBlock
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket
from marketdata.writer import stage_stock_days

CONFIG = DataConfig()


def kinds(report: object) -> set[str]:
    return {p.kind for p in report.problems}  # type: ignore[attr-defined]


def test_a_fresh_demo_store_is_fit(calendar: TradingCalendar, full_store: MarketStore,
                                   market: SyntheticMarket) -> None:
    report = check_store(full_store, calendar, CONFIG, day=market.days[-1])
    assert report.fit, [str(p) for p in report.problems]
    assert report.latest == market.days[-1] and len(report.checked_days) == CONFIG.check_days


@pytest.mark.parametrize(("now", "due"), [
    (datetime(2026, 11, 20, 17, 29, tzinfo=EXCHANGE_TZ), date(2026, 11, 19)),
    (datetime(2026, 11, 20, 17, 30, tzinfo=EXCHANGE_TZ), date(2026, 11, 20)),
    (datetime(2026, 11, 22, 12, 0, tzinfo=EXCHANGE_TZ), date(2026, 11, 20)),
    (datetime(2026, 11, 23, 8, 30, tzinfo=EXCHANGE_TZ), date(2026, 11, 20)),
])
def test_due_date_follows_the_ready_time(calendar: TradingCalendar, now: datetime,
                                         due: date) -> None:
    assert due_date(calendar, now, CONFIG) == due


def test_stale_data_is_unfit(calendar: TradingCalendar, full_store: MarketStore) -> None:
    monday_evening = datetime(2026, 11, 23, 18, 0, tzinfo=EXCHANGE_TZ)
    report = check_store(full_store, calendar, CONFIG, now=monday_evening)
    assert not report.fit and "stale" in kinds(report)
    stale = next(p for p in report.problems if p.kind == "stale")
    assert "2026-11-20" in stale.message and "1 trading day(s) behind" in stale.message


def test_a_gap_is_unfit(tmp_path: Path, calendar: TradingCalendar,
                        market: SyntheticMarket) -> None:
    store = store_through(tmp_path, market)
    keep = np.array([d != market.days[-3] for d in market.days])
    with store.transaction() as tx:  # rewrite the month without that day
        tx.manifest.stocks.clear()
        stage_stock_days(tx, market.stocks.rows(keep))
    report = check_store(store, calendar, CONFIG, day=market.days[-1])
    gaps = [p for p in report.problems if p.kind == "missing_trading_day"]
    assert [p.day for p in gaps] == [market.days[-3]]


def test_a_stored_anomaly_is_unfit(tmp_path: Path, calendar: TradingCalendar,
                                   market: SyntheticMarket) -> None:
    store = store_through(tmp_path, market)
    last = market.stocks.rows(np.array([d == market.days[-1] for d in market.days]))
    values = {k: v.copy() for k, v in last.values.items()}
    i = int(np.flatnonzero(values["listed"][0] & ~values["suspended"][0])[0])
    values["high"][0, i] = values["low"][0, i] - 0.1
    with store.transaction() as tx:
        stage_stock_days(tx, DayBlock(last.dates, last.symbols, values))
    report = check_store(store, calendar, CONFIG, day=market.days[-1])
    assert not report.fit
    bad = next(p for p in report.problems if p.kind == "high_below_low")
    assert bad.symbol == market.stocks.symbols[i]


def test_an_empty_store_is_unfit(tmp_path: Path, calendar: TradingCalendar) -> None:
    report = check_store(MarketStore(tmp_path), calendar, CONFIG, day=date(2026, 11, 20))
    assert not report.fit and kinds(report) == {"no_data"}


def test_the_end_of_the_calendar_is_reported(calendar: TradingCalendar, full_store: MarketStore,
                                             market: SyntheticMarket) -> None:
    report = check_store(full_store, calendar, CONFIG, day=date(2026, 12, 31))
    assert {"stale", "calendar_not_covered"} <= kinds(report)
    soon = DataConfig(calendar_warning_days=60)
    assert "calendar_ending" in kinds(check_store(full_store, calendar, soon, day=market.days[-1]))
    assert "expiry_unconfirmed" in kinds(check_store(full_store, calendar, CONFIG,
                                                     day=market.days[-1]))


def _with_last_day(tmp_path: Path, market: SyntheticMarket, edit: object) -> MarketStore:
    """A store whose last day has `edit(values, listed_columns)` applied."""
    store = store_through(tmp_path, market)
    last = market.stocks.rows(np.array([d == market.days[-1] for d in market.days]))
    values = {k: v.copy() for k, v in last.values.items()}
    edit(values, np.flatnonzero(values["listed"][0]))  # type: ignore[operator]
    with store.transaction() as tx:
        stage_stock_days(tx, DayBlock(last.dates, last.symbols, values))
    return store


def test_a_day_whose_market_caps_are_all_missing_is_unfit(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket) -> None:
    def no_caps(values: dict[str, np.ndarray], listed: np.ndarray) -> None:
        values["total_mcap"][0, :] = np.nan

    store = _with_last_day(tmp_path, market, no_caps)
    report = check_store(store, calendar, CONFIG, day=market.days[-1])
    assert not report.fit
    found = [p for p in report.problems if p.kind == "universe_field_missing"]
    assert len(found) == 1 and found[0].field == "total_mcap" and found[0].day == market.days[-1]
    listed = int(market.stocks.values["listed"][-1].sum())
    assert found[0].message == (f"missing for 100.0% of listed symbols ({listed} of {listed}); "
                                "at most 2.0% may be missing (data.max_missing_share)")


def test_a_few_missing_values_stay_within_the_threshold(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket) -> None:
    def two_missing(values: dict[str, np.ndarray], listed: np.ndarray) -> None:
        values["float_mcap"][0, listed[:2]] = np.nan
        values["risk_flag"][0, listed[:40]] = 9  # not a RiskFlag: counts as missing

    store = _with_last_day(tmp_path, market, two_missing)
    report = check_store(store, calendar, CONFIG, day=market.days[-1])
    found = {p.field: p for p in report.problems if p.kind == "universe_field_missing"}
    assert set(found) == {"risk_flag"}, [str(p) for p in report.problems]
    lenient = DataConfig(max_missing_share=0.5)
    assert not [p for p in check_store(store, calendar, lenient, day=market.days[-1]).problems
                if p.kind == "universe_field_missing"]


def test_missing_prices_are_named_field_by_field(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket) -> None:
    def no_close(values: dict[str, np.ndarray], listed: np.ndarray) -> None:
        values["close"][0, listed[: len(listed) // 2]] = np.nan

    store = _with_last_day(tmp_path, market, no_close)
    report = check_store(store, calendar, CONFIG, day=market.days[-1])
    assert "close" in {p.field for p in report.problems if p.kind == "universe_field_missing"}
