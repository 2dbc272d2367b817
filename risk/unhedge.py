"""Has the market stabilised? The evidence the ladder needs to take a hedge off.

The evidence is counted from the last change of the hedge: the worst NAV drawdown and
the lowest CSI 1000 close since then, and how many closes have passed without either
making a new low. Index-based conditions are the dependable ones: a fully hedged book
barely moves, and with the basis it pays it may keep making small new lows in a rising
market, so NAV-based conditions alone can keep a hedge on for too long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from risk.config import UnhedgeRule

NO_LOW = float("inf")


@dataclass(frozen=True)
class Evidence:
    trough: float = 0.0  # worst NAV drawdown since the last change
    low_day: date | None = None  # day of that worst drawdown
    nav_closes_since_low: int = 0
    index_low: float = NO_LOW  # lowest CSI 1000 close since the last change
    index_closes_since_low: int = 0
    last_close: date | None = None

    @classmethod
    def fresh(cls, drawdown: float, day: date) -> Evidence:
        """Evidence restarting at a change of the hedge."""
        return cls(trough=drawdown, low_day=day)

    def with_drawdown(self, drawdown: float, day: date) -> Evidence:
        if drawdown > self.trough:
            return replace(self, trough=drawdown, low_day=day, nav_closes_since_low=0)
        return self

    def with_close(self, day: date, index_close: float) -> Evidence:
        """Count one daily close (idempotent; a close before the low does not count)."""
        if self.last_close == day or (self.low_day is not None and day < self.low_day):
            return self
        nav_count = self.nav_closes_since_low + (0 if self.low_day == day else 1)
        if index_close < self.index_low:
            index_low, index_count = index_close, 0
        else:
            index_low, index_count = self.index_low, self.index_closes_since_low + 1
        return replace(self, nav_closes_since_low=nav_count, index_low=index_low,
                       index_closes_since_low=index_count, last_close=day)


def stabilised(
    rule: UnhedgeRule, evidence: Evidence, drawdown: float, index_closes: Sequence[float]
) -> str | None:
    """Why `rule` holds (text for the trader), or None if it does not.

    `index_closes`: CSI 1000 closes up to and including today, oldest first.
    """
    checks = (
        _above_mean(rule.index_above_ma_days, index_closes),
        _index_rebound(rule.index_rebound, evidence, index_closes),
        _count("CSI 1000 closes without a new low", rule.index_days_without_new_low,
               evidence.index_closes_since_low),
        _recovered(rule.recovered_points, evidence, drawdown),
        _count("closes without a new NAV low", rule.days_without_new_low,
               evidence.nav_closes_since_low),
    )
    if any(check is False for check in checks):
        return None
    return "; ".join(check for check in checks if isinstance(check, str))


# Each check: None when the rule does not use it, False when it fails, else the reason.
def _above_mean(days: int | None, closes: Sequence[float]) -> str | bool | None:
    if days is None:
        return None
    if len(closes) < days:
        return False
    mean = sum(closes[-days:]) / days
    return closes[-1] > mean and f"CSI 1000 {closes[-1]:.1f} above its {days}-day mean {mean:.1f}"


def _index_rebound(
    needed: float | None, evidence: Evidence, closes: Sequence[float]
) -> str | bool | None:
    if needed is None:
        return None
    if not closes or evidence.index_low == NO_LOW:
        return False
    rebound = closes[-1] / evidence.index_low - 1
    return rebound >= needed and f"CSI 1000 up {rebound:.1%} from its low {evidence.index_low:.1f}"


def _recovered(needed: float | None, evidence: Evidence, drawdown: float) -> str | bool | None:
    if needed is None:
        return None
    recovered = evidence.trough - drawdown
    return recovered >= needed and f"drawdown recovered {recovered:.1%} from {evidence.trough:.1%}"


def _count(what: str, needed: int | None, seen: int) -> str | bool | None:
    if needed is None:
        return None
    return seen >= needed and f"{seen} {what}"
