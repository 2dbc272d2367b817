"""Recording a stored day as Tushare Pro would answer it (its documented columns and
units), so the adapter can be driven without the network: the inverse of the mapping,
written independently of it (hands, thousands and ten-thousands, .SH/.SZ/.BJ codes).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from marketdata.importers.export import day_frame
from marketdata.store import MarketStore

SUFFIX = {"SSE": "SH", "SZSE": "SZ", "BSE": "BJ"}


def ts_code(symbol: str) -> str:
    code, exchange = symbol.split(".")
    return f"{code}.{SUFFIX[exchange]}"


def _ymd(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y%m%d").where(values.notna(), "")


def _base_name(name: str) -> str:
    for prefix in ("*ST", "ST"):
        name = name.removeprefix(prefix)
    return name.removesuffix("退")


def record_day(store: MarketStore, day: date, folder: Path) -> Path:
    """Write the CSVs of every Tushare function the adapter calls for `day`."""
    folder.mkdir(parents=True, exist_ok=True)
    ymd = day.strftime("%Y%m%d")
    inst = store.instruments().reset_index()
    rows = day_frame(store, day)
    rows["ts_code"] = rows["symbol"].map(ts_code)
    traded, halted = rows[rows["suspended"] == 0], rows[rows["suspended"] == 1]
    _stock_basic(inst).to_csv(folder / "stock_basic.csv", index=False)
    pd.DataFrame({
        "ts_code": traded["ts_code"], "trade_date": ymd, "open": traded["open"],
        "high": traded["high"], "low": traded["low"], "close": traded["close"],
        "pre_close": traded["prev_close"], "change": traded["close"] - traded["prev_close"],
        "pct_chg": (traded["close"] / traded["prev_close"] - 1) * 100,
        "vol": (traded["volume"] / 100).round(2), "amount": (traded["amount"] / 1000).round(3),
    }).to_csv(folder / "daily.csv", index=False)
    pd.DataFrame({"ts_code": rows["ts_code"], "trade_date": ymd,
                  "adj_factor": rows["adj_factor"]}).to_csv(folder / "adj_factor.csv",
                                                            index=False)
    pd.DataFrame({  # Tushare has no daily_basic row for a stock that did not trade
        "ts_code": traded["ts_code"], "trade_date": ymd, "close": traded["close"],
        "total_share": (traded["total_shares"] / 1e4).round(4),
        "float_share": (traded["float_shares"] / 1e4).round(4),
        "total_mv": (traded["total_mcap"] / 1e4).round(4),
        "circ_mv": (traded["float_mcap"] / 1e4).round(4),
    }).to_csv(folder / "daily_basic.csv", index=False)
    pd.DataFrame({"ts_code": halted["ts_code"], "trade_date": ymd, "suspend_timing": None,
                  "suspend_type": "S"}).to_csv(folder / "suspend_d.csv", index=False)
    _namechange(inst, rows).to_csv(folder / "namechange.csv", index=False)
    _index(store, day, ymd).to_csv(folder / "index_daily.csv", index=False)
    _futures(store, day, ymd, folder)
    write_statements(folder, [], [])  # no report announced: see write_statements
    return folder


INCOME = ["ts_code", "ann_date", "f_ann_date", "end_date", "report_type", "comp_type",
          "end_type", "update_flag", "basic_eps", "total_revenue", "revenue",
          "n_income", "n_income_attr_p"]
BALANCE = ["ts_code", "ann_date", "f_ann_date", "end_date", "report_type", "comp_type",
           "end_type", "update_flag", "total_share", "total_hldr_eqy_exc_min_int",
           "total_hldr_eqy_inc_min_int"]


def write_statements(folder: Path, income: list[dict[str, object]],
                     balance: list[dict[str, object]]) -> None:
    """income_vip / balancesheet_vip recordings (YTD statements in CNY, as Tushare's)."""
    pd.DataFrame(income, columns=INCOME).to_csv(folder / "income_vip.csv", index=False)
    pd.DataFrame(balance, columns=BALANCE).to_csv(folder / "balancesheet_vip.csv",
                                                  index=False)


def _stock_basic(inst: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "ts_code": inst["symbol"].map(ts_code), "symbol": inst["symbol"].str[:6],
        "name": inst["name"], "area": "", "industry": inst["industry"], "market": "",
        "exchange": inst["exchange"], "list_status": np.where(inst["delist_date"].isna(), "L",
                                                               "D"),
        "list_date": _ymd(inst["list_date"]), "delist_date": _ymd(inst["delist_date"])})


def _namechange(inst: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """One name per stock as of the day, spelt as the exchanges do for its status."""
    flags = rows.set_index("symbol")["risk_flag"]
    out = []
    for _, r in inst.iterrows():
        base = _base_name(str(r["name"]))
        flag = int(flags.get(r["symbol"], 0))
        name = {1: f"ST{base}", 2: f"*ST{base}", 3: f"{base}退"}.get(flag, base)
        start = pd.Timestamp(r["list_date"]).strftime("%Y%m%d")
        out.append({"ts_code": ts_code(r["symbol"]), "name": name, "start_date": start,
                    "end_date": None, "ann_date": start,
                    "change_reason": {0: "其他", 1: "ST", 2: "*ST", 3: "其他"}[flag]})
        if flag:  # the name before the designation, ended: must not win
            out.append({"ts_code": ts_code(r["symbol"]), "name": base, "start_date": "19900101",
                        "end_date": start, "ann_date": "19900101", "change_reason": "其他"})
    return pd.DataFrame(out)


def _index(store: MarketStore, day: date, ymd: str) -> pd.DataFrame:
    levels = store.load_index(day, day).iloc[0]
    return pd.DataFrame({"ts_code": ["000852.SH", "932000.CSI"], "trade_date": ymd,
                         "close": [levels["csi1000"], levels["csi2000"]]})


def _futures(store: MarketStore, day: date, ymd: str, folder: Path) -> None:
    bars = store.load_futures(day, day)
    codes = bars["symbol"].str.replace(".CFFEX", ".CFX", regex=False)
    pd.DataFrame({
        "ts_code": [*codes, "IM.CFX"], "trade_date": ymd,  # plus the continuous contract
        "pre_close": [*bars["close"], 1.0], "pre_settle": np.nan,
        "open": [*bars["open"], 1.0], "high": [*bars["high"], 1.0], "low": [*bars["low"], 1.0],
        "close": [*bars["close"], 1.0], "settle": [*bars["settlement"], 1.0],
        "vol": [*bars["volume"], 1], "amount": np.nan, "oi": [*bars["open_interest"], 1],
    }).to_csv(folder / "fut_daily.csv", index=False)
    pd.DataFrame({
        "ts_code": codes, "symbol": bars["symbol"].str.removesuffix(".CFFEX"),
        "exchange": "CFFEX", "name": "中证1000股指", "fut_code": "IM", "multiplier": 200,
        "list_date": "20260101", "delist_date": pd.to_datetime(bars["expiry"]).dt.strftime(
            "%Y%m%d"),
    }).drop_duplicates("ts_code").to_csv(folder / "fut_basic.csv", index=False)


def record_days(store: MarketStore, days: list[date], folder: Path) -> Path:
    """Several days in one recording (rows told apart by trade_date, as Tushare's are)."""
    parts = [record_day(store, day, folder / f"_{day.isoformat()}") for day in days]
    for name in sorted(p.name for p in parts[0].iterdir()):
        frames = [pd.read_csv(part / name, dtype=str) for part in parts]
        pd.concat(frames).drop_duplicates().to_csv(folder / name, index=False)
    return folder
