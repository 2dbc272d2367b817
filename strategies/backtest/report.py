"""The backtest's HTML report: one self-contained file, plots as inline SVG.

The only place in `strategies` that touches a file: no CDN, no images beside it, so
the report can be mailed or archived as it is.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from strategies.backtest.metrics import Metrics, drawdown
from strategies.backtest.result import BacktestResult

_ENV = Environment(loader=PackageLoader("strategies.backtest", "templates"),
                   autoescape=select_autoescape(["html"]))

def _svg(figure: Figure) -> str:
    """The figure as inline SVG. A `Figure` of its own (no pyplot: nothing to close,
    no GUI backend chosen) with its margins set by `_figure`, so it is drawn once,
    not once more to find a tight bounding box."""
    buffer = io.StringIO()
    # svg.fonttype none: text as SVG <text>, not each glyph drawn as a path.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog: the SVG sits inside HTML


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(6.4, 3.2))
    axes = figure.subplots()
    figure.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=0.24)
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    return figure, axes


def _draw(axes: Axes, series: pd.Series | pd.DataFrame, legend: bool = False,
          **style: Any) -> None:
    """Each column against the dates, as `Series.plot` drew them (the index name as
    the x label, dates slanted), straight through matplotlib: pandas' plotting layer
    cost more than the drawing."""
    frame = series.to_frame() if isinstance(series, pd.Series) else series
    dates = frame.index.to_numpy()
    for name in frame.columns:
        axes.plot(dates, frame[name].to_numpy(dtype=float), label=str(name), **style)
    axes.set_xlabel(str(frame.index.name or ""))
    for label in axes.get_xticklabels():
        label.set(rotation=30, horizontalalignment="right")
    if legend:
        axes.legend()


def _nav_lines(result: BacktestResult) -> pd.DataFrame:
    start = float(result.initial_cash)
    lines = pd.DataFrame({"strategy": result.daily["nav"] / start})
    if result.hedged:
        lines["strategy (hedged)"] = result.daily["hedged_nav"] / start
    if result.benchmarks is not None:
        levels = result.benchmarks
        for name in levels.columns:
            lines[name] = (levels[name] / levels[name].iloc[0]).iloc[1:]
    return lines


def plots(result: BacktestResult) -> list[tuple[str, str]]:
    """(caption, inline SVG) for each plot of the report."""
    daily = result.daily
    out = []
    lines = _nav_lines(result)
    figure, axes = _figure("NAV (start = 1)")
    _draw(axes, lines, legend=True, linewidth=1)
    out.append(("NAV against the benchmark indices", _svg(figure)))
    figure, axes = _figure("Drawdown from the peak")
    nav = daily["hedged_nav"] if result.hedged else daily["nav"]
    _draw(axes, -drawdown(nav), color="firebrick", linewidth=1)
    out.append(("Drawdown", _svg(figure)))
    if result.benchmarks is not None:
        figure, axes = _figure("Excess: strategy / index (start = 1)")
        bench = [c for c in lines.columns if not c.startswith("strategy")]
        _draw(axes, lines[bench].rdiv(lines["strategy"], axis=0), legend=True, linewidth=1)
        out.append(("Cumulative excess over each index", _svg(figure)))
    figure, axes = _figure("Daily turnover (one-sided, share of NAV)")
    _draw(axes, daily["turnover"], linewidth=0.8)
    out.append(("Turnover", _svg(figure)))
    figure, axes = _figure("Number of holdings")
    _draw(axes, daily["holdings"], linewidth=1, drawstyle="steps-post")
    out.append(("Holdings count", _svg(figure)))
    figure, axes = _figure("Exposure (share of NAV)")
    exposure = daily["exposure"].rename("stocks").to_frame()
    if result.hedged:
        exposure["net of hedge"] = daily["exposure"] * (1.0 - daily["hedged_share"])
    _draw(axes, exposure, legend=True, linewidth=1)
    out.append(("Stock exposure" + (" and net of the hedge" if result.hedged else ""),
                _svg(figure)))
    return out


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{value:.2%}"


def _number(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}"


def metric_rows(metrics: list[Metrics]) -> list[tuple[str, list[str]]]:
    pick = [
        ("Total return", "total_return", _percent), ("Annual return", "annual_return", _percent),
        ("Volatility", "volatility", _percent), ("Sharpe", "sharpe", _number),
        ("Maximum drawdown", "max_drawdown", _percent), ("Calmar", "calmar", _number),
        ("Daily turnover", "turnover", _percent), ("Annual turnover", "annual_turnover", _number),
        ("Costs paid (CNY)", "total_cost", lambda v: f"{v:,.0f}"),
        ("Average holdings", "avg_holdings", lambda v: f"{v:.1f}"),
    ]
    return [(label, [fmt(getattr(m, key)) for m in metrics]) for label, key, fmt in pick]


def write_report(result: BacktestResult, path: Path) -> Path:
    """Write the self-contained HTML report to `path` (parents created)."""
    metrics = [result.metrics] + ([result.unhedged_metrics] if result.unhedged_metrics else [])
    columns = ["hedged", "unhedged"] if result.hedged else ["strategy"]
    excess = [[name, _percent(e.benchmark_return), _percent(e.excess_return),
               _percent(e.tracking_error), _number(e.information_ratio)]
              for name, e in result.metrics.excess.items()]
    html = _ENV.get_template("report.html").render(
        start=result.start.isoformat(), end=result.end.isoformat(), days=result.metrics.days,
        initial_cash=f"{result.initial_cash:,.0f}",
        final_nav=f"{result.daily['nav'].iloc[-1]:,.0f}", hedged=result.hedged,
        metric_columns=columns, metric_rows=metric_rows(metrics), excess_rows=excess,
        plots=plots(result), missed=sorted(result.missed_by_reason.items()),
        settled=result.settled, hedge_notes=result.hedge_notes,
        config=json.dumps(result.config.model_dump(mode="json"), indent=2),
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
