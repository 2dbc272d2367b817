"""The backtest: the nightly model's code run day by day over history, with costs."""

from typing import TYPE_CHECKING, Any

from strategies.backtest.engine import DEFAULT_CASH, run_backtest
from strategies.backtest.hedge import HedgeOverlay, HedgePolicy, LadderHedge
from strategies.backtest.metrics import Excess, Metrics
from strategies.backtest.result import BacktestResult

if TYPE_CHECKING:
    from strategies.backtest.report import write_report


def __getattr__(name: str) -> Any:
    # The report needs matplotlib (~0.35 s to import): loaded when it is written.
    if name == "write_report":
        from strategies.backtest.report import write_report

        return write_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
