"""Market regimes of the synthetic market and the daily factor returns they drive.

Two episodes from the strategy's history are replayed at configurable places:
- a micro-cap crash like January-February 2024: a decline with two panic days (the
  smallest stocks fall hardest, many lock limit-down, the IM discount widens towards
  ~55% a year) and then a sharp rebound (the discount collapses to ~6%);
- a large-cap rotation like December 2020-February 2021: the market drifts up while the
  smallest stocks lose about a fifth in two months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

CRASH = "micro_cap_crash"
ROTATION = "large_cap_rotation"


@dataclass(frozen=True)
class RegimePlan:
    """Where the episodes start, as fractions of the window (None leaves one out)."""

    rotation_at: float | None = 0.2
    crash_at: float | None = 0.6


@dataclass(frozen=True)
class Regime:
    name: str
    start: int  # index of the first day in the window
    length: int

    @property
    def stop(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class FactorPaths:
    market: FloatArray  # (days,) market return
    size: FloatArray  # (days,) small-minus-big return per unit of exposure
    industry: FloatArray  # (days, industries)
    turnover: FloatArray  # (days,) turnover multiplier
    discount_shock: FloatArray  # (days,) added to the IM annualised discount


def plan_regimes(n_days: int, plan: RegimePlan) -> list[Regime]:
    regimes: list[Regime] = []
    if plan.crash_at is not None and n_days >= 10:
        length = int(np.clip(n_days // 4, 8, 24))
        start = int(np.clip(round(plan.crash_at * n_days), 1, n_days - length))
        regimes.append(Regime(CRASH, start, length))
    if plan.rotation_at is not None and n_days >= 40:
        length = int(np.clip(n_days // 4, 10, 40))
        start = int(np.clip(round(plan.rotation_at * n_days), 1, n_days - length))
        if not any(start < r.stop and r.start < start + length for r in regimes):
            regimes.append(Regime(ROTATION, start, length))
    return sorted(regimes, key=lambda r: r.start)


def _apply_crash(r: Regime, rng: np.random.Generator, paths: FactorPaths) -> None:
    decline = max(round(r.length * 0.7), 2)
    down, up = slice(r.start, r.start + decline), slice(r.start + decline, r.stop)
    paths.market[down] = rng.normal(-0.005, 0.008, decline)
    paths.size[down] = rng.normal(-0.009, 0.003, decline)
    panic = r.start + rng.choice(np.arange(decline // 2, decline), size=2, replace=False)
    paths.market[panic], paths.size[panic] = -0.035, -0.020
    paths.market[up] = rng.normal(0.015, 0.01, r.length - decline)
    paths.size[up] = rng.normal(0.008, 0.003, r.length - decline)
    paths.turnover[down], paths.turnover[up] = 1.4, 1.5
    paths.turnover[panic] = 1.8
    paths.discount_shock[down] = np.linspace(0.05, 0.42, decline)
    # After the crash the discount collapses to ~6% a year and drifts back to normal.
    tail = np.arange(len(paths.discount_shock) - (r.start + decline))
    paths.discount_shock[r.start + decline :] += -0.07 * np.exp(-tail / 12.0)


def _apply_rotation(r: Regime, rng: np.random.Generator, paths: FactorPaths) -> None:
    span = slice(r.start, r.stop)
    paths.market[span] = rng.normal(0.003, 0.009, r.length)
    paths.size[span] = rng.normal(-0.005, 0.002, r.length)
    paths.turnover[span] = 1.1


def factor_paths(
    rng: np.random.Generator, n_days: int, n_industries: int, regimes: list[Regime]
) -> FactorPaths:
    paths = FactorPaths(
        market=rng.normal(0.0002, 0.011, n_days),
        size=rng.normal(0.0003, 0.004, n_days),
        industry=rng.normal(0.0, 0.007, (n_days, n_industries)),
        turnover=np.ones(n_days),
        discount_shock=np.zeros(n_days),
    )
    for regime in regimes:
        (_apply_crash if regime.name == CRASH else _apply_rotation)(regime, rng, paths)
    return paths
