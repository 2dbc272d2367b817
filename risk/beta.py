"""The book's beta to CSI 1000, for sizing the hedge.

OLS slope of daily book returns on daily index returns over the last `window` days,
kept inside [floor, cap] so that a few odd days cannot make the hedge absurd; too few
observations give the configured default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from risk.config import BetaConfig


def book_beta(book_returns: pd.Series, index_returns: pd.Series, cfg: BetaConfig) -> float:
    """Beta over the last `cfg.window` days the two series share (NaNs dropped)."""
    joined = pd.concat([book_returns, index_returns], axis=1, join="inner").dropna()
    joined = joined.iloc[-cfg.window:]
    if len(joined) < cfg.min_observations:
        return cfg.default
    x = joined.iloc[:, 1].to_numpy(dtype=float)
    y = joined.iloc[:, 0].to_numpy(dtype=float)
    variance = float(np.var(x))
    if variance <= 0.0:
        return cfg.default
    slope = float(np.mean((x - x.mean()) * (y - y.mean())) / variance)
    return float(np.clip(slope, cfg.floor, cfg.cap))


def holdings_returns(weights: pd.Series, closes: pd.DataFrame) -> pd.Series:
    """Daily returns of today's holdings held over the past (what the hedge must offset).

    `weights`: symbol -> share of stock value; `closes`: adjusted closes, index dates,
    one column per symbol. Symbols without history are left out and the rest rescaled.
    """
    present = weights[weights.index.isin(closes.columns)]
    if present.empty or present.sum() == 0:
        return pd.Series(dtype=float)
    present = present / present.sum()
    returns = closes[present.index].pct_change(fill_method=None).iloc[1:]
    return returns.fillna(0.0).mul(present, axis=1).sum(axis=1)
