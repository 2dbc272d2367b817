"""Typed, frozen configuration of the nightly model and the backtest.

The defaults are the strategy as its manager describes it (docs/model.md). The lead
gathers `ModelConfig` into the desk settings under the key ``model``; nothing here
reads a file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from config.frozen import Frozen
from exchange import CommissionConfig

FACTOR_NAMES: tuple[str, ...] = (
    "size",
    "reversal_5",
    "reversal_20",
    "reversal_60",
    "abnormal_turnover",
    "volatility",
    "price_volume_corr",
)


class UniverseConfig(Frozen):
    """Who may be held: the small end of the market, minus the untradeable."""

    smallest_share: float = Field(default=0.7, gt=0.0, le=1.0)
    max_mcap_cny: float | None = Field(default=10e9, gt=0.0)
    mcap_field: str = Field(default="total_mcap", pattern="^(total_mcap|float_mcap)$")
    min_listing_days: int = Field(default=120, ge=0)
    min_price: float = Field(default=1.0, ge=0.0)
    # Face-value delisting trigger: price below min_price for this many days in a row.
    min_price_days: int = Field(default=1, ge=1)
    exclude_limit_locked: bool = True
    exclude_losses: bool = False
    exclude_negative_equity: bool = True


class FactorConfig(Frozen):
    """Factor weights (sign = direction) and the cross-sectional treatment."""

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "size": -1.0,
            "reversal_5": 0.5,
            "reversal_20": 0.5,
            "reversal_60": 0.25,
            "abnormal_turnover": -0.5,
            "volatility": -0.5,
            "price_volume_corr": -0.5,
        }
    )
    turnover_short_days: int = Field(default=20, ge=2)
    turnover_long_days: int = Field(default=120, ge=3)
    volatility_days: int = Field(default=20, ge=2)
    correlation_days: int = Field(default=20, ge=3)
    # Share of a window's days that must carry data for a value to count.
    min_coverage: float = Field(default=0.6, gt=0.0, le=1.0)
    winsor_quantile: float = Field(default=0.01, ge=0.0, lt=0.5)
    neutralize_industry: bool = False
    neutralize_size: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        unknown = sorted(set(self.weights) - set(FACTOR_NAMES))
        if unknown:
            raise ValueError(f"model.factors.weights: unknown factor(s) {unknown}; "
                             f"known: {list(FACTOR_NAMES)}")
        if not any(w != 0.0 for w in self.weights.values()):
            raise ValueError("model.factors.weights: at least one weight must be non-zero")
        if self.turnover_long_days <= self.turnover_short_days:
            raise ValueError("model.factors: turnover_long_days must exceed turnover_short_days")
        return self

    def longest_window(self) -> int:
        return max(61, self.turnover_long_days, self.volatility_days + 1,
                   self.correlation_days)


class RotationConfig(Frozen):
    """Hold N names, sell a holding only when its rank falls past the buffer M."""

    holdings: int = Field(default=100, ge=1)
    buffer_rank: int = Field(default=300, ge=1)
    min_holding_days: int = Field(default=0, ge=0)
    # One-sided daily turnover cap as a share of NAV; None = no cap.
    max_daily_turnover: float | None = Field(default=None, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.buffer_rank < self.holdings:
            raise ValueError(f"model.rotation.buffer_rank ({self.buffer_rank}) must be >= "
                             f"holdings ({self.holdings})")
        return self


class ConstraintConfig(Frozen):
    """Hard limits every target portfolio respects."""

    max_weight: float = Field(default=0.02, gt=0.0, le=0.05)
    industry_cap: float = Field(default=0.15, gt=0.0, le=1.0)
    # A position may be at most this share of its stock's 20-day average turnover.
    max_adv_share: float = Field(default=0.05, gt=0.0, le=1.0)
    adv_days: int = Field(default=20, ge=1)
    cash_buffer: float = Field(default=0.02, ge=0.0, lt=1.0)


class CostConfig(Frozen):
    """Trading costs: the broker's commission (exchange fees come from the dated rule
    tables in exchange) plus a slippage model."""

    commission: CommissionConfig = CommissionConfig(rate=Decimal("0.00025"))
    slippage_bps: float = Field(default=5.0, ge=0.0)
    # Square-root impact: extra slippage = coefficient * sqrt(order value / ADV).
    impact_coefficient: float = Field(default=0.01, ge=0.0)


class GuardConfig(Frozen):
    """Checks on the live batch only, never the backtest (strategies/sell_guard.py). A refused
    batch is not published; the nightly run alerts with the share sold and the limit."""

    # A batch selling more than this share of the book's value (holdings at the signal
    # day's close) is refused unless overridden.
    max_sell_share: float = Field(default=0.5, gt=0.0, le=1.0)
    # Lets such a batch through (with a warning), like `desk model run --allow-large-turnover`.
    allow_large_turnover: bool = False


class ModelConfig(Frozen):
    """Everything the nightly model and the backtest need; defaults = product.md."""

    universe: UniverseConfig = UniverseConfig()
    factors: FactorConfig = FactorConfig()
    rotation: RotationConfig = RotationConfig()
    constraints: ConstraintConfig = ConstraintConfig()
    costs: CostConfig = CostConfig()
    guard: GuardConfig = GuardConfig()
    lookback_days: int = Field(default=250, ge=2)

    @model_validator(mode="after")
    def _check(self) -> Self:
        needed = max(self.factors.longest_window(), self.universe.min_listing_days,
                     self.constraints.adv_days, self.universe.min_price_days)
        if self.lookback_days < needed:
            raise ValueError(f"model.lookback_days ({self.lookback_days}) must cover the "
                             f"longest window the model uses ({needed} days)")
        if self.constraints.industry_cap < self.target_weight():
            raise ValueError(f"model.constraints.industry_cap ({self.constraints.industry_cap}) "
                             f"is below one position's target weight ({self.target_weight():.4f})")
        return self

    def target_weight(self) -> float:
        """Equal weight per name after the cash buffer, capped by max_weight."""
        share = (1.0 - self.constraints.cash_buffer) / self.rotation.holdings
        return min(share, self.constraints.max_weight)
