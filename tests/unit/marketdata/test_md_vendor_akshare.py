"""The AKShare adapter on recorded answers: a stored day round-trips through AKShare's
columns, units and codes, through the importer's validation, into the store; a hostile
answer is a clear error naming the function, the stock and the column, and nothing is
imported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tenacity import wait_none

from marketdata.calendar import TradingCalendar
from marketdata.errors import MissingData
from marketdata.importers.export import day_frame
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket, generate_market
from marketdata.vendors.config import FetchConfig
from marketdata.vendors.errors import FetchFailed
from marketdata.vendors.fetch import fetch_day
from marketdata.vendors.microcap import BASE
from marketdata.vendors.sources import make_adapter
from tests.unit.marketdata.akshare_kit import SINA_BASE, SW_CODE, record_day, write_statements
from tests.unit.marketdata.md_kit import snapshot, store_through

FIELDS = ["open", "high", "low", "close", "prev_close", "volume", "amount", "adj_factor",
          "total_shares", "float_shares", "total_mcap", "float_mcap", "risk_flag",
          "suspended"]


@pytest.fixture(scope="module")
def small(calendar: TradingCalendar) -> SyntheticMarket:
    return generate_market(200, 30, seed=17, calendar=calendar)


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory, small: SyntheticMarket) -> MarketStore:
    return store_through(tmp_path_factory.mktemp("truth"), small)


def _cfg(*dirs: Path, **extra: object) -> FetchConfig:
    return FetchConfig.model_validate({"sources": {
        f"ak{i}": {"kind": "akshare", "replay_dir": str(d), **extra}
        for i, d in enumerate(dirs)}})


def _factory(source, env):  # type: ignore[no-untyped-def]
    return make_adapter(source, env, wait=wait_none())


def _desk(tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
          calendar: TradingCalendar) -> MarketStore:
    """A store that ends the trading day before the truth's last day."""
    return store_through(tmp_path / "desk", small,
                         calendar.previous_trading_day(truth.trade_dates()[-1]))


def test_a_recorded_day_imports_into_the_store_exactly(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = _desk(tmp_path, small, truth, calendar)
    done = fetch_day(store, calendar, _cfg(record_day(truth, day, tmp_path / "rec")), day,
                     tmp_path / "staging", {}, factory=_factory)
    assert done.source == "ak0" and done.report.days == [day] and done.failures == []
    got = day_frame(store, day).set_index("symbol")
    want = day_frame(truth, day).set_index("symbol")
    assert list(got.index) == list(want.index)
    assert want["suspended"].sum() > 0 and (want["risk_flag"] > 0).sum() > 0  # covered
    assert set(want.index.str[-3:]) == {"SSE", "ZSE", "BSE"}  # all three exchanges
    for name in FIELDS:  # the factor chained on the store's, not Sina's base
        np.testing.assert_allclose(got[name].to_numpy(float), want[name].to_numpy(float),
                                   rtol=1e-12, err_msg=name)
    assert store.load_index(day, day).iloc[0]["csi1000"] == \
        truth.load_index(day, day).iloc[0]["csi1000"]
    pd.testing.assert_frame_equal(store.load_futures(day, day),
                                  truth.load_futures(day, day), check_like=True)
    assert set(store.instruments()["industry"]) == {f"SW{SW_CODE}"}  # Shenwan's, on D


def test_a_first_import_takes_sina_s_own_factor_and_the_microcap_base(
        tmp_path: Path, truth: MarketStore, calendar: TradingCalendar) -> None:
    first = truth.trade_dates()[0]
    store = MarketStore(tmp_path / "empty")
    fetch_day(store, calendar, _cfg(record_day(truth, first, tmp_path / "rec")), first,
              tmp_path / "s", {}, factory=_factory)
    got = day_frame(store, first).set_index("symbol")["adj_factor"]
    want = day_frame(truth, first).set_index("symbol")["adj_factor"] * SINA_BASE
    np.testing.assert_allclose(got.to_numpy(float), want.reindex(got.index).to_numpy(float))
    assert store.load_index(first, first).iloc[0]["microcap"] == BASE


def test_a_stock_without_bar_or_suspension_is_a_partial_day_and_the_fallback_delivers(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = _desk(tmp_path, small, truth, calendar)
    partial = record_day(truth, day, tmp_path / "partial")
    hist = pd.read_csv(partial / "stock_zh_a_hist.csv", dtype=str, keep_default_na=False)
    hist.iloc[3:].to_csv(partial / "stock_zh_a_hist.csv", index=False)  # 3 never arrived
    complete = record_day(truth, day, tmp_path / "complete")
    with pytest.raises(FetchFailed, match=r"missing_stock"):
        fetch_day(store, calendar, _cfg(partial), day, tmp_path / "s1", {},
                  factory=_factory)
    with pytest.raises(MissingData):
        store.load_panel(day, 1)
    done = fetch_day(store, calendar, _cfg(partial, complete), day, tmp_path / "s2", {},
                     factory=_factory)
    assert done.source == "ak1" and [n for n, _ in done.failures] == ["ak0"]


Edit = Callable[[pd.DataFrame], pd.DataFrame]


def _hostile(tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
             calendar: TradingCalendar, function: str, edit: Edit, match: str) -> None:
    """The recording of `function` edited by `edit`: the fetch fails with `match` and the
    store is byte for byte what it was."""
    day = truth.trade_dates()[-1]
    store = _desk(tmp_path, small, truth, calendar)
    before = snapshot(store)
    rec = record_day(truth, day, tmp_path / "rec")
    path = rec / f"{function}.csv"
    edit(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)
    with pytest.raises(FetchFailed, match=match):
        fetch_day(store, calendar, _cfg(rec, retries=0), day, tmp_path / "s", {},
                  factory=_factory)
    assert snapshot(store) == before


def _first_row(column: str, value: str) -> Edit:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, column] = value
        return frame
    return edit


def test_a_missing_column_names_the_function_and_the_column(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    _hostile(tmp_path, small, truth, calendar, "stock_zh_a_hist",
             lambda f: f.drop(columns="涨跌额"),
             r"akshare stock_zh_a_hist: columns \['涨跌额'\] missing")


def test_a_blank_price_names_the_stock_and_the_column(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    code = pd.read_csv(record_day(truth, truth.trade_dates()[-1], tmp_path / "peek")
                       / "stock_zh_a_hist.csv", dtype=str)["股票代码"].iloc[0]
    _hostile(tmp_path, small, truth, calendar, "stock_zh_a_hist", _first_row("收盘", "NaN"),
             rf"stock_zh_a_hist {code}\.\w+: 收盘 is blank or not a number")


def test_a_negative_volume_names_the_stock(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    _hostile(tmp_path, small, truth, calendar, "stock_zh_a_hist",
             _first_row("成交量", "-500"), r"stock_zh_a_hist \d{6}\.\w+: negative 成交量")


def test_a_volume_in_shares_instead_of_hands_is_caught_by_its_value_per_share(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    def in_shares(frame: pd.DataFrame) -> pd.DataFrame:
        frame["成交量"] = (frame["成交量"].astype(int) * 100).astype(str)
        return frame
    _hostile(tmp_path, small, truth, calendar, "stock_zh_a_hist", in_shares,
             r"the units are off \(成交量 must be in hands")


def test_a_non_numeric_share_count_and_a_missing_factor_are_named(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    _hostile(tmp_path, small, truth, calendar, "stock_value_em",
             lambda f: f.assign(总股本="n/a"), r"stock_value_em \d{6}: 总股本 is blank")
    _hostile(tmp_path / "2", small, truth, calendar, "stock_zh_a_daily",
             lambda f: f.iloc[0:0], r"stock_zh_a_daily \w\w\d{6} hfq-factor: no positive")


def test_an_im_contract_without_a_listed_expiry_is_refused(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    _hostile(tmp_path, small, truth, calendar, "futures_contract_info_cffex",
             lambda f: f[~f["合约代码"].str.startswith("IM26")],
             r"futures_contract_info_cffex lacks \['IM26")


def test_a_code_on_another_exchange_s_list_is_left_out_not_moved(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    rec = record_day(truth, truth.trade_dates()[-1], tmp_path / "rec")
    sse, szse = (rec / f"stock_info_{x}_name_code.csv" for x in ("sh", "sz"))
    sh_list, sz_list = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in (sse, szse))
    moved = sz_list.iloc[0]
    stray = sh_list.iloc[[0]].assign(证券代码=moved["A股代码"], 证券简称=moved["A股简称"])
    pd.concat([sh_list, stray]).to_csv(sse, index=False)  # an SZSE stock on SSE's list
    sz_list.iloc[1:].to_csv(szse, index=False)  # and not on its own
    _hostile_folder(tmp_path, small, truth, calendar, rec,
                    rf"missing_stock.*{moved['A股代码']}\.SZSE")


def _hostile_folder(tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
                    calendar: TradingCalendar, rec: Path, match: str) -> None:
    store = _desk(tmp_path, small, truth, calendar)
    before = snapshot(store)
    with pytest.raises(FetchFailed, match=match):
        fetch_day(store, calendar, _cfg(rec, retries=0), truth.trade_dates()[-1],
                  tmp_path / "s", {}, factory=_factory)
    assert snapshot(store) == before


def test_nothing_recorded_is_retried_then_reported(
        tmp_path: Path, calendar: TradingCalendar) -> None:
    store = MarketStore(tmp_path / "store")
    with pytest.raises(FetchFailed, match=r"akshare stock_info_sh_name_code.*after 3 "
                                          r"attempt\(s\)"):
        fetch_day(store, calendar, _cfg(tmp_path / "nothing", retries=2), date(2026, 11, 20),
                  tmp_path / "s", {}, factory=_factory)
    assert store.trade_dates() == []


def _lrb(period: str, code: str, ann: str, revenue: float, profit: float
         ) -> dict[str, object]:
    return {"@date": period, "序号": 1, "股票代码": code, "股票简称": "", "净利润": profit,
            "营业总收入": revenue, "公告日期": ann}


def test_reports_announced_since_the_day_before_become_point_in_time_financials(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    before = calendar.previous_trading_day(day)
    store = _desk(tmp_path, small, truth, calendar)
    rec = record_day(truth, day, tmp_path / "rec")
    x, y = truth.instruments().index[:2]
    cx, cy = x[:6], y[:6]
    b, d = before.isoformat(), day.isoformat()
    write_statements(rec, [
        _lrb("20251231", cx, "2026-03-28", 1000e6, 100e6),
        _lrb("20250930", cx, "2025-10-28", 700e6, 60e6),
        _lrb("20260930", cx, b, 840e6, 90e6),
        _lrb("20260930", cy, d, 500e6, 40e6),  # no report a year earlier on record
        _lrb("20260630", cy, "2026-08-10", 300e6, 20e6),  # announced before the window
        _lrb("20250630", cy, "2026-12-30", 250e6, 10e6),  # (re)announced after D: unknown
    ], [{"@date": "20260930", "序号": 1, "股票代码": cx, "股东权益合计": 1500e6,
         "公告日期": b}])
    fetch_day(store, calendar, _cfg(rec), day, tmp_path / "s", {}, factory=_factory)
    fin = store.financials()
    new = fin[fin["report_date"] >= pd.Timestamp(before)].set_index("symbol")
    assert sorted(new.index) == sorted([x, y])
    rx, ry = new.loc[x], new.loc[y]
    assert rx["report_date"] == pd.Timestamp(before)
    assert rx["period_end"] == pd.Timestamp("2026-09-30")
    assert rx["net_profit_ttm"] == pytest.approx(130e6)  # 90 + 100 - 60
    assert rx["revenue_growth"] == pytest.approx(0.2)  # 840 / 700 - 1
    assert rx["equity"] == 1500e6 and rx["roe"] == pytest.approx(130 / 1500)
    assert np.isnan(ry["net_profit_ttm"]) and np.isnan(ry["revenue_growth"])
    assert np.isnan(ry["equity"])


def test_financials_off_asks_for_no_statement(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = _desk(tmp_path, small, truth, calendar)
    rec = record_day(truth, day, tmp_path / "rec")
    (rec / "stock_lrb_em.csv").unlink()
    done = fetch_day(store, calendar, _cfg(rec, financials=False), day, tmp_path / "s", {},
                     factory=_factory)
    assert done.report.days == [day] and "financials" not in done.report.tables
