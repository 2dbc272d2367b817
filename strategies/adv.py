"""Average daily traded amount and volume: the one definition of a stock's liquidity.

The nightly model caps each position at `max_adv_share` of this average (strategies.
constraints); the liquidity stress (risk.liquidity, fed by services.liquidity_read)
divides positions by the same averages, so "days of turnover" means one thing on the desk.
"""

from __future__ import annotations

import numpy as np

from strategies.rolling import FloatArray, trailing_mean


def average_daily(values: FloatArray, days: int, what: str) -> FloatArray:
    """Trailing `days`-day mean of a wide array whose suspended days are already zero
    (`what` names the values in errors, in millions).

    Every day of the window must carry a value (a stock not yet listed has none).
    """
    # In millions, so that years of amounts fit the exact fixed-point sums.
    millions = trailing_mean(values / 1e6, days, 1.0, what)
    return np.asarray(millions * 1e6, dtype=np.float64)


def average_daily_amount(amount: FloatArray, days: int) -> FloatArray:
    """Average daily amount (CNY) over `days`; suspended days count as zero."""
    return average_daily(amount, days, "amount (million CNY)")


def zero_when_suspended(values: FloatArray, suspended: FloatArray) -> FloatArray:
    """Suspended days trade nothing: they count as zero in the averages."""
    return np.asarray(np.where(suspended > 0, 0.0, values), dtype=np.float64)
