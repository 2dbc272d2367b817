"""Settings of the risk daemon: the hedge ladder, un-hedge rules, futures, options, beta,
limits.

All numbers that a risk manager may want to change live here (docs/risk.md explains
each). Everything is frozen and rejects unknown keys, so a typo in the YAML fails at
start-up with the key's name.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from config.frozen import Frozen
from risk.liquidity_config import LiquidityConfig


class Rung(Frozen):
    drawdown: float = Field(gt=0, lt=1)  # from the high-water mark, e.g. 0.20
    hedge_ratio: float = Field(gt=0, le=1.5)  # share of (beta-weighted) stock exposure


class UnhedgeRule(Frozen):
    """One sign that the market has stabilised; every condition that is set must hold.

    Lows and recoveries are counted from the last change of the hedge: after each step
    down the evidence starts again, so the hedge comes off one rung at a time.
    """

    index_above_ma_days: int | None = Field(default=None, ge=2)  # CSI 1000 > its N-day mean
    index_rebound: float | None = Field(default=None, gt=0, lt=1)  # CSI 1000 up from its low
    index_days_without_new_low: int | None = Field(default=None, ge=1)
    recovered_points: float | None = Field(default=None, gt=0, lt=1)  # NAV off its worst
    days_without_new_low: int | None = Field(default=None, ge=1)  # closes without a NAV low

    @model_validator(mode="after")
    def _at_least_one(self) -> Self:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("an un-hedge rule needs at least one condition")
        return self


class FuturesConfig(Frozen):
    product: str = Field(default="IM", pattern=r"^[A-Z]{1,2}$")
    exchange: str = "CFFEX"
    max_lots_per_order: int = Field(default=20, ge=1, le=20)
    margin_rate: Decimal = Field(default=Decimal("0.12"), gt=0, lt=1)  # exchange minimum
    broker_margin_addon: Decimal = Field(default=Decimal("0.03"), ge=0, lt=1)
    roll_days_before_expiry: int = Field(default=3, ge=0, le=15)  # trading days
    # New hedges avoid contracts this close to expiry (trading days): no roll right away.
    open_min_days: int = Field(default=10, ge=0, le=40)
    # Contract choice: score = annualised discount + liquidity_weight x (1 - volume share).
    liquidity_weight: float = Field(default=0.05, ge=0)
    min_volume_share: float = Field(default=0.05, ge=0, le=1)  # of the busiest contract
    discount_alert: float = Field(default=0.30, gt=0)  # annualised, e.g. 0.30 = 30%/yr
    # Re-size an unchanged hedge only when it is this far off its target.
    resize_tolerance: float = Field(default=0.15, ge=0, lt=1)


class HedgeInstrument(StrEnum):
    FUTURES = "futures"  # short IM only (the desk's original hedge)
    OPTIONS = "options"  # long MO puts only
    CHEAPEST = "cheapest"  # whichever costs less per month of protection, at each step
    MIX = "mix"  # a fixed share of the protection in puts, the rest in futures


class HedgeConfig(Frozen):
    """Which instrument protects the book, and how puts are chosen (docs/risk.md,
    "Hedging with options")."""

    instrument: HedgeInstrument = HedgeInstrument.FUTURES
    mix_put_share: float = Field(default=0.5, gt=0, lt=1)  # under `mix`
    # Put choice: strike / CSI 1000 within [min_moneyness, max_moneyness] ...
    min_moneyness: float = Field(default=0.80, gt=0, lt=1.2)
    max_moneyness: float = Field(default=1.00, gt=0, le=1.2)
    # ... |delta| at least this (deep out-of-money puts need absurd lot counts) ...
    min_abs_delta: float = Field(default=0.15, gt=0, le=1)
    # ... and calendar days to expiry within [min_days, max_days].
    min_days: int = Field(default=20, ge=1, le=400)
    max_days: int = Field(default=120, ge=1, le=400)
    # Trading days before expiry when held puts are sold back (or left to expire).
    roll_days_before_expiry: int = Field(default=5, ge=0, le=20)
    # At the roll an out-of-money put bid at or below this (index points) is left to
    # expire worthless rather than sold back.
    worthless_bid: Decimal = Field(default=Decimal("1.0"), ge=0)
    max_lots_per_order: int = Field(default=20, ge=1, le=200)  # MO lots per order
    rate: float = Field(default=0.02, ge=-0.05, le=0.5)  # for implied vol and delta
    # Replay without a chain file for an options hedge: refused, not invented.

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min_moneyness >= self.max_moneyness:
            raise ValueError(f"hedge: min_moneyness {self.min_moneyness} must be below "
                             f"max_moneyness {self.max_moneyness}")
        if self.min_days > self.max_days:
            raise ValueError(f"hedge: min_days {self.min_days} above max_days {self.max_days}")
        return self


class BetaConfig(Frozen):
    window: int = Field(default=60, ge=5)  # daily returns
    min_observations: int = Field(default=20, ge=3)
    default: float = Field(default=1.0, gt=0)
    floor: float = Field(default=0.5, gt=0)
    cap: float = Field(default=1.5, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.floor <= self.default <= self.cap:
            raise ValueError(f"beta: need floor <= default <= cap, got {self.floor}, "
                             f"{self.default}, {self.cap}")
        if self.min_observations > self.window:
            raise ValueError("beta: min_observations cannot exceed window")
        return self


class LimitKind(StrEnum):
    STOCK_WEIGHT = "stock_weight"
    INDUSTRY_WEIGHT = "industry_weight"
    TURNOVER_DAYS = "turnover_days"
    STALE_PRICE = "stale_price"


class LimitsConfig(Frozen):
    max_stock_weight: float = Field(default=0.05, gt=0, le=1)
    max_industry_weight: float = Field(default=0.20, gt=0, le=1)
    max_days_of_turnover: float = Field(default=1.0, gt=0)  # position / mean daily amount
    turnover_window: int = Field(default=20, ge=1)  # days averaged
    stale_after_s: float = Field(default=120.0, gt=0)  # during continuous trading
    # Breaches of these kinds also block new buys of the stocks concerned.
    block: frozenset[LimitKind] = frozenset()


class BadPrintConfig(Frozen):
    nav_jump_intraday: float = Field(default=0.05, gt=0, lt=1)  # one live update
    nav_jump_daily: float = Field(default=0.15, gt=0, lt=1)  # close to close


class RiskConfig(Frozen):
    account: str = "paper"
    publish_interval_s: float = Field(default=3.0, gt=0)
    # How often NAV is recomputed and the ladder checked (publishing is less frequent).
    check_interval_s: float = Field(default=0.5, gt=0)
    # Key of the CSI 1000 level in the last-prices hash; the store's close otherwise.
    index_symbol: str = "000852.SSE"
    # A hedge proposal not seen in the approval queue after this long is reported lost.
    proposal_timeout_s: float = Field(default=120.0, gt=0)
    ladder: tuple[Rung, ...] = (
        Rung(drawdown=0.20, hedge_ratio=0.30),
        Rung(drawdown=0.25, hedge_ratio=0.60),
        Rung(drawdown=0.30, hedge_ratio=1.00),
    )
    # After a step down at drawdown d, climbing again needs d + hysteresis.
    hysteresis: float = Field(default=0.03, ge=0, lt=1)
    unhedge: tuple[UnhedgeRule, ...] = (
        UnhedgeRule(index_above_ma_days=20, index_rebound=0.05),
        UnhedgeRule(index_days_without_new_low=20),
    )
    # Drawdown at which the desk only reduces: no new buys, a critical alert.
    hard_drawdown: float = Field(default=0.35, gt=0, lt=1)
    futures: FuturesConfig = FuturesConfig()
    hedge: HedgeConfig = HedgeConfig()
    beta: BetaConfig = BetaConfig()
    limits: LimitsConfig = LimitsConfig()
    bad_print: BadPrintConfig = BadPrintConfig()
    liquidity: LiquidityConfig = LiquidityConfig()  # docs/risk.md, "Liquidity and crowding"
    # Replay without a futures file: a synthetic contract at this annualised discount.
    replay_assumed_discount: float = Field(default=0.12, ge=-0.5, lt=2)

    @model_validator(mode="after")
    def _ladder_is_a_ladder(self) -> Self:
        if not self.ladder:
            raise ValueError("ladder: at least one rung is needed")
        for lower, upper in zip(self.ladder, self.ladder[1:], strict=False):
            if upper.drawdown <= lower.drawdown or upper.hedge_ratio < lower.hedge_ratio:
                raise ValueError(
                    f"ladder: rungs must rise in drawdown and not fall in hedge ratio "
                    f"({lower.drawdown}->{upper.drawdown}, "
                    f"{lower.hedge_ratio}->{upper.hedge_ratio})"
                )
        if not self.unhedge:
            raise ValueError("unhedge: at least one rule is needed, or a hedge never comes off")
        return self

    @property
    def margin_total_rate(self) -> Decimal:
        return self.futures.margin_rate + self.futures.broker_margin_addon
