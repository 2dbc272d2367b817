from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from marketdata.clock import EXCHANGE_TZ
from risk.badprint import NavJudgement, judge_nav, price_outside_limits
from risk.config import LimitKind, LimitsConfig
from risk.limits import (
    blocked_symbols,
    industry_breaches,
    reducing,
    stale_breaches,
    turnover_breaches,
    weight_breaches,
)

DAY = date(2026, 11, 23)


def test_a_price_beyond_the_limit_is_a_bad_print() -> None:
    prev = Decimal("10.00")
    assert price_outside_limits("600000.SSE", Decimal("11.00"), prev, DAY) is None  # limit-up
    why = price_outside_limits("600000.SSE", Decimal("11.01"), prev, DAY)
    assert why is not None and "limit-up 11.00" in why
    assert price_outside_limits("300750.SZSE", Decimal("11.99"), prev, DAY) is None  # ChiNext 20%
    assert "limit-down 8.00" in str(price_outside_limits("300750.SZSE", Decimal("7.99"), prev, DAY))
    assert price_outside_limits("600000.SSE", Decimal("0"), prev, DAY) is not None


def test_st_band_follows_the_dated_rule() -> None:
    prev = Decimal("4.00")
    assert price_outside_limits("600001.SSE", Decimal("4.30"), prev, date(2026, 7, 3), st=True)
    assert price_outside_limits("600001.SSE", Decimal("4.30"), prev, date(2026, 7, 6),
                                st=True) is None


def test_a_nav_spike_is_suspect_then_dropped() -> None:
    last = Decimal("50000000")
    spike = judge_nav(Decimal("56000000"), last, None, 0.05)
    assert spike.judgement is NavJudgement.SUSPECT and not spike.accepted
    assert spike.move == pytest.approx(0.12)
    back = judge_nav(Decimal("50100000"), last, spike.suspect, 0.05)
    assert back.judgement is NavJudgement.ACCEPTED and back.suspect is None


def test_a_real_jump_is_accepted_once_confirmed() -> None:
    last = Decimal("50000000")
    first = judge_nav(Decimal("44000000"), last, None, 0.05)
    second = judge_nav(Decimal("43900000"), last, first.suspect, 0.05)
    assert second.judgement is NavJudgement.CONFIRMED and second.accepted
    assert judge_nav(Decimal("1"), None, None, 0.05).accepted  # the first NAV ever


VALUES = {"600000.SSE": Decimal("3000000"), "000001.SZSE": Decimal("2000000"),
          "300750.SZSE": Decimal("1500000")}
NAV = Decimal("50000000")


def test_weight_and_industry_caps() -> None:
    cfg = LimitsConfig(max_stock_weight=0.05, max_industry_weight=0.09)
    weights = weight_breaches(VALUES, NAV, cfg)
    assert [(b.subject, round(b.value, 3)) for b in weights] == [("600000.SSE", 0.06)]
    industries = {"600000.SSE": "bank", "000001.SZSE": "bank", "300750.SZSE": "battery"}
    breaches = industry_breaches(VALUES, NAV, industries, cfg)
    assert [(b.subject, b.symbols) for b in breaches] == [("bank", ("000001.SZSE", "600000.SSE"))]


def test_position_against_turnover() -> None:
    cfg = LimitsConfig(max_days_of_turnover=1.0)
    amount = {"600000.SSE": 5_000_000.0, "000001.SZSE": 1_000_000.0}
    breaches = turnover_breaches(VALUES, amount, cfg)
    assert [(b.subject, round(b.value, 2)) for b in breaches] == [
        ("000001.SZSE", 2.0), ("300750.SZSE", float("inf"))]


def test_stale_prices_and_blocks() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)
    cfg = LimitsConfig(stale_after_s=60, block=frozenset({LimitKind.STALE_PRICE}))
    times = {"600000.SSE": now - timedelta(seconds=30), "000001.SZSE": now - timedelta(minutes=5),
             "300750.SZSE": None}
    breaches = stale_breaches(times, now, cfg)
    assert [b.subject for b in breaches] == ["000001.SZSE", "300750.SZSE"]
    assert "never" in breaches[1].detail
    weights = weight_breaches(VALUES, NAV, cfg)
    assert blocked_symbols(breaches + weights, cfg) == ["000001.SZSE", "300750.SZSE"]


def test_reducing_state_has_hysteresis() -> None:
    assert reducing(0.35, False, 0.35, 0.03)
    assert reducing(0.33, True, 0.35, 0.03)
    assert not reducing(0.33, False, 0.35, 0.03)
    assert not reducing(0.319, True, 0.35, 0.03)


def test_the_lunch_break_does_not_make_a_price_stale() -> None:
    cfg = LimitsConfig(stale_after_s=120)
    last = datetime(2026, 11, 23, 11, 29, 30, tzinfo=EXCHANGE_TZ)  # the morning's last trades
    just_after = datetime(2026, 11, 23, 13, 0, 30, tzinfo=EXCHANGE_TZ)
    assert stale_breaches({"600000.SSE": last}, just_after, cfg) == []  # 60 s of trading
    later = datetime(2026, 11, 23, 13, 2, 0, tzinfo=EXCHANGE_TZ)
    [breach] = stale_breaches({"600000.SSE": last}, later, cfg)
    assert breach.value == 150.0  # trading seconds: 30 before the break, 120 after


def test_yesterdays_price_counts_from_todays_open() -> None:
    cfg = LimitsConfig(stale_after_s=120)
    yesterday = datetime(2026, 12, 31, 14, 59, 50, tzinfo=EXCHANGE_TZ)  # across the year end
    assert stale_breaches({"600000.SSE": yesterday},
                          datetime(2027, 1, 4, 9, 31, tzinfo=EXCHANGE_TZ), cfg) == []
    [breach] = stale_breaches({"600000.SSE": yesterday},
                              datetime(2027, 1, 4, 9, 33, tzinfo=EXCHANGE_TZ), cfg)
    assert breach.value == 180.0
