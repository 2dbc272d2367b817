"""Recorded vendor answers: one CSV per function, in the vendor's documented columns.

`RecordedApi` stands in for `tushare.pro_api(...)` (same `query(api_name, fields, **params)`)
for drills and tests: rows are filtered by the parameters that are columns of the
recording (trade_date, ts_code, list_status, ...), `offset`/`limit` page as Tushare does,
and asking for a column the recording lacks is an error, so a recording that drifts from
the documented shape fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from marketdata.vendors.errors import VendorError

TEXT_COLUMNS = ("ts_code", "symbol", "trade_date", "list_date", "delist_date", "start_date",
                "end_date", "ann_date", "f_ann_date", "list_status", "suspend_type",
                "suspend_timing", "exchange", "fut_code", "name", "industry", "market",
                "report_type", "update_flag")


# Parameters that bound a column instead of naming a value (Tushare: namechange's
# start_date / end_date bound the announcement date, not the name's own dates).
# The statements' start_date / end_date bound the announcement date too, and their
# `period` names the report's end_date.
Bound = Callable[[pd.Series, str], pd.Series]
RANGES: dict[tuple[str, str], tuple[str, Bound]] = {
    (api, key): ("ann_date", bound)
    for api in ("namechange", "income_vip", "balancesheet_vip")
    for key, bound in (("start_date", lambda col, v: col >= v),
                       ("end_date", lambda col, v: col <= v))
}
ALIASES = {("income_vip", "period"): "end_date", ("balancesheet_vip", "period"): "end_date"}


class RecordedApi:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, api_name: str, fields: str = "", **params: Any) -> pd.DataFrame:
        self.calls.append((api_name, dict(params)))
        path = self.folder / f"{api_name}.csv"
        if not path.is_file():
            raise VendorError(f"no recording of {api_name} in {self.folder}")
        try:
            frame = pd.read_csv(path, dtype={c: "string" for c in TEXT_COLUMNS})
        except pd.errors.EmptyDataError:  # recorded as the client answers a failed request
            return pd.DataFrame()
        for column in frame.columns.intersection(list(TEXT_COLUMNS)):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        for key, value in params.items():
            if (api_name, key) in RANGES:
                column, keep = RANGES[(api_name, key)]
                frame = frame[frame[column].notna() & keep(frame[column], str(value))]
            elif (column := ALIASES.get((api_name, key), key)) in frame.columns:
                frame = frame[frame[column] == str(value)]
        wanted = [f for f in fields.split(",") if f]
        missing = [f for f in wanted if f not in frame.columns]
        if missing:
            raise VendorError(f"recording {path} lacks the documented columns {missing}")
        start = int(params.get("offset", 0))
        end = start + int(params["limit"]) if "limit" in params else None
        return frame[wanted or list(frame.columns)].iloc[start:end].reset_index(drop=True)
