"""Daily prices of the synthetic market under each board's price limits.

The close path is computed day by day (vectorised over stocks), because each day's
limits depend on the previous close. Returns come from a factor model: market, size
(small-minus-big), industry and a fat-tailed idiosyncratic part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from marketdata.boards import (
    STOCK_BOARDS,
    Board,
    band_table,
    delisting_free_table,
    limit_prices,
    listing_rule,
    risk_warning_band,
)
from marketdata.schema import RiskFlag
from marketdata.synthetic.events import Lifecycle
from marketdata.synthetic.regimes import FactorPaths
from marketdata.synthetic.universe import Universe

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PriceBook:
    open: Matrix
    high: Matrix
    low: Matrix
    close: Matrix
    prev_close: Matrix
    returns: Matrix  # close / prev_close - 1
    locked: npt.NDArray[np.bool_]  # one-price day at a limit (open = high = low = close)
    cash: Matrix  # cash dividend per share (CNY, to 0.001) going ex that day, else 0


def round_cents(x: Matrix) -> Matrix:
    return np.floor(x * 100.0 + 0.5 + 1e-6) / 100.0


def stock_returns(rng: np.random.Generator, uni: Universe, life: Lifecycle,
                  factors: FactorPaths) -> Matrix:
    n_days, n = len(factors.market), len(uni.symbols)
    beta = np.clip(rng.normal(1.0, 0.2, n), 0.5, 1.5)
    sigma = 0.012 + 0.008 * uni.size_exposure
    industry_ids = np.unique(uni.industries, return_inverse=True)[1]
    eps = rng.standard_t(5, size=(n_days, n)) * np.sqrt(3.0 / 5.0)
    r = (factors.market[:, None] * beta + factors.size[:, None] * uni.size_exposure
         + factors.industry[:, industry_ids % factors.industry.shape[1]] + eps * sigma)
    rows = np.arange(n_days)[:, None]
    dying = life.delisting[None, :] & (rows > life.last_row[None, :] - 60)
    r = np.where(dying, r - 0.01, r)  # the last months before delisting
    since_listing = rows - life.first_row[None, :]
    ipo_pop = np.exp(rng.normal(0.7, 0.4, n)) - 1.0
    r = np.where(life.new_listing & (since_listing == 0), ipo_pop, r)
    wild = life.new_listing & (since_listing > 0) & (since_listing < 5)
    return np.where(wild, rng.normal(0.0, 0.07, (n_days, n)), r)


def _limit_bands(uni: Universe, life: Lifecycle, flags: npt.NDArray[np.int8], days: list[date],
                 ) -> tuple[Matrix, Matrix]:
    """(down band, up band) per (day, stock); inf where the day has no limit."""
    n_days = len(days)
    board_ids = np.array([STOCK_BOARDS.index(Board(b)) for b in uni.boards])
    warned = risk_warning_band(flags).astype(np.int64)
    band = band_table(days)[np.arange(n_days)[:, None], board_ids[None, :], warned]
    down, up = band.copy(), band.copy()
    rows = np.arange(n_days)[:, None]
    since_listing = rows - life.first_row[None, :]
    for i in np.flatnonzero(life.new_listing):
        rule = listing_rule(Board(uni.boards[i]), life.list_dates[i])
        free = since_listing[:, i] < rule.free_days
        down[free, i], up[free, i] = np.inf, np.inf
        if rule.first_day_up is not None and rule.first_day_down is not None:
            first = since_listing[:, i] == 0
            up[first, i], down[first, i] = rule.first_day_up, rule.first_day_down
    in_period = flags == RiskFlag.DELISTING
    free_days = delisting_free_table(days)[np.arange(n_days)[:, None], board_ids[None, :]]
    free = in_period & (np.cumsum(in_period, axis=0) <= free_days)
    down[free], up[free] = np.inf, np.inf
    return down, up


def simulate_prices(rng: np.random.Generator, uni: Universe, life: Lifecycle,
                    flags: npt.NDArray[np.int8], suspended: npt.NDArray[np.bool_],
                    dividend: Matrix, ratio: Matrix, r: Matrix, days: list[date]) -> PriceBook:
    n_days, n = r.shape
    band_down, band_up = _limit_bands(uni, life, flags, days)
    listed = life.listed(n_days)
    start_price = np.where(life.delisting, np.exp(rng.normal(np.log(2.5), 0.3, n)),
                           np.exp(rng.normal(np.log(12.0), 0.7, n)))
    last = round_cents(np.maximum(start_price, 1.0))
    ref_m, close_m, down_m, up_m = (np.full((n_days, n), np.nan) for _ in range(4))
    cash_m = np.zeros((n_days, n))
    for t in range(n_days):
        # Dividends are declared per share to 0.001 CNY (0.01 per 10 shares); the
        # reference price is the exchange's ex-rights price (marketdata.corporate).
        cash = np.where(listed[t], np.round(last * dividend[t], 3), 0.0)
        ref = round_cents((last - cash) / ratio[t])
        finite_down = np.isfinite(band_down[t])
        down, _ = limit_prices(ref, np.where(finite_down, band_down[t], 0.0))
        _, up = limit_prices(ref, np.where(np.isfinite(band_up[t]), band_up[t], 0.0))
        down = np.where(finite_down, down, 0.01)
        up = np.where(np.isfinite(band_up[t]), up, np.inf)
        close = np.maximum(round_cents(np.clip(ref * (1.0 + r[t]), down, up)), 0.01)
        close = np.where(suspended[t], ref, close)
        on = listed[t]
        ref_m[t, on], close_m[t, on], cash_m[t, on] = ref[on], close[on], cash[on]
        down_m[t, on], up_m[t, on] = down[on], up[on]
        last = np.where(on, close, last)
    return _bars(rng, ref_m, close_m, down_m, up_m, r, band_up, suspended, cash_m)


def _bars(rng: np.random.Generator, ref: Matrix, close: Matrix, down: Matrix, up: Matrix,
          r: Matrix, band: Matrix, suspended: npt.NDArray[np.bool_], cash: Matrix,
          ) -> PriceBook:
    shape = ref.shape
    locked = (np.abs(r) >= 1.3 * np.where(np.isfinite(band), band, np.inf)) & (
        (close >= up) | (close <= down))
    noise = np.abs(r).mean() + 0.004
    opened = round_cents(np.clip(ref * (1.0 + 0.35 * r + rng.normal(0, noise, shape)), down, up))
    opened = np.maximum(opened, 0.01)
    top, bottom = np.maximum(opened, close), np.minimum(opened, close)
    high = np.minimum(round_cents(top * (1.0 + np.abs(rng.normal(0, noise, shape)))), up)
    low = np.maximum(round_cents(bottom * (1.0 - np.abs(rng.normal(0, noise, shape)))), down)
    low = np.maximum(np.minimum(low, bottom), 0.01)
    flat = locked | suspended
    opened, high, low = (np.where(flat, close, x) for x in (opened, high, low))
    with np.errstate(invalid="ignore", divide="ignore"):
        returns = close / ref - 1.0
    return PriceBook(opened, high, low, close, ref, returns, locked & ~suspended, cash)
