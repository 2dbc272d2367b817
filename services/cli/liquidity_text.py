"""`desk risk liquidity` as text: the exit curve per scenario, the holdings slowest first,
the crowded names and the limits."""

from __future__ import annotations

import math

from risk.liquidity import LiquidityProfile, ScenarioProfile
from risk.liquidity_config import StressScenario
from services.cli.table import Column, table
from services.console.figures import DASH, cny, percent
from services.liquidity_report import Liquidity, money


def days(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:,.2f}"


def scenario_words(s: StressScenario) -> str:
    parts = []
    if s.volume_factor != 1:
        parts.append(f"volume x{s.volume_factor:.2f}")
    if s.locked_days:
        parts.append(f"the smallest {percent(s.locked_share)} of names locked limit-down "
                     f"{s.locked_days} day{'s' if s.locked_days > 1 else ''}")
    return "; ".join(parts) or "no stress"


def liquidity_lines(liq: Liquidity, scenario: str, top: int) -> list[str]:
    p = liq.profile
    limit = liq.limit_days
    return [*_head(p), "", *_curve(p), "", *_holdings(p.get(scenario), limit), "",
            *_crowded(liq, top), "", *_limits(liq)]


def _head(p: LiquidityProfile) -> list[str]:
    b = p.basis
    return [f"Liquidity of account {p.account} on {p.day.isoformat()} "
            f"({b.adv_days}-day averages, participation cap {percent(b.participation)} "
            "of volume)",
            f"NAV {cny(money(p.nav))}; stocks {cny(money(p.stock_value))} in "
            f"{len(p.holdings)} names"]


def _curve(p: LiquidityProfile) -> list[str]:
    horizons = list(p.scenarios[0].curve)
    cols = [Column("SCENARIO"), *(Column(f"{n} DAY{'S' if n > 1 else ''}", True)
                                  for n in horizons), Column("SLOWEST (DAYS)", True),
            Column("STRESS")]
    rows = [[s.scenario.name, *(percent(s.curve[n]) for n in horizons), days(s.max_days),
             scenario_words(s.scenario)] for s in p.scenarios]
    return ["Exit curve: share of NAV in cash within N trading days (cash held + stocks sold)",
            *table(cols, rows)]


def _holdings(s: ScenarioProfile, limit: float) -> list[str]:
    title = f"Holdings under {s.scenario.name} ({scenario_words(s.scenario)}), slowest first"
    if not s.rows:
        return [title, "no holdings: nothing to sell"]
    cols = [Column("SYMBOL"), Column("NAME"), Column("SHARES", True), Column("VALUE", True),
            Column("WEIGHT", True), Column("ADV SHARES", True), Column("POS/ADV", True),
            Column("DAYS", True), Column("WHOLE", True), Column("LOCKED")]
    rows = [[r.holding.symbol, r.holding.name, f"{r.holding.quantity:,}",
             cny(money(r.holding.value)), percent(r.weight), _shares(r.holding.adv_volume),
             percent(r.adv_share) if math.isfinite(r.adv_share) else DASH,
             days(r.days_to_exit), days(r.whole_days).replace(".00", ""),
             "yes" if r.locked else ""] for r in s.rows]
    slow = sum(1 for r in s.rows if r.days_to_exit > limit)
    return [title, *table(cols, rows),
            f"{len(s.rows)} holdings: {slow} over {limit:g} days to exit (the limit)"]


def _crowded(liq: Liquidity, top: int) -> list[str]:
    title = f"Crowded names on {liq.crowd.day.isoformat()} (the desk's fills / the day's volume; " \
            "shares held / free float)"
    rows = liq.crowd.top(top)
    if not rows:
        return [title, "no holdings and no fills: nothing crowded"]
    cols = [Column("SYMBOL"), Column("NAME"), Column("TRADED", True), Column("DAY VOLUME", True),
            Column("VOL SHARE", True), Column("HELD", True), Column("FLOAT SHARE", True)]
    body = [[r.symbol, r.name, f"{r.traded:,}", _shares(r.market_volume),
             percent(r.volume_share), f"{r.held:,}", percent(r.float_share)] for r in rows]
    return [title, *table(cols, body)]


def _limits(liq: Liquidity) -> list[str]:
    if not liq.breaches:
        return ["Limits: none breached"]
    lines = [f"Limits: {len(liq.breaches)} breached"]
    lines += [f"  {b.kind.value}: {b.detail}" for b in liq.breaches]
    if liq.blocked:
        lines.append(f"  New buys blocked: {', '.join(liq.blocked)}")
    return lines


def _shares(value: float) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else DASH
