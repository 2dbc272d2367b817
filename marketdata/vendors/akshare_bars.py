"""One stock's day-file row from AKShare's per-stock functions.

AKShare has no whole-market daily table by date: each listed stock is asked for its
bar (`stock_zh_a_hist`, Eastmoney, unadjusted), its back-adjustment factors
(`stock_zh_a_daily(adjust="hfq-factor")`, Sina) and its share counts (`stock_value_em`,
Eastmoney). Units: 成交量 hands x 100 = shares, 成交额 CNY, shares in shares;
prev_close = 收盘 - 涨跌额 (the change Eastmoney publishes against the previous close).
The factor is chained on the store's: adj = stored adj of the day before x Sina factor
on D / Sina factor the day before, so a day from AKShare continues a store built from
another vendor (whose factor has another base); with no stored day, Sina's own factor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from marketdata.vendors.akshare_calls import HAND
from marketdata.vendors.akshare_frames import BadVendorFrame, dates, not_negative, numbers
from marketdata.vendors.codes import sina_code

Query = Callable[..., pd.DataFrame]
BAR = ["开盘", "收盘", "最高", "最低", "成交量", "成交额", "涨跌额"]
# 成交额 / shares must fall inside the day's range: a unit off by 100 cannot.
VWAP_SLACK = 0.02
# No stock turns its tradable shares over five times in a day (new listings peak near 1).
MAX_TURNOVER = 5


@dataclass(frozen=True)
class StockDay:
    symbol: str
    day: date
    halted: bool  # on the day's suspension list (stock_tfp_em)
    before: dict[str, float] | None  # the store's row of the day before


def stock_row(q: Query, stock: StockDay) -> dict[str, Any] | None:
    """The day-file row, or None when the stock has no bar and no suspension (the
    importer then reports it missing: a partial day)."""
    code, ymd = stock.symbol[:6], stock.day.strftime("%Y%m%d")
    bars = q("stock_zh_a_hist", symbol=code, period="daily", start_date=ymd, end_date=ymd,
             adjust="")
    bars = bars[dates(bars["日期"]) == pd.Timestamp(stock.day)]
    if bars.empty and not stock.halted:
        return None
    adj = _factor(q, stock)
    if bars.empty:
        return {"symbol": stock.symbol, **_suspended(q, stock), "adj_factor": adj}
    bar = _checked_bar(bars.iloc[[0]], stock.symbol)
    total, free = _shares_on(q, stock, exact=True)
    _check_shares(stock, bar["成交量"] * HAND, total, free)
    return {"symbol": stock.symbol, "open": bar["开盘"], "high": bar["最高"],
            "low": bar["最低"], "close": bar["收盘"],
            "prev_close": round(bar["收盘"] - bar["涨跌额"], 2),
            "volume": float(round(bar["成交量"] * HAND)),  # hands -> shares
            "amount": round(bar["成交额"], 2), "adj_factor": adj,
            "total_shares": total, "float_shares": free, "suspended": 0}


def _checked_bar(frame: pd.DataFrame, symbol: str) -> dict[str, float]:
    name = f"stock_zh_a_hist {symbol}"
    frame = numbers(name, frame.assign(_code=symbol), BAR, "_code")
    not_negative(name, frame, ["成交量", "成交额"], "_code")
    bar = {str(k): float(v) for k, v in frame.iloc[0][BAR].items()}
    shares = bar["成交量"] * HAND
    if shares > 0:
        vwap = bar["成交额"] / shares
        low, high = bar["最低"] * (1 - VWAP_SLACK), bar["最高"] * (1 + VWAP_SLACK)
        if not low <= vwap <= high:
            raise BadVendorFrame(
                f"akshare {name} on {frame.iloc[0]['日期']}: 成交额 / 成交量 = {vwap:.4f} CNY "
                f"a share, outside the day's range [{bar['最低']}, {bar['最高']}]: the units "
                "are off (成交量 must be in hands, 成交额 in CNY)")
    return bar


def _check_shares(stock: StockDay, traded: float, total: float, free: float) -> None:
    """Share counts in shares: tradable within total, and a day's volume far below
    MAX_TURNOVER times the tradable shares (a count in 万股 would be 10,000 times short)."""
    name = f"stock_value_em {stock.symbol[:6]} on {stock.day}"
    if total <= 0 or free <= 0 or free > total:
        raise BadVendorFrame(f"akshare {name}: 流通股本 {free:.0f} and 总股本 {total:.0f} "
                             "are not shares outstanding (positive, tradable <= total)")
    if traded > MAX_TURNOVER * free:
        raise BadVendorFrame(f"akshare {name}: the day's volume {traded:.0f} shares is over "
                             f"{MAX_TURNOVER} times 流通股本 {free:.0f}: the units are off "
                             "(股本 must be in shares)")


def _factor(q: Query, stock: StockDay) -> float:
    name = f"stock_zh_a_daily {sina_code(stock.symbol)} hfq-factor"
    table = q("stock_zh_a_daily", symbol=sina_code(stock.symbol), adjust="hfq-factor")
    table = numbers(name, table.assign(_on=dates(table["date"])), ["hfq_factor"], "date")
    at = pd.Timestamp(stock.day)
    on_day = table.loc[table["_on"] <= at].sort_values("_on")["hfq_factor"]
    if on_day.empty or on_day.iloc[-1] <= 0:
        raise BadVendorFrame(f"akshare {name}: no positive factor on or before {stock.day}")
    earlier = table.loc[table["_on"] < at].sort_values("_on")["hfq_factor"]
    stored = None if stock.before is None else stock.before.get("adj_factor")
    if stored is None or np.isnan(stored) or earlier.empty:
        return float(on_day.iloc[-1])
    return float(stored * on_day.iloc[-1] / earlier.iloc[-1])


def _shares_on(q: Query, stock: StockDay, exact: bool) -> tuple[float, float]:
    """Total and tradable shares on the day (a suspended stock: its latest, or the store's)."""
    name = f"stock_value_em {stock.symbol[:6]}"
    table = q("stock_value_em", symbol=stock.symbol[:6])
    on = dates(table["数据日期"])
    at = pd.Timestamp(stock.day)
    rows = table[on == at] if exact else table[on <= at].assign(_on=on).sort_values("_on")
    if rows.empty:
        if not exact and stock.before is not None:
            return stock.before["total_shares"], stock.before["float_shares"]
        raise BadVendorFrame(f"akshare {name} has no row for {stock.day} (not published "
                             "yet?)")
    row = numbers(name, rows.iloc[[-1]], ["总股本", "流通股本"], "数据日期").iloc[0]
    return float(round(row["总股本"])), float(round(row["流通股本"]))


def _suspended(q: Query, stock: StockDay) -> dict[str, Any]:
    """No bar on a whole-day suspension: prices blank (the importer sets them from
    prev_close), volume 0."""
    total, free = _shares_on(q, stock, exact=False)
    return {"open": np.nan, "high": np.nan, "low": np.nan, "close": np.nan,
            "prev_close": np.nan, "volume": 0.0, "amount": 0.0, "total_shares": total,
            "float_shares": free, "suspended": 1}
