"""The raw factors: small pure functions over the panel's wide arrays.

Each returns a (days x stocks) array; the value on a day uses only data up to that
day. Definitions (and the sign the default weights give them) are in docs/model.md.
Suspended days carry no price or turnover information, so they count as missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.schema import Panel
from strategies.config import FactorConfig
from strategies.rolling import (
    FloatArray,
    PrefixSums,
    trailing_corr,
    trailing_mean,
    trailing_std,
)
from strategies.universe import field_array

# How far back a missing price may be carried forward for a lagged return: a stock
# silent for longer than this has no reversal value.
CARRY_FORWARD_DAYS = 10
REVERSAL_DAYS: tuple[int, ...] = (5, 20, 60)
# How many rows before a day each window statistic reads (a reversal reads its lag and
# the carry-forward, size the day alone): their inputs are cut to that.
WINDOW_REACH: dict[str, Callable[[FactorConfig], int]] = {
    "abnormal_turnover": lambda config: config.turnover_long_days - 1,
    "volatility": lambda config: config.volatility_days,  # a return reads the day before
    "price_volume_corr": lambda config: config.correlation_days - 1,
}


@dataclass(frozen=True)
class FactorInputs:
    """The arrays the factors read, derived once from the panel."""

    adj_close: FloatArray  # back-adjusted close, NaN when suspended or not listed
    turnover: FloatArray  # amount / float market cap, NaN when suspended
    float_mcap: FloatArray
    # Rows at the top that are history only: each factor returns its values from the
    # row after them (what the caller keeps), not arrays it would cut down.
    skip: int = 0

    @classmethod
    def from_panel(cls, panel: Panel, start: int = 0, skip: int = 0,
                   stop: int | None = None) -> FactorInputs:
        """The inputs over the panel's rows from `start` (to `stop`); the factors'
        values from row `start + skip` on."""
        rows = slice(start, stop)
        suspended = field_is_set(panel, "suspended", rows)
        close = field_array(panel, "close")[rows]
        adj = field_array(panel, "adj_factor")[rows]
        float_mcap = field_array(panel, "float_mcap")[rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            turnover = field_array(panel, "amount")[rows] / float_mcap
        adj_close = np.where(suspended | ~(close > 0), np.nan, close * adj)
        turnover = np.where(suspended | ~np.isfinite(turnover), np.nan, turnover)
        return cls(adj_close=adj_close, turnover=turnover,
                   float_mcap=np.where(float_mcap > 0, float_mcap, np.nan), skip=skip)

    def trimmed(self, history: int) -> FactorInputs:
        """The same inputs with at most `history` rows before the first result row: a
        factor whose windows reach no further gives the same values from less work."""
        drop = max(0, self.skip - history)
        if drop == 0:
            return self
        return FactorInputs(adj_close=self.adj_close[drop:], turnover=self.turnover[drop:],
                            float_mcap=self.float_mcap[drop:], skip=self.skip - drop)

    @cached_property
    def carried_adj_close(self) -> FloatArray:
        """`adj_close` carried forward over short gaps (shared by the reversals)."""
        frame = pd.DataFrame(self.adj_close, copy=False)  # pandas 3 would copy it first
        return np.asarray(frame.ffill(limit=CARRY_FORWARD_DAYS).to_numpy(), dtype=np.float64)


def field_is_set(panel: Panel, name: str, rows: slice = slice(None)) -> npt.NDArray[np.bool_]:
    """`field_array(panel, name)[rows] > 0`, read straight from a bool field (suspended,
    listed) instead of through a float64 copy of all of it."""
    values = panel[name].to_numpy()
    if values.dtype != np.bool_ or values.shape != (len(panel.dates), len(panel.symbols)):
        return np.asarray(field_array(panel, name)[rows] > 0)
    return np.array(values[rows], dtype=np.bool_)  # a copy: the panel's stays untouched


def risk_flags(panel: Panel, rows: slice = slice(None)) -> FloatArray:
    """`nan_to_num(field_array(panel, "risk_flag")[rows], nan=0)`: an int8 field holds
    no NaN, so one conversion of the rows asked for does."""
    values = panel["risk_flag"].to_numpy()
    if values.dtype != np.int8 or values.shape != (len(panel.dates), len(panel.symbols)):
        return np.nan_to_num(field_array(panel, "risk_flag")[rows], nan=0.0)
    return values[rows].astype(np.float64)


def history_rows(config: FactorConfig) -> int:
    """How many rows before a day its raw factor values read: the longest window, and
    the longest reversal's lag with its carry-forward. Values computed from that many
    rows before a day are the ones computed from any earlier start (exact window sums,
    strategies.rolling), so nothing before them needs computing."""
    return max(max(REVERSAL_DAYS) + CARRY_FORWARD_DAYS,
               *(reach(config) for reach in WINDOW_REACH.values()))


def size(inputs: FactorInputs, config: FactorConfig) -> FloatArray:
    """Natural log of the float market cap (CNY)."""
    return np.log(inputs.float_mcap[inputs.skip:])


def reversal(inputs: FactorInputs, days: int) -> FloatArray:
    """Minus the return over the last `days` trading days: losers score high."""
    carried, skip = inputs.carried_adj_close, inputs.skip
    n_rows = carried.shape[0]
    lo = min(max(days, skip), n_rows)  # the first row with a lagged price in the array
    # 1 - price / lagged price, written into the result (NaN lags above `lo`): the same
    # operations as on a NaN-padded lagged array, without making that array.
    out = np.empty((n_rows - skip, *carried.shape[1:]))
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(inputs.adj_close[skip:lo], np.nan, out=out[:lo - skip])
        np.divide(inputs.adj_close[lo:], carried[lo - days:n_rows - days], out=out[lo - skip:])
    return np.subtract(1.0, out, out=out)


def daily_returns(inputs: FactorInputs) -> FloatArray:
    """Close-to-close return of consecutive trading days (NaN across a gap)."""
    returns = np.full(inputs.adj_close.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        returns[1:] = inputs.adj_close[1:] / inputs.adj_close[:-1] - 1.0
    return returns


def abnormal_turnover(inputs: FactorInputs, config: FactorConfig) -> FloatArray:
    """Short-window average turnover over long-window average turnover, minus one."""
    prefix = PrefixSums(inputs.turnover, "turnover")
    short = trailing_mean(prefix, config.turnover_short_days, config.min_coverage,
                          first=inputs.skip)
    long = trailing_mean(prefix, config.turnover_long_days, config.min_coverage,
                         first=inputs.skip)
    del prefix
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = short / long - 1.0
    return np.where(long > 0, ratio, np.nan)


def volatility(inputs: FactorInputs, config: FactorConfig) -> FloatArray:
    """Standard deviation of daily returns over the volatility window."""
    return trailing_std(daily_returns(inputs), config.volatility_days, config.min_coverage,
                        "daily returns", first=inputs.skip)


def price_volume_corr(inputs: FactorInputs, config: FactorConfig) -> FloatArray:
    """Correlation of log adjusted price and turnover over the correlation window."""
    with np.errstate(invalid="ignore", divide="ignore"):
        log_price = np.log(inputs.adj_close)
    return trailing_corr(log_price, inputs.turnover, config.correlation_days,
                         config.min_coverage, "log price and turnover", first=inputs.skip)


FactorFunction = Callable[[FactorInputs, FactorConfig], FloatArray]

def _reversal_of(days: int) -> FactorFunction:
    return lambda inputs, _config: reversal(inputs, days)


FACTORS: dict[str, FactorFunction] = {
    "size": size,
    **{f"reversal_{days}": _reversal_of(days) for days in REVERSAL_DAYS},
    "abnormal_turnover": abnormal_turnover,
    "volatility": volatility,
    "price_volume_corr": price_volume_corr,
}


def raw_factors(panel: Panel, config: FactorConfig, first_row: int = 0,
                stop: int | None = None) -> dict[str, FloatArray]:
    """The raw values of every factor with a non-zero weight, on the panel's rows from
    `first_row` (to `stop`), computed from `history_rows` before it."""
    return dict(iter_raw_factors(panel, config, first_row, stop))


def iter_raw_factors(panel: Panel, config: FactorConfig, first_row: int = 0,
                     stop: int | None = None) -> Iterator[tuple[str, FloatArray]]:
    """`raw_factors` one at a time, in the weights' order: a caller that treats each in
    turn never holds them all (a backtest's are 40 MB each)."""
    start = max(0, first_row - history_rows(config))
    inputs = FactorInputs.from_panel(panel, start, skip=first_row - start, stop=stop)
    for name, weight in config.weights.items():
        if weight != 0.0:
            reach = WINDOW_REACH.get(name)
            used = inputs if reach is None else inputs.trimmed(reach(config))
            yield name, FACTORS[name](used, config)
