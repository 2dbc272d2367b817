"""The exit curve over a backtest: how fast each day's book could have got out.

For every simulated day, the book held at the open (kept with `keep_batches=True`) is
profiled as the live desk profiles it (`risk.liquidity`), on the signal day's closes and
the model's own ADV (`strategies.adv`: `adv_days` mean, suspended days zero), so the
backtest shows the curve the desk would have seen through a crash, beside its drawdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from marketdata.schema import Panel
from risk.liquidity import ExitBasis, Holding, scenario_profile
from risk.liquidity_config import LiquidityConfig
from strategies.adv import average_daily, zero_when_suspended
from strategies.backtest.result import BacktestResult
from strategies.portfolio_state import Book
from strategies.universe import field_array


@dataclass(frozen=True)
class _Averages:
    """Panel-wide arrays (days x stocks) the daily profiles read."""

    close: np.ndarray
    adv_volume: np.ndarray
    adv_amount: np.ndarray
    mcap: np.ndarray
    float_shares: np.ndarray

    @classmethod
    def of(cls, panel: Panel, days: int, mcap_field: str) -> _Averages:
        halted = field_array(panel, "suspended")
        close = pd.DataFrame(field_array(panel, "close")).ffill().to_numpy()

        def mean(name: str) -> np.ndarray:
            return average_daily(zero_when_suspended(field_array(panel, name), halted), days,
                                 f"{name} (millions)")

        return cls(close, mean("volume"), mean("amount"), field_array(panel, mcap_field),
                   field_array(panel, "float_shares"))


def _holdings(book: Book, row: int, a: _Averages, column: dict[str, int]) -> list[Holding]:
    out = []
    for symbol, h in book.holdings.items():
        c = column[symbol]
        out.append(Holding(symbol, "", h.quantity, float(a.close[row, c]),
                           float(a.adv_volume[row, c]), float(a.adv_amount[row, c]),
                           float(a.mcap[row, c]), float(a.float_shares[row, c])))
    return [h for h in out if h.quantity > 0]


def exit_curve_history(panel: Panel, result: BacktestResult, basis: ExitBasis,
                       cfg: LiquidityConfig, scenarios: tuple[str, ...] = ("base", "both"),
                       ) -> pd.DataFrame:
    """One row per trade day: `<scenario>_<n>d` = share of NAV in cash within n days, and
    `<scenario>_max_days` (the slowest position), for the book held at that day's open."""
    if len(result.batches) != len(result.daily):
        raise ValueError("exit_curve_history: run the backtest with keep_batches=True")
    averages = _Averages.of(panel, basis.adv_days, result.config.universe.mcap_field)
    column = {str(s): i for i, s in enumerate(panel.symbols)}
    rows = []
    for (book, batch), day in zip(result.batches, result.daily.index, strict=True):
        row = int(panel.dates.searchsorted(pd.Timestamp(batch.signal_date)))
        held = _holdings(book, row, averages, column)
        nav = float(book.cash) + sum(h.value for h in held)
        out: dict[str, object] = {"date": day}
        for name in scenarios:
            p = scenario_profile(held, nav, basis, cfg.scenario(name), cfg.horizons)
            out.update({f"{name}_{n}d": v for n, v in p.curve.items()})
            out[f"{name}_max_days"] = p.max_days
        rows.append(out)
    return pd.DataFrame(rows).set_index("date")


def plot_exit_curve(result: BacktestResult, curve: pd.DataFrame, path: Path,
                    scenario: str = "both", horizon: int = 3) -> Path:
    """Drawdown above, the share of NAV in cash within 1 and `horizon` days below."""
    nav = result.daily["nav"]
    drawdown = 1 - nav / nav.cummax()
    fig = Figure(figsize=(11, 6))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.fill_between(drawdown.index, -drawdown.to_numpy(), color="#d9534f", alpha=0.4)
    top.set_ylabel("drawdown")
    for name, colour in (("base", "#2f6fd1"), (scenario, "#8e44ad")):
        for n, style in ((1, ":"), (horizon, "-")):
            key = f"{name}_{n}d"
            if key in curve:
                bottom.plot(curve.index, curve[key], style, color=colour, label=f"{name}, {n} d")
    bottom.set_ylabel("NAV in cash within")
    bottom.legend(loc="lower left", fontsize=8)
    for ax in (top, bottom):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.grid(color="#dddddd", linewidth=0.6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    return path
