"""AKShare adapter: one trade date of the whole market, mapped into the one schema.

It calls the library's own functions by name (`akshare.stock_zh_a_hist(...)`), never the
pages AKShare scrapes. AKShare needs no account or token. Its daily data is per stock
(`akshare_bars`), so a day is a few calls per listed stock; the lists, suspensions,
index levels, IM bars and statements are whole-market calls. Rows, columns, units and
codes are converted here; validation is the importer's (docs/data.md, "AKShare").
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any, Protocol

import pandas as pd

from marketdata.vendors import codes
from marketdata.vendors.akshare_bars import StockDay, stock_row
from marketdata.vendors.akshare_calls import DELISTED, LISTS, NULL_RESULT_IS_EMPTY
from marketdata.vendors.akshare_fin import financials
from marketdata.vendors.akshare_frames import BadVendorFrame, dates, documented, numbers
from marketdata.vendors.errors import VendorError
from marketdata.vendors.flags import flag_of_name
from marketdata.vendors.microcap import MicrocapInputs, microcap_level
from marketdata.vendors.tushare import IndexCodes, Prior, VendorDay

DAY_COLUMNS = ["symbol", "open", "high", "low", "close", "prev_close", "volume", "amount",
               "adj_factor", "total_shares", "float_shares", "risk_flag", "suspended"]
Call = Callable[..., pd.DataFrame]


class AkshareApi(Protocol):
    def query(self, function: str, **params: Any) -> pd.DataFrame: ...


class LibraryApi:
    """`akshare.<function>(**params)`, with `timeout` where the function takes one.

    Some of AKShare's lists are memoised for the life of the process (`@lru_cache`: the
    SSE and BSE lists); the scheduler lives for days, so each call clears the memo and
    reads today's list, never the first evening's."""

    def __init__(self, module: ModuleType, timeout_s: float) -> None:
        self.module, self.timeout_s = module, timeout_s

    def query(self, function: str, **params: Any) -> pd.DataFrame:
        fn = getattr(self.module, function)
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()
        if "timeout" in inspect.signature(fn).parameters:
            params.setdefault("timeout", self.timeout_s)
        try:
            return fn(**params)  # type: ignore[no-any-return]
        except TypeError as exc:
            if function in NULL_RESULT_IS_EMPTY and "'NoneType'" in str(exc):
                return pd.DataFrame()  # no rows (no suspension that day, no report yet)
            raise


class AkshareAdapter:
    vendor = "akshare"

    def __init__(self, api: AkshareApi, call: Call, indexes: IndexCodes,
                 with_financials: bool = True) -> None:
        self.api, self.call, self.indexes = api, call, indexes
        self.with_financials = with_financials

    def _q(self, function: str, **params: Any) -> pd.DataFrame:
        frame = self.call(self.api.query, function, function=function, **params)
        return documented(function, frame)

    def fetch_day(self, day: date, prior: Prior | None, since: date | None = None
                  ) -> VendorDay:
        """Day `day`; financial reports announced from `since` (default: that day) on."""
        listed = self._instruments(day)
        rows = self._daily_rows(day, listed, prior)
        return VendorDay(day, listed, rows,
                         self._index(day, rows, prior), self._futures(day),
                         financials(self._q, since or day, day)
                         if self.with_financials else pd.DataFrame())

    def _instruments(self, day: date) -> pd.DataFrame:
        """The exchanges' lists and their delisted stocks, with Shenwan's industry. A code
        is taken on the exchange whose list it is on (as `sh600000`): one that belongs to
        another exchange, or is a B-share, is left out, never moved."""
        parts = [_listing(self._q(f, **({"symbol": s} if s else {})), f) for f, s in LISTS]
        parts += [_listing(self._q(f, symbol=s), f) for f, s in DELISTED]
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[[codes.is_akshare_stock(c, day) for c in frame["code"]]]
        if frame.empty:
            raise VendorError("akshare: the exchanges' stock lists returned no stocks")
        frame = frame.assign(symbol=[codes.akshare_symbol(c, day) for c in frame["code"]])
        frame = frame.drop_duplicates("symbol", keep="first")  # listed before delisted
        industry = _industry_on(self._q("stock_industry_clf_hist_sw"), day)
        return pd.DataFrame({
            "symbol": frame["symbol"], "name": frame["name"],
            "industry": frame["symbol"].str[:6].map(industry).fillna("").to_numpy(),
            "list_date": _iso(frame["list_date"]), "delist_date": _iso(frame["delist_date"]),
        }).sort_values("symbol").reset_index(drop=True)

    def _daily_rows(self, day: date, listed: pd.DataFrame, prior: Prior | None
                    ) -> pd.DataFrame:
        at = day.isoformat()
        on = listed[(listed["list_date"] != "") & (listed["list_date"] <= at)
                    & ((listed["delist_date"] == "") | (listed["delist_date"] > at))]
        halted = _halted(self._q("stock_tfp_em", date=day.strftime("%Y%m%d")), day)
        out = []
        for symbol, name in zip(on["symbol"], on["name"], strict=True):
            row = stock_row(self._q, StockDay(symbol, day, symbol[:6] in halted,
                                              _before(prior, symbol)))
            if row is not None:
                out.append({**row, "risk_flag": int(flag_of_name(str(name)))})
        if not out:
            raise VendorError(f"akshare stock_zh_a_hist has no bar for {day} (not "
                              "published yet?)")
        return pd.DataFrame(out, columns=DAY_COLUMNS)

    def _index(self, day: date, rows: pd.DataFrame, prior: Prior | None) -> pd.DataFrame:
        levels = {}
        ymd = day.strftime("%Y%m%d")
        for column, code in (("csi1000", self.indexes.csi1000),
                             ("csi2000", self.indexes.csi2000),
                             ("microcap", self.indexes.microcap)):
            if code is None:
                continue
            six = code.split(".")[0]  # AKShare asks by the six digits: 000852
            frame = self._q("index_zh_a_hist", symbol=six, period="daily", start_date=ymd,
                            end_date=ymd)
            frame = frame[dates(frame["日期"]) == pd.Timestamp(day)]
            if frame.empty:
                raise VendorError(f"akshare index_zh_a_hist {six} has nothing for {day}")
            levels[column] = float(numbers(f"index_zh_a_hist {six}", frame, ["收盘"],
                                           "日期")["收盘"].iloc[0])
        if "microcap" not in levels:
            levels["microcap"] = microcap_level(MicrocapInputs(
                rows, None if prior is None else prior.shares["total_mcap"],
                None if prior is None else prior.microcap))
        return pd.DataFrame([{"date": day.isoformat(), **levels}])

    def _futures(self, day: date) -> pd.DataFrame:
        ymd = day.strftime("%Y%m%d")
        bars = self._q("get_futures_daily", start_date=ymd, end_date=ymd, market="CFFEX")
        bars = bars.assign(vt=bars["symbol"].map(codes.akshare_future_symbol)).dropna(
            subset=["vt"])
        if bars.empty:
            raise VendorError(f"akshare get_futures_daily has no IM contract for {day}")
        name = "get_futures_daily CFFEX"
        bars = numbers(name, bars, ["open", "high", "low", "close", "volume",
                                    "open_interest", "settle"], "symbol")
        listed = self._q("futures_contract_info_cffex", date=ymd)
        expiry = dates(listed.set_index("合约代码")["最后交易日"]).dropna()
        unknown = sorted(set(bars["symbol"]) - set(expiry.index))
        if unknown:
            raise BadVendorFrame(f"akshare futures_contract_info_cffex lacks {unknown}: "
                                 "no listed expiry")
        return pd.DataFrame({
            "date": day.isoformat(), "symbol": bars["vt"],
            "open": bars["open"], "high": bars["high"], "low": bars["low"],
            "close": bars["close"], "volume": bars["volume"].round().astype("int64"),
            "open_interest": bars["open_interest"].round().astype("int64"),
            "expiry": bars["symbol"].map(expiry).dt.strftime("%Y-%m-%d"),
            "settlement": bars["settle"]}).sort_values("symbol").reset_index(drop=True)


LISTING = {  # function -> (exchange, code, name, list date, delist date) columns
    "stock_info_sh_name_code": ("sh", "证券代码", "证券简称", "上市日期", None),
    "stock_info_sz_name_code": ("sz", "A股代码", "A股简称", "A股上市日期", None),
    "stock_info_bj_name_code": ("bj", "证券代码", "证券简称", "上市日期", None),
    # SSE's delisting date is DELIST_DATE, which AKShare labels 暂停上市日期
    "stock_info_sh_delist": ("sh", "公司代码", "公司简称", "上市日期", "暂停上市日期"),
    "stock_info_sz_delist": ("sz", "证券代码", "证券简称", "上市日期", "终止上市日期"),
}


def _listing(frame: pd.DataFrame, function: str) -> pd.DataFrame:
    exchange, code, name, listed, delisted = LISTING[function]
    bare = frame[code].astype(str).str.strip().str.zfill(6)
    return pd.DataFrame({
        "code": (exchange + bare).to_numpy(),  # Sina's spelling: the list's exchange
        "name": frame[name].astype(str).str.strip().to_numpy(),
        "list_date": dates(frame[listed]).to_numpy(),
        "delist_date": (dates(frame[delisted]) if delisted else
                        pd.Series(pd.NaT, index=frame.index)).to_numpy()})


def _industry_on(sw: pd.DataFrame, day: date) -> pd.Series:
    """Shenwan's industry code of each stock in force on `day` (latest start on or before),
    written `SW270302`: a bare code would be read back from the import folder as a number."""
    start = dates(sw["start_date"])
    frame = sw[start <= pd.Timestamp(day)].assign(_start=start)
    frame = frame.assign(symbol=frame["symbol"].astype(str).str.zfill(6))
    latest = frame.sort_values(["symbol", "_start"]).groupby("symbol")["industry_code"].last()
    return "SW" + latest.astype(str).str.strip()


def _halted(tfp: pd.DataFrame, day: date) -> set[str]:
    """Codes suspended on `day`: it falls between 停牌时间 and 停牌截止时间 (open-ended
    when the end is blank)."""
    start, end = dates(tfp["停牌时间"]), dates(tfp["停牌截止时间"])
    at = pd.Timestamp(day)
    on = (start.isna() | (start <= at)) & (end.isna() | (end >= at))
    return set(tfp.loc[on, "代码"].astype(str).str.zfill(6))


def _before(prior: Prior | None, symbol: str) -> dict[str, float] | None:
    if prior is None or symbol not in prior.shares.index:
        return None
    row = prior.shares.loc[[symbol]].iloc[0]
    return {str(k): float(v) for k, v in row.to_dict().items()}


def _iso(values: pd.Series) -> list[str]:
    return [v.strftime("%Y-%m-%d") if not pd.isna(v) else "" for v in values]
