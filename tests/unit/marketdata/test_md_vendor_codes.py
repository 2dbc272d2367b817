"""Vendor codes, units and ST names, against the examples in Tushare's documentation."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from marketdata.schema import RiskFlag
from marketdata.vendors.codes import UnknownVendorCode, future_symbol, stock_symbol
from marketdata.vendors.flags import flag_of_name, names_on
from marketdata.vendors.tushare import _traded_rows


@pytest.mark.parametrize(("code", "symbol"), [
    ("600000.SH", "600000.SSE"), ("688981.SH", "688981.SSE"), ("000001.SZ", "000001.SZSE"),
    ("300750.SZ", "300750.SZSE"), ("302132.SZ", "302132.SZSE"), ("920002.BJ", "920002.BSE"),
    ("600000.sh", "600000.SSE"),
])
def test_stock_codes_map_exactly(code: str, symbol: str) -> None:
    assert stock_symbol(code) == symbol


def test_legacy_bse_codes_only_before_the_move_to_920() -> None:
    assert stock_symbol("830799.BJ", date(2025, 10, 8)) == "830799.BSE"
    with pytest.raises(UnknownVendorCode):
        stock_symbol("830799.BJ", date(2025, 10, 9))


@pytest.mark.parametrize("code", ["900901.SH", "200002.SZ", "600000.SZ", "000001.SH",
                                  "600000", "600000.HK", "60000.SH", "IM2612.CFX"])
def test_b_shares_wrong_exchanges_and_other_codes_are_refused(code: str) -> None:
    with pytest.raises(UnknownVendorCode):
        stock_symbol(code)


@pytest.mark.parametrize(("code", "symbol"), [("IM2612.CFX", "IM2612.CFFEX"),
                                              ("IM.CFX", None), ("IML.CFX", None),
                                              ("IF2612.CFX", None), ("IM2612.SHF", None)])
def test_only_im_contracts_map_to_futures(code: str, symbol: str | None) -> None:
    assert future_symbol(code) == symbol


def test_units_of_the_documented_daily_sample() -> None:
    # tushare.pro daily, 数据样例: 000001.SZ 20180718 vol 525152.77 (手) amount 460697.377 (千元)
    daily = pd.DataFrame({"ts_code": ["000001.SZ"], "trade_date": ["20180718"], "open": [8.75],
                          "high": [8.85], "low": [8.69], "close": [8.70], "pre_close": [8.72],
                          "vol": [525152.77], "amount": [460697.377]})
    adj = pd.Series({"000001.SZ": 108.031})  # adj_factor's sample for the same stock
    basic = pd.DataFrame({"total_share": [1940591.8198], "float_share": [1940560.0]},
                         index=["000001.SZ"])  # 万股
    row = _traded_rows(daily, adj, basic).iloc[0]
    assert row["volume"] == 52_515_277  # shares
    assert row["amount"] == 460_697_377.0  # CNY
    assert row["prev_close"] == 8.72 and row["adj_factor"] == 108.031
    assert row["total_shares"] == 19_405_918_198 and row["float_shares"] == 19_405_600_000


@pytest.mark.parametrize(("name", "flag"), [
    ("上海临港", RiskFlag.NORMAL), ("ST自仪", RiskFlag.ST), ("SST自仪", RiskFlag.ST),
    ("*ST德豪", RiskFlag.STAR_ST), ("S*ST前锋", RiskFlag.STAR_ST), ("退市海润", RiskFlag.DELISTING),
    ("紫鑫退", RiskFlag.DELISTING), ("ST 天马", RiskFlag.ST),
])
def test_status_from_names(name: str, flag: RiskFlag) -> None:
    assert flag_of_name(name) is flag


def test_the_name_in_force_with_tushare_s_doubled_rows() -> None:
    # tushare namechange for 002122.SZ lists each ST name twice, once without an end date
    rows = pd.DataFrame([
        ("002122.SZ", "天马股份", "20230228", None), ("002122.SZ", "ST天马", "20230110", None),
        ("002122.SZ", "ST天马", "20230110", "20230227"),
        ("002122.SZ", "*ST天马", "20221102", None),
        ("002122.SZ", "*ST天马", "20221102", "20230109"),
        ("002122.SZ", "天马股份", "20070328", "20180502"),
    ], columns=["ts_code", "name", "start_date", "end_date"])
    assert names_on(rows, date(2022, 12, 1))["002122.SZ"] == "*ST天马"
    assert names_on(rows, date(2023, 2, 1))["002122.SZ"] == "ST天马"
    assert names_on(rows, date(2023, 3, 1))["002122.SZ"] == "天马股份"
    assert names_on(rows, date(2010, 3, 1))["002122.SZ"] == "天马股份"
