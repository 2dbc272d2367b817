"""The hedge on the synthetic market: a micro-cap crash and a slow rotation to large caps.

The book is the 50 smallest stocks, equal-weighted daily. Each test prints hedged and
unhedged maximum drawdown and the basis paid (`pytest -s` shows them) and checks what
the configured ladder promises: no hedge before the first rung, each rung's ratio from
the day its trigger is reached until the market stabilises, orders of at most 20 lots.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from exchange import Side
from marketdata.calendar import TradingCalendar
from marketdata.synthetic import CRASH, ROTATION, RegimePlan, SyntheticMarket, generate_market
from orders.order import Offset
from risk.config import RiskConfig, Rung
from risk.replay import ReplayResult, run_replay

END = date(2024, 6, 28)


def market(calendar: TradingCalendar, plan: RegimePlan) -> SyntheticMarket:
    return generate_market(200, 160, seed=7, end=END, calendar=calendar, regimes=plan)


def smallest_book(m: SyntheticMarket, n: int = 50) -> pd.DataFrame:
    dates = pd.DatetimeIndex(m.days)
    fields = {k: pd.DataFrame(m.stocks.values[k], index=dates, columns=m.stocks.symbols)
              for k in ("close", "prev_close", "total_mcap")}
    small = fields["total_mcap"].iloc[0].dropna().nsmallest(n).index
    returns = (fields["close"] / fields["prev_close"] - 1)[small].fillna(0.0).mean(axis=1)
    nav = 50_000_000 * (1 + returns).cumprod()
    return pd.DataFrame({"nav": nav, "stock_value": nav})


def csi1000(m: SyntheticMarket) -> pd.Series:
    return m.index.set_index(pd.DatetimeIndex(m.index["date"]))["csi1000"]


def report(name: str, result: ReplayResult) -> None:
    print(f"\n{name}: max drawdown unhedged {result.max_drawdown:.2%}, hedged "
          f"{result.hedged_max_drawdown:.2%}; basis paid CNY {result.basis_paid:,.0f}, "
          f"futures P&L CNY {result.futures_pnl:,.0f}, fees CNY {result.fees:,.0f}")


def assert_ladder_promises(result: ReplayResult, cfg: RiskConfig) -> None:
    daily = result.daily
    drawdown = 1 - daily["hedged_nav"] / daily["hedged_nav"].cummax()
    lot_share = daily["index"] * 200 / (daily["beta"] * daily["nav"])  # one lot, as a share
    first_rung = drawdown[drawdown >= cfg.ladder[0].drawdown].index[0]
    assert (daily.loc[daily.index < first_rung, "short_lots"] == 0).all()
    steps_down = [pd.Timestamp(a.day) for a in result.actions if "stabilised" in a.reason]
    for rung in cfg.ladder:
        reached = drawdown[drawdown >= rung.drawdown].index
        if reached.empty:
            continue
        until = next((day for day in steps_down if day > reached[0]), daily.index[-1])
        window = daily.loc[reached[0]:until].iloc[:-1]
        assert (window["ladder_ratio"] >= rung.hedge_ratio).all(), rung
        lot = lot_share.loc[window.index]
        floor = rung.hedge_ratio * (1 - cfg.futures.resize_tolerance) - 0.51 * lot
        assert (window["hedged_share"] >= floor).all(), rung
        first = daily.loc[reached[0]]
        assert abs(first["hedged_share"] - first["ladder_ratio"]) <= 0.51 * lot_share[reached[0]]
    for action in result.actions:
        assert action.lots <= cfg.futures.max_lots_per_order * action.orders


def widest_discount(m: SyntheticMarket) -> float:
    """The largest annualised IM discount in the synthetic futures."""
    futures = m.futures
    spot = csi1000(m).reindex(pd.DatetimeIndex(futures["date"])).to_numpy()
    days = (futures["expiry"] - futures["date"]).dt.days.clip(lower=1).to_numpy()
    return float(np.max(-(futures["close"].to_numpy() / spot - 1) * 365 / days))


def index_leg_pnl(result: ReplayResult, start: pd.Timestamp, stop: pd.Timestamp) -> float:
    """What the shorts made from index moves alone (P&L less the basis part)."""
    daily = result.daily.loc[start:stop]
    held = daily["short_lots"].shift(1).fillna(0)
    return float(-(held * 200 * daily["index"].diff().fillna(0)).sum())


def test_micro_cap_crash(calendar: TradingCalendar) -> None:
    m = market(calendar, RegimePlan(rotation_at=None, crash_at=0.5))
    crash = next(r for r in m.regimes if r.name == CRASH)
    cfg = RiskConfig()
    result = run_replay(smallest_book(m), csi1000(m), m.futures, cfg, calendar)
    report("micro-cap crash", result)
    days = result.daily.index
    decline = crash.start + round(crash.length * 0.7) - 1
    book = result.daily["nav"]
    assert book.iloc[decline] / book.iloc[crash.start - 1] - 1 < -0.30  # in under four weeks
    assert widest_discount(m) > 0.50
    assert_ladder_promises(result, cfg)
    assert {r.hedge_ratio for r in cfg.ladder} <= set(result.daily["ladder_ratio"])
    assert result.hedged_max_drawdown < result.max_drawdown
    # The short gained on the index fall while the hedge was on during the decline...
    assert index_leg_pnl(result, days[crash.start], days[decline]) > 0
    # ...but it was put on at a blown-out discount and paid it as the basis converged.
    opened = [a for a in result.actions if a.offset is Offset.OPEN and a.annual_basis is not None]
    assert min(a.annual_basis for a in opened) < -cfg.futures.discount_alert
    assert any("discount" in text for _, _, text in result.alerts)
    assert result.basis_paid > 0
    assert result.daily["hedged_nav"].iloc[-1] < result.daily["nav"].iloc[-1]


def test_slow_rotation_into_large_caps(calendar: TradingCalendar) -> None:
    m = market(calendar, RegimePlan(rotation_at=0.4, crash_at=None))
    rotation = next(r for r in m.regimes if r.name == ROTATION)
    # The rotation costs this book about 15%: a ladder scaled to it, so that it engages.
    cfg = RiskConfig(ladder=(Rung(drawdown=0.05, hedge_ratio=0.3),
                             Rung(drawdown=0.08, hedge_ratio=0.6),
                             Rung(drawdown=0.12, hedge_ratio=1.0)))
    result = run_replay(smallest_book(m), csi1000(m), m.futures, cfg, calendar)
    report("large-cap rotation", result)
    days, daily = result.daily.index, result.daily
    start, stop = days[rotation.start - 1], days[rotation.stop - 1]
    assert daily.loc[stop, "nav"] < daily.loc[start, "nav"]  # the book lost
    assert daily.loc[stop, "index"] > daily.loc[start, "index"]  # CSI 1000 rose
    assert_ladder_promises(result, cfg)
    assert (daily["ladder_ratio"] > 0).any()
    # A CSI 1000 short cannot protect against a size rotation: it loses on the index leg.
    assert index_leg_pnl(result, start, stop) < 0
    assert result.hedged_max_drawdown >= result.max_drawdown
    assert result.basis_paid > 0
    sells = [a for a in result.actions if a.side is Side.SELL]
    assert sells and all(a.symbol.startswith("IM") for a in sells)


@pytest.mark.parametrize("seed", [1, 2])
def test_crash_hedge_never_deepens_the_drawdown(calendar: TradingCalendar, seed: int) -> None:
    m = generate_market(200, 160, seed=seed, end=END, calendar=calendar,
                        regimes=RegimePlan(rotation_at=None, crash_at=0.5))
    cfg = RiskConfig()
    result = run_replay(smallest_book(m), csi1000(m), m.futures, cfg, calendar)
    report(f"micro-cap crash, seed {seed}", result)
    assert_ladder_promises(result, cfg)
    assert result.hedged_max_drawdown <= result.max_drawdown
    assert np.isfinite(result.basis_paid)
