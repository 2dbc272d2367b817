"""The data gate checks the nightly model's panel instead of reading the days again:
the same findings, in the same order, with the same messages, from either source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from md_kit import store_through

from marketdata.calendar import TradingCalendar
from marketdata.checks import CheckReport, check_store
from marketdata.config import DataConfig
from marketdata.errors import StoreCorrupt
from marketdata.panel_io import alive_symbols
from marketdata.partitions import DayBlock
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket
from marketdata.writer import stage_stock_days
from services.scheduler.nightly import MODEL_FIELDS

CONFIG = DataConfig()
LOOKBACK = 120  # the whole small market: the panel holds symbols delisted before the checks
Edit = Callable[[dict[str, np.ndarray], np.ndarray], None]


def _findings(report: CheckReport) -> list[tuple[object, ...]]:
    return [(p.severity, p.kind, p.message, p.field, p.symbol, p.day, p.file, p.row)
            for p in report.problems]


def _broken(tmp_path: Path, market: SyntheticMarket, edit: Edit) -> MarketStore:
    """A store whose last two days have `edit(values, listed_columns)` applied."""
    store = store_through(tmp_path, market)
    tail = market.stocks.rows(np.array([d in market.days[-2:] for d in market.days]))
    values = {k: v.copy() for k, v in tail.values.items()}
    edit(values, np.flatnonzero(values["listed"][-1] & ~values["suspended"][-1]))
    with store.transaction() as tx:
        stage_stock_days(tx, DayBlock(tail.dates, tail.symbols, values))
    return store


def _no_caps(values: dict[str, np.ndarray], listed: np.ndarray) -> None:
    values["total_mcap"][-1, :] = np.nan


def _bad_bars(values: dict[str, np.ndarray], listed: np.ndarray) -> None:
    values["high"][-1, listed[:3]] = values["low"][-1, listed[:3]] - 0.1
    values["prev_close"][-1, listed[3:5]] *= 1.5  # moved without an adjustment, beyond limits
    values["volume"][-2, listed[5]] = -1.0


def _many_suspended(values: dict[str, np.ndarray], listed: np.ndarray) -> None:
    values["suspended"][-1, listed[: len(listed) // 3]] = True


@pytest.mark.parametrize(("edit", "kind"), [
    (_no_caps, "universe_field_missing"), (_bad_bars, "high_below_low"),
    (_bad_bars, "moved_without_adjustment"), (_bad_bars, "negative_volume"),
    (_many_suspended, "many_suspended")])
def test_the_panel_gives_the_findings_the_store_gives(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket, edit: Edit,
        kind: str) -> None:
    store = _broken(tmp_path, market, edit)
    day = market.days[-1]
    panel = store.load_panel(day, LOOKBACK)
    checked = alive_symbols(store.instruments(), market.days[-CONFIG.check_days - 1], day)
    assert len(panel.symbols) > len(checked)  # the panel's extra symbols must not show
    read = check_store(store, calendar, CONFIG, day=day)
    shared = check_store(store, calendar, CONFIG, day=day, panel=panel)
    assert kind in {p.kind for p in read.problems}
    assert _findings(shared) == _findings(read)
    assert (shared.as_of, shared.latest, shared.checked_days) == \
        (read.as_of, read.latest, read.checked_days)


def test_with_the_panel_no_stock_file_is_read_again(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket) -> None:
    store = _broken(tmp_path, market, _bad_bars)
    day = market.days[-1]
    panel = store.load_panel(day, LOOKBACK)
    expected = _findings(check_store(store, calendar, CONFIG, day=day))
    for part in (store.root / "stocks").glob("*.parquet"):
        part.unlink()  # from here on, only the panel holds the stock bars
    assert _findings(check_store(store, calendar, CONFIG, day=day, panel=panel)) == expected
    with pytest.raises(StoreCorrupt):
        check_store(store, calendar, CONFIG, day=day)


def test_the_panel_is_left_as_it_was(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket) -> None:
    store = _broken(tmp_path, market, _bad_bars)
    panel = store.load_panel(market.days[-1], LOOKBACK)
    before = {name: frame.to_numpy().copy() for name, frame in panel.fields.items()}
    check_store(store, calendar, CONFIG, day=market.days[-1], panel=panel)
    for name, values in before.items():
        np.testing.assert_array_equal(panel.fields[name].to_numpy(), values)


@pytest.mark.parametrize(("lookback", "fields"), [
    (3, None), (LOOKBACK, ["close", "listed"]), (LOOKBACK, list(MODEL_FIELDS))],
    ids=["too_short", "a_few_fields", "the_model_fields"])
def test_a_panel_short_of_days_or_fields_gives_the_same_findings(
        tmp_path: Path, calendar: TradingCalendar, market: SyntheticMarket,
        lookback: int, fields: list[str] | None) -> None:
    store = _broken(tmp_path, market, _bad_bars)
    day = market.days[-1]
    panel = store.load_panel(day, lookback, fields)
    assert _findings(check_store(store, calendar, CONFIG, day=day, panel=panel)) == \
        _findings(check_store(store, calendar, CONFIG, day=day))
