"""The whole liquidity picture of one account: profile, crowding, limits, as JSON.

One function builds it (`build_liquidity`) for `desk risk liquidity`, the console's
Liquidity page, the daily report and the risk daemon's daily check, so they all show
the same figures. Money is Decimal from here on (cents), shares and ratios as numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from execution.approval.queue import OrderQueue
from marketdata.clock import Clock
from marketdata.store import MarketStore
from risk.crowding import Crowding, CrowdingRow, crowding, traded_shares
from risk.liquidity import ExitRow, LiquidityProfile, ScenarioProfile
from risk.liquidity_limits import (
    LiquidityBreach,
    blocked_by_liquidity,
    crowding_breaches,
    exit_breaches,
)
from services.liquidity_read import read_profile
from services.settings import DeskSettings

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Liquidity:
    profile: LiquidityProfile
    crowd: Crowding
    breaches: tuple[LiquidityBreach, ...]
    blocked: tuple[str, ...]  # new buys blocked (limits.block), for the risk gate
    limit_days: float  # limits.max_days_to_exit, for the tables


def build_liquidity(client: Any, store: MarketStore, settings: DeskSettings, clock: Clock,
                    day: date) -> Liquidity:
    """The profile on the store's averages up to `day`; crowding from `day`'s fills."""
    profile, sd = read_profile(client, store, settings, day)
    records = OrderQueue(client, clock).list_orders(day)
    volume = sd.volume if sd.day == day else {}  # the day's volume is not in the store yet
    crowd = crowding(day, traded_shares(records), volume, profile.holdings, sd.names)
    lim = settings.risk.liquidity.limits
    breaches = exit_breaches(profile, lim) + crowding_breaches(crowd, lim)
    return Liquidity(profile, crowd, tuple(breaches),
                     tuple(blocked_by_liquidity(breaches, lim)), lim.max_days_to_exit)


def money(value: float) -> Decimal:
    """A float CNY figure as Decimal cents (str of a plain float: numpy's repr is not one)."""
    return Decimal(str(float(value))).quantize(CENT, ROUND_HALF_UP)


def number(value: float | None) -> float | None:
    """JSON has no infinity: a position that never exits is null."""
    return None if value is None or not math.isfinite(value) else value


def row_json(r: ExitRow) -> dict[str, Any]:
    h = r.holding
    return {"symbol": h.symbol, "name": h.name, "shares": h.quantity, "price": money(h.price),
            "value": money(h.value), "weight": number(r.weight), "adv_volume": number(h.adv_volume),
            "adv_amount": money(h.adv_amount) if math.isfinite(h.adv_amount) else None,
            "volume_days": number(r.volume_days), "adv_share": number(r.adv_share),
            "days_to_exit": number(r.days_to_exit), "whole_days": number(r.whole_days),
            "locked": r.locked}


def scenario_json(s: ScenarioProfile) -> dict[str, Any]:
    sc = s.scenario
    return {"name": sc.name, "volume_factor": sc.volume_factor, "locked_days": sc.locked_days,
            "locked_share": sc.locked_share, "max_days_to_exit": number(s.max_days),
            "curve": {str(n): v for n, v in s.curve.items()},
            "holdings": [row_json(r) for r in s.rows]}


def crowd_json(r: CrowdingRow) -> dict[str, Any]:
    return {"symbol": r.symbol, "name": r.name, "traded": r.traded,
            "market_volume": number(r.market_volume), "volume_share": r.volume_share,
            "held": r.held, "float_share": r.float_share}


def liquidity_json(liq: Liquidity, scenario: str | None, top: int) -> dict[str, Any]:
    """JSON-ready (money as decimal strings); `scenario`: only base and that one."""
    p = liq.profile
    shown = [s for s in p.scenarios if scenario is None or s.scenario.name in ("base", scenario)]
    out = {"account": p.account, "day": p.day.isoformat(), "nav": money(p.nav),
           "stock_value": money(p.stock_value), "participation": p.basis.participation,
           "adv_days": p.basis.adv_days, "max_adv_share": p.basis.max_adv_share,
           "scenarios": [scenario_json(s) for s in shown],
           "crowding": {"day": liq.crowd.day.isoformat(),
                        "top": [crowd_json(r) for r in liq.crowd.top(top)]},
           "breaches": [{"kind": b.kind.value, "subject": b.subject, "value": number(b.value),
                         "limit": b.limit, "detail": b.detail} for b in liq.breaches],
           "blocked_symbols": list(liq.blocked)}
    return _strings(out)


def _strings(value: Any) -> Any:
    """Decimals as strings, everywhere in the document."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return value
