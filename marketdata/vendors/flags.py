"""ST / *ST / delisting-period status on a day, from the names a stock carried.

The status is read from the name in force that day (Tushare `namechange`: one row per
name with its start and end dates): `*ST...` is *ST, `ST...` (also `SST`, `S*ST`) is ST,
a name ending in 退 (or the older 退市 prefix) is the delisting period (退市整理期).
Tushare lists some names twice, once with an end date and once without; the row with the
latest start wins, and of two with the same start the one with an end date.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from marketdata.schema import RiskFlag


def flag_of_name(name: str) -> RiskFlag:
    text = name.strip().upper().replace(" ", "")
    if text.endswith("退") or text.startswith("退市"):
        return RiskFlag.DELISTING
    plain = text.removeprefix("S") if text.startswith(("SST", "S*ST")) else text
    if plain.startswith("*ST"):
        return RiskFlag.STAR_ST
    if plain.startswith("ST"):
        return RiskFlag.ST
    return RiskFlag.NORMAL


def names_on(changes: pd.DataFrame, day: date) -> pd.Series:
    """The name of each ts_code in force on `day` (columns ts_code name start_date end_date)."""
    if changes.empty:
        return pd.Series(dtype=object)
    frame = changes.copy()
    start = pd.to_datetime(frame["start_date"], format="%Y%m%d", errors="coerce")
    end = pd.to_datetime(frame["end_date"], format="%Y%m%d", errors="coerce")
    at = pd.Timestamp(day)
    frame = frame[(start <= at) & (end.isna() | (end >= at))].assign(
        _start=start, _has_end=end.notna())
    frame = frame.sort_values(["ts_code", "_start", "_has_end"])
    return frame.groupby("ts_code")["name"].last()
