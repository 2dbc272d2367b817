"""The book's beta to CSI 1000, for sizing the hedge.

OLS slope of daily stock returns (cash excluded) on daily index returns over the last
`window` days, kept inside [floor, cap] so that a few odd days cannot make the hedge
absurd; too few observations give the configured default. The daemon, the replay and
the backtest's hedge all call `book_beta` on stock returns.
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


def live_beta(quantities: pd.Series, closes: pd.DataFrame, adj_factor: pd.DataFrame,
              index: pd.Series, cfg: BetaConfig) -> float:
    """The risk daemon's beta (`risk.market_inputs.load_daily`): the shares held now,
    weighted by the last close, over the past adjusted closes, against CSI 1000.

    `closes`, `adj_factor`: dates x symbols, oldest first; `index`: CSI 1000 levels on
    the same dates. The backtest's hedge calls this with the same rows the daemon loads.
    """
    weights = (quantities * closes.iloc[-1].reindex(quantities.index)).dropna()
    return book_beta(holdings_returns(weights, closes * adj_factor), index.pct_change(), cfg)


def stock_returns(nav: pd.Series, stock_value: pd.Series) -> pd.Series:
    """Daily returns of the stocks alone, cash excluded, from a NAV series.

    Cash earns nothing in a replay, so the NAV moves with the stocks: the return is the
    NAV's change over the previous day's stock value. This is the kind of return the
    live beta uses (`holdings_returns`); the NAV's own return would be diluted by cash.
    A day after one without stocks has no return.
    """
    previous = stock_value.shift(1)
    return nav.diff() / previous.where(previous > 0)
