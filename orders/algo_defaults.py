"""Defaults of the slicing algorithms that more than one floor needs.

The execution service caps each child at this share of the market volume of the last
slice interval (`execution.algo.max_participation`); the backtest applies the same
cap to a whole day's volume (`strategies.backtest.fills`). Kept here, below both, so
neither copies the number.
"""

from __future__ import annotations

from decimal import Decimal

MAX_PARTICIPATION = Decimal("0.20")
