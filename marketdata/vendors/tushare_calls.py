"""The Tushare Pro functions the adapter calls and the documented columns it asks for.

Units as Tushare documents them (docs/data.md, "Vendors", lists the pages):
`daily` vol in hands (手, 100 shares), amount in thousands of CNY (千元), pre_close the
ex-rights reference (除权价); `daily_basic` total_share / float_share in 10,000 shares
(万股), total_mv / circ_mv in 10,000 CNY (万元); `adj_factor` the back-adjustment factor;
`fut_daily` vol and oi in lots (手), settle the settlement price; `fut_basic`
delist_date the last trading day; `income_vip` / `balancesheet_vip` year-to-date
statements in CNY (元).
"""

from __future__ import annotations

FIELDS: dict[str, str] = {
    "stock_basic": "ts_code,symbol,name,industry,market,exchange,list_status,list_date,"
                   "delist_date",
    "daily": "ts_code,trade_date,open,high,low,close,pre_close,vol,amount",
    "adj_factor": "ts_code,trade_date,adj_factor",
    "daily_basic": "ts_code,trade_date,total_share,float_share,total_mv,circ_mv",
    "suspend_d": "ts_code,trade_date,suspend_timing,suspend_type",
    "namechange": "ts_code,name,start_date,end_date,ann_date,change_reason",
    "index_daily": "ts_code,trade_date,close",
    "fut_daily": "ts_code,trade_date,open,high,low,close,settle,vol,oi",
    "fut_basic": "ts_code,symbol,fut_code,multiplier,list_date,delist_date",
    # Statements of the whole market by period (5,000-point "vip" forms), YTD, in CNY.
    "income_vip": "ts_code,ann_date,f_ann_date,end_date,report_type,update_flag,revenue,"
                  "n_income_attr_p",
    "balancesheet_vip": "ts_code,ann_date,f_ann_date,end_date,report_type,update_flag,"
                        "total_hldr_eqy_exc_min_int",
}
PAGE = 5000  # rows per call where Tushare pages (namechange returns at most 10,000)
HAND = 100  # shares per hand (手)
THOUSAND = 1_000  # 千元
TEN_THOUSAND = 10_000  # 万股, 万元
