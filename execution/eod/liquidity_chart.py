"""The exit curve as a chart: the share of NAV in cash after 0, 1, 3, 5 days, one line per
stress scenario (matplotlib, no pyplot). SVG for the console, PNG for the daily report,
drawn from the published document (`risk.liquidity_doc`)."""

from __future__ import annotations

import base64
import io

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from execution.eod.nav_chart import DARK, LIGHT, Theme
from risk.liquidity_doc import LiquidityDoc

COLOURS = ("#2f6fd1", "#e0a100", "#d9534f", "#8e44ad", "#2e9e5b", "#8a94a6")


def points(doc: LiquidityDoc, name: str) -> tuple[list[int], list[float]]:
    """Day 0 is the cash already held; then the curve at each horizon."""
    s = doc.scenario(name)
    if s is None or doc.nav <= 0:
        return [], []
    start = float((doc.nav - doc.stock_value) / doc.nav)
    days = sorted(s.curve)
    return [0, *days], [max(0.0, start), *(s.curve[d] for d in days)]


def draw(doc: LiquidityDoc, theme: Theme) -> Figure:
    fig = Figure(figsize=(6.4, 3.2), facecolor=theme.background)
    ax = fig.add_subplot()
    ax.set_facecolor(theme.background)
    for colour, s in zip(COLOURS * 4, doc.scenarios, strict=False):
        xs, ys = points(doc, s.name)
        ax.plot(xs, ys, marker="o", color=colour, label=s.name, linewidth=1.6)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("trading days", color=theme.text)
    ax.set_ylabel("NAV in cash", color=theme.text)
    ax.grid(color=theme.grid, linewidth=0.6)
    ax.tick_params(colors=theme.text)
    for spine in ax.spines.values():
        spine.set_color(theme.grid)
    legend = ax.legend(loc="lower right", fontsize=8, facecolor=theme.background,
                       edgecolor=theme.grid)
    for text in legend.get_texts():
        text.set_color(theme.text)
    fig.tight_layout()
    return fig


def data_url(doc: LiquidityDoc, fmt: str = "svg") -> str:
    """An `<img src>`: SVG on the console's dark theme, PNG on the report's light one."""
    theme = DARK if fmt == "svg" else LIGHT
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none"}):
        draw(doc, theme).savefig(buffer, format=fmt, dpi=90 if fmt == "png" else 72,
                                 facecolor=theme.background,
                                 metadata={"Date": None} if fmt == "svg" else None)
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
