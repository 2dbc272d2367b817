"""Point-in-time financial fields: on each trade date, the value known that evening.

A report counts from its report (announcement) date; one announced on a non-trading
day counts from the next trade date. A restatement of an older period never replaces
a newer period that was already known.
"""

from __future__ import annotations

from typing import Any

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
    # int32 throughout (a days x stocks matrix): half the memory to touch.
    small = np.int32 if max(len(reports), n_dates * n_symbols) < 2**31 - 1 else np.int64
    # Each cell's report id, carried down its column: a symbol's reports are in report
    # date order, so its later rows hold larger ids and the running maximum is the
    # newest report known (-1 before the first: the NaN appended to each field).
    known = np.full((n_dates, n_symbols), -1, dtype=small)
    known[rows[chosen], cols[chosen]] = chosen
    _running_max(known)
    return {
        name: np.take(np.append(reports[name].to_numpy(dtype=np.float64), np.nan), known)
        for name in fields
    }


def _running_max(values: npt.NDArray[np.signedinteger[Any]]) -> None:
    """`np.maximum.accumulate(values, axis=0, out=values)`, a row at a time: numpy's
    walks down each column, several times slower on a wide matrix; the same integers."""
    for row in range(1, values.shape[0]):
        np.maximum(values[row - 1], values[row], out=values[row])
