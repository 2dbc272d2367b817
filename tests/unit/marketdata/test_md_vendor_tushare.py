"""The Tushare adapter on recorded answers: a stored day round-trips through Tushare's
columns, units and codes, through the importer's validation, into the store."""

from __future__ import annotations

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
from marketdata.vendors.backfill import backfill
from marketdata.vendors.config import FetchConfig
from marketdata.vendors.errors import FetchFailed
from marketdata.vendors.fetch import fetch_day
from marketdata.vendors.microcap import BASE
from marketdata.vendors.sources import make_adapter
from tests.unit.marketdata.md_kit import store_through
from tests.unit.marketdata.tushare_kit import record_day, record_days, ts_code, write_statements

FIELDS = ["open", "high", "low", "close", "prev_close", "volume", "adj_factor",
          "total_shares", "float_shares", "total_mcap", "float_mcap", "risk_flag", "suspended"]


@pytest.fixture(scope="module")
def small(calendar: TradingCalendar) -> SyntheticMarket:
    return generate_market(200, 30, seed=17, calendar=calendar)


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory, small: SyntheticMarket) -> MarketStore:
    return store_through(tmp_path_factory.mktemp("truth"), small)


def _cfg(*dirs: Path) -> FetchConfig:
    return FetchConfig.model_validate({"sources": {
        f"ts{i}": {"kind": "tushare", "replay_dir": str(d)} for i, d in enumerate(dirs)}})


def _factory(source, env):  # type: ignore[no-untyped-def]
    return make_adapter(source, env, wait=wait_none())


def test_a_recorded_day_imports_into_the_store_exactly(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = store_through(tmp_path / "desk", small, calendar.previous_trading_day(day))
    recording = record_day(truth, day, tmp_path / "rec")
    done = fetch_day(store, calendar, _cfg(recording), day, tmp_path / "staging", {},
                     factory=_factory)
    assert done.source == "ts0" and done.report.days == [day] and done.failures == []
    got = day_frame(store, day).set_index("symbol")
    want = day_frame(truth, day).set_index("symbol")
    assert list(got.index) == list(want.index)
    assert want["suspended"].sum() > 0 and (want["risk_flag"] > 0).sum() > 0  # covered
    for name in FIELDS:
        np.testing.assert_allclose(got[name].to_numpy(float), want[name].to_numpy(float),
                                   rtol=1e-12, err_msg=name)
    assert np.abs(got["amount"] - want["amount"]).max() <= 1.0  # 千元 to 3 places: 1 CNY
    index = store.load_index(day, day).iloc[0]
    assert index["csi1000"] == truth.load_index(day, day).iloc[0]["csi1000"]
    pd.testing.assert_frame_equal(store.load_futures(day, day), truth.load_futures(day, day),
                                  check_like=True)
    assert store.manifest().meta["last_import"] == str(done.folder)


def test_the_microcap_level_is_chained_from_the_store(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    before = calendar.previous_trading_day(day)
    store = store_through(tmp_path / "desk", small, before)
    fetch_day(store, calendar, _cfg(record_day(truth, day, tmp_path / "rec")), day,
              tmp_path / "s", {}, factory=_factory)
    rows = day_frame(truth, day).set_index("symbol")
    caps = day_frame(truth, before).set_index("symbol")["total_mcap"]
    ok = rows[(rows["risk_flag"] == 0) & (rows["suspended"] == 0)].index
    members = caps.reindex(ok).nsmallest(400).index
    ret = (rows.loc[members, "close"] / rows.loc[members, "prev_close"] - 1).mean()
    level = truth.load_index(before, before).iloc[0]["microcap"] * (1 + ret)
    assert store.load_index(day, day).iloc[0]["microcap"] == pytest.approx(level, rel=1e-6)


def test_a_partial_day_is_rejected_and_the_fallback_delivers(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = store_through(tmp_path / "desk", small, calendar.previous_trading_day(day))
    partial = record_day(truth, day, tmp_path / "partial")
    daily = pd.read_csv(partial / "daily.csv", dtype=str)
    daily.iloc[5:].to_csv(partial / "daily.csv", index=False)  # five stocks never arrived
    complete = record_day(truth, day, tmp_path / "complete")
    with pytest.raises(FetchFailed, match=r"missing_stock"):
        fetch_day(store, calendar, _cfg(partial), day, tmp_path / "s1", {}, factory=_factory)
    with pytest.raises(MissingData):
        store.load_panel(day, 1)  # nothing of the day was written
    done = fetch_day(store, calendar, _cfg(partial, complete), day, tmp_path / "s2", {},
                     factory=_factory)
    assert done.source == "ts1" and [n for n, _ in done.failures] == ["ts0"]
    assert "missing_stock" in done.failures[0][1]


def test_a_first_import_into_an_empty_store_starts_the_microcap_at_its_base(
        tmp_path: Path, truth: MarketStore, calendar: TradingCalendar) -> None:
    first = truth.trade_dates()[0]
    store = MarketStore(tmp_path / "empty")
    fetch_day(store, calendar, _cfg(record_day(truth, first, tmp_path / "rec")), first,
              tmp_path / "s", {}, factory=_factory)
    assert store.trade_dates() == [first]
    assert store.load_index(first, first).iloc[0]["microcap"] == BASE


def test_a_vendor_that_keeps_failing_is_retried_then_reported(
        tmp_path: Path, calendar: TradingCalendar) -> None:
    store = MarketStore(tmp_path / "store")
    with pytest.raises(FetchFailed, match=r"tushare stock_basic.*after 5 attempt\(s\)"):
        fetch_day(store, calendar, _cfg(tmp_path / "nothing-recorded"), date(2026, 11, 20),
                  tmp_path / "s", {}, factory=_factory)


def test_a_missing_token_names_the_key(tmp_path: Path, calendar: TradingCalendar) -> None:
    cfg = FetchConfig.model_validate({"sources": {"tushare": {"kind": "tushare",
                                                              "token_env": "TUSHARE_TOKEN"}}})
    with pytest.raises(FetchFailed, match=r"'TUSHARE_TOKEN'.*which is not set"):
        fetch_day(MarketStore(tmp_path / "s"), calendar, cfg, date(2026, 11, 20),
                  tmp_path / "st", {}, factory=_factory)


def test_a_backfill_stops_at_a_bad_day_and_resumes_where_it_stopped(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    days = truth.trade_dates()[-3:]
    store = store_through(tmp_path / "desk", small, calendar.previous_trading_day(days[0]))
    rec = record_days(truth, days, tmp_path / "rec")
    good = pd.read_csv(rec / "daily.csv", dtype=str)
    bad_day = days[1].strftime("%Y%m%d")
    good[good["trade_date"] != bad_day].to_csv(rec / "daily.csv", index=False)  # not out yet
    seen: list[date] = []
    first = backfill(store, calendar, _cfg(rec), days[0], days[-1], tmp_path / "s", {},
                     progress=seen.append, factory=_factory)
    assert [f.report.days for f in first.done] == [[days[0]]]
    assert first.stopped_at == days[1] and "nothing for" in str(first.failed)
    assert store.trade_dates()[-1] == days[0] and seen == days[:2]
    good.to_csv(rec / "daily.csv", index=False)  # the vendor published it
    again = backfill(store, calendar, _cfg(rec), days[0], days[-1], tmp_path / "s", {},
                     factory=_factory)
    assert again.skipped == [days[0]] and again.failed is None
    assert [f.report.days[0] for f in again.done] == days[1:]
    assert store.trade_dates()[-3:] == days


def _income(code: str, end: str, ann: str, revenue: float, profit: float,
            flag: str = "1") -> dict[str, object]:
    return {"ts_code": code, "ann_date": ann, "f_ann_date": ann, "end_date": end,
            "report_type": "1", "comp_type": "1", "end_type": "4", "update_flag": flag,
            "revenue": revenue, "total_revenue": revenue, "n_income": profit,
            "n_income_attr_p": profit}


def test_reports_announced_since_the_day_before_become_point_in_time_financials(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    before = calendar.previous_trading_day(day)
    store = store_through(tmp_path / "desk", small, before)
    rec = record_day(truth, day, tmp_path / "rec")
    x, y = truth.instruments().index[:2]
    tx, ty = ts_code(x), ts_code(y)
    b, d = before.strftime("%Y%m%d"), day.strftime("%Y%m%d")
    write_statements(rec, [
        _income(tx, "20251231", "20260328", 1000e6, 100e6),
        _income(tx, "20250930", "20251028", 700e6, 60e6),
        _income(tx, "20260930", b, 840e6, 80e6, flag="0"),  # restated the same day
        _income(tx, "20260930", b, 840e6, 90e6, flag="1"),
        _income(ty, "20260930", d, 500e6, 40e6),  # no report a year earlier on record
        _income(ty, "20260630", "20261110", 300e6, 20e6),  # announced before the window
    ], [{"ts_code": tx, "ann_date": b, "f_ann_date": b, "end_date": "20260930",
         "report_type": "1", "comp_type": "1", "end_type": "3", "update_flag": "1",
         "total_share": 1e9, "total_hldr_eqy_exc_min_int": 1500e6,
         "total_hldr_eqy_inc_min_int": 1600e6}])
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
    assert np.isnan(ry["equity"]) and np.isnan(ry["roe"])


def test_financials_can_be_turned_off_for_a_token_without_the_vip_functions(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = store_through(tmp_path / "desk", small, calendar.previous_trading_day(day))
    rec = record_day(truth, day, tmp_path / "rec")
    (rec / "income_vip.csv").unlink()  # what a 2,000-point token gets: no such function
    cfg = FetchConfig.model_validate({"sources": {"ts": {
        "kind": "tushare", "replay_dir": str(rec), "financials": False}}})
    done = fetch_day(store, calendar, cfg, day, tmp_path / "s", {}, factory=_factory)
    assert done.report.days == [day] and "financials" not in done.report.tables
    with pytest.raises(FetchFailed, match="income_vip"):
        fetch_day(store, calendar, _cfg(rec), day, tmp_path / "s2", {}, factory=_factory)


def test_an_answer_without_columns_is_an_empty_table_not_a_crash(
        tmp_path: Path, small: SyntheticMarket, truth: MarketStore,
        calendar: TradingCalendar) -> None:
    day = truth.trade_dates()[-1]
    store = store_through(tmp_path / "desk", small, calendar.previous_trading_day(day))
    rec = record_day(truth, day, tmp_path / "rec")
    (rec / "suspend_d.csv").write_text("\n", encoding="utf-8")  # pd.DataFrame() of a failure
    with pytest.raises(FetchFailed, match="missing_stock"):  # suspended stocks unaccounted
        fetch_day(store, calendar, _cfg(rec), day, tmp_path / "s", {}, factory=_factory)
