"""Point-in-time financials from Tushare's statements, by announcement date.

Tushare publishes a report's statements the evening it is announced (21:00-23:00) or the
next day, so the fetch of day D asks for the reports announced since the trading day
before D (`income_vip` / `balancesheet_vip` for each recent period, bounded by the
announcement dates `start_date`/`end_date`; consolidated statements, `report_type=1`; of
restated rows the one with `update_flag` 1). Statements are year-to-date and in CNY:

    net_profit_ttm = YTD(P) + annual(P's year - 1) - YTD(P one year earlier)
    revenue_growth = revenue YTD(P) / revenue YTD(P one year earlier) - 1
    equity         = total_hldr_eqy_exc_min_int at P (excluding minority interests)
    roe            = net_profit_ttm / equity

using `n_income_attr_p` (attributable to the parent). The earlier periods are the ones
reported as known that day (announced up to D). A value that needs a missing report is
left blank, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from marketdata.vendors import codes
from marketdata.vendors.tushare_calls import FIELDS

INCOME, BALANCE = FIELDS["income_vip"], FIELDS["balancesheet_vip"]
Query = Callable[..., pd.DataFrame]


def recent_periods(day: date, count: int = 5) -> list[date]:
    """The last `count` quarter ends before `day` (reports may come up to 4 months late)."""
    ends: list[date] = []
    year, quarter = day.year, (day.month - 1) // 3
    while len(ends) < count:
        if quarter == 0:
            year, quarter = year - 1, 4
        month = quarter * 3
        ends.append(date(year, month, 31 if month in (3, 12) else 30))
        quarter -= 1
    return ends


def _ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (ts_code, end_date): the newest announcement, the updated row first."""
    if frame.empty:
        return frame
    flag = frame["update_flag"].astype(str).eq("1")
    order = frame.assign(_flag=flag).sort_values(["ts_code", "end_date", "ann_date", "_flag"])
    return order.drop_duplicates(["ts_code", "end_date"], keep="last").drop(columns="_flag")


def financials(query: Query, since: date, day: date) -> pd.DataFrame:
    """financials.csv rows for the reports announced in [since, day]."""
    announced = []
    for period in recent_periods(day):
        announced.append(query("income_vip", fields=INCOME, period=_ymd(period),
                               start_date=_ymd(since), end_date=_ymd(day), report_type="1"))
    new = _latest(pd.concat([f for f in announced if not f.empty] or [pd.DataFrame()],
                            ignore_index=True))
    if new.empty:
        return pd.DataFrame()
    needed = sorted({p for e in new["end_date"] for p in _earlier(e)} - set(new["end_date"]))
    known = [query("income_vip", fields=INCOME, period=p, end_date=_ymd(day),
                   report_type="1") for p in needed]
    history = _latest(pd.concat([new, *[k for k in known if not k.empty]], ignore_index=True))
    equity = _equity(query, new, day)
    return _rows(new, history, equity, day)


def _earlier(end: str) -> tuple[str, str]:
    """The prior year's annual report and the same period a year earlier."""
    year = int(end[:4])
    return f"{year - 1}1231", f"{year - 1}{end[4:]}"


def _equity(query: Query, new: pd.DataFrame, day: date) -> pd.Series:
    frames = [query("balancesheet_vip", fields=BALANCE, period=p, end_date=_ymd(day),
                    report_type="1") for p in sorted(set(new["end_date"]))]
    sheet = _latest(pd.concat([f for f in frames if not f.empty] or [pd.DataFrame()],
                              ignore_index=True))
    if sheet.empty:
        return pd.Series(dtype=float)
    return sheet.set_index(["ts_code", "end_date"])["total_hldr_eqy_exc_min_int"]


def _rows(new: pd.DataFrame, history: pd.DataFrame, equity: pd.Series, day: date
          ) -> pd.DataFrame:
    ytd = history.set_index(["ts_code", "end_date"])
    out = []
    for _, r in new.iterrows():
        if not codes.is_stock(r["ts_code"], day):
            continue
        code, end = r["ts_code"], r["end_date"]
        annual, last_year = _earlier(end)
        profit = _value(ytd, code, end, "n_income_attr_p")
        ttm = profit if end.endswith("1231") else (
            profit + _value(ytd, code, annual, "n_income_attr_p")
            - _value(ytd, code, last_year, "n_income_attr_p"))
        eq = float(equity.get((code, end), np.nan))
        before = _value(ytd, code, last_year, "revenue")
        growth = _value(ytd, code, end, "revenue") / before - 1 if before > 0 else np.nan
        out.append({"symbol": codes.stock_symbol(code, day),
                    "period_end": pd.Timestamp(end).strftime("%Y-%m-%d"),
                    "report_date": pd.Timestamp(r["ann_date"]).strftime("%Y-%m-%d"),
                    "net_profit_ttm": ttm, "equity": eq, "revenue_growth": growth,
                    "roe": ttm / eq if eq > 0 else np.nan})
    return pd.DataFrame(out)


def _value(ytd: pd.DataFrame, code: str, end: str, column: str) -> float:
    if (code, end) not in ytd.index:
        return float("nan")
    value = pd.to_numeric(pd.Series([ytd.at[(code, end), column]]), errors="coerce").iloc[0]
    return float(value)
