"""Liquidity limits: the exit curve, days to exit, the desk's share of volume and float.

Each check returns `LiquidityBreach`es; the caller alerts on each. Breaches of the
per-position kinds name the stocks whose new buys are blocked when `limits.block` is on
(`blocked_by_liquidity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from risk.crowding import Crowding
from risk.liquidity import LiquidityProfile
from risk.liquidity_config import LiquidityLimits


class LiquidityKind(StrEnum):
    EXIT_CURVE = "exit_curve"  # too little of NAV in cash within the horizon
    DAYS_TO_EXIT = "days_to_exit"  # one position takes too long to sell
    VOLUME_SHARE = "volume_share"  # the desk's fills were too much of a day's volume
    FLOAT_SHARE = "float_share"  # the book holds too much of a stock's free float


BLOCKING = frozenset({LiquidityKind.DAYS_TO_EXIT, LiquidityKind.FLOAT_SHARE})


@dataclass(frozen=True)
class LiquidityBreach:
    kind: LiquidityKind
    subject: str  # a symbol, or the account for the exit curve
    value: float
    limit: float
    detail: str


def exit_breaches(profile: LiquidityProfile, lim: LiquidityLimits) -> list[LiquidityBreach]:
    s = profile.get(lim.scenario)
    out = []
    share = s.curve.get(lim.within_days)
    if share is not None and share < lim.min_sellable_share:
        out.append(LiquidityBreach(
            LiquidityKind.EXIT_CURVE, profile.account, share, lim.min_sellable_share,
            f"{profile.account}: {share:.2%} of NAV in cash within {lim.within_days} days "
            f"under {lim.scenario} (limit at least {lim.min_sellable_share:.2%})"))
    for r in s.rows:
        if r.days_to_exit > lim.max_days_to_exit:
            out.append(LiquidityBreach(
                LiquidityKind.DAYS_TO_EXIT, r.holding.symbol, r.days_to_exit,
                lim.max_days_to_exit,
                f"{r.holding.symbol}: {_days(r.days_to_exit)} to exit under {lim.scenario} "
                f"(limit {lim.max_days_to_exit:g} days)"))
    return out


def crowding_breaches(crowd: Crowding, lim: LiquidityLimits) -> list[LiquidityBreach]:
    out = []
    for r in crowd.rows:
        v, f = r.volume_share, r.float_share
        if r.traded and (v is None or v > lim.max_volume_share):
            seen = "unknown volume" if v is None else f"{v:.2%} of its volume"
            out.append(LiquidityBreach(
                LiquidityKind.VOLUME_SHARE, r.symbol, 1.0 if v is None else v,
                lim.max_volume_share, f"{r.symbol}: the desk traded {r.traded:,} shares on "
                f"{crowd.day.isoformat()}, {seen} (limit {lim.max_volume_share:.2%})"))
        if f is not None and f > lim.max_float_share:
            out.append(LiquidityBreach(
                LiquidityKind.FLOAT_SHARE, r.symbol, f, lim.max_float_share,
                f"{r.symbol}: the book holds {f:.2%} of its free float "
                f"(limit {lim.max_float_share:.2%})"))
    return out


def blocked_by_liquidity(breaches: list[LiquidityBreach], lim: LiquidityLimits) -> list[str]:
    """Stocks whose new buys are blocked (none unless `limits.block`)."""
    if not lim.block:
        return []
    return sorted({b.subject for b in breaches if b.kind in BLOCKING})


def _days(days: float) -> str:
    return "never (no volume)" if days == float("inf") else f"{days:.2f} days"
