"""Point-in-time financials from AKShare's whole-market statements, by announcement date.

`stock_lrb_em(date=P)` (Eastmoney's 利润表) and `stock_zcfz_em(date=P)` (资产负债表) give
every stock's year-to-date statement for the period ending P in CNY, one row per stock,
with its 公告日期 (the latest announcement of that period). The fetch of day D takes the
rows announced in [since, D] for the five quarter ends before D, and the formulas of
`tushare_fin`:

    net_profit_ttm = YTD(P) + annual(P's year - 1) - YTD(P one year earlier)   (净利润)
    revenue_growth = 营业总收入 YTD(P) / YTD(P one year earlier) - 1
    equity         = 股东权益合计 at P
    roe            = net_profit_ttm / equity

The earlier periods count only if announced up to D; a value that needs a missing one is
left blank, never guessed. Eastmoney keeps only a period's latest version, so a period
restated after D is blank for D rather than taken from the future.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from marketdata.vendors import codes
from marketdata.vendors.akshare_frames import dates
from marketdata.vendors.tushare_fin import recent_periods

Query = Callable[..., pd.DataFrame]
Key = tuple[str, str]  # (six-digit code, period end YYYYMMDD)


def _ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


class Statements:
    """Each period's statement asked for once per fetch, cut to what was known on D."""

    def __init__(self, query: Query, day: date) -> None:
        self.query, self.day = query, pd.Timestamp(day)
        self._cache: dict[tuple[str, str], pd.DataFrame] = {}

    def known(self, function: str, period: str) -> pd.DataFrame:
        if (function, period) not in self._cache:
            frame = self.query(function, date=period)
            frame = frame.assign(_ann=dates(frame["公告日期"]),
                                 _code=frame["股票代码"].astype(str).str.zfill(6))
            self._cache[(function, period)] = frame[frame["_ann"] <= self.day]
        return self._cache[(function, period)]

    def value(self, function: str, key: Key, column: str) -> float:
        frame = self.known(function, key[1])
        hit = frame.loc[frame["_code"] == key[0], column]
        return float(pd.to_numeric(hit, errors="coerce").iloc[-1]) if len(hit) else np.nan


def financials(query: Query, since: date, day: date) -> pd.DataFrame:
    """financials.csv rows for the reports announced in [since, day]."""
    book = Statements(query, day)
    out = []
    for period in map(_ymd, recent_periods(day)):
        income = book.known("stock_lrb_em", period)
        new = income[income["_ann"] >= pd.Timestamp(since)]
        for code, ann in zip(new["_code"], new["_ann"], strict=True):
            if codes.is_akshare_stock(code, day):
                out.append(_row(book, (code, period), ann, day))
    return pd.DataFrame(out)


def _row(book: Statements, key: Key, announced: pd.Timestamp, day: date
         ) -> dict[str, object]:
    code, end = key
    year = int(end[:4])
    annual, last_year = (code, f"{year - 1}1231"), (code, f"{year - 1}{end[4:]}")
    profit = book.value("stock_lrb_em", key, "净利润")
    ttm = profit if end.endswith("1231") else (
        profit + book.value("stock_lrb_em", annual, "净利润")
        - book.value("stock_lrb_em", last_year, "净利润"))
    before = book.value("stock_lrb_em", last_year, "营业总收入")
    revenue = book.value("stock_lrb_em", key, "营业总收入")
    growth = revenue / before - 1 if before > 0 else np.nan
    equity = book.value("stock_zcfz_em", key, "股东权益合计")
    return {"symbol": codes.akshare_symbol(code, day),
            "period_end": pd.Timestamp(end).strftime("%Y-%m-%d"),
            "report_date": announced.strftime("%Y-%m-%d"),
            "net_profit_ttm": ttm, "equity": equity, "revenue_growth": growth,
            "roe": ttm / equity if equity > 0 else np.nan}
