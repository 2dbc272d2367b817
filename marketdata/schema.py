"""The one schema of the desk's market data, field by field (see docs/data.md).

A `Panel` is what strategies and risk read: wide frames (dates x vt_symbols), one per
field, plus the instrument table. Prices are raw exchange prices; `adj_factor` turns
them into back-adjusted prices (adjusted = price * adj_factor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

import pandas as pd


class RiskFlag(IntEnum):
    """Risk-warning status as of a day (persisted as int8)."""

    NORMAL = 0
    ST = 1
    STAR_ST = 2  # *ST: delisting risk warning
    DELISTING = 3  # 退市整理期: the last weeks before delisting


@dataclass(frozen=True)
class FieldSpec:
    dtype: str
    unit: str
    meaning: str
    source: str = "daily"  # "daily": stored per day; "financials": point-in-time from reports


STOCK_FIELDS: dict[str, FieldSpec] = {
    "open": FieldSpec("float64", "CNY", "opening price (raw, not adjusted)"),
    "high": FieldSpec("float64", "CNY", "highest price of the day"),
    "low": FieldSpec("float64", "CNY", "lowest price of the day"),
    "close": FieldSpec("float64", "CNY", "closing price"),
    "prev_close": FieldSpec(
        "float64", "CNY", "exchange reference price: previous close, ex-rights on ex-dates"
    ),
    "volume": FieldSpec("float64", "shares", "shares traded (0 when suspended)"),
    "amount": FieldSpec("float64", "CNY", "value traded"),
    "adj_factor": FieldSpec(
        "float64", "ratio", "cumulative back-adjustment factor; adjusted price = price * factor"
    ),
    "total_mcap": FieldSpec("float64", "CNY", "close * total_shares"),
    "float_mcap": FieldSpec("float64", "CNY", "close * float_shares"),
    "total_shares": FieldSpec("float64", "shares", "shares outstanding"),
    "float_shares": FieldSpec("float64", "shares", "tradable (float) shares"),
    "risk_flag": FieldSpec("int8", "RiskFlag", "0 normal, 1 ST, 2 *ST, 3 delisting period"),
    "suspended": FieldSpec("bool", "", "no trading that day; prices equal prev_close"),
    "listed": FieldSpec("bool", "", "listed on that day; when False every price field is NaN"),
    "net_profit_ttm": FieldSpec(
        "float64", "CNY", "net profit, trailing twelve months, as known that day", "financials"
    ),
    "equity": FieldSpec("float64", "CNY", "shareholders' equity, as known that day", "financials"),
    "revenue_growth": FieldSpec(
        "float64", "ratio", "revenue growth year on year, as known that day", "financials"
    ),
    "roe": FieldSpec("float64", "ratio", "return on equity, TTM, as known that day", "financials"),
}

DAILY_FIELDS: tuple[str, ...] = tuple(k for k, v in STOCK_FIELDS.items() if v.source == "daily")
FINANCIAL_FIELDS: tuple[str, ...] = tuple(
    k for k, v in STOCK_FIELDS.items() if v.source == "financials"
)
PRICE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "prev_close")

INSTRUMENT_COLUMNS: tuple[str, ...] = (
    "name", "exchange", "board", "industry", "list_date", "delist_date",
)
FINANCIAL_COLUMNS: tuple[str, ...] = ("symbol", "period_end", "report_date", *FINANCIAL_FIELDS)
INDEX_COLUMNS: tuple[str, ...] = ("csi1000", "csi2000", "microcap")
# `settlement`: the day's settlement price (CFFEX: the last hour's volume-weighted price,
# to 0.1, not necessarily on the 0.2 tick); the next day's limits are computed from it.
FUTURES_COLUMNS: tuple[str, ...] = (
    "date", "symbol", "open", "high", "low", "close", "volume", "open_interest", "expiry",
    "settlement",
)
# Corporate actions (see marketdata.corporate): per share, before tax; one row per ex-date.
CORPORATE_ACTION_COLUMNS: tuple[str, ...] = (
    "symbol", "record_date", "ex_date", "pay_date", "list_date", "cash", "bonus", "transfer",
)
MINUTE_COLUMNS: tuple[str, ...] = (
    "symbol", "datetime", "open", "high", "low", "close", "volume", "amount",
)


@dataclass(frozen=True)
class Panel:
    """Stock fields for a window of trade dates; each field is a wide DataFrame."""

    dates: pd.DatetimeIndex
    symbols: pd.Index
    fields: dict[str, pd.DataFrame]
    instruments: pd.DataFrame = field(repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.fields[name]
        except KeyError:
            raise KeyError(
                f"Panel has no field {name!r}; it holds {sorted(self.fields)}"
            ) from None

    def on(self, day: date | pd.Timestamp) -> pd.DataFrame:
        """All fields for one trade date (index: symbols, columns: fields)."""
        ts = pd.Timestamp(day)
        if ts not in self.dates:
            raise KeyError(
                f"Panel has no trade date {ts.date().isoformat()}; it spans "
                f"{self.dates[0].date().isoformat()} to {self.dates[-1].date().isoformat()}"
            )
        row = self.dates.get_loc(ts)
        return pd.DataFrame(
            {name: frame.iloc[row] for name, frame in self.fields.items()}, index=self.symbols
        )

    def window(self, end: date | pd.Timestamp, lookback: int) -> Panel:
        """The last `lookback` trade dates up to and including `end`."""
        stop = int(self.dates.searchsorted(pd.Timestamp(end), side="right"))
        if lookback < 1 or stop < lookback:
            raise ValueError(
                f"Panel.window: asked for {lookback} trade dates up to {pd.Timestamp(end).date()}, "
                f"the panel has {stop}"
            )
        rows = slice(stop - lookback, stop)
        return Panel(
            dates=self.dates[rows],
            symbols=self.symbols,
            fields={name: frame.iloc[rows] for name, frame in self.fields.items()},
            instruments=self.instruments,
        )
