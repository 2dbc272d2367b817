"""Cross-sectional treatment of factor values, one day (row) at a time.

Every operation reduces along a row only, with sorts or exact sums
(strategies.exact), so a day's result depends on that day's set of values alone,
not on the panel's length or its other columns: the nightly run and the backtest
get identical numbers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strategies.exact import FloatArray, row_means, row_sums

BoolArray = npt.NDArray[np.bool_]


def row_quantiles(values: FloatArray, qs: tuple[float, ...]) -> list[FloatArray]:
    """Per row, each q-quantile of the finite values (linear interpolation)."""
    counts = np.isfinite(values).sum(axis=1)
    last = np.maximum(counts - 1, 0)
    positions = [q * last for q in qs]
    lows = [np.floor(position).astype(np.int64) for position in positions]
    highs = [np.minimum(low + 1, last) for low in lows]
    # The order statistics each row needs, by partitioning it around them: the same
    # values a full sort would put there (NaN last either way), without sorting.
    picked = np.empty((values.shape[0], 2 * len(qs)), dtype=np.float64)
    for row in range(values.shape[0]):
        ranks = [int(k[row]) for pair in zip(lows, highs, strict=True) for k in pair]
        picked[row] = np.partition(values[row], sorted(set(ranks)))[ranks]
    out = []
    for i, (position, low) in enumerate(zip(positions, lows, strict=True)):
        below, above = picked[:, 2 * i], picked[:, 2 * i + 1]
        result = below + (position - low) * (above - below)
        result[counts == 0] = np.nan
        out.append(np.asarray(result, dtype=np.float64))
    return out


def winsorise(values: FloatArray, members: BoolArray, q: float) -> FloatArray:
    """Clip each row to its [q, 1-q] quantiles over the members; NaN for non-members."""
    inside = np.where(members, values, np.nan)
    if q <= 0.0:
        return inside
    low, high = row_quantiles(inside, (q, 1.0 - q))
    return np.clip(inside, low[:, None], high[:, None], out=inside)


def standardise(values: FloatArray) -> FloatArray:
    """Z-score of each row's finite values (mean 0, sample std 1); constant rows give 0."""
    centred = values - row_means(values, "factor values")
    squares, counts = row_sums(centred * centred, "squared deviations")
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.sqrt(squares / (counts - 1))
        z = np.divide(centred, std, out=centred)  # in place: centred is ours
    flat = ~(std[:, 0] > 0)  # rows without spread (or values): 0 where finite, else NaN
    if flat.any():
        z[flat] = np.where(np.isfinite(values[flat]), 0.0, np.nan)
    return z


def demean_by_group(values: FloatArray, groups: npt.NDArray[np.int64]) -> FloatArray:
    """Subtract, per row, the mean of each group (e.g. industry) from its members."""
    out = values.copy()
    for group in np.unique(groups):
        cols = np.flatnonzero(groups == group)
        block = values[:, cols]
        means = np.nan_to_num(row_means(block, "group values"), nan=0.0)
        out[:, cols] = block - means
    return out


def residual_on(values: FloatArray, exposure: FloatArray) -> FloatArray:
    """Per row, the residual of `values` regressed (no intercept) on `exposure`."""
    both = np.isfinite(values) & np.isfinite(exposure)
    x = np.where(both, exposure, np.nan)
    y = np.where(both, values, np.nan)
    sxx, _ = row_sums(x * x, "exposure squares")
    sxy, _ = row_sums(x * y, "exposure cross products")
    with np.errstate(invalid="ignore", divide="ignore"):
        beta = np.where(sxx > 0, sxy / sxx, 0.0)
    return np.where(np.isfinite(exposure), values - beta * exposure, values)


def neutralise(z: FloatArray, industries: npt.NDArray[np.int64] | None,
               size_z: FloatArray | None) -> FloatArray:
    """Remove industry means and/or the size exposure, then re-standardise.

    With both, size is industry-demeaned first, so the slope is the within-industry one
    (the same residual as one regression on industry dummies and size).
    """
    out = z
    exposure = size_z
    if industries is not None:
        out = demean_by_group(out, industries)
        exposure = demean_by_group(size_z, industries) if size_z is not None else None
    if exposure is not None:
        out = residual_on(out, exposure)
    return standardise(out)


def percentile_of(row: FloatArray, members: BoolArray, picks: npt.NDArray[np.int64]) -> FloatArray:
    """Percentile (0-100] of row[picks] among the members' values: 100 = the highest."""
    pool = row[members & np.isfinite(row)]
    values = row[picks]
    if pool.size == 0:
        return np.full(len(picks), np.nan)
    # How many pool values are <= each pick: its insertion point on the right.
    at_or_below = np.searchsorted(np.sort(pool), values, side="right")
    return np.where(np.isfinite(values), 100.0 * at_or_below / pool.size, np.nan)


def percentiles_of(rows: FloatArray, members: BoolArray,
                   picks: npt.NDArray[np.int64]) -> FloatArray:
    """`percentile_of` of each row of `rows` (rows x picks), the members' values of all
    the rows sorted in one call."""
    pools = rows[:, members]
    if pools.shape[1] == 0 or not np.isfinite(pools).all():  # pools that differ by row
        return np.stack([percentile_of(row, members, picks) for row in rows])
    ordered = np.sort(pools, axis=1)
    values = rows[:, picks]
    at_or_below = np.stack([np.searchsorted(pool, value, side="right")
                            for pool, value in zip(ordered, values, strict=True)])
    return np.where(np.isfinite(values), 100.0 * at_or_below / pools.shape[1], np.nan)
