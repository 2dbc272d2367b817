"""AKShare's codes, units and tables, mapped exactly and refusing anything else."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from marketdata.vendors.akshare import _halted, _industry_on
from marketdata.vendors.akshare_bars import StockDay, stock_row
from marketdata.vendors.akshare_frames import BadVendorFrame, dates
from marketdata.vendors.codes import (
    UnknownVendorCode,
    akshare_future_symbol,
    akshare_symbol,
    sina_code,
)

DAY = date(2026, 11, 20)


@pytest.mark.parametrize(("code", "symbol"), [
    ("600000", "600000.SSE"), ("sh600000", "600000.SSE"), ("688981", "688981.SSE"),
    ("000001", "000001.SZSE"), ("sz000001", "000001.SZSE"), ("300750", "300750.SZSE"),
    ("920002", "920002.BSE"), ("bj920002", "920002.BSE"), (" SH600000 ", "600000.SSE"),
])
def test_bare_and_sina_codes_map_exactly(code: str, symbol: str) -> None:
    assert akshare_symbol(code, DAY) == symbol


@pytest.mark.parametrize(("symbol", "sina"), [("600000.SSE", "sh600000"),
                                              ("000001.SZSE", "sz000001"),
                                              ("920002.BSE", "bj920002")])
def test_sina_codes_round_trip(symbol: str, sina: str) -> None:
    assert sina_code(symbol) == sina and akshare_symbol(sina, DAY) == symbol


def test_legacy_bse_codes_only_before_the_move_to_920() -> None:
    assert akshare_symbol("830799", date(2025, 10, 8)) == "830799.BSE"
    assert akshare_symbol("430047", date(2025, 10, 8)) == "430047.BSE"
    with pytest.raises(UnknownVendorCode):
        akshare_symbol("830799", date(2025, 10, 9))


@pytest.mark.parametrize("code", ["900901", "200002", "sz600000", "sh000001", "60000",
                                  "6000001", "IM2612", "hk00700", "", "nan"])
def test_b_shares_wrong_prefixes_and_other_codes_are_refused(code: str) -> None:
    with pytest.raises(UnknownVendorCode):
        akshare_symbol(code, DAY)


@pytest.mark.parametrize(("code", "symbol"), [("IM2612", "IM2612.CFFEX"),
                                              ("im2703", "IM2703.CFFEX"), ("IF2612", None),
                                              ("IM", None), ("IO2612-C-6000", None),
                                              ("IM2612.CFX", None)])
def test_only_im_contracts_map_to_futures(code: str, symbol: str | None) -> None:
    assert akshare_future_symbol(code) == symbol


class Answers:
    """One stock's answers, as the library returns them (dates as date objects, Sina's
    factor as text)."""

    def __init__(self, bar: dict[str, Any] | None, shares: tuple[float, float] = (
            19405918198.0, 19405600000.0)) -> None:
        self.bar, self.shares = bar, shares

    def __call__(self, function: str, **params: Any) -> pd.DataFrame:
        if function == "stock_zh_a_hist":
            return pd.DataFrame([self.bar]) if self.bar else pd.DataFrame(
                columns=["日期", "股票代码", "开盘", "收盘", "最高", "最低", "成交量", "成交额",
                         "涨跌额"])
        if function == "stock_zh_a_daily":
            return pd.DataFrame({"date": pd.to_datetime(["2024-06-13", "2026-11-20"]),
                                 "hfq_factor": ["12.5", "13.0"]})
        return pd.DataFrame({"数据日期": [date(2026, 11, 19), DAY],
                             "总股本": [self.shares[0]] * 2, "流通股本": [self.shares[1]] * 2})


BAR = {"日期": DAY, "股票代码": "000001", "开盘": 8.75, "收盘": 8.70, "最高": 8.85,
       "最低": 8.69, "成交量": 525153, "成交额": 460697377.0, "涨跌额": -0.02}


def test_units_of_a_bar_hands_to_shares_and_the_factor_chained() -> None:
    before = {"adj_factor": 100.0, "total_shares": 1.0, "float_shares": 1.0}
    row = stock_row(Answers(BAR), StockDay("000001.SZSE", DAY, False, before))
    assert row is not None
    assert row["volume"] == 52_515_300 and row["amount"] == 460_697_377.0
    assert row["prev_close"] == 8.72  # 收盘 - 涨跌额
    assert row["adj_factor"] == pytest.approx(100.0 * 13.0 / 12.5)  # an ex-date on D
    assert row["total_shares"] == 19_405_918_198 and row["float_shares"] == 19_405_600_000
    fresh = stock_row(Answers(BAR), StockDay("000001.SZSE", DAY, False, None))
    assert fresh is not None and fresh["adj_factor"] == 13.0  # no stored day: Sina's own


def test_no_bar_is_suspended_only_when_on_the_suspension_list() -> None:
    assert stock_row(Answers(None), StockDay("000001.SZSE", DAY, False, None)) is None
    row = stock_row(Answers(None), StockDay("000001.SZSE", DAY, True, None))
    assert row is not None and row["suspended"] == 1 and row["volume"] == 0
    assert pd.isna(row["close"]) and row["total_shares"] == 19_405_918_198


def test_a_volume_a_hundred_times_too_small_is_refused_too() -> None:
    with pytest.raises(BadVendorFrame, match=r"000001\.SZSE.*units are off"):
        stock_row(Answers({**BAR, "成交量": 5251}), StockDay("000001.SZSE", DAY, False, None))


@pytest.mark.parametrize(("shares", "match"), [
    ((1940591.8198, 1940560.0), "over 5 times 流通股本.*units are off"),  # 万股
    ((19405600000.0, 19405918198.0), "tradable <= total"),
    ((0.0, 0.0), "tradable <= total"),
])
def test_share_counts_in_the_wrong_unit_or_impossible_are_refused(
        shares: tuple[float, float], match: str) -> None:
    with pytest.raises(BadVendorFrame, match=match):
        stock_row(Answers(BAR, shares), StockDay("000001.SZSE", DAY, False, None))


def test_suspended_on_the_day_from_the_suspension_table() -> None:
    tfp = pd.DataFrame({"代码": ["600001", "600002", "600003", "600004"],
                        "停牌时间": [date(2026, 11, 1), DAY, date(2026, 11, 1), None],
                        "停牌截止时间": [None, DAY, date(2026, 11, 19), None]})
    assert _halted(tfp, DAY) == {"600001", "600002", "600004"}


def test_the_shenwan_industry_in_force_on_the_day() -> None:
    sw = pd.DataFrame({"symbol": ["600000", "600000", "600000", "1"],
                       "start_date": [date(2014, 1, 1), date(2021, 7, 30), date(2027, 1, 1),
                                      date(2021, 7, 30)],
                       "industry_code": ["480101", "480301", "490101", "270302"]})
    assert _industry_on(sw, DAY).to_dict() == {"000001": "SW270302", "600000": "SW480301"}


@pytest.mark.parametrize("value", [date(2026, 11, 20), "2026-11-20", "20261120",
                                   pd.Timestamp("2026-11-20"), "2026-11-20 00:00:00"])
def test_dates_in_every_spelling_akshare_uses(value: object) -> None:
    assert dates(pd.Series([value]))[0] == pd.Timestamp(DAY)
