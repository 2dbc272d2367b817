"""The drawdown panel's scale, fitted to the data, and which ladder rungs fall inside it.

A fixed scale down to the deepest rung (-33%) turns a 0.13% drawdown into a flat line;
the scale here goes a quarter below the deepest drawdown shown, never less than
`MIN_DEPTH`, so a desk at its high-water mark still gets a readable axis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_DEPTH = 0.0005  # 0.05%: the shallowest axis drawn
HEADROOM = 1.25


@dataclass(frozen=True)
class RungLine:
    drawdown: float  # the rung's trigger, a fraction below the mark (0.20)
    hedge_ratio: float

    @property
    def label(self) -> str:
        return f"-{self.drawdown:.2%} → hedge {self.hedge_ratio:.2%}"


def fitted_depth(drawdowns: Iterable[float]) -> float:
    """How deep (a positive fraction) the drawdown axis goes."""
    deepest = max((d for d in drawdowns if d > 0), default=0.0)
    return max(deepest * HEADROOM, MIN_DEPTH)


def rungs_in_range(rungs: Sequence[RungLine], depth: float) -> list[RungLine]:
    return [r for r in rungs if r.drawdown <= depth]


def next_rung_off_scale(rungs: Sequence[RungLine], depth: float) -> RungLine | None:
    """The shallowest rung below the axis: named on the chart so the trader knows."""
    below = [r for r in rungs if r.drawdown > depth]
    return min(below, key=lambda r: r.drawdown) if below else None
