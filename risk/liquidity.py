"""How fast the book could get out: days to exit per holding and the book's exit curve.

Pure functions over plain data (no store, no Redis): `services.liquidity_read` feeds
them the ledger's holdings and the store's averages, computed with the model's own
definition (`strategies.adv`: `adv_days`-day mean, suspended days count as zero).

- daily capacity = participation cap x scenario volume factor x ADV volume (shares);
- days to exit = locked days + shares held / daily capacity (fractional; `whole_days`
  rounds it up to the trading days it takes); no volume at all = never (infinity);
- exit curve: the share of NAV in cash within N days = (NAV - stocks, the cash already
  out, + the sum over holdings of min(shares, max(0, N - locked days) x capacity) x
  price) / NAV: what a redemption could be paid from by then.

Odd lots and T+1 are ignored: the whole position counts as sellable from the first day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from risk.liquidity_config import BASE, LiquidityConfig, StressScenario

NEVER = math.inf


@dataclass(frozen=True)
class ExitBasis:
    """The definitions shared with the rest of the desk, passed in from the settings."""

    participation: float  # execution.algo.max_participation: the most of a day's volume sold
    adv_days: int  # model.constraints.adv_days
    max_adv_share: float  # model.constraints.max_adv_share: the model's position cap


@dataclass(frozen=True)
class Holding:
    symbol: str
    name: str
    quantity: int  # shares held
    price: float  # CNY, the store's close (the last known one for a suspended stock)
    adv_volume: float  # shares a day over the ADV window, suspended days zero
    adv_amount: float  # CNY a day, same window
    mcap: float  # ranks the smallest names for a limit-down lock (NaN: counted smallest)
    float_shares: float  # free float (NaN when unknown)

    @property
    def value(self) -> float:
        return self.quantity * self.price


@dataclass(frozen=True)
class ExitRow:
    holding: Holding
    weight: float  # of NAV
    volume_days: float  # shares held / ADV volume: the position in days of the whole market
    adv_share: float  # value / ADV amount: what the model caps at max_adv_share
    days_to_exit: float  # under the scenario
    locked: bool  # limit-down locked for the scenario's first days

    @property
    def whole_days(self) -> float:
        """Trading days the exit takes (a partial day counts as one)."""
        return self.days_to_exit if math.isinf(self.days_to_exit) else \
            float(math.ceil(round(self.days_to_exit, 9)))


@dataclass(frozen=True)
class ScenarioProfile:
    scenario: StressScenario
    rows: tuple[ExitRow, ...]  # slowest exit first
    curve: dict[int, float]  # horizon (trading days) -> share of NAV in cash by then

    @property
    def max_days(self) -> float:
        return max((r.days_to_exit for r in self.rows), default=0.0)


@dataclass(frozen=True)
class LiquidityProfile:
    day: date  # the store's day the averages end on
    account: str
    nav: float
    basis: ExitBasis
    scenarios: tuple[ScenarioProfile, ...]  # `base` first, then the configured ones

    @property
    def holdings(self) -> list[Holding]:
        return [r.holding for r in self.scenarios[0].rows]

    @property
    def stock_value(self) -> float:
        return sum(h.value for h in self.holdings)

    def get(self, name: str) -> ScenarioProfile:
        for s in self.scenarios:
            if s.scenario.name == name:
                return s
        raise KeyError(f"no stress scenario {name!r}; known: "
                       f"{', '.join(s.scenario.name for s in self.scenarios)}")


def daily_capacity(h: Holding, basis: ExitBasis, scenario: StressScenario) -> float:
    """Shares of `h` the desk can sell in one (unlocked) day."""
    adv = h.adv_volume if math.isfinite(h.adv_volume) else 0.0
    return max(0.0, basis.participation * scenario.volume_factor * adv)


def locked_symbols(holdings: Sequence[Holding], scenario: StressScenario) -> frozenset[str]:
    """The smallest `locked_share` of the names held, by market cap (at least that share)."""
    count = math.ceil(round(scenario.locked_share * len(holdings), 9))
    ranked = sorted(holdings, key=lambda h: (h.mcap if math.isfinite(h.mcap) else -1.0,
                                             h.symbol))
    return frozenset(h.symbol for h in ranked[:count])


def days_to_exit(shares: int, capacity: float, locked_days: int) -> float:
    if shares <= 0:
        return 0.0
    if capacity <= 0:
        return NEVER
    return locked_days + shares / capacity


def sellable_within(shares: int, capacity: float, locked_days: int, horizon: int) -> float:
    """Shares sold within `horizon` trading days."""
    return min(float(shares), max(0, horizon - locked_days) * capacity)


def scenario_profile(holdings: Sequence[Holding], nav: float, basis: ExitBasis,
                     scenario: StressScenario, horizons: Sequence[int]) -> ScenarioProfile:
    locked = locked_symbols(holdings, scenario)
    rows, sold = [], dict.fromkeys(horizons, 0.0)
    for h in holdings:
        lock = scenario.locked_days if h.symbol in locked else 0
        capacity = daily_capacity(h, basis, scenario)
        rows.append(ExitRow(h, _ratio(h.value, nav), _ratio(h.quantity, h.adv_volume),
                            _ratio(h.value, h.adv_amount), days_to_exit(h.quantity, capacity, lock),
                            h.symbol in locked))
        for n in horizons:
            sold[n] += sellable_within(h.quantity, capacity, lock, n) * h.price
    rows.sort(key=lambda r: (-r.days_to_exit, r.holding.symbol))
    cash = nav - sum(h.value for h in holdings)  # cash and hedges: out already
    curve = {n: max(0.0, (cash + v) / nav) if nav > 0 else 0.0 for n, v in sold.items()}
    return ScenarioProfile(scenario, tuple(rows), curve)


def liquidity_profile(day: date, account: str, holdings: Sequence[Holding], nav: float,
                      basis: ExitBasis, cfg: LiquidityConfig) -> LiquidityProfile:
    """The base profile and every configured stress scenario."""
    held = [h for h in holdings if h.quantity > 0]
    scenarios = [StressScenario(name=BASE), *cfg.scenarios]
    return LiquidityProfile(day, account, nav, basis, tuple(
        scenario_profile(held, nav, basis, s, cfg.horizons) for s in scenarios))


def _ratio(part: float, whole: float) -> float:
    """part / whole; a whole of zero or unknown makes any position infinite."""
    if part <= 0:
        return 0.0
    return part / whole if math.isfinite(whole) and whole > 0 else NEVER
