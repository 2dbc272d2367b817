from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pandas as pd
import pytest

from exchange import contract_month, last_trading_day, third_friday
from marketdata.boards import board_of
from marketdata.calendar import CalendarNotCovered, TradingCalendar
from marketdata.schema import RiskFlag
from marketdata.synthetic import CRASH, ROTATION, RegimePlan, SyntheticMarket, generate_market
from marketdata.validate import (
    coverage_problems,
    limit_problems,
    price_problems,
    reference_problems,
)


def frame(m: SyntheticMarket, name: str) -> pd.DataFrame:
    return pd.DataFrame(m.stocks.values[name], index=pd.DatetimeIndex(m.days),
                        columns=m.stocks.symbols)


def test_same_seed_same_market(calendar: TradingCalendar, market: SyntheticMarket) -> None:
    again = generate_market(300, 120, seed=11, calendar=calendar)
    for name, values in market.stocks.values.items():
        np.testing.assert_array_equal(values, again.stocks.values[name])
    pd.testing.assert_frame_equal(market.futures, again.futures)
    other = generate_market(300, 120, seed=12, calendar=calendar)
    assert other.stocks.symbols != market.stocks.symbols


def test_default_end_is_fixed_and_days_are_trading_days(calendar: TradingCalendar,
                                                        market: SyntheticMarket) -> None:
    assert market.days[-1] == date(2026, 11, 20)
    assert market.days == calendar.trading_days(market.days[0], market.days[-1])
    shorter = generate_market(60, 20, seed=1, end=date(2024, 2, 11), calendar=calendar)
    assert shorter.days[-1] == date(2024, 2, 8)


def test_codes_names_and_boards(market: SyntheticMarket) -> None:
    inst = market.instruments
    assert all(board_of(s).value == b for s, b in zip(inst["symbol"], inst["board"], strict=True))
    assert set(inst["board"]) == {"main", "chinext", "star", "bse"}
    assert inst["symbol"].is_unique and inst["symbol"].is_monotonic_increasing
    assert all("\u4e00" <= name[-1] <= "\u9fff" for name in inst["name"])
    assert inst["industry"].nunique() > 15


def test_board_mix_and_cap_distribution_like_the_real_market(calendar: TradingCalendar) -> None:
    m = generate_market(2000, 20, seed=5, calendar=calendar)
    shares = m.instruments["board"].value_counts(normalize=True)
    assert 0.38 < shares["main"] + 0.0 < 0.62 and 0.2 < shares["chinext"] < 0.3
    caps = m.stocks.values["total_mcap"][-1]
    caps = caps[np.isfinite(caps)] / 1e9
    real = np.array([2233, 1337, 489]) / 5300  # end 2023: <5 bn, 5-10 bn, 10-15 bn
    got = np.array([(caps < 5).mean(), ((caps >= 5) & (caps < 10)).mean(),
                    ((caps >= 10) & (caps < 15)).mean()])
    np.testing.assert_allclose(got, real, atol=0.04)


def test_bars_pass_every_import_check(calendar: TradingCalendar, market: SyntheticMarket) -> None:
    block = market.stocks
    instruments = market.instruments.set_index("symbol")
    n = len(block.symbols)
    assert price_problems(block) == []
    assert coverage_problems(block, instruments) == []
    assert reference_problems(block, np.full(n, np.nan), np.full(n, np.nan)) == []
    assert limit_problems(block, instruments, calendar, np.zeros(n, dtype=np.int8)) == []


def test_life_events_all_happen(market: SyntheticMarket) -> None:
    flags = market.stocks.values["risk_flag"]
    listed = market.stocks.values["listed"]
    change = np.diff(flags.astype(int), axis=0)
    assert (change > 0).any() and (change < 0).any()  # ST designations and removals
    assert (flags == RiskFlag.STAR_ST).any() and (flags == RiskFlag.DELISTING).any()
    assert market.stocks.values["suspended"].any()
    new = market.instruments["list_date"] >= pd.Timestamp(market.days[1])
    gone = market.instruments["delist_date"].notna()
    assert new.any() and gone.any()
    i = market.stocks.symbols.index(market.instruments.loc[gone, "symbol"].iloc[0])
    last = np.flatnonzero(listed[:, i])[-1]
    assert flags[last, i] == RiskFlag.DELISTING and not listed[last + 1 :, i].any()


def test_limit_locked_days_and_new_listing_pops(market: SyntheticMarket) -> None:
    v = market.stocks.values
    one_price = (v["high"] == v["low"]) & v["listed"] & ~v["suspended"]
    assert one_price.any()
    ret = frame(market, "close") / frame(market, "prev_close") - 1
    new = market.instruments[market.instruments["list_date"] >= pd.Timestamp(market.days[1])]
    first_days = [ret.loc[row.list_date, row.symbol] for row in new.itertuples()]
    assert max(first_days) > 0.3  # beyond any board's band: the no-limit days exist


def test_crash_hits_the_smallest_hardest_and_widens_the_discount(
        calendar: TradingCalendar) -> None:
    m = generate_market(400, 80, seed=3, calendar=calendar,
                        regimes=RegimePlan(rotation_at=None, crash_at=0.3))
    crash = next(r for r in m.regimes if r.name == CRASH)
    index = m.index.set_index("date")
    worst = index.iloc[crash.start : crash.stop].min() / index.iloc[crash.start - 1] - 1
    assert worst["microcap"] < worst["csi1000"] < -0.08
    futures = m.futures.merge(index["csi1000"].rename("spot"), left_on="date", right_index=True)
    days_left = (futures["expiry"] - futures["date"]).dt.days
    futures = futures[days_left > 20]
    futures["discount"] = (1 - futures["close"] / futures["spot"]) * 365 / days_left[days_left > 20]
    daily = futures.groupby("date")["discount"].max()
    before = daily.iloc[: crash.start].mean()
    peak = daily.iloc[crash.start : crash.stop].max()
    assert before < 0.25 and peak > 0.4


def test_rotation_favours_large_caps(calendar: TradingCalendar) -> None:
    m = generate_market(400, 80, seed=4, calendar=calendar,
                        regimes=RegimePlan(rotation_at=0.3, crash_at=None))
    rotation = next(r for r in m.regimes if r.name == ROTATION)
    index = m.index.set_index("date")
    move = index.iloc[rotation.stop - 1] / index.iloc[rotation.start - 1] - 1
    assert move["microcap"] < move["csi1000"] - 0.08


def test_a_short_demo_still_contains_a_crash(calendar: TradingCalendar) -> None:
    m = generate_market(100, 60, seed=9, calendar=calendar)
    assert {r.name for r in m.regimes} == {CRASH, ROTATION}
    assert all(r.stop <= 60 for r in m.regimes)


def test_futures_converge_and_sit_on_ticks(market: SyntheticMarket) -> None:
    f = market.futures
    assert np.allclose((f[["open", "high", "low", "close"]] * 5).round(6) % 1, 0)
    index = market.index.set_index("date")["csi1000"]
    at_expiry = f[f["date"] == f["expiry"]]
    assert not at_expiry.empty
    spot = index.loc[at_expiry["date"]].to_numpy()
    np.testing.assert_allclose(at_expiry["close"].to_numpy(), spot, atol=0.2)


def test_too_small_a_market_is_refused(calendar: TradingCalendar) -> None:
    with pytest.raises(ValueError, match=">= 50 stocks"):
        generate_market(10, 20, seed=1, calendar=calendar)
    with pytest.raises(TypeError, match="calendar"):
        generate_market(100, 20, seed=1)


def test_expiries_past_the_calendar_are_the_named_third_friday_fallback(
        market: SyntheticMarket, calendar: TradingCalendar) -> None:
    expiries = market.futures.groupby("symbol")["expiry"].first()
    assert calendar.covered_through == date(2026, 12, 31)
    for symbol, expiry in expiries.items():
        year, month = contract_month(str(symbol))
        if date(year, month, 1) > calendar.covered_through:
            assert expiry.date() == third_friday(year, month)
            with pytest.raises(CalendarNotCovered):
                last_trading_day(str(symbol), calendar)
        else:
            assert expiry.date() == last_trading_day(str(symbol), calendar)
    assert {"IM2703.CFFEX", "IM2612.CFFEX"} <= set(expiries.index)


def market_digest(m: SyntheticMarket) -> str:
    """One hash of every stock field and the futures table."""
    digest = hashlib.sha256()
    for name in sorted(m.stocks.values):
        digest.update(name.encode() + np.ascontiguousarray(m.stocks.values[name]).tobytes())
    digest.update(pd.util.hash_pandas_object(m.futures, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def test_the_synthetic_market_is_pinned(market: SyntheticMarket) -> None:
    # Pinned 2026-12-01 after the intended corrections: delisting-period stocks trade at
    # the board's band after their free first day (not the ST band), and the futures
    # table carries a settlement column. Re-pinned 2026-12-02: cash dividends are declared
    # per share to 0.001 CNY and the ex-date reference is (close - cash) / (1 + shares).
    # Change the pin only for an intended change.
    digest = "ce87dae4f167149cfbd703a336e92807e7a1e5929e3f6d1bca1963f208a62e91"
    assert market_digest(market) == digest
