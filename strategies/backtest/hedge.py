"""The optional hedge: an overlay of short CSI 1000 futures on the backtest's NAV.

The model never sees the hedge (it sits in the futures account's cash), so the
overlay can run after the stock simulation over the whole NAV series. `LadderHedge`
runs the risk daemon's own policy (risk.replay: the drawdown ladder, un-hedge rules,
contract choice, rolls, fees and basis) so the backtest hedges exactly as the desk
would, sized by the daemon's beta of each day's holdings (`day_beta`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

if TYPE_CHECKING:  # the replay pulls in scipy (~0.6 s): imported when a hedge runs
    from risk.config import RiskConfig
    from risk.contracts import ExpiryCalendar


@dataclass(frozen=True)
class HedgeOverlay:
    hedged_nav: pd.Series  # by trade date
    ladder_ratio: pd.Series  # hedge ratio the policy has in force
    hedged_share: pd.Series  # share of the stock exposure the shorts cover
    notes: list[str] = field(default_factory=list)  # one line per hedge action


class HedgePolicy(Protocol):
    def overlay(self, daily: pd.DataFrame, csi1000: pd.Series) -> HedgeOverlay:
        """`daily`: columns nav and stock_value by trade date; `csi1000`: index closes."""
        ...


class LadderHedge:
    """The risk daemon's drawdown ladder, replayed over the backtest."""

    def __init__(self, config: RiskConfig, calendar: ExpiryCalendar,
                 futures: pd.DataFrame | None = None) -> None:
        self.config = config
        self.calendar = calendar
        self.futures = futures

    @property
    def beta_rows(self) -> int:
        """Closes the daemon loads for its beta (`risk.market_inputs.load_daily`)."""
        return max(self.config.beta.window, self.config.limits.turnover_window) + 2

    def day_beta(self, quantities: pd.Series, closes: pd.DataFrame, adj_factor: pd.DataFrame,
                 index: pd.Series) -> float:
        """The daemon's beta of a day's holdings; the backtest passes `beta_rows` rows."""
        from risk.beta import live_beta

        return live_beta(quantities, closes, adj_factor, index, self.config.beta)

    def overlay(self, daily: pd.DataFrame, csi1000: pd.Series) -> HedgeOverlay:
        from risk.replay import run_replay

        betas = daily["beta"] if "beta" in daily.columns else None
        replay = run_replay(daily[["nav", "stock_value"]], csi1000, self.futures, self.config,
                            self.calendar, betas=betas)
        rows = replay.daily.reindex(daily.index)
        notes = [f"{a.day}: {a.side.value} {a.lots} {a.symbol} at {a.price} ({a.reason})"
                 for a in replay.actions]
        return HedgeOverlay(
            hedged_nav=rows["hedged_nav"].astype(float),
            ladder_ratio=rows["ladder_ratio"].astype(float).fillna(0.0),
            hedged_share=rows["hedged_share"].astype(float).fillna(0.0),
            notes=notes,
        )
