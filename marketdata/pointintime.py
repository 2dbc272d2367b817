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
    reports: pd.DataFrame,
    dates: pd.DatetimeIndex,
    symbols: pd.Index,
    fields: tuple[str, ...] = FINANCIAL_FIELDS,
) -> dict[str, npt.NDArray[np.float64]]:
    """`fields` as (dates x symbols) matrices of the values known on each date.

    `reports` must come from `latest_reports` (sorted by symbol, then report date).
    """
    n_dates, n_symbols = len(dates), len(symbols)
    known_by_end = (reports["report_date"] <= dates[-1]).to_numpy()
    cols = symbols.get_indexer(pd.Index(reports["symbol"]))
    # Reports before the window all land on its first row; the last one of them wins.
    rows = np.clip(dates.searchsorted(reports["report_date"], side="left"), 0, n_dates - 1)
    ids = np.flatnonzero(known_by_end & (cols >= 0))
    slot = rows[ids] * n_symbols + cols[ids]
    _, last_in_reverse = np.unique(slot[::-1], return_index=True)
    chosen = ids[::-1][last_in_reverse]
    unknown = len(reports)  # points at a NaN appended to each field
    # int32 throughout (these are days x stocks matrices): half the memory to touch.
    small = np.int32 if max(unknown, n_dates * n_symbols) < 2**31 - 1 else np.int64
    which = np.full((n_dates, n_symbols), unknown, dtype=small)
    which[rows[chosen], cols[chosen]] = chosen
    # Forward-fill the report id down each column: the last report row at or above
    # (row 0 where none is: `which` is `unknown` there unless row 0 holds a report).
    last = np.zeros((n_dates, n_symbols), dtype=small)
    last[rows[chosen], cols[chosen]] = rows[chosen]
    np.maximum.accumulate(last, axis=0, out=last)
    last *= n_symbols
    last += np.arange(n_symbols, dtype=small)
    index = np.take(which.ravel(), last)
    del which, last
    return {
        name: np.take(np.append(reports[name].to_numpy(dtype=np.float64), np.nan), index)
        for name in fields
    }
