"""Settings of the liquidity and crowding stress (`risk.liquidity` in the YAML).

How fast the book could get out if small caps froze (docs/risk.md, "Liquidity and
crowding"). The participation cap and the ADV window are not here: they are the
execution service's `execution.algo.max_participation` and the model's
`model.constraints.adv_days` / `max_adv_share`, so the stress and the nightly model's
liquidity cap measure the same thing.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from config.frozen import Frozen

BASE = "base"  # the unstressed profile, always computed first


class StressScenario(Frozen):
    """Volume falls by a factor and/or the smallest names lock limit-down (no sell fills)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    volume_factor: float = Field(default=1.0, gt=0, le=1)  # stressed ADV = factor x ADV
    locked_days: int = Field(default=0, ge=0, le=20)  # first days with no sell fill
    # The smallest holdings by market cap that lock, as a share of the names held.
    locked_share: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _lock_is_whole(self) -> Self:
        if (self.locked_days == 0) != (self.locked_share == 0):
            raise ValueError(f"scenario {self.name}: locked_days and locked_share go "
                             f"together (got {self.locked_days} days, share {self.locked_share})")
        return self


def _default_scenarios() -> tuple[StressScenario, ...]:
    # Late January 2024: small-cap volume about halved; the smallest names locked for days.
    return (
        StressScenario(name="volume_half", volume_factor=0.5),
        StressScenario(name="limit_down", locked_days=2, locked_share=0.2),
        StressScenario(name="both", volume_factor=0.5, locked_days=2, locked_share=0.2),
    )


class LiquidityLimits(Frozen):
    """Thresholds that alert (and, with `block`, stop new buys of the names concerned)."""

    scenario: str = "both"  # the exit curve is judged under this scenario
    min_sellable_share: float = Field(default=0.5, gt=0, le=1)  # of NAV in cash (or sold) ...
    within_days: int = Field(default=3, ge=1, le=60)  # ... sellable within this many days
    max_days_to_exit: float = Field(default=5.0, gt=0, le=250)  # per position, same scenario
    max_volume_share: float = Field(default=0.2, gt=0, le=1)  # desk's fills / day's volume
    max_float_share: float = Field(default=0.05, gt=0, le=1)  # shares held / free float
    # Positions over max_days_to_exit or max_float_share: no new buys of them.
    block: bool = False


class LiquidityConfig(Frozen):
    horizons: tuple[int, ...] = (1, 3, 5)  # trading days of the exit curve
    # name, volume_factor, locked_days, locked_share; default volume_half, limit_down, both
    scenarios: tuple[StressScenario, ...] = Field(default_factory=_default_scenarios)
    limits: LiquidityLimits = LiquidityLimits()
    top_crowded: int = Field(default=10, ge=1, le=200)  # names in the report and console

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        hs = self.horizons
        if not hs or list(hs) != sorted(set(hs)) or hs[0] < 1 or hs[-1] > 60:
            raise ValueError(f"liquidity.horizons must rise strictly within 1..60, got {list(hs)}")
        names = [s.name for s in self.scenarios]
        if len(set(names)) != len(names) or BASE in names:
            raise ValueError(f"liquidity.scenarios: names must be unique and not {BASE!r}, "
                             f"got {names}")
        if self.limits.scenario not in (BASE, *names):
            raise ValueError(f"liquidity.limits.scenario {self.limits.scenario!r} is not a "
                             f"scenario; known: {[BASE, *names]}")
        return self

    def scenario(self, name: str) -> StressScenario:
        """The named scenario (`base`: no stress); KeyError names the known ones."""
        if name == BASE:
            return StressScenario(name=BASE)
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(f"no stress scenario {name!r}; known: "
                       f"{', '.join([BASE, *(s.name for s in self.scenarios)])}")
