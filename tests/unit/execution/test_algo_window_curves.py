"""Schedules: the trading window, and the TWAP / VWAP / POV target curves."""

from datetime import date, time, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution.algos.curves import PovCurve, TwapCurve, VwapCurve
from execution.algos.profile import VolumeProfile, estimate_profile
from execution.algos.window import TradingWindow, at
from marketdata.sessions import Market

DAY = date(2026, 11, 23)


def test_window_skips_lunch_and_auctions() -> None:
    window = TradingWindow.build(DAY, time(9, 15), time(15, 0), Market.STOCK)
    assert window.segments == (
        (at(DAY, time(9, 30)), at(DAY, time(11, 30))),
        (at(DAY, time(13, 0)), at(DAY, time(14, 57))),
    )
    assert len(window.minutes()) == 120 + 117
    assert not window.contains(at(DAY, time(12, 0)))
    assert window.elapsed_seconds(at(DAY, time(12, 30))) == 7200


def test_window_inside_lunch_is_empty_and_reversed_window_is_refused() -> None:
    assert TradingWindow.build(DAY, time(11, 40), time(12, 50), Market.STOCK).empty
    with pytest.raises(ValueError, match="end must be after the start"):
        TradingWindow.build(DAY, time(14, 0), time(10, 0), Market.STOCK)


@pytest.mark.parametrize("day", [date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 4)])
def test_a_window_is_kept_per_day_and_market(day: date) -> None:
    """Built once per (day, start, end, market): the same object again, and each day's
    own (a month end, the year end, past it)."""
    window = TradingWindow.build(day, time(9, 30), time(14, 0), Market.STOCK)
    assert TradingWindow.build(day, time(9, 30), time(14, 0), Market.STOCK) is window
    assert window.segments == ((at(day, time(9, 30)), at(day, time(11, 30))),
                               (at(day, time(13, 0)), at(day, time(14, 0))))
    other = TradingWindow.build(day + timedelta(days=1), time(9, 30), time(14, 0), Market.STOCK)
    assert other.start.date() == day + timedelta(days=1)
    futures = TradingWindow.build(day, time(9, 30), time(15, 0), Market.INDEX_FUTURE)
    assert futures is not window and futures.end == at(day, time(15, 0))


def test_futures_window_runs_to_three() -> None:
    window = TradingWindow.build(DAY, time(13, 0), time(15, 0), Market.INDEX_FUTURE)
    assert window.end == at(DAY, time(15, 0))


def test_twap_spreads_evenly_and_never_trades_over_lunch() -> None:
    window = TradingWindow.build(DAY, time(9, 30), time(14, 55), Market.STOCK)
    curve = TwapCurve(window, 750, lead_s=60)
    assert curve.target(at(DAY, time(9, 30))) == 750 * 60 // (235 * 60)
    assert curve.target(at(DAY, time(11, 45))) == curve.target(at(DAY, time(12, 59)))
    assert curve.target(at(DAY, time(14, 54))) == 750
    assert curve.target(at(DAY, time(15, 30))) == 750


@given(st.integers(1, 2_000_000), st.integers(0, 330))
def test_twap_is_monotone_and_bounded(total: int, minute: int) -> None:
    window = TradingWindow.build(DAY, time(9, 30), time(14, 57), Market.STOCK)
    curve = TwapCurve(window, total, lead_s=60)
    now = at(DAY, time(9, 25)) + timedelta(minutes=minute)
    later = now + timedelta(minutes=1)
    assert 0 <= curve.target(now) <= curve.target(later) <= total


def test_vwap_follows_the_profile() -> None:
    window = TradingWindow.build(DAY, time(9, 30), time(9, 34), Market.STOCK)
    heavy_first = VolumeProfile({time(9, 30): 0.7, time(9, 31): 0.1, time(9, 32): 0.1,
                                 time(9, 33): 0.1})
    curve = VwapCurve(window, 1000, lead_s=60, profile=heavy_first)
    assert curve.target(at(DAY, time(9, 30))) == 700
    assert curve.target(at(DAY, time(9, 31))) == 800
    assert curve.target(at(DAY, time(9, 33))) == 1000


def test_flat_profile_makes_vwap_equal_twap() -> None:
    window = TradingWindow.build(DAY, time(9, 30), time(14, 57), Market.STOCK)
    vwap = VwapCurve(window, 12_345, 60, VolumeProfile())
    twap = TwapCurve(window, 12_345, 60)
    for minute in range(0, 330, 17):
        now = at(DAY, time(9, 30)) + timedelta(minutes=minute)
        assert abs(vwap.target(now) - twap.target(now)) <= 1


def test_profile_estimated_from_minute_bars() -> None:
    stamps = [at(d, time(9, 30)) for d in (DAY, DAY + timedelta(days=1))]
    stamps += [at(d, time(9, 31)) for d in (DAY, DAY + timedelta(days=1))]
    bars = pd.DataFrame({"datetime": stamps, "volume": [300.0, 100.0, 100.0, 100.0]})
    profile = estimate_profile(bars)
    assert profile.weight(time(9, 30)) == pytest.approx((0.75 + 0.5) / 2)
    assert profile.weight(time(9, 31)) == pytest.approx((0.25 + 0.5) / 2)
    assert profile.weight(time(10, 0)) == profile.floor
    with pytest.raises(ValueError, match="volume"):
        estimate_profile(pd.DataFrame({"datetime": stamps}))


def test_pov_follows_market_volume_up_to_the_parent() -> None:
    curve = PovCurve(10_000, Decimal("0.1"))
    assert curve.target(at(DAY, time(10, 0)), 0) == 0
    assert curve.target(at(DAY, time(10, 0)), 55_555) == 5_555
    assert curve.target(at(DAY, time(10, 0)), 10_000_000) == 10_000
