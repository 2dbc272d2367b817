"""Server-side SVG charts: NAV above, drawdown below with the hedge ladder's rungs.

No chart library and no script: the SVG is generated here and inlined in the page,
so it obeys the console's strict content-security policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class NavPoint:
    at: datetime
    nav: float
    drawdown: float  # fraction below the high-water mark, >= 0


@dataclass(frozen=True)
class RungLine:
    drawdown: float
    label: str


WIDTH, HEIGHT = 960, 420
LEFT, RIGHT = 80, 20
NAV_TOP, NAV_BOTTOM = 20, 240
DD_TOP, DD_BOTTOM = 270, 400


def nav_chart(points: Sequence[NavPoint], rungs: Sequence[RungLine]) -> Markup:
    """An inline SVG of NAV and drawdown; the rungs are dashed lines on the drawdown."""
    if len(points) < 2:
        return Markup('<p class="muted">Not enough NAV snapshots to draw yet.</p>')
    xs = _x_positions(points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-label="NAV and drawdown" xmlns="http://www.w3.org/2000/svg">',
        *_nav_panel(points, xs),
        *_drawdown_panel(points, xs, rungs),
        *_time_labels(points, xs),
        "</svg>",
    ]
    # Safe: the only text in `parts` goes through html.escape in _label; the rest is numbers.
    return Markup("".join(parts))  # noqa: S704


def _x_positions(points: Sequence[NavPoint]) -> list[float]:
    first, last = points[0].at.timestamp(), points[-1].at.timestamp()
    span = (last - first) or 1.0
    return [LEFT + (p.at.timestamp() - first) / span * (WIDTH - LEFT - RIGHT) for p in points]


def _scale(value: float, low: float, high: float, top: float, bottom: float) -> float:
    span = (high - low) or 1.0
    return bottom - (value - low) / span * (bottom - top)


def _nav_panel(points: Sequence[NavPoint], xs: list[float]) -> list[str]:
    navs = [p.nav for p in points]
    low, high = min(navs), max(navs)
    pad = (high - low) * 0.05 or abs(high) * 0.01 or 1.0
    low, high = low - pad, high + pad
    path = _polyline(xs, [_scale(v, low, high, NAV_TOP, NAV_BOTTOM) for v in navs])
    return [
        _axis(NAV_TOP, NAV_BOTTOM),
        _label(LEFT - 6, NAV_TOP + 10, f"{high:,.0f}", "end"),
        _label(LEFT - 6, NAV_BOTTOM, f"{low:,.0f}", "end"),
        _label(LEFT + 4, NAV_TOP + 12, "NAV", "start", "title"),
        f'<polyline class="nav-line" fill="none" stroke="#2f6fd1" stroke-width="1.6" '
        f'points="{path}"/>',
    ]


def _drawdown_panel(points: Sequence[NavPoint], xs: list[float],
                    rungs: Sequence[RungLine]) -> list[str]:
    deepest = max([p.drawdown for p in points] + [r.drawdown for r in rungs] + [0.01]) * 1.1
    ys = [_scale(-p.drawdown, -deepest, 0.0, DD_TOP, DD_BOTTOM) for p in points]
    area = f"{xs[0]:.1f},{DD_TOP} {_polyline(xs, ys)} {xs[-1]:.1f},{DD_TOP}"
    parts = [
        _axis(DD_TOP, DD_BOTTOM),
        _label(LEFT - 6, DD_TOP + 10, "0%", "end"),
        _label(LEFT - 6, DD_BOTTOM, f"-{deepest:.0%}", "end"),
        _label(LEFT + 4, DD_BOTTOM - 4, "Drawdown", "start", "title"),
        f'<polygon class="dd-area" fill="#d9534f" fill-opacity="0.25" stroke="#c9302c" '
        f'stroke-width="1" points="{area}"/>',
    ]
    for rung in rungs:
        y = _scale(-rung.drawdown, -deepest, 0.0, DD_TOP, DD_BOTTOM)
        parts.append(f'<line class="rung" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#e0a100" stroke-dasharray="6 4" stroke-width="1.2"/>')
        parts.append(_label(WIDTH - RIGHT - 4, y - 3, rung.label, "end", "rung-label"))
    return parts


def _time_labels(points: Sequence[NavPoint], xs: list[float]) -> list[str]:
    fmt = "%m-%d %H:%M" if (points[-1].at - points[0].at).days < 3 else "%Y-%m-%d"
    return [
        _label(xs[0], HEIGHT - 4, points[0].at.strftime(fmt), "start"),
        _label(xs[-1], HEIGHT - 4, points[-1].at.strftime(fmt), "end"),
    ]


def _polyline(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def _axis(top: float, bottom: float) -> str:
    return (f'<line x1="{LEFT}" x2="{LEFT}" y1="{top}" y2="{bottom}" stroke="#8a94a6"/>'
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" '
            'stroke="#8a94a6"/>')


def _label(x: float, y: float, text: str, anchor: str, cls: str = "axis") -> str:
    return (f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
            f'font-size="11" fill="#c5cbd6">{escape(text)}</text>')
