"""CSI 1000, CSI 2000 and micro-cap index series computed from the synthetic constituents.

Scaled to the universe size: CSI 1000 takes cap ranks 801-1800 of ~5,300 stocks, CSI 2000
ranks 1801-3800 (both float-cap weighted, reviewed each June and December), and the
micro-cap index the ~400 smallest (equal weight, rebalanced daily). ST, *ST and
delisting-period stocks and listings younger than 60 trading days are left out.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pandas as pd

from exchange import third_friday
from marketdata.schema import RiskFlag

Matrix = npt.NDArray[np.float64]
REFERENCE_UNIVERSE = 5300
BANDS = {"csi1000": (800, 1800), "csi2000": (1800, 3800)}
MICROCAP_SIZE = 400
BASE_LEVELS = {"csi1000": 6000.0, "csi2000": 2500.0, "microcap": 100000.0}  # arbitrary
MIN_AGE = 60


def review_rows(days: list[date]) -> list[int]:
    """Row 0 and the first trade date after the second Friday of each June and December."""
    rows = {0}
    for year in range(days[0].year, days[-1].year + 1):
        for month in (6, 12):
            second_friday = third_friday(year, month) - timedelta(days=7)
            i = bisect_right(days, second_friday)
            if 0 < i < len(days):
                rows.add(i)
    return sorted(rows)


def eligible(listed: npt.NDArray[np.bool_], flags: npt.NDArray[np.int8],
             first_row: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    rows = np.arange(listed.shape[0])[:, None]
    old_enough = (first_row[None, :] == 0) | (rows - first_row[None, :] >= MIN_AGE)
    return listed & (flags == RiskFlag.NORMAL) & old_enough


def _cap_weighted(members: npt.NDArray[np.bool_], returns: Matrix, weights: Matrix,
                  rows: range) -> Matrix:
    idx = np.array(list(rows))
    w = np.nan_to_num(weights[np.maximum(idx - 1, 0)][:, members])
    r = returns[idx][:, members]
    w = np.where(np.isfinite(r), w, 0.0)
    total = w.sum(axis=1)
    return np.where(total > 0, (w * np.nan_to_num(r)).sum(axis=1) / np.maximum(total, 1e-12), 0.0)


def index_series(days: list[date], returns: Matrix, total_mcap: Matrix, float_mcap: Matrix,
                 ok: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """Index levels by date; `ok` marks the (day, stock) cells eligible for any index."""
    n_days, n = returns.shape
    scale = n / REFERENCE_UNIVERSE
    daily = {name: np.zeros(n_days) for name in BASE_LEVELS}
    reviews = [*review_rows(days), n_days]
    for start, stop in pairwise(reviews):
        basis = max(start - 1, 0)
        caps = np.where(ok[basis], total_mcap[basis], -np.inf)
        order = np.argsort(-caps)[: int(ok[basis].sum())]
        for name, (lo, hi) in BANDS.items():
            members = np.zeros(n, dtype=bool)
            members[order[int(lo * scale) : max(int(hi * scale), int(lo * scale) + 10)]] = True
            rows = range(start, stop)
            daily[name][start:stop] = _cap_weighted(members, returns, float_mcap, rows)
    k = max(10, round(MICROCAP_SIZE * scale))
    for t in range(1, n_days):
        caps = np.where(ok[t - 1], total_mcap[t - 1], np.inf)
        smallest = np.argpartition(caps, min(k, n - 1))[:k]
        r = returns[t, smallest]
        daily["microcap"][t] = float(np.nanmean(r)) if np.isfinite(r).any() else 0.0
    daily = {name: np.where(np.arange(n_days) == 0, 0.0, r) for name, r in daily.items()}
    levels = {name: BASE_LEVELS[name] * np.cumprod(1.0 + r) for name, r in daily.items()}
    return pd.DataFrame({"date": pd.to_datetime(days), **levels})
