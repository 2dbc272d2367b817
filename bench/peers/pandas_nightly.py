"""Peer for the nightly run: the same model's factor pass written as plain wide pandas.

    .venv/bin/python bench/peers/pandas_nightly.py STORE_DIR [--lookback 250]

What a quant would write without the desk: read the store's monthly stock partitions
with `pandas.read_parquet`, pivot each field wide (dates x symbols), compute the seven
factors with pandas rolling windows (`min_periods` for the coverage rule), winsorise and
standardise each day across stocks, weight them, and print the 100 best small caps of
the last day. No universe rules beyond size and suspension, no portfolio, no orders:
it does less than `desk model run`, so the desk's whole process against it is a fair
upper bound on the desk's overhead. Run by `bench/bench_model.py --process --peer`
as a whole process, interleaved with `desk model run`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

FIELDS = ["close", "adj_factor", "amount", "float_mcap", "total_mcap", "suspended"]
WEIGHTS = {"size": -1.0, "reversal_5": 0.5, "reversal_20": 0.5, "reversal_60": 0.25,
           "abnormal_turnover": -0.5, "volatility": -0.5, "price_volume_corr": -0.5}
HISTORY = 130  # the longest window (120-day turnover) plus the 60-day reversal's carry


def wide_fields(store: Path, rows: int) -> dict[str, pd.DataFrame]:
    """The last `rows` trade days of each field, dates x symbols."""
    files = sorted((store / "stocks").glob("*.parquet"))
    frames, have = [], 0
    for path in reversed(files):  # newest months until enough days are read
        frame = pd.read_parquet(path, columns=["date", "symbol", *FIELDS])
        frames.append(frame)
        have += frame["date"].nunique()
        if have >= rows:
            break
    long = pd.concat(frames[::-1], ignore_index=True)
    wide = {name: long.pivot(index="date", columns="symbol", values=name) for name in FIELDS}
    return {name: frame.iloc[-rows:] for name, frame in wide.items()}


def log(frame: pd.DataFrame) -> pd.DataFrame:
    return cast(pd.DataFrame, np.log(frame))  # numpy's ufunc keeps the frame


def factors(wide: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    suspended = wide["suspended"].astype(bool)
    adj_close = (wide["close"] * wide["adj_factor"]).where(~suspended & (wide["close"] > 0))
    turnover = (wide["amount"] / wide["float_mcap"]).where(~suspended)
    carried = adj_close.ffill(limit=10)
    returns = adj_close.pct_change(fill_method=None)
    out = {"size": log(wide["float_mcap"].where(wide["float_mcap"] > 0))}
    for days in (5, 20, 60):
        out[f"reversal_{days}"] = 1.0 - adj_close / carried.shift(days)
    short = turnover.rolling(20, min_periods=12).mean()
    long = turnover.rolling(120, min_periods=72).mean()
    out["abnormal_turnover"] = (short / long - 1.0).where(long > 0)
    out["volatility"] = returns.rolling(20, min_periods=12).std()
    out["price_volume_corr"] = log(adj_close).rolling(20, min_periods=12).corr(turnover)
    return out


def treat(raw: pd.DataFrame) -> pd.DataFrame:
    """Winsorise at 1% / 99% and standardise, each day across stocks."""
    low, high = raw.quantile(0.01, axis=1), raw.quantile(0.99, axis=1)
    clipped = raw.clip(low, high, axis=0)
    return clipped.sub(clipped.mean(axis=1), axis=0).div(clipped.std(axis=1), axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a desk market store (the marketdata folder)")
    parser.add_argument("--lookback", type=int, default=250)
    args = parser.parse_args()
    wide = wide_fields(args.store, args.lookback + HISTORY)
    score = sum(WEIGHTS[name] * treat(raw) for name, raw in factors(wide).items())
    assert isinstance(score, pd.DataFrame)
    last_mcap = wide["total_mcap"].iloc[-1]
    small = last_mcap <= last_mcap.quantile(0.7)
    today = score.iloc[-1][small & ~wide["suspended"].iloc[-1].astype(bool)]
    print(json.dumps({"date": str(score.index[-1]), "top": list(today.nlargest(100).index)}))


if __name__ == "__main__":
    main()
