"""The NAV and drawdown chart, drawn with matplotlib for the console (SVG) and the daily
report (PNG): one drawing code, one series (`execution.eod.nav_points`).

x is trading time (`TradingAxis`): no lunch, nights or weekends. The drawdown panel's
scale is fitted to the data (`chart_scale`); the ladder's rungs are drawn where they
fall inside it, and the next rung below the scale is named. Hedge actions are marked.
The figure is built without pyplot (no global state, no display) and rendered by Agg
(PNG) or matplotlib's SVG writer; results are cached, since the console redraws the
same series for every viewer until a new snapshot arrives.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from execution.eod.chart_axis import TradingAxis
from execution.eod.chart_scale import RungLine, fitted_depth, next_rung_off_scale, rungs_in_range
from execution.eod.nav_points import HedgeMark, NavPoint, Shade
from marketdata.clock import EXCHANGE_TZ

MARK_LABEL = "drawdown from the intraday high-water mark"
MAX_DAY_EDGES = 20


@dataclass(frozen=True)
class Theme:
    background: str
    text: str
    grid: str
    nav: str = "#2f6fd1"
    hwm: str = "#8a94a6"
    drawdown: str = "#d9534f"
    rung: str = "#e0a100"
    opens: str = "#d9534f"
    closes: str = "#2e9e5b"
    hedged: str = "#e0a100"


DARK = Theme(background="#171c25", text="#c5cbd6", grid="#2a3140", nav="#5b9bff")
LIGHT = Theme(background="#ffffff", text="#222222", grid="#dddddd")


def svg_data_url(points: Sequence[NavPoint], rungs: Sequence[RungLine] = (),
                 marks: Sequence[HedgeMark] = (), theme: Theme = DARK,
                 closed: frozenset[date] = frozenset(), shades: Sequence[Shade] = ()) -> str:
    """An `<img src>` for the chart ('' with no points). An image, not inline SVG: the
    console's CSP forbids the style attributes matplotlib writes into its SVG.
    `closed`: weekdays the exchange was shut (holidays) that the axis leaves out."""
    return _render(tuple(points), tuple(rungs), tuple(marks), theme, "svg", closed,
                   tuple(shades))


def png_data_url(points: Sequence[NavPoint], rungs: Sequence[RungLine] = (),
                 marks: Sequence[HedgeMark] = (), theme: Theme = LIGHT,
                 closed: frozenset[date] = frozenset(), shades: Sequence[Shade] = ()) -> str:
    """The same chart as a PNG (mail clients show PNG, not always SVG)."""
    return _render(tuple(points), tuple(rungs), tuple(marks), theme, "png", closed,
                   tuple(shades))


@lru_cache(maxsize=8)
def _render(points: tuple[NavPoint, ...], rungs: tuple[RungLine, ...],
            marks: tuple[HedgeMark, ...], theme: Theme, fmt: str,
            closed: frozenset[date], shades: tuple[Shade, ...] = ()) -> str:
    if not points:
        return ""
    fig = draw(points, rungs, marks, theme, closed, shades)
    buffer = io.BytesIO()
    # SVG text as <text>, not glyph outlines: a third smaller and faster to write.
    with rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format=fmt, dpi=90 if fmt == "png" else 72,
                    facecolor=theme.background,
                    metadata={"Date": None} if fmt == "svg" else None)
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def thinned(points: Sequence[NavPoint], axis: TradingAxis) -> list[NavPoint]:
    """At most the last and the deepest point of each trading minute: a chart 1,000
    pixels wide gains nothing from 3-second snapshots, and the deepest is kept so the
    drawn drawdown is never shallower than the real one."""
    # Keyed by day too: a close (x = 240 i) and the next morning's open share their x.
    buckets: dict[tuple[date, int], list[NavPoint]] = {}
    for point in points:
        key = (point.at.astimezone(EXCHANGE_TZ).date(), int(axis.x(point.at)))
        buckets.setdefault(key, []).append(point)
    kept: list[NavPoint] = []
    for bucket in buckets.values():
        deepest = max(bucket, key=lambda p: p.drawdown)
        kept.extend(p for p in bucket if p is deepest or p is bucket[-1])
    return kept


def draw(points: Sequence[NavPoint], rungs: Sequence[RungLine],
         marks: Sequence[HedgeMark], theme: Theme,
         closed: frozenset[date] = frozenset(), shades: Sequence[Shade] = ()) -> Figure:
    axis = TradingAxis.of([p.at for p in points], lambda day: day not in closed)
    points = thinned(points, axis)
    xs = np.array([axis.x(p.at) for p in points])
    fig = Figure(figsize=(12, 5.2), facecolor=theme.background)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    _nav_panel(top, xs, points, theme)
    _drawdown_panel(bottom, xs, points, rungs, theme)
    _marks(top, bottom, axis, xs, points, marks, theme)
    _shades(top, bottom, axis, shades, theme)
    _time_axis(bottom, axis, theme)
    for ax in (top, bottom):
        _style(ax, axis, theme)
    # Fixed margins: tight_layout would lay the figure out twice (a third of the time).
    fig.subplots_adjust(left=0.08, right=0.97, top=0.97, bottom=0.11, hspace=0.18)
    return fig


def _nav_panel(ax: Axes, xs: np.ndarray, points: Sequence[NavPoint], theme: Theme) -> None:
    few = len(points) < 30  # a short daily history: show each close as a dot
    ax.plot(xs, [float(p.nav) for p in points], color=theme.nav, linewidth=1.4, label="NAV",
            marker="o" if few else None, markersize=4)
    ax.plot(xs, [float(p.hwm) for p in points], color=theme.hwm, linewidth=1.0,
            linestyle="--", label="intraday high-water mark")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_ylabel("NAV (CNY)", color=theme.text)
    legend = ax.legend(loc="upper left", fontsize=8, frameon=False)
    for text in legend.get_texts():
        text.set_color(theme.text)


def _drawdown_panel(ax: Axes, xs: np.ndarray, points: Sequence[NavPoint],
                    rungs: Sequence[RungLine], theme: Theme) -> None:
    depth = fitted_depth(p.drawdown for p in points)
    ys = [-p.drawdown * 100 for p in points]
    ax.fill_between(xs, ys, 0, color=theme.drawdown, alpha=0.35, linewidth=0)
    ax.plot(xs, ys, color=theme.drawdown, linewidth=1.0)
    ax.set_ylim(-depth * 100, depth * 100 * 0.05)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.2f}%"))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.set_ylabel("drawdown", color=theme.text)
    for rung in rungs_in_range(rungs, depth):
        ax.axhline(-rung.drawdown * 100, color=theme.rung, linestyle="--", linewidth=1.1)
        ax.annotate(rung.label, (1.0, -rung.drawdown * 100), xycoords=("axes fraction", "data"),
                    xytext=(-4, 3), textcoords="offset points", ha="right", fontsize=8,
                    color=theme.rung)
    off = next_rung_off_scale(rungs, depth)
    note = f"{MARK_LABEL}; next rung {off.label} is off this scale" if off else MARK_LABEL
    ax.set_title(note, fontsize=8, color=theme.text, loc="left")


def _marks(top: Axes, bottom: Axes, axis: TradingAxis, xs: np.ndarray,
           points: Sequence[NavPoint], marks: Sequence[HedgeMark], theme: Theme) -> None:
    navs = np.array([float(p.nav) for p in points])
    for mark in marks:
        x = axis.x(mark.at)
        colour = theme.opens if mark.opens else theme.closes
        y = float(np.interp(x, xs, navs))
        top.scatter([x], [y], marker="v" if mark.opens else "^", color=colour, s=40, zorder=4)
        top.annotate(mark.label, (x, y), xytext=(4, 6), textcoords="offset points",
                     fontsize=7, color=colour)
        bottom.axvline(x, color=colour, linestyle=":", linewidth=0.9)


def _shades(top: Axes, bottom: Axes, axis: TradingAxis, shades: Sequence[Shade],
            theme: Theme) -> None:
    """Hedge periods: shaded over both panels, labelled with their lots in the NAV panel."""
    for shade in shades:
        start, end = axis.x(shade.start), axis.x(shade.end)
        for ax in (top, bottom):
            ax.axvspan(start, end, color=theme.hedged, alpha=0.15, linewidth=0)
        top.annotate(shade.label, (start, 1.0), xycoords=("data", "axes fraction"),
                     xytext=(3, -12), textcoords="offset points", fontsize=7,
                     color=theme.hedged)


def _time_axis(ax: Axes, axis: TradingAxis, theme: Theme) -> None:
    ticks = axis.ticks()
    ax.set_xticks([x for x, _ in ticks], [label for _, label in ticks], fontsize=8)
    ax.set_xlim(0, axis.end)
    ax.set_xlabel("trading time (Asia/Shanghai; lunch, nights, weekends and holidays left out)",
                  color=theme.text, fontsize=8)


def _style(ax: Axes, axis: TradingAxis, theme: Theme) -> None:
    ax.set_facecolor(theme.background)
    ax.tick_params(colors=theme.text, labelsize=8)
    ax.grid(True, color=theme.grid, linewidth=0.6)
    # Day edges help over a few days and only clutter over months (the ticks remain).
    # One collection for them all: an artist per day costs milliseconds each.
    edges = axis.day_edges() if len(axis.days) <= MAX_DAY_EDGES else []
    ax.vlines(edges, 0, 1, transform=ax.get_xaxis_transform(), color=theme.grid,
              linewidth=0.8)
    for spine in ax.spines.values():
        spine.set_color(theme.grid)
