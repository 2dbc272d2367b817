"""Days to exit and the exit curve on a hand-checked book, under each stress scenario.

Book (NAV CNY 10 m, participation cap 20%): A 100,000 sh at 10 (ADV 250,000 sh), B 300,000
at 5 (ADV 100,000, the smallest), C 50,000 at 20 (ADV 1,000,000), D 20,000 at 50 (no volume).
Stocks CNY 4.5 m, so CNY 5.5 m (55% of NAV) is cash before anything is sold.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest

from risk.liquidity import (
    days_to_exit,
    liquidity_profile,
    locked_symbols,
    scenario_profile,
)
from risk.liquidity_config import LiquidityConfig, StressScenario
from tests.unit.risk.liquidity_kit import BASIS, NAV, book

DAY = date(2026, 12, 1)


def _days(profile_name: str) -> dict[str, float]:
    p = liquidity_profile(DAY, "paper", book(), NAV, BASIS, LiquidityConfig()).get(profile_name)
    return {r.holding.symbol: r.days_to_exit for r in p.rows}


def _curve(name: str) -> list[float]:
    p = liquidity_profile(DAY, "paper", book(), NAV, BASIS, LiquidityConfig()).get(name)
    return [p.curve[n] for n in (1, 3, 5)]


def test_base_days_to_exit_are_position_over_capped_volume() -> None:
    days = _days("base")
    assert days["600001.SSE"] == pytest.approx(2.0)  # 100,000 / (0.2 x 250,000)
    assert days["000002.SZSE"] == pytest.approx(15.0)  # 300,000 / 20,000
    assert days["300003.SZSE"] == pytest.approx(0.25)
    assert math.isinf(days["688004.SSE"])


def test_base_exit_curve() -> None:
    # cash 5.5m + day 1: A 500k + B 100k + C 1m; day 3: A 1m + B 300k + C 1m; day 5: A 1m +
    # B 500k + C 1m
    assert _curve("base") == pytest.approx([0.71, 0.78, 0.80])


def test_volume_half_doubles_every_exit() -> None:
    days = _days("volume_half")
    assert days["600001.SSE"] == pytest.approx(4.0)
    assert days["000002.SZSE"] == pytest.approx(30.0)
    assert days["300003.SZSE"] == pytest.approx(0.5)
    # day 1: 250k + 50k + 1m; day 3: 750k + 150k + 1m; day 5: 1m + 250k + 1m
    assert _curve("volume_half") == pytest.approx([0.68, 0.74, 0.775])


def test_limit_down_locks_the_smallest_name_for_its_days() -> None:
    days = _days("limit_down")  # 20% of 4 names -> 1 name, B (mcap 1 bn), locked 2 days
    assert days["000002.SZSE"] == pytest.approx(17.0)
    assert days["600001.SSE"] == pytest.approx(2.0)
    # day 1: A 500k + C 1m (B locked); day 3: A 1m + B 1 day x 100k + C 1m; day 5: + B 300k
    assert _curve("limit_down") == pytest.approx([0.70, 0.76, 0.78])


def test_both_together() -> None:
    days = _days("both")
    assert days["000002.SZSE"] == pytest.approx(32.0)  # 2 locked + 300,000 / 10,000
    assert days["600001.SSE"] == pytest.approx(4.0)
    # day 1: A 250k + C 1m; day 3: A 750k + B 50k + C 1m; day 5: A 1m + B 150k + C 1m
    assert _curve("both") == pytest.approx([0.675, 0.73, 0.765])


def test_rows_slowest_first_with_whole_days_and_model_figures() -> None:
    rows = liquidity_profile(DAY, "paper", book(), NAV, BASIS, LiquidityConfig()).get("base").rows
    assert [r.holding.symbol for r in rows] == ["688004.SSE", "000002.SZSE", "600001.SSE",
                                                "300003.SZSE"]
    assert [r.whole_days for r in rows[1:]] == [15.0, 2.0, 1.0]
    b = rows[1]
    assert (b.weight, b.volume_days, b.adv_share) == pytest.approx((0.15, 3.0, 3.0))
    assert not b.locked and rows[1].holding.value == 1_500_000


def test_lock_share_rounds_up_and_unknown_mcap_counts_smallest() -> None:
    half = StressScenario(name="x", locked_days=1, locked_share=0.5)
    assert locked_symbols(book(), half) == {"000002.SZSE", "688004.SSE"}
    some = StressScenario(name="y", locked_days=1, locked_share=0.01)
    assert locked_symbols(book(), some) == {"000002.SZSE"}  # at least the share: 1 name
    unknown = [*book()[:3], replace(book()[3], mcap=math.nan)]
    assert "688004.SSE" in locked_symbols(unknown, some)


def test_lock_longer_than_horizon_sells_nothing_of_the_locked() -> None:
    long_lock = StressScenario(name="z", locked_days=5, locked_share=1.0)
    p = scenario_profile(book(), NAV, BASIS, long_lock, (1, 5, 6))
    assert p.curve[1] == pytest.approx(0.55) and p.curve[5] == pytest.approx(0.55)  # cash only
    assert p.curve[6] == pytest.approx((5_500_000 + 500_000 + 100_000 + 1_000_000) / NAV)


def test_days_to_exit_edges() -> None:
    assert days_to_exit(0, 0.0, 3) == 0.0  # nothing held: nothing to sell
    assert math.isinf(days_to_exit(100, 0.0, 0))
    assert days_to_exit(100, 1000.0, 2) == pytest.approx(2.1)


def test_empty_book_and_zero_nav() -> None:
    p = liquidity_profile(DAY, "paper", [], 0.0, BASIS, LiquidityConfig())
    assert [s.scenario.name for s in p.scenarios] == ["base", "volume_half", "limit_down", "both"]
    assert p.get("both").curve == {1: 0.0, 3: 0.0, 5: 0.0} and p.get("both").max_days == 0.0
    with pytest.raises(KeyError, match="known: base, volume_half"):
        p.get("crash")
