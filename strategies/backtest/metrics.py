"""Performance figures of a NAV series, and excess return against benchmark indices."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# A-share exchanges trade about 242 days a year (2015-2025 average); used to annualise.
TRADING_DAYS_PER_YEAR = 242


@dataclass(frozen=True)
class Excess:
    benchmark_return: float  # annualised
    excess_return: float  # annualised strategy return minus the benchmark's
    tracking_error: float  # annualised std of daily return differences
    information_ratio: float


@dataclass(frozen=True)
class Metrics:
    days: int
    total_return: float
    annual_return: float
    volatility: float
    sharpe: float  # risk-free rate 0
    max_drawdown: float
    calmar: float
    turnover: float  # average daily one-sided turnover (share of NAV)
    annual_turnover: float
    total_cost: float  # CNY: fees and commission paid
    avg_holdings: float
    excess: dict[str, Excess] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: _clean(v) for k, v in asdict(self).items()}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def annualised(total_return: float, days: int) -> float:
    if days <= 0 or total_return <= -1.0:
        return float("nan") if days <= 0 else -1.0
    return float((1.0 + total_return) ** (TRADING_DAYS_PER_YEAR / days) - 1.0)


def drawdown(nav: pd.Series) -> pd.Series:
    """1 - NAV / running peak (0 at a new high)."""
    return 1.0 - nav / nav.cummax()


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


def excess_against(returns: pd.Series, bench: pd.Series) -> Excess:
    """`returns`: the strategy's daily returns; `bench`: the index levels on the same days
    plus the level of the day before the first (its first value)."""
    bench_returns = bench.pct_change().iloc[1:].to_numpy()
    days = len(returns)
    bench_annual = annualised(float(bench.iloc[-1] / bench.iloc[0] - 1.0), days)
    strategy_annual = annualised(float(np.prod(1.0 + returns.to_numpy()) - 1.0), days)
    diff = returns.to_numpy() - bench_returns
    tracking = float(np.std(diff, ddof=1) * math.sqrt(TRADING_DAYS_PER_YEAR)) if days > 1 \
        else float("nan")
    excess = strategy_annual - bench_annual
    return Excess(bench_annual, excess, tracking, _ratio(excess, tracking))


def compute_metrics(nav: pd.Series, start_nav: float, turnover: pd.Series, costs: pd.Series,
                    holdings: pd.Series, benchmarks: pd.DataFrame | None) -> Metrics:
    """`nav` by trade date; `benchmarks` index levels from the day before the first trade
    date (columns: one per index)."""
    levels = pd.concat([pd.Series([start_nav]), nav.reset_index(drop=True)])
    returns = pd.Series(levels.pct_change().iloc[1:].to_numpy(), index=nav.index)
    days = len(nav)
    total = float(nav.iloc[-1] / start_nav - 1.0)
    annual = annualised(total, days)
    vol = float(returns.std(ddof=1) * math.sqrt(TRADING_DAYS_PER_YEAR)) if days > 1 \
        else float("nan")
    mdd = float(drawdown(levels).max())
    excess = {}
    if benchmarks is not None:
        for name in benchmarks.columns:
            excess[str(name)] = excess_against(returns, benchmarks[name])
    return Metrics(
        days=days, total_return=total, annual_return=annual, volatility=vol,
        sharpe=_ratio(float(returns.mean()) * TRADING_DAYS_PER_YEAR, vol),
        max_drawdown=mdd, calmar=_ratio(annual, mdd),
        turnover=float(turnover.mean()), annual_turnover=float(turnover.mean())
        * TRADING_DAYS_PER_YEAR, total_cost=float(costs.sum()),
        avg_holdings=float(holdings.mean()), excess=excess,
    )
