"""The AKShare functions the adapter calls and the documented columns it reads.

Names, parameters and columns are those of akshare 1.19.5 (its source and its pages at
akshare.akfamily.xyz, docs/data.md "AKShare" lists them). Units as AKShare documents them:
`stock_zh_a_hist` 成交量 in hands (手, 100 shares), 成交额 in CNY (元), 涨跌额 the change
against the previous close; `stock_zh_a_daily(adjust="hfq-factor")` Sina's back-adjustment
factor at each change date; `stock_value_em` 总股本 / 流通股本 in shares (股), 总市值 /
流通市值 in CNY; `get_futures_daily` volume and open_interest in lots, settle the
settlement price; `stock_lrb_em` / `stock_zcfz_em` year-to-date statements in CNY.
"""

from __future__ import annotations

# function -> the columns the adapter reads (a subset of what the function returns)
COLUMNS: dict[str, tuple[str, ...]] = {
    "stock_info_sh_name_code": ("证券代码", "证券简称", "上市日期"),
    "stock_info_sz_name_code": ("A股代码", "A股简称", "A股上市日期"),
    "stock_info_bj_name_code": ("证券代码", "证券简称", "上市日期"),
    "stock_info_sh_delist": ("公司代码", "公司简称", "上市日期", "暂停上市日期"),
    "stock_info_sz_delist": ("证券代码", "证券简称", "上市日期", "终止上市日期"),
    "stock_industry_clf_hist_sw": ("symbol", "start_date", "industry_code"),
    "stock_zh_a_hist": ("日期", "股票代码", "开盘", "收盘", "最高", "最低", "成交量",
                        "成交额", "涨跌额"),
    "stock_zh_a_daily": ("date", "hfq_factor"),
    "stock_value_em": ("数据日期", "总股本", "流通股本"),
    "stock_tfp_em": ("代码", "停牌时间", "停牌截止时间"),
    "index_zh_a_hist": ("日期", "收盘"),
    "get_futures_daily": ("symbol", "date", "open", "high", "low", "close", "volume",
                          "open_interest", "settle"),
    "futures_contract_info_cffex": ("合约代码", "最后交易日"),
    "stock_lrb_em": ("股票代码", "净利润", "营业总收入", "公告日期"),
    "stock_zcfz_em": ("股票代码", "股东权益合计", "公告日期"),
}

# The exchanges' stock lists: (function, its `symbol` parameter or None).
LISTS = (("stock_info_sh_name_code", "主板A股"), ("stock_info_sh_name_code", "科创板"),
         ("stock_info_sz_name_code", "A股列表"), ("stock_info_bj_name_code", None))
DELISTED = (("stock_info_sh_delist", "全部"), ("stock_info_sz_delist", "终止上市公司"))

# Columns that are codes or dates (text in a recording; never parsed as numbers).
TEXT_COLUMNS = frozenset({
    "证券代码", "证券简称", "公司代码", "公司简称", "A股代码", "A股简称", "上市日期",
    "A股上市日期", "暂停上市日期", "终止上市日期", "symbol", "start_date", "industry_code",
    "update_time", "日期", "股票代码", "股票简称", "date", "数据日期", "代码", "名称",
    "停牌时间", "停牌截止时间", "停牌期限", "停牌原因", "所属市场", "预计复牌时间", "合约代码",
    "合约月份", "上市日", "最后交易日", "公告日期", "variety", "板块", "所属行业", "地区",
    "报告日期",
})
# The column a function's start_date / end_date bound (its trading date).
DATE_COLUMN = {"stock_zh_a_hist": "日期", "index_zh_a_hist": "日期",
               "get_futures_daily": "date"}

# Eastmoney's data centre answers a question with no rows with `"result": null`, on which
# these functions fail with `TypeError: 'NoneType' object is not subscriptable` (they read
# data_json["result"]["pages"] / ["data"]): that is AKShare's "nothing", not an outage.
NULL_RESULT_IS_EMPTY = frozenset({"stock_tfp_em", "stock_value_em", "stock_lrb_em",
                                  "stock_zcfz_em"})

HAND = 100  # shares per hand (手)
