"""Portfolio limits: stock weight, industry weight, size against turnover, stale prices.

Each check is a small function returning `Breach`es; the daemon alerts on each and, for
the kinds configured in `limits.block`, lists the stocks whose buys are blocked.
Weights are shares of NAV.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from exchange import Phase, session_windows
from risk.config import LimitKind, LimitsConfig


@dataclass(frozen=True)
class Breach:
    kind: LimitKind
    subject: str  # a symbol, or an industry
    value: float
    limit: float
    detail: str
    symbols: tuple[str, ...] = ()  # stocks concerned (for blocks)


def weight_breaches(
    values: Mapping[str, Decimal], nav: Decimal, cfg: LimitsConfig
) -> list[Breach]:
    if nav <= 0:
        return []
    out = []
    for symbol, value in sorted(values.items()):
        weight = float(value / nav)
        if weight > cfg.max_stock_weight:
            out.append(Breach(LimitKind.STOCK_WEIGHT, symbol, weight, cfg.max_stock_weight,
                              f"{symbol} is {weight:.2%} of NAV (cap {cfg.max_stock_weight:.2%})",
                              (symbol,)))
    return out


def industry_breaches(
    values: Mapping[str, Decimal], nav: Decimal, industries: Mapping[str, str], cfg: LimitsConfig
) -> list[Breach]:
    if nav <= 0:
        return []
    by_industry: dict[str, list[str]] = defaultdict(list)
    for symbol in values:
        by_industry[industries.get(symbol) or "unknown"].append(symbol)
    out = []
    for industry, symbols in sorted(by_industry.items()):
        weight = float(sum(values[s] for s in symbols) / nav)
        if weight > cfg.max_industry_weight:
            out.append(Breach(LimitKind.INDUSTRY_WEIGHT, industry, weight, cfg.max_industry_weight,
                              f"industry {industry} is {weight:.2%} of NAV "
                              f"(cap {cfg.max_industry_weight:.2%}, {len(symbols)} stocks)",
                              tuple(sorted(symbols))))
    return out


def turnover_breaches(
    values: Mapping[str, Decimal], mean_amount: Mapping[str, float], cfg: LimitsConfig
) -> list[Breach]:
    """Positions worth more than `max_days_of_turnover` days of their stock's turnover."""
    out = []
    for symbol, value in sorted(values.items()):
        amount = mean_amount.get(symbol, 0.0)
        days = float(value) / amount if amount > 0 else float("inf")
        if days > cfg.max_days_of_turnover:
            out.append(Breach(LimitKind.TURNOVER_DAYS, symbol, days, cfg.max_days_of_turnover,
                              f"{symbol}: position CNY {value:,.0f} is {days:.2f} days of its "
                              f"{cfg.turnover_window}-day mean turnover "
                              f"(limit {cfg.max_days_of_turnover})", (symbol,)))
    return out


def stale_breaches(
    price_times: Mapping[str, datetime | None], now: datetime, cfg: LimitsConfig
) -> list[Breach]:
    """Held symbols whose last price is older than `stale_after_s` (call in trading hours)."""
    out = []
    for symbol, at in sorted(price_times.items()):
        age = float("inf") if at is None else trading_seconds(at, now)
        if age > cfg.stale_after_s:
            seen = "never" if at is None else f"at {at.isoformat()}"
            out.append(Breach(LimitKind.STALE_PRICE, symbol, age, cfg.stale_after_s,
                              f"{symbol}: last price seen {seen} "
                              f"(stale after {cfg.stale_after_s:.0f} s)", (symbol,)))
    return out


def trading_seconds(since: datetime, now: datetime) -> float:
    """Seconds of today's continuous trading between `since` and `now`: the lunch break
    and the night do not age a price (a price from before today counts from the open)."""
    day = now.date()
    total = 0.0
    for start, end, phase in session_windows(day):
        if phase is not Phase.CONTINUOUS:
            continue
        lo = max(since, datetime.combine(day, start, tzinfo=now.tzinfo))
        hi = min(now, datetime.combine(day, end, tzinfo=now.tzinfo))
        total += max((hi - lo).total_seconds(), 0.0)
    return total


def blocked_symbols(breaches: list[Breach], cfg: LimitsConfig) -> list[str]:
    """Stocks whose buys are blocked by breaches of a blocking kind."""
    return sorted({s for b in breaches if b.kind in cfg.block for s in b.symbols})


def reducing(drawdown: float, was_reducing: bool, hard_limit: float, hysteresis: float) -> bool:
    """The hard-limit state: entered at `hard_limit`, left below it by `hysteresis`."""
    if drawdown >= hard_limit:
        return True
    return was_reducing and drawdown > hard_limit - hysteresis
