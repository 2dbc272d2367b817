"""Point-in-time financial fields: on each trade date, the value known that evening.

A report counts from its report (announcement) date; one announced on a non-trading
day counts from the next trade date. A restatement of an older period never replaces
a newer period that was already known.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.schema import FINANCIAL_FIELDS


def latest_reports(financials: pd.DataFrame) -> pd.DataFrame:
    """Reports sorted by (symbol, report_date), without stale restatements of old periods."""
    ordered = financials.sort_values(["symbol", "report_date", "period_end"], kind="stable")
    newest_period = ordered.groupby("symbol", sort=False)["period_end"].cummax()
    return ordered[ordered["period_end"] >= newest_period].reset_index(drop=True)


def point_in_time(
    financials: pd.DataFrame, dates: pd.DatetimeIndex, symbols: pd.Index
) -> dict[str, npt.NDArray[np.float64]]:
    """Financial fields as (dates x symbols) matrices of the values known on each date."""
    n_dates, n_symbols = len(dates), len(symbols)
    reports = latest_reports(financials[financials["report_date"] <= dates[-1]])
    cols = symbols.get_indexer(reports["symbol"])
    # Reports before the window all land on its first row; the last one of them wins.
    rows = np.clip(dates.searchsorted(reports["report_date"], side="left"), 0, n_dates - 1)
    keep = cols >= 0
    slots = pd.DataFrame({"row": rows[keep], "col": cols[keep], "report": np.flatnonzero(keep)})
    slots = slots.drop_duplicates(["row", "col"], keep="last")
    which = np.full((n_dates, n_symbols), np.nan)
    which[slots["row"].to_numpy(), slots["col"].to_numpy()] = slots["report"].to_numpy()
    which = pd.DataFrame(which).ffill().to_numpy()
    known = ~np.isnan(which)
    index = np.where(known, which, 0).astype(np.int64)
    out: dict[str, npt.NDArray[np.float64]] = {}
    for name in FINANCIAL_FIELDS:
        source = reports[name].to_numpy(dtype=np.float64)
        values = source[index] if len(source) else np.zeros((n_dates, n_symbols))
        out[name] = np.where(known, values, np.nan)
    return out
