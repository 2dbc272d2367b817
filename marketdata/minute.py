"""Minute bars derived from a day bar, deterministically (for the execution simulator).

Each symbol's path is pinned at the day's open, high, low and close (the high and the
low fall at random minutes) with a Brownian bridge between those points, so the bars
reproduce the day's OHLC exactly and their volumes sum to the day's volume. The random
numbers are seeded by (day, symbol): the same bars whatever other symbols are asked for.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from exchange.data import FUTURE_SPECS, STOCK_TICK
from marketdata.clock import EXCHANGE_TZ

BARS_PER_DAY = 240
_MORNING, _AFTERNOON = time(9, 30), time(13, 0)
# (price tick, volume lot, contract multiplier): stocks, and IM futures (symbols *.CFFEX),
# whose tick and multiplier are the contract spec's.
_IM = FUTURE_SPECS["IM"]
_STOCK, _FUTURE = (float(STOCK_TICK), 100.0, 1.0), (float(_IM.tick), 1.0, float(_IM.multiplier))

FloatArray = npt.NDArray[np.float64]


def minute_starts(day: date) -> pd.DatetimeIndex:
    """Bar start times: 09:30..11:29 and 13:00..14:59, aware in EXCHANGE_TZ."""
    starts: list[datetime] = []
    for session in (_MORNING, _AFTERNOON):
        first = datetime.combine(day, session, tzinfo=EXCHANGE_TZ)
        starts.extend(first + timedelta(minutes=m) for m in range(BARS_PER_DAY // 2))
    return pd.DatetimeIndex(starts)


_DRAWS = 4 * BARS_PER_DAY + 2  # walk, two wiggles, volume noise, two knot positions


def _draws(day: date, symbols: npt.NDArray[np.object_]) -> FloatArray:
    """Random numbers per symbol, seeded by (day, symbol) only."""
    out = np.empty((len(symbols), _DRAWS))
    for i, symbol in enumerate(symbols):
        rng = np.random.default_rng([day.toordinal(), zlib.crc32(str(symbol).encode())])
        out[i, :-2] = rng.standard_normal(_DRAWS - 2)
        out[i, -2:] = rng.random(2)
    return out


def _interp_rows(knot_t: npt.NDArray[np.int64], knot_v: FloatArray) -> FloatArray:
    """Row-wise linear interpolation at steps 0..BARS_PER_DAY through sorted knots."""
    steps = np.arange(BARS_PER_DAY + 1)
    seg = (steps[None, :, None] >= knot_t[:, None, 1:-1]).sum(axis=2)  # segment of each step
    t0 = np.take_along_axis(knot_t, seg, axis=1)
    t1 = np.take_along_axis(knot_t, seg + 1, axis=1)
    v0 = np.take_along_axis(knot_v, seg, axis=1)
    v1 = np.take_along_axis(knot_v, seg + 1, axis=1)
    span = np.maximum(t1 - t0, 1)
    return v0 + (v1 - v0) * (steps[None, :] - t0) / span


def _to_tick(x: FloatArray, tick: FloatArray) -> FloatArray:
    return np.round(x / tick) / np.round(1.0 / tick)  # k / 100 is the nearest float to k ticks


def _price_paths(draws: FloatArray, ohlc: FloatArray, tick: FloatArray) -> FloatArray:
    """Prices at steps 0..BARS_PER_DAY from open to close touching high and low, on ticks."""
    n = BARS_PER_DAY
    o, h, lo, c = ohlc.T
    t_high = 1 + np.floor(draws[:, -2] * (n - 1)).astype(np.int64)
    t_low = 1 + np.floor(draws[:, -1] * (n - 2)).astype(np.int64)
    t_low = t_low + (t_low >= t_high)
    knot_t = np.stack([np.zeros_like(t_high), t_high, t_low, np.full_like(t_high, n)], axis=1)
    knot_p = np.stack([o, h, lo, c], axis=1)
    order = np.argsort(knot_t, axis=1, kind="stable")
    knot_t = np.take_along_axis(knot_t, order, axis=1)
    knot_p = np.take_along_axis(knot_p, order, axis=1)
    walk = np.concatenate([np.zeros((len(draws), 1)), np.cumsum(draws[:, :n], axis=1)], axis=1)
    bridge = walk - _interp_rows(knot_t, np.take_along_axis(walk, knot_t, axis=1))
    path = _interp_rows(knot_t, knot_p) + bridge * ((h - lo) * 0.08)[:, None]
    return np.clip(_to_tick(path, tick), lo[:, None], h[:, None])


def _volumes(draws: FloatArray, volume: FloatArray, lot: FloatArray) -> FloatArray:
    """Split each day volume into whole lots per bar (the remainder on the busiest bar)."""
    k = np.arange(BARS_PER_DAY)
    u_shape = 1.0 + 2.0 * np.exp(-k / 15.0) + 1.5 * np.exp(-(BARS_PER_DAY - 1 - k) / 15.0)
    weights = u_shape[None, :] * np.exp(0.5 * draws[:, 3 * BARS_PER_DAY : 4 * BARS_PER_DAY])
    share = weights / weights.sum(axis=1, keepdims=True)
    shares = np.floor(volume[:, None] * share / lot) * lot
    busiest = np.argmax(weights, axis=1)
    rows = np.arange(len(volume))
    shares[rows, busiest] += volume - shares.sum(axis=1)
    return shares


def synthesize_minute_bars(day: date, day_bars: pd.DataFrame) -> pd.DataFrame:
    """Long minute bars for the stocks in `day_bars` (index symbol; open high low close volume)."""
    symbols = day_bars.index.to_numpy(dtype=object)
    n = BARS_PER_DAY
    draws = _draws(day, symbols)
    ohlc = day_bars[["open", "high", "low", "close"]].to_numpy(dtype=np.float64)
    spec = np.array([_FUTURE if str(s).endswith(".CFFEX") else _STOCK for s in symbols])
    spec = spec.reshape(-1, 3)
    tick, lot, multiplier = spec[:, 0:1], spec[:, 1:2], spec[:, 2:3]
    path = _price_paths(draws, ohlc, tick)
    opens, closes = path[:, :-1], path[:, 1:]
    day_range = (ohlc[:, 1] - ohlc[:, 2])[:, None]
    up = _to_tick(np.abs(draws[:, n : 2 * n]) * day_range * 0.02, tick)
    down = _to_tick(np.abs(draws[:, 2 * n : 3 * n]) * day_range * 0.02, tick)
    highs = np.minimum(np.maximum(opens, closes) + up, ohlc[:, 1:2])
    lows = np.maximum(np.minimum(opens, closes) - down, ohlc[:, 2:3])
    volume = _volumes(draws, day_bars["volume"].to_numpy(dtype=np.float64), lot)
    amount = volume * multiplier * (opens + highs + lows + closes) / 4.0
    starts = minute_starts(day)
    return pd.DataFrame({
        "symbol": np.repeat(symbols, n),
        "datetime": starts.take(np.tile(np.arange(n), len(symbols))),
        "open": opens.ravel(), "high": highs.ravel(), "low": lows.ravel(),
        "close": closes.ravel(), "volume": volume.ravel(), "amount": amount.ravel(),
    })
