"""The backtest: the nightly model's code run day by day over history, with costs."""

from strategies.backtest.engine import DEFAULT_CASH, run_backtest
from strategies.backtest.hedge import HedgeOverlay, HedgePolicy, LadderHedge
from strategies.backtest.metrics import Excess, Metrics
from strategies.backtest.report import write_report
from strategies.backtest.result import BacktestResult

__all__ = [
    "DEFAULT_CASH",
    "BacktestResult",
    "Excess",
    "HedgeOverlay",
    "HedgePolicy",
    "LadderHedge",
    "Metrics",
    "run_backtest",
    "write_report",
]
