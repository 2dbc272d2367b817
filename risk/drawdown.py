"""High-water mark and drawdown.

The mark only rises, and only on NAV the desk has accepted (a bad print never moves
it). It is persisted by the daemon as JSON (`to_json`/`from_json`) so that a restart
does not forget the peak and reset the drawdown to zero.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from marketdata.clock import require_aware


@dataclass(frozen=True)
class HighWaterMark:
    value: Decimal
    at: datetime

    def __post_init__(self) -> None:
        if not self.value > 0:
            raise ValueError(f"high-water mark must be positive, got {self.value}")
        object.__setattr__(self, "at", require_aware(self.at, "high-water mark time"))

    def advanced(self, nav: Decimal, at: datetime) -> HighWaterMark:
        """The mark after seeing `nav`: itself, or a new peak."""
        return HighWaterMark(nav, at) if nav > self.value else self

    def drawdown(self, nav: Decimal) -> float:
        """Fraction below the mark, 0 at or above it (0.2 = 20% down)."""
        return max(0.0, float((self.value - nav) / self.value))

    def to_json(self) -> str:
        return json.dumps({"value": str(self.value), "at": self.at.isoformat()})

    @classmethod
    def from_json(cls, raw: str, where: str) -> HighWaterMark:
        """Parse a persisted mark; `where` (e.g. the Redis key) goes into the error."""
        try:
            data = json.loads(raw)
            return cls(Decimal(data["value"]), datetime.fromisoformat(data["at"]))
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise ValueError(f"{where}: not a high-water mark ({exc!r}): {raw[:200]!r}") from exc


def max_drawdown(values: Iterable[float]) -> float:
    """Worst peak-to-trough fall of a series, as a positive fraction."""
    peak = float("-inf")
    worst = 0.0
    for value in values:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    return worst
