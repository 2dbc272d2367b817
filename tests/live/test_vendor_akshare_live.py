"""Real AKShare calls (by hand only, DESK_VENDOR_LIVE=1; no token: AKShare needs none).

A whole day is a few calls per listed stock (about an hour for the market), so these
check each function the adapter uses on a small question: it answers in the documented
columns, and one stock's row passes the adapter's unit checks.
"""

from __future__ import annotations

import os
from datetime import date

import akshare
import pytest
from tenacity import wait_none

from marketdata.vendors.akshare import LibraryApi
from marketdata.vendors.akshare_bars import StockDay, stock_row
from marketdata.vendors.akshare_calls import COLUMNS
from marketdata.vendors.akshare_frames import documented
from marketdata.vendors.calls import caller

pytestmark = pytest.mark.vendor_live
DAY = date.fromisoformat(os.environ.get("DESK_VENDOR_LIVE_DATE", "2026-11-20"))
YMD = DAY.strftime("%Y%m%d")
QUESTIONS: dict[str, dict[str, str]] = {
    "stock_info_sh_name_code": {"symbol": "主板A股"},
    "stock_info_sz_name_code": {"symbol": "A股列表"},
    "stock_info_bj_name_code": {},
    "stock_info_sh_delist": {"symbol": "全部"},
    "stock_info_sz_delist": {"symbol": "终止上市公司"},
    "stock_industry_clf_hist_sw": {},
    "stock_zh_a_hist": {"symbol": "600000", "period": "daily", "start_date": YMD,
                        "end_date": YMD, "adjust": ""},
    "stock_zh_a_daily": {"symbol": "sh600000", "adjust": "hfq-factor"},
    "stock_value_em": {"symbol": "600000"},
    "stock_tfp_em": {"date": YMD},
    "index_zh_a_hist": {"symbol": "000852", "period": "daily", "start_date": YMD,
                        "end_date": YMD},
    "get_futures_daily": {"start_date": YMD, "end_date": YMD, "market": "CFFEX"},
    "futures_contract_info_cffex": {"date": YMD},
    "stock_lrb_em": {"date": "20250930"},
    "stock_zcfz_em": {"date": "20250930"},
}


def _query(function: str, **params: str):  # type: ignore[no-untyped-def]
    call = caller("akshare", 1, 5.0, wait_none())
    return documented(function, call(LibraryApi(akshare, 30).query, function,
                                     function=function, **params))


def test_every_function_the_adapter_calls_is_asked_here() -> None:
    assert set(QUESTIONS) == set(COLUMNS)


@pytest.mark.parametrize("function", sorted(QUESTIONS))
def test_each_function_answers_in_its_documented_columns(function: str) -> None:
    frame = _query(function, **QUESTIONS[function])
    assert not frame.empty, function


def test_one_stock_s_row_passes_the_unit_checks() -> None:
    row = stock_row(_query, StockDay("600000.SSE", DAY, False, None))
    assert row is not None and row["volume"] > 0 and row["total_shares"] > 1e9
