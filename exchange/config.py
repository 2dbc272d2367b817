"""Settings of the order rules: the broker's commission and overridable caps."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from exchange.data import RISK_WARNING_DAILY_BUY_CAP


class CommissionConfig(BaseModel):
    """The broker's commission on each fill (both sides)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Fraction of the traded value, e.g. 0.00025; the legal ceiling is 0.3%.
    rate: Decimal = Field(ge=0, le=Decimal("0.003"))
    # Charged when rate x value is smaller, unless the broker waives it.
    minimum: Decimal = Field(default=Decimal("5"), ge=0)
    minimum_waived: bool = False


class RulesConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    commission: CommissionConfig
    # Shares of one risk-warning stock an account may buy per day (M confidence).
    risk_warning_daily_buy_cap: int = Field(default=RISK_WARNING_DAILY_BUY_CAP, gt=0)
