"""Liquidity limits and crowding on the hand-checked book (tests/unit/risk/liquidity_kit.py)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from risk.crowding import crowding
from risk.liquidity import LiquidityProfile, liquidity_profile
from risk.liquidity_config import LiquidityConfig, LiquidityLimits
from risk.liquidity_limits import (
    LiquidityKind,
    blocked_by_liquidity,
    crowding_breaches,
    exit_breaches,
)
from tests.unit.risk.liquidity_kit import BASIS, NAV, book

DAY = date(2026, 12, 1)


def _profile(cfg: LiquidityConfig | None = None) -> LiquidityProfile:
    return liquidity_profile(DAY, "paper", book(), NAV, BASIS, cfg or LiquidityConfig())


def test_exit_limits_under_the_configured_scenario() -> None:
    lim = LiquidityLimits(min_sellable_share=0.8)  # both; within 3 days; 5 days per position
    breaches = exit_breaches(_profile(), lim)
    kinds = [(b.kind, b.subject) for b in breaches]
    assert kinds == [(LiquidityKind.EXIT_CURVE, "paper"),
                     (LiquidityKind.DAYS_TO_EXIT, "688004.SSE"),
                     (LiquidityKind.DAYS_TO_EXIT, "000002.SZSE")]
    assert breaches[0].value == pytest.approx(0.73)  # cash 55% + 18% of NAV sold
    assert "73.00% of NAV in cash within 3 days under both" in breaches[0].detail
    assert "never (no volume)" in breaches[1].detail and "32.00 days" in breaches[2].detail


def test_a_liquid_enough_book_breaches_nothing() -> None:
    lim = LiquidityLimits(scenario="base", min_sellable_share=0.78, max_days_to_exit=20)
    assert [b.subject for b in exit_breaches(_profile(), lim)] == ["688004.SSE"]
    lim = LiquidityLimits(scenario="base", min_sellable_share=0.8, within_days=5,
                          max_days_to_exit=20)
    assert [b.kind for b in exit_breaches(_profile(), lim)] == [LiquidityKind.DAYS_TO_EXIT]


def test_blocks_only_when_configured_and_only_positions() -> None:
    breaches = exit_breaches(_profile(), LiquidityLimits())
    assert blocked_by_liquidity(breaches, LiquidityLimits()) == []
    assert blocked_by_liquidity(breaches, LiquidityLimits(block=True)) == \
        ["000002.SZSE", "688004.SSE"]


def test_crowding_shares_from_fills_and_free_float() -> None:
    traded = {"600001.SSE": 50_000, "600009.SSE": 1_000}
    volume = {"600001.SSE": 200_000.0, "600009.SSE": 0.0}
    crowd = crowding(DAY, traded, volume, book(), {"600009.SSE": "戊"})
    rows = {r.symbol: r for r in crowd.rows}
    assert rows["600001.SSE"].volume_share == pytest.approx(0.25)
    assert rows["600001.SSE"].float_share == pytest.approx(0.01)  # 100,000 / 10 m
    assert rows["000002.SZSE"].float_share == pytest.approx(0.15)  # 300,000 / 2 m
    assert rows["000002.SZSE"].volume_share == 0.0  # not traded that day
    assert rows["600009.SSE"].volume_share is None and rows["600009.SSE"].name == "戊"
    assert rows["688004.SSE"].float_share is None  # free float unknown
    assert [r.symbol for r in crowd.top(2)] == ["600009.SSE", "688004.SSE"]  # unknown first
    assert math.isnan(rows["600009.SSE"].float_shares)


def test_crowding_breaches() -> None:
    crowd = crowding(DAY, {"600001.SSE": 50_000}, {"600001.SSE": 200_000.0}, book(), {})
    got = [(b.kind, b.subject) for b in crowding_breaches(crowd, LiquidityLimits())]
    assert got == [(LiquidityKind.VOLUME_SHARE, "600001.SSE"),  # most crowded first
                   (LiquidityKind.FLOAT_SHARE, "000002.SZSE")]
    loose = LiquidityLimits(max_volume_share=0.3, max_float_share=0.2)
    assert crowding_breaches(crowd, loose) == []
