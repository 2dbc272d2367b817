"""Recording a stored day as AKShare 1.19.5 would answer it: each function's documented
columns (all of them, not only the ones the adapter reads), dtypes as text or numbers,
and units (成交量 in hands, shares in shares, CNY), with its parameters as `@` columns.
The inverse of the mapping, written independently of it.

Sina's back-adjustment factor has another base than the store's: the recording writes it
as the store's factor x SINA_BASE, so only a factor chained on the store's comes back
exact.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from marketdata.importers.export import day_frame
from marketdata.store import MarketStore

SINA_BASE = 2.5
SINA_PREFIX = {"SSE": "sh", "SZSE": "sz", "BSE": "bj"}
SW_CODE = "270302"  # a Shenwan 2021 third-level code, as the classification file has

HIST = ["日期", "股票代码", "开盘", "收盘", "最高", "最低", "成交量", "成交额", "振幅", "涨跌幅",
        "涨跌额", "换手率"]
VALUE = ["数据日期", "当日收盘价", "当日涨跌幅", "总市值", "流通市值", "总股本", "流通股本",
         "PE(TTM)", "PE(静)", "市净率", "PEG值", "市现率", "市销率"]
TFP = ["序号", "代码", "名称", "停牌时间", "停牌截止时间", "停牌期限", "停牌原因", "所属市场",
       "预计复牌时间"]
FUTURES = ["symbol", "date", "open", "high", "low", "close", "volume", "open_interest",
           "turnover", "settle", "pre_settle", "variety"]
CONTRACTS = ["合约代码", "合约月份", "挂盘基准价", "上市日", "最后交易日", "涨停板幅度",
             "跌停板幅度", "涨停板价位", "跌停板价位", "持仓限额", "品种", "查询交易日"]
LRB = ["序号", "股票代码", "股票简称", "净利润", "净利润同比", "营业总收入", "营业总收入同比",
       "营业总支出-营业支出", "营业总支出-销售费用", "营业总支出-管理费用",
       "营业总支出-财务费用", "营业总支出-营业总支出", "营业利润", "利润总额", "公告日期"]
ZCFZ = ["序号", "股票代码", "股票简称", "资产-货币资金", "资产-应收账款", "资产-存货",
        "资产-总资产", "资产-总资产同比", "负债-应付账款", "负债-预收账款", "负债-总负债",
        "负债-总负债同比", "资产负债率", "股东权益合计", "公告日期"]


def _base_name(name: str) -> str:
    for prefix in ("*ST", "ST"):
        name = name.removeprefix(prefix)
    return name.removesuffix("退")


def record_day(store: MarketStore, day: date, folder: Path) -> Path:
    """Write the CSV of every AKShare function the adapter calls for `day`."""
    folder.mkdir(parents=True, exist_ok=True)
    inst = store.instruments().reset_index()
    rows = day_frame(store, day)
    _lists(inst, rows, folder)
    _sw(inst).to_csv(folder / "stock_industry_clf_hist_sw.csv", index=False)
    traded, halted = rows[rows["suspended"] == 0], rows[rows["suspended"] == 1]
    _hist(traded, day).to_csv(folder / "stock_zh_a_hist.csv", index=False)
    _factors(store, day).to_csv(folder / "stock_zh_a_daily.csv", index=False)
    _values(store, day).to_csv(folder / "stock_value_em.csv", index=False)
    _tfp(halted, day).to_csv(folder / "stock_tfp_em.csv", index=False)
    _index(store, day).to_csv(folder / "index_zh_a_hist.csv", index=False)
    _futures(store, day, folder)
    write_statements(folder, [], [])
    return folder


def _named(inst: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """Each stock's name on the day, spelt as the exchanges do for its status."""
    flags = rows.set_index("symbol")["risk_flag"]
    out = {}
    for symbol, name in zip(inst["symbol"], inst["name"], strict=True):
        base = _base_name(str(name))
        out[symbol] = {1: f"ST{base}", 2: f"*ST{base}", 3: f"{base}退"}.get(
            int(flags.get(symbol, 0)), base)
    return pd.Series(out)


def _lists(inst: pd.DataFrame, rows: pd.DataFrame, folder: Path) -> None:
    names = _named(inst, rows)
    live = inst[inst["delist_date"].isna()]
    code = live["symbol"].str[:6]
    listed = pd.to_datetime(live["list_date"]).dt.strftime("%Y-%m-%d")
    sse, szse, bse = (live["exchange"] == x for x in ("SSE", "SZSE", "BSE"))
    star = live["board"] == "star"
    pd.DataFrame({
        "@symbol": np.where(star[sse], "科创板", "主板A股"), "证券代码": code[sse],
        "证券简称": live.loc[sse, "symbol"].map(names), "证券全称": "", "公司简称": "",
        "公司全称": "", "上市日期": listed[sse],
    }).to_csv(folder / "stock_info_sh_name_code.csv", index=False)
    pd.DataFrame({
        "@symbol": "A股列表", "板块": np.where(live.loc[szse, "board"] == "chinext", "创业板",
                                             "主板"),
        "A股代码": code[szse], "A股简称": live.loc[szse, "symbol"].map(names),
        "A股上市日期": listed[szse], "A股总股本": "", "A股流通股本": "",
        "所属行业": live.loc[szse, "industry"],
    }).to_csv(folder / "stock_info_sz_name_code.csv", index=False)
    pd.DataFrame({
        "证券代码": code[bse], "证券简称": live.loc[bse, "symbol"].map(names), "总股本": "",
        "流通股本": "", "上市日期": listed[bse], "所属行业": live.loc[bse, "industry"],
        "地区": "", "报告日期": "",
    }).to_csv(folder / "stock_info_bj_name_code.csv", index=False)
    gone = inst[inst["delist_date"].notna()]
    gone_sse = gone[gone["exchange"] == "SSE"]
    gone_sz = gone[gone["exchange"] == "SZSE"]
    pd.DataFrame({
        "@symbol": "全部", "公司代码": gone_sse["symbol"].str[:6], "公司简称": gone_sse["name"],
        "上市日期": _iso(gone_sse["list_date"]), "暂停上市日期": _iso(gone_sse["delist_date"]),
    }).to_csv(folder / "stock_info_sh_delist.csv", index=False)
    pd.DataFrame({
        "@symbol": "终止上市公司", "证券代码": gone_sz["symbol"].str[:6],
        "证券简称": gone_sz["name"], "上市日期": _iso(gone_sz["list_date"]),
        "终止上市日期": _iso(gone_sz["delist_date"]),
    }).to_csv(folder / "stock_info_sz_delist.csv", index=False)


def _iso(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d")


def _sw(inst: pd.DataFrame) -> pd.DataFrame:
    """One earlier classification (ended) and the one in force, per stock."""
    code = inst["symbol"].str[:6]
    return pd.concat([
        pd.DataFrame({"symbol": code, "start_date": "2014-01-01", "industry_code": "110101",
                      "update_time": "2021-07-30"}),
        pd.DataFrame({"symbol": code, "start_date": "2021-07-30", "industry_code": SW_CODE,
                      "update_time": "2021-07-30"})])


def _hist(traded: pd.DataFrame, day: date) -> pd.DataFrame:
    return pd.DataFrame({
        "@symbol": traded["symbol"].str[:6], "@period": "daily", "@adjust": "",
        "日期": day.isoformat(), "股票代码": traded["symbol"].str[:6],
        "开盘": traded["open"], "收盘": traded["close"], "最高": traded["high"],
        "最低": traded["low"], "成交量": (traded["volume"] / 100).round().astype("int64"),
        "成交额": traded["amount"],
        "振幅": ((traded["high"] - traded["low"]) / traded["prev_close"] * 100).round(2),
        "涨跌幅": ((traded["close"] / traded["prev_close"] - 1) * 100).round(2),
        "涨跌额": (traded["close"] - traded["prev_close"]).round(2),
        "换手率": (traded["volume"] / traded["float_shares"] * 100).round(2)})


def _factors(store: MarketStore, day: date) -> pd.DataFrame:
    """Sina's table: a row at each change of the factor, from the first stored day."""
    held = len([d for d in store.trade_dates() if d <= day])
    panel = store.load_panel(day, held, ["adj_factor"])["adj_factor"]
    out = []
    for symbol in panel.columns:
        series = panel[symbol].dropna()
        changes = series[series.ne(series.shift())]
        out.append(pd.DataFrame({
            "@symbol": f"{SINA_PREFIX[symbol.split('.')[1]]}{symbol[:6]}",
            "@adjust": "hfq-factor", "date": pd.DatetimeIndex(changes.index).strftime("%Y-%m-%d"),
            "hfq_factor": (changes * SINA_BASE).to_numpy()}))
    return pd.concat(out, ignore_index=True)


def _values(store: MarketStore, day: date) -> pd.DataFrame:
    """Eastmoney's valuation rows: the day before and the day, for the days a stock traded."""
    days = [d for d in store.trade_dates() if d <= day][-2:]
    frames = []
    for d in days:
        rows = day_frame(store, d)
        rows = rows[rows["suspended"] == 0]
        frames.append(pd.DataFrame({
            "@symbol": rows["symbol"].str[:6], "数据日期": d.isoformat(),
            "当日收盘价": rows["close"], "当日涨跌幅": 0.0, "总市值": rows["total_mcap"],
            "流通市值": rows["float_mcap"], "总股本": rows["total_shares"],
            "流通股本": rows["float_shares"], "PE(TTM)": 20.0, "PE(静)": 20.0, "市净率": 2.0,
            "PEG值": 1.0, "市现率": 10.0, "市销率": 3.0}))
    return pd.concat(frames, ignore_index=True)


def _tfp(halted: pd.DataFrame, day: date) -> pd.DataFrame:
    return pd.DataFrame({
        "@date": day.strftime("%Y%m%d"), "序号": range(1, len(halted) + 1),
        "代码": halted["symbol"].str[:6], "名称": "", "停牌时间": day.isoformat(),
        "停牌截止时间": None, "停牌期限": "连续停牌", "停牌原因": "重大事项", "所属市场": "",
        "预计复牌时间": None})


def _index(store: MarketStore, day: date) -> pd.DataFrame:
    levels = store.load_index(day, day).iloc[0]
    return pd.DataFrame({
        "@symbol": ["000852", "932000"], "@period": "daily", "日期": day.isoformat(),
        "开盘": 1.0, "收盘": [levels["csi1000"], levels["csi2000"]], "最高": 1.0, "最低": 1.0,
        "成交量": 1, "成交额": 1.0, "振幅": 0.0, "涨跌幅": 0.0, "涨跌额": 0.0, "换手率": 0.0})


def _futures(store: MarketStore, day: date, folder: Path) -> None:
    bars = store.load_futures(day, day)
    code = bars["symbol"].str.removesuffix(".CFFEX")
    ymd = day.strftime("%Y%m%d")
    other = {"symbol": "IF2612", "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0,
             "volume": 1, "open_interest": 1, "settle": 1.0}  # another product: ignored
    frame = pd.DataFrame({
        "symbol": code, "open": bars["open"], "high": bars["high"], "low": bars["low"],
        "close": bars["close"], "volume": bars["volume"],
        "open_interest": bars["open_interest"], "settle": bars["settlement"]})
    frame = pd.concat([frame, pd.DataFrame([other])], ignore_index=True)
    frame["@market"], frame["date"], frame["turnover"] = "CFFEX", ymd, np.nan
    frame["pre_settle"], frame["variety"] = np.nan, frame["symbol"].str[:2]
    frame[["@market", *FUTURES]].to_csv(folder / "get_futures_daily.csv", index=False)
    expiry = pd.to_datetime(bars["expiry"]).dt.strftime("%Y-%m-%d")
    pd.DataFrame({
        "@date": ymd, "合约代码": [*code, "IF2612"], "合约月份": "", "挂盘基准价": 1.0,
        "上市日": "2026-01-01", "最后交易日": [*expiry, "2026-12-18"], "涨停板幅度": 10,
        "跌停板幅度": 10, "涨停板价位": 1.0, "跌停板价位": 1.0, "持仓限额": 1200,
        "品种": [*(["IM"] * len(code)), "IF"], "查询交易日": day.isoformat(),
    }).drop_duplicates("合约代码").to_csv(folder / "futures_contract_info_cffex.csv",
                                        index=False)


def write_statements(folder: Path, income: list[dict[str, object]],
                     balance: list[dict[str, object]]) -> None:
    """stock_lrb_em / stock_zcfz_em recordings (YTD in CNY); each row needs `@date`."""
    pd.DataFrame(income, columns=["@date", *LRB]).to_csv(folder / "stock_lrb_em.csv",
                                                         index=False)
    pd.DataFrame(balance, columns=["@date", *ZCFZ]).to_csv(folder / "stock_zcfz_em.csv",
                                                           index=False)
