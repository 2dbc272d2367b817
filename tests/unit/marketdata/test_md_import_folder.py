from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from md_kit import day_folder, edit_day, row_of, snapshot

from marketdata.calendar import TradingCalendar
from marketdata.errors import ImportRejected
from marketdata.importers import import_folder
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket

Edit = Callable[[pd.DataFrame], pd.DataFrame]


def traded_symbol(frame: pd.DataFrame, board_prefix: str = "60") -> str:
    ok = ((frame["suspended"] == 0) & (frame["high"] > frame["low"])
          & frame["symbol"].str.startswith(board_prefix) & (frame["risk_flag"] == 0))
    return str(frame.loc[ok, "symbol"].iloc[0])


def rejected(store: MarketStore, calendar: TradingCalendar, folder: Path) -> ImportRejected:
    before = snapshot(store)
    with pytest.raises(ImportRejected) as caught:
        import_folder(store, calendar, folder)
    assert snapshot(store) == before, "a rejected import must leave the store as it was"
    assert "store left unchanged" in str(caught.value)
    return caught.value


def test_good_day_imports_and_matches_the_source(tmp_path: Path, calendar: TradingCalendar,
                                                 full_store: MarketStore,
                                                 partial_store: MarketStore,
                                                 market: SyntheticMarket) -> None:
    folder = day_folder(full_store, tmp_path / "in", [market.days[-1]], with_tables=True)
    report = import_folder(partial_store, calendar, folder)
    assert report.days == [market.days[-1]] and report.tables == ["financials", "futures", "index"]
    assert partial_store.latest_date() == market.days[-1]
    ours = partial_store.load_panel(market.days[-1], 10)
    theirs = full_store.load_panel(market.days[-1], 10)
    for name in theirs.fields:
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_exact=True)
    pd.testing.assert_frame_equal(partial_store.load_futures(market.days[-1], market.days[-1]),
                                  full_store.load_futures(market.days[-1], market.days[-1]))


def test_import_is_idempotent(tmp_path: Path, calendar: TradingCalendar, full_store: MarketStore,
                              partial_store: MarketStore, market: SyntheticMarket) -> None:
    folder = day_folder(full_store, tmp_path / "in", [market.days[-1]], with_tables=True)
    import_folder(partial_store, calendar, folder)
    first = partial_store.load_panel(market.days[-1], 30)
    first_index = partial_store.load_index(market.days[0], market.days[-1])
    import_folder(partial_store, calendar, folder)
    second = partial_store.load_panel(market.days[-1], 30)
    assert partial_store.trade_dates() == market.days
    for name in first.fields:
        pd.testing.assert_frame_equal(first[name], second[name])
    pd.testing.assert_frame_equal(first_index,
                                  partial_store.load_index(market.days[0], market.days[-1]))


def test_parquet_folders_import_too(tmp_path: Path, calendar: TradingCalendar,
                                    full_store: MarketStore, partial_store: MarketStore,
                                    market: SyntheticMarket) -> None:
    folder = day_folder(full_store, tmp_path / "in", [market.days[-1]], fmt="parquet")
    assert import_folder(partial_store, calendar, folder).days == [market.days[-1]]


def value(frame: pd.DataFrame, symbol: str, name: str) -> float:
    return float(frame.loc[frame["symbol"] == symbol, name].iloc[0])


def _set(symbol: str, **values: object) -> Edit:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        for name, value in values.items():
            frame[name] = frame[name].astype(object)  # allows text where a number belongs
            frame.loc[frame["symbol"] == symbol, name] = value
        return frame
    return edit


@pytest.mark.parametrize(("kind", "field", "make"), [
    ("non_positive_price", "low", lambda f, s: _set(s, low=0.0)),
    ("high_below_low", "high", lambda f, s: _set(s, high=value(f, s, "low") - 0.05)),
    ("outside_day_range", "close",
     lambda f, s: _set(s, close=value(f, s, "high") + 0.01)),
    ("bad_value", "volume", lambda f, s: _set(s, volume="lots")),
    ("bad_value", "risk_flag", lambda f, s: _set(s, risk_flag=7)),
    ("moved_without_adjustment", "prev_close",
     lambda f, s: _set(s, prev_close=round(value(f, s, "prev_close") * 1.3, 2))),
])
def test_bad_values_are_named_by_file_row_and_field(
        tmp_path: Path, calendar: TradingCalendar, full_store: MarketStore,
        partial_store: MarketStore, market: SyntheticMarket, kind: str, field: str,
        make: Callable[[pd.DataFrame, str], Edit]) -> None:
    day = market.days[-1]
    folder = day_folder(full_store, tmp_path / "in", [day])
    original = pd.read_csv(folder / "daily" / f"{day}.csv", dtype={"symbol": str})
    symbol = traded_symbol(original)
    edit_day(folder, day, make(original, symbol))
    error = rejected(partial_store, calendar, folder)
    found = [p for p in error.problems if p.kind == kind]
    assert found, [str(p) for p in error.problems]
    assert (found[0].file, found[0].row, found[0].field, found[0].symbol) == (
        f"daily/{day}.csv", row_of(original, symbol), field, symbol)
    assert f"daily/{day}.csv:row {row_of(original, symbol)}" in str(error)


def test_a_move_beyond_the_limit_without_adjustment(tmp_path: Path, calendar: TradingCalendar,
                                                    full_store: MarketStore,
                                                    partial_store: MarketStore,
                                                    market: SyntheticMarket) -> None:
    day = market.days[-1]
    folder = day_folder(full_store, tmp_path / "in", [day])
    frame = pd.read_csv(folder / "daily" / f"{day}.csv", dtype={"symbol": str})
    symbol = traded_symbol(frame)
    ref = float(frame.loc[frame.symbol == symbol, "prev_close"].iloc[0])
    jump = round(ref * 1.25, 2)  # main board: at most +10%
    edit_day(folder, day, _set(symbol, open=jump, high=jump, low=jump, close=jump))
    error = rejected(partial_store, calendar, folder)
    beyond = [p for p in error.problems if p.kind == "beyond_price_limit"]
    assert [(p.symbol, p.row) for p in beyond] == [(symbol, row_of(frame, symbol))]
    assert "±10% limit" in beyond[0].message and "adj_factor" in beyond[0].message


def test_a_corporate_action_explains_a_big_drop(tmp_path: Path, calendar: TradingCalendar,
                                                full_store: MarketStore,
                                                partial_store: MarketStore,
                                                market: SyntheticMarket) -> None:
    day = market.days[-1]
    folder = day_folder(full_store, tmp_path / "in", [day])
    frame = pd.read_csv(folder / "daily" / f"{day}.csv", dtype={"symbol": str})
    symbol = traded_symbol(frame)
    row = frame[frame.symbol == symbol].iloc[0]
    # A 10-for-10 bonus issue: the reference halves and the adjustment factor doubles.
    halve = {k: round(float(row[k]) / 2, 2) for k in ("open", "high", "low", "close", "prev_close")}
    edit_day(folder, day, _set(symbol, **halve, adj_factor=float(row["adj_factor"]) * 2,
                               total_shares=float(row["total_shares"]) * 2,
                               float_shares=float(row["float_shares"]) * 2))
    import_folder(partial_store, calendar, folder)
    close = partial_store.load_panel(day, 1, ["close"])["close"].iloc[0][symbol]
    assert close == halve["close"]


def test_a_missing_trading_day_is_named(tmp_path: Path, calendar: TradingCalendar,
                                        full_store: MarketStore, market: SyntheticMarket) -> None:
    from md_kit import store_through
    store = store_through(tmp_path / "short", market, market.days[-3])
    folder = day_folder(full_store, tmp_path / "in", [market.days[-1]])
    error = rejected(store, calendar, folder)
    gaps = [p for p in error.problems if p.kind == "missing_trading_day"]
    assert [p.day for p in gaps] == [market.days[-2]]


def test_a_file_for_a_closed_day_is_refused(tmp_path: Path, calendar: TradingCalendar,
                                            full_store: MarketStore, partial_store: MarketStore,
                                            market: SyntheticMarket) -> None:
    folder = day_folder(full_store, tmp_path / "in", [market.days[-1]])
    (folder / "daily" / f"{market.days[-1]}.csv").rename(folder / "daily" / "2026-11-21.csv")
    error = rejected(partial_store, calendar, folder)
    assert any(p.kind == "not_a_trading_day" and p.file == "daily/2026-11-21.csv"
               for p in error.problems)


@pytest.mark.parametrize(("kind", "edit"), [
    ("duplicate_row", lambda f: pd.concat([f, f.iloc[[3]]], ignore_index=True)),
    ("missing_stock", lambda f: f.drop(index=5).reset_index(drop=True)),
    ("missing_column", lambda f: f.drop(columns=["adj_factor"])),
    ("unknown_symbol", lambda f: pd.concat([f, f.iloc[[0]].assign(symbol="603999.SSE")],
                                           ignore_index=True)),
    ("bad_value", lambda f: pd.concat([f, f.iloc[[0]].assign(symbol="900901.SSE")],
                                      ignore_index=True)),
])
def test_bad_files_are_rejected(tmp_path: Path, calendar: TradingCalendar,
                                full_store: MarketStore, partial_store: MarketStore,
                                market: SyntheticMarket, kind: str, edit: Edit) -> None:
    day = market.days[-1]
    folder = day_folder(full_store, tmp_path / "in", [day])
    edited = edit_day(folder, day, edit)
    error = rejected(partial_store, calendar, folder)
    found = [p for p in error.problems if p.kind == kind]
    assert found and found[0].file == f"daily/{day}.csv", [str(p) for p in error.problems]
    if kind == "duplicate_row":
        assert found[0].row == len(edited) and "duplicate of row 4" in found[0].message


def test_unreadable_and_misnamed_files(tmp_path: Path, calendar: TradingCalendar,
                                       partial_store: MarketStore) -> None:
    folder = tmp_path / "in"
    (folder / "daily").mkdir(parents=True)
    (folder / "daily" / "latest.csv").write_text("symbol\n")
    (folder / "index.parquet").write_bytes(b"not parquet")
    error = rejected(partial_store, calendar, folder)
    kinds = {(p.kind, p.file) for p in error.problems}
    assert ("bad_file_name", "daily/latest.csv") in kinds
    assert ("unreadable_file", "index.parquet") in kinds
    empty = tmp_path / "empty"
    empty.mkdir()
    assert rejected(partial_store, calendar, empty).problems[0].kind == "empty_import"


def test_new_instrument_with_its_first_unlimited_day(tmp_path: Path, calendar: TradingCalendar,
                                                     full_store: MarketStore,
                                                     partial_store: MarketStore,
                                                     market: SyntheticMarket) -> None:
    day = market.days[-1]
    folder = day_folder(full_store, tmp_path / "in", [day])
    pd.DataFrame({"symbol": ["688999.SSE"], "name": ["新星科技"], "industry": ["电子"],
                  "list_date": [day.isoformat()]}).to_csv(folder / "instruments.csv", index=False)
    ipo = {"symbol": "688999.SSE", "open": 30.0, "high": 42.0, "low": 28.0, "close": 40.0,
           "prev_close": 20.0, "volume": 5e6, "amount": 1.8e8, "adj_factor": 1.0,
           "total_shares": 4e8, "float_shares": 4e7, "risk_flag": 0, "suspended": 0}
    edit_day(folder, day, lambda f: pd.concat([f, pd.DataFrame([ipo])], ignore_index=True))
    import_folder(partial_store, calendar, folder)
    panel = partial_store.load_panel(day, 1, ["close", "total_mcap"])
    assert panel["close"].iloc[0]["688999.SSE"] == 40.0
    assert panel["total_mcap"].iloc[0]["688999.SSE"] == pytest.approx(40.0 * 4e8)
    assert partial_store.instruments().loc["688999.SSE", "board"] == "star"
    prior = partial_store.load_panel(day, 2, ["listed"])["listed"]["688999.SSE"]
    assert list(prior) == [False, True]
    # Older months were written without the new symbol: the panel still lines up.
    months = partial_store.load_panel(day, 60, ["close"])["close"]
    reference = full_store.load_panel(day, 60, ["close"])["close"]
    assert months["688999.SSE"].isna().sum() == 59
    pd.testing.assert_frame_equal(months.drop(columns="688999.SSE"), reference)


def test_suspended_rows_may_leave_prices_blank(tmp_path: Path, calendar: TradingCalendar,
                                               full_store: MarketStore,
                                               partial_store: MarketStore,
                                               market: SyntheticMarket) -> None:
    day = market.days[-1]
    folder = day_folder(full_store, tmp_path / "in", [day])
    frame = pd.read_csv(folder / "daily" / f"{day}.csv", dtype={"symbol": str})
    symbol = traded_symbol(frame)
    edit_day(folder, day, _set(symbol, suspended=1, open=np.nan, high=np.nan, low=np.nan,
                               close=np.nan, volume=np.nan, amount=np.nan, prev_close=np.nan,
                               total_mcap=np.nan, float_mcap=np.nan))
    import_folder(partial_store, calendar, folder)
    bar = partial_store.load_panel(day, 2).on(day).loc[symbol]
    before = partial_store.load_panel(market.days[-2], 1).on(market.days[-2]).loc[symbol]
    assert bar["suspended"] and bar["volume"] == 0
    assert bar["close"] == bar["open"] == bar["prev_close"] == before["close"]


def test_index_and_futures_files_are_checked(tmp_path: Path, calendar: TradingCalendar,
                                             full_store: MarketStore, partial_store: MarketStore,
                                             market: SyntheticMarket) -> None:
    folder = day_folder(full_store, tmp_path / "in", [market.days[-1]], with_tables=True)
    index = pd.read_csv(folder / "index.csv")
    index.loc[0, "csi1000"] = -1
    index.to_csv(folder / "index.csv", index=False)
    futures = pd.read_csv(folder / "futures.csv")
    futures.loc[1, "symbol"] = "IC2612.CFFEX"
    futures.to_csv(folder / "futures.csv", index=False)
    error = rejected(partial_store, calendar, folder)
    found = {(p.kind, p.file, p.row, p.field) for p in error.problems}
    assert ("non_positive_price", "index.csv", 1, "csi1000") in found
    assert ("bad_value", "futures.csv", 2, "symbol") in found


def test_history_before_the_store_date_is_contiguous(tmp_path: Path, calendar: TradingCalendar,
                                                     full_store: MarketStore,
                                                     market: SyntheticMarket) -> None:
    days = market.days[-4:]
    folder = day_folder(full_store, tmp_path / "in", days, with_tables=True)
    store = MarketStore(tmp_path / "fresh")
    import_folder(store, calendar, folder)
    assert store.trade_dates() == days
    assert store.latest_date() == date(2026, 11, 20)
