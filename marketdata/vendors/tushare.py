"""Tushare Pro adapter: one trade date of the whole market, mapped into the one schema.

It calls the library's own client (`tushare.pro_api(token).query(name, ...)`, the form
Tushare documents next to `pro.daily(...)`), never its HTTP API by hand. Rows, columns,
units and codes are converted here; validation is the importer's (docs/data.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd

from marketdata.vendors import codes
from marketdata.vendors.errors import VendorError
from marketdata.vendors.flags import flag_of_name, names_on
from marketdata.vendors.microcap import MicrocapInputs, microcap_level
from marketdata.vendors.tushare_calls import FIELDS, HAND, PAGE, TEN_THOUSAND, THOUSAND
from marketdata.vendors.tushare_fin import financials


class ProApi(Protocol):
    def query(self, api_name: str, fields: str = "", **params: Any) -> pd.DataFrame: ...


@dataclass(frozen=True)
class Prior:
    """What the store holds for the trade date before: carried into suspended rows."""

    shares: pd.DataFrame  # index symbol: adj_factor, total_shares, float_shares, total_mcap
    microcap: float | None


@dataclass(frozen=True)
class VendorDay:
    day: date
    instruments: pd.DataFrame
    daily: pd.DataFrame
    index: pd.DataFrame
    futures: pd.DataFrame
    financials: pd.DataFrame  # empty: no report announced in the window


@dataclass(frozen=True)
class IndexCodes:
    csi1000: str
    csi2000: str
    microcap: str | None


Call = Callable[..., pd.DataFrame]


class TushareAdapter:
    vendor = "tushare"

    def __init__(self, api: ProApi, call: Call, indexes: IndexCodes,
                 with_financials: bool = True) -> None:
        self.api, self.call, self.indexes = api, call, indexes
        self.with_financials = with_financials

    def _q(self, name: str, **params: Any) -> pd.DataFrame:
        return self._statement(name, FIELDS[name], **params)

    def fetch_day(self, day: date, prior: Prior | None, since: date | None = None
                  ) -> VendorDay:
        """Day `day`; financial reports announced from `since` (default: that day) on."""
        ymd = day.strftime("%Y%m%d")
        basics = self._instruments_raw()
        daily = self._require(self._q("daily", trade_date=ymd), "daily", day)
        rows = self._daily_rows(day, ymd, basics, daily, prior)
        return VendorDay(day, instruments(basics, day), rows,
                         self._index(day, ymd, rows, prior), self._futures(day, ymd),
                         financials(self._statement, since or day, day)
                         if self.with_financials else pd.DataFrame())

    def _statement(self, name: str, fields: str, **params: Any) -> pd.DataFrame:
        frame = self.call(self.api.query, name, api_name=name, fields=fields, **params)
        wanted = fields.split(",")
        if frame.empty:  # the client answers an HTTP error with a bare DataFrame()
            return pd.DataFrame(columns=wanted)
        missing = set(wanted) - set(frame.columns)
        if missing:
            raise VendorError(f"tushare {name}: columns {sorted(missing)} missing from the "
                              "answer (not the documented shape)")
        return frame

    def _instruments_raw(self) -> pd.DataFrame:
        # Listed and delisted; not P (暂停上市): no bars, no suspension rows, not tradable.
        parts = [self._q("stock_basic", list_status=s) for s in ("L", "D")]
        frame = pd.concat([p for p in parts if not p.empty], ignore_index=True)
        if frame.empty:
            raise VendorError("tushare stock_basic returned no stocks")
        return frame.drop_duplicates("ts_code", keep="first")

    @staticmethod
    def _require(frame: pd.DataFrame, name: str, day: date) -> pd.DataFrame:
        if frame.empty:
            raise VendorError(f"tushare {name} has nothing for {day} (not published yet?)")
        return frame

    def _names(self, day: date) -> pd.Series:
        pages, offset = [], 0
        while True:  # namechange pages: at most PAGE rows per call
            page = self._q("namechange", end_date=day.strftime("%Y%m%d"), offset=offset,
                           limit=PAGE)
            pages.append(page)
            if len(page) < PAGE:
                break
            offset += PAGE
        return names_on(pd.concat(pages, ignore_index=True), day)

    def _daily_rows(self, day: date, ymd: str, basics: pd.DataFrame, daily: pd.DataFrame,
                    prior: Prior | None) -> pd.DataFrame:
        adj = self._q("adj_factor", trade_date=ymd).set_index("ts_code")["adj_factor"]
        basic = self._q("daily_basic", trade_date=ymd).set_index("ts_code")
        halted = self._q("suspend_d", trade_date=ymd, suspend_type="S")
        whole_day = set(halted.loc[halted["suspend_timing"].isna() |
                                   (halted["suspend_timing"].astype(str).str.strip() == ""),
                                   "ts_code"]) - set(daily["ts_code"])
        names = self._names(day).reindex(basics["ts_code"]).fillna(
            basics.set_index("ts_code")["name"])
        traded = _traded_rows(daily, adj, basic)
        stopped = _suspended_rows(sorted(whole_day), adj, basic, prior, day)
        rows = pd.concat([traded, stopped], ignore_index=True)
        rows = rows[rows["ts_code"].map(lambda c: codes.is_stock(c, day))]
        rows["risk_flag"] = [int(flag_of_name(str(names.get(c, "")))) for c in rows["ts_code"]]
        rows.insert(0, "symbol", [codes.stock_symbol(c, day) for c in rows["ts_code"]])
        return rows.drop(columns="ts_code").sort_values("symbol").reset_index(drop=True)

    def _index(self, day: date, ymd: str, rows: pd.DataFrame, prior: Prior | None
               ) -> pd.DataFrame:
        levels = {}
        for column, code in (("csi1000", self.indexes.csi1000),
                             ("csi2000", self.indexes.csi2000),
                             ("microcap", self.indexes.microcap)):
            if code is None:
                continue
            frame = self._require(self._q("index_daily", ts_code=code, trade_date=ymd),
                                  f"index_daily {code}", day)
            levels[column] = float(frame["close"].iloc[0])
        if "microcap" not in levels:
            levels["microcap"] = microcap_level(MicrocapInputs(
                rows, None if prior is None else prior.shares["total_mcap"],
                None if prior is None else prior.microcap))
        return pd.DataFrame([{"date": day.isoformat(), **levels}])

    def _futures(self, day: date, ymd: str) -> pd.DataFrame:
        bars = self._q("fut_daily", trade_date=ymd, exchange="CFFEX")
        bars = bars.assign(symbol=bars["ts_code"].map(codes.future_symbol)).dropna(
            subset=["symbol"])
        if bars.empty:
            raise VendorError(f"tushare fut_daily has no IM contract for {day}")
        listed = self._q("fut_basic", exchange="CFFEX", fut_type="1", fut_code="IM")
        expiry = listed.set_index("ts_code")["delist_date"]
        unknown = sorted(set(bars["ts_code"]) - set(expiry.index))
        if unknown:
            raise VendorError(f"tushare fut_basic lacks {unknown}: no listed expiry")
        return pd.DataFrame({
            "date": day.isoformat(), "symbol": bars["symbol"],
            "open": bars["open"], "high": bars["high"], "low": bars["low"],
            "close": bars["close"], "volume": bars["vol"].round().astype("int64"),
            "open_interest": bars["oi"].round().astype("int64"),
            "expiry": pd.to_datetime(bars["ts_code"].map(expiry), format="%Y%m%d"
                                     ).dt.strftime("%Y-%m-%d"),
            "settlement": bars["settle"]}).sort_values("symbol").reset_index(drop=True)


def _traded_rows(daily: pd.DataFrame, adj: pd.Series, basic: pd.DataFrame) -> pd.DataFrame:
    code = daily["ts_code"]
    return pd.DataFrame({
        "ts_code": code, "open": daily["open"], "high": daily["high"], "low": daily["low"],
        "close": daily["close"], "prev_close": daily["pre_close"],
        "volume": (daily["vol"] * HAND).round(),  # hands -> shares
        "amount": (daily["amount"] * THOUSAND).round(2),  # thousands of CNY -> CNY
        "adj_factor": code.map(adj).to_numpy(),
        "total_shares": (code.map(basic["total_share"]) * TEN_THOUSAND).round().to_numpy(),
        "float_shares": (code.map(basic["float_share"]) * TEN_THOUSAND).round().to_numpy(),
        "suspended": 0})


def _suspended_rows(ts_codes: list[str], adj: pd.Series, basic: pd.DataFrame,
                    prior: Prior | None, day: date) -> pd.DataFrame:
    """No bar on a whole-day suspension: prices blank (the importer sets prev_close),
    volume 0; factor and shares from the day's tables, else the store's previous day."""
    out = []
    for code in ts_codes:
        if not codes.is_stock(code, day):
            continue
        symbol = codes.stock_symbol(code, day)
        before = _before(prior, symbol)
        out.append({
            "ts_code": code, "open": np.nan, "high": np.nan, "low": np.nan, "close": np.nan,
            "prev_close": np.nan, "volume": 0.0, "amount": 0.0,
            "adj_factor": _first(adj.get(code), before, "adj_factor"),
            "total_shares": _shares(basic, code, "total_share", before, "total_shares"),
            "float_shares": _shares(basic, code, "float_share", before, "float_shares"),
            "suspended": 1})
    return pd.DataFrame(out, columns=["ts_code", "open", "high", "low", "close", "prev_close",
                                      "volume", "amount", "adj_factor", "total_shares",
                                      "float_shares", "suspended"])


def _before(prior: Prior | None, symbol: str) -> dict[str, float] | None:
    if prior is None or symbol not in prior.shares.index:
        return None
    row = prior.shares.loc[[symbol]].iloc[0]
    return {str(k): float(v) for k, v in row.to_dict().items()}


def _first(value: Any, before: dict[str, float] | None, field: str) -> float:
    if value is not None and not pd.isna(value):
        return float(value)
    return float(before[field]) if before is not None else np.nan


def _shares(basic: pd.DataFrame, code: str, column: str, before: dict[str, float] | None,
            field: str) -> float:
    value = float(basic[column].get(code, np.nan))
    if not np.isnan(value):
        return float(round(value * TEN_THOUSAND))
    return float(before[field]) if before is not None else np.nan


def instruments(basics: pd.DataFrame, day: date) -> pd.DataFrame:
    """stock_basic rows as instruments.csv (A-shares only; B-shares and unknown codes out)."""
    keep = basics[basics["ts_code"].map(lambda c: codes.is_stock(c, day))]
    return pd.DataFrame({
        "symbol": [codes.stock_symbol(c, day) for c in keep["ts_code"]],
        "name": keep["name"].astype(str).to_numpy(),
        "industry": keep["industry"].fillna("").astype(str).to_numpy(),
        "list_date": _iso(keep["list_date"]), "delist_date": _iso(keep["delist_date"]),
    }).sort_values("symbol").reset_index(drop=True)


def _iso(values: pd.Series) -> np.ndarray:
    parsed = pd.to_datetime(values.astype("string"), format="%Y%m%d", errors="coerce")
    return parsed.dt.strftime("%Y-%m-%d").fillna("").to_numpy()
