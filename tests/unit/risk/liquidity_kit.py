"""A small hand-checked book for the liquidity tests (figures worked out in the tests)."""

from __future__ import annotations

import math

from risk.liquidity import ExitBasis, Holding

NAV = 10_000_000.0
BASIS = ExitBasis(participation=0.2, adv_days=20, max_adv_share=0.05)


def book() -> list[Holding]:
    # A: 50,000 shares/day at 20% of 250,000 -> 2 days. B: 20,000/day -> 15 days, the
    # smallest name. C: 200,000/day -> 0.25 days. D: no volume in the window -> never.
    return [
        Holding("600001.SSE", "甲", 100_000, 10.0, 250_000, 2_500_000, 3e9, 10_000_000),
        Holding("000002.SZSE", "乙", 300_000, 5.0, 100_000, 500_000, 1e9, 2_000_000),
        Holding("300003.SZSE", "丙", 50_000, 20.0, 1_000_000, 20_000_000, 5e9, 50_000_000),
        Holding("688004.SSE", "丁", 20_000, 50.0, 0.0, 0.0, 2e9, math.nan),
    ]
