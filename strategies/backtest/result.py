"""What a backtest returns: the daily record, the metrics, and (on request) each
day's book and batch for the parity check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from strategies.backtest.fills import Fill, FillRules
from strategies.backtest.metrics import Metrics
from strategies.batch import ModelBatch
from strategies.config import ModelConfig
from strategies.portfolio_state import Book

# Columns of BacktestResult.daily (index: trade date).
# nav = cash + stock_value + delisted_value (holdings frozen by a final delisting);
# ordered / filled: shares the day's batch asked for / got; beta only when hedged.
DAILY_COLUMNS: tuple[str, ...] = (
    "nav", "cash", "stock_value", "delisted_value", "holdings", "turnover", "cost", "buys",
    "sells", "missed", "ordered", "filled", "exposure",
)


@dataclass(frozen=True)
class BacktestResult:
    start: date  # first trade date simulated
    end: date
    config: ModelConfig
    initial_cash: Decimal
    daily: pd.DataFrame  # DAILY_COLUMNS, plus hedged_nav/ladder_ratio/hedged_share if hedged
    benchmarks: pd.DataFrame | None  # index levels: the day before `start`, then each day
    metrics: Metrics  # of the hedged NAV when a hedge ran, else of the NAV
    unhedged_metrics: Metrics | None = None
    hedge_notes: list[str] = field(default_factory=list)
    missed_by_reason: dict[str, int] = field(default_factory=dict)
    settled: list[str] = field(default_factory=list)  # holdings frozen by a final delisting
    batches: list[tuple[Book, ModelBatch]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    fills: list[list[Fill]] = field(default_factory=list)  # per day, with keep_batches
    fill_rules: FillRules = field(default_factory=FillRules)

    @property
    def fill_ratio(self) -> float:
        """Shares filled / shares ordered over the run (1.0 when nothing was ordered)."""
        ordered = float(self.daily["ordered"].sum())
        return float(self.daily["filled"].sum()) / ordered if ordered else 1.0

    @property
    def hedged(self) -> bool:
        return self.unhedged_metrics is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (metrics, not the daily rows)."""
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "initial_cash": str(self.initial_cash), "hedged": self.hedged,
            "metrics": self.metrics.to_dict(),
            "unhedged_metrics": self.unhedged_metrics.to_dict()
            if self.unhedged_metrics else None,
            "final_nav": float(self.daily["nav"].iloc[-1]),
            "fills": self.fill_rules.style.value,
            "participation": str(self.fill_rules.participation),
            "fill_ratio": self.fill_ratio,
            "missed_by_reason": dict(self.missed_by_reason), "settled": list(self.settled),
            "timings": dict(self.timings),
        }
