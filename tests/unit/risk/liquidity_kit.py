"""A small hand-checked book for the liquidity tests (figures worked out in the tests)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

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


def published_doc(day: date = date(2026, 11, 23), at: str = "2026-11-23T15:40:00+08:00"
                  ) -> dict[str, Any]:
    """The document the desk publishes for the hand-checked book, with one day's fills:
    the desk traded 50,000 of A's 200,000 shares (25%)."""
    from risk.crowding import crowding
    from risk.liquidity import liquidity_profile
    from risk.liquidity_config import LiquidityConfig
    from risk.liquidity_limits import blocked_by_liquidity, crowding_breaches, exit_breaches
    from services.liquidity_report import Liquidity, liquidity_json

    cfg = LiquidityConfig()
    profile = liquidity_profile(day, "paper", book(), NAV, BASIS, cfg)
    crowd = crowding(day, {"600001.SSE": 50_000}, {"600001.SSE": 200_000.0}, book(), {})
    breaches = exit_breaches(profile, cfg.limits) + crowding_breaches(crowd, cfg.limits)
    liq = Liquidity(profile, crowd, tuple(breaches),
                    tuple(blocked_by_liquidity(breaches, cfg.limits)), 5.0)
    return {**liquidity_json(liq, None, 10), "at": at}
