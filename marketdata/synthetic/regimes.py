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
from datetime import date

import numpy as np
import numpy.typing as npt

from exchange import third_friday
from marketdata.errors import MarketDataError

FloatArray = npt.NDArray[np.float64]

CRASH = "micro_cap_crash"
ROTATION = "large_cap_rotation"
RECOVERY = "recovery"  # a steady partial recovery after a crash (scenarios only)
# Demo scenarios (`write_demo_store(..., scenario=NAME)`): where the episodes fall.
CRASH_2024 = "crash2024"  # the micro-cap crash inside the last `run_days` of the store
SCENARIOS: tuple[str, ...] = (CRASH_2024,)


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


class UnknownScenario(MarketDataError, ValueError):
    """A scenario name the synthetic market does not know; the message lists the known."""


def scenario_regimes(name: str, days: list[date], run_days: int) -> list[Regime]:
    """The regimes of scenario `name` in the window `days`, for a paper run over the last
    `run_days`. The crash (decline and rebound: about 45% of the run, 8 to 24 days) is
    placed so its low comes about `HEDGE_LEAD` trading days before an IM expiry (third
    Friday) inside the run, so a hedge taken in the fall must be rolled; the rest of the
    run is a steady, partial recovery, so the ladder sees the market stabilise."""
    if name not in SCENARIOS:
        raise UnknownScenario(f"scenario {name!r} is not one of {', '.join(SCENARIOS)}")
    n_days = len(days)
    if not 10 <= run_days <= n_days - 2:
        raise ValueError(
            f"scenario {name}: the run of {run_days} days must be >= 10 and leave 2 days "
            f"of history in the store's {n_days}")
    length = int(np.clip(round(run_days * 0.45), 8, 24))
    first = n_days - run_days + 2
    start = _before_expiry(days, first, n_days - length, _decline(length) + HEDGE_LEAD)
    crash = Regime(CRASH, start, length)
    recovery = Regime(RECOVERY, crash.stop, n_days - crash.stop)
    rotation = plan_regimes(n_days, RegimePlan(rotation_at=0.2, crash_at=None))
    return sorted([crash, *[r for r in rotation if r.stop <= crash.start],
                   *([recovery] if recovery.length else [])], key=lambda r: r.start)


HEDGE_LEAD = 12  # > the desk's open_min_days (10): the hedge opens in the front contract


def _decline(length: int) -> int:
    return max(round(length * 0.7), 2)


def _before_expiry(days: list[date], first: int, last: int, lead: int) -> int:
    """The latest start in [first, last] that is `lead` rows before a third Friday."""
    fridays = [i for i, d in enumerate(days) if d == third_friday(d.year, d.month)]
    starts = [i - lead for i in fridays if first <= i - lead <= last]
    return starts[-1] if starts else first


def _apply_crash(r: Regime, rng: np.random.Generator, paths: FactorPaths) -> None:
    decline = _decline(r.length)
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


def _apply_recovery(r: Regime, rng: np.random.Generator, paths: FactorPaths) -> None:
    span = slice(r.start, r.stop)
    paths.market[span] = rng.normal(0.004, 0.006, r.length)
    paths.size[span] = rng.normal(0.001, 0.002, r.length)
    paths.turnover[span] = 1.2


_APPLY = {CRASH: _apply_crash, ROTATION: _apply_rotation, RECOVERY: _apply_recovery}


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
        _APPLY[regime.name](regime, rng, paths)
    return paths
